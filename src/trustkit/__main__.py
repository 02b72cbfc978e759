"""``python -m trustkit``: the same as the ``trustkit`` command."""

from trustkit._cli import run

if __name__ == "__main__":
    run()
