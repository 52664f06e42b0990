"""Benchmarks: scripts that measure and print (`python -m tests.bench.<name>`), not tests."""
