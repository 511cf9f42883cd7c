"""Benchmarks: streaming overhead, cold start and memory against the limit and the alternatives."""
