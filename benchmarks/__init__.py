"""Benchmark runner of issue 7: `python -m benchmarks --help`."""
