"""Comparison benchmarks (`make bench`)."""
