"""Benchmarks: ratios measured in one run; never part of `make test` (see bench/README.md)."""
