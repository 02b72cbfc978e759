"""Benchmarks (run outside the test pass)."""
