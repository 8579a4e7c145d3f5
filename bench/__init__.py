"""Benchmarks of Commons and the tools that prepare their data (see ``bench.generate``)."""
