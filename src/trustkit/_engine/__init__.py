"""Turning answers into a recommendation: pure functions, no I/O."""
