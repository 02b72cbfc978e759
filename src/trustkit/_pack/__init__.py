"""Reading and checking content packs: knows files, knows nothing of answers."""
