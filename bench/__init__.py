"""Benchmarks that print numbers (run by hand; not part of make test)."""
