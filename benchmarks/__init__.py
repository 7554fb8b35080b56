"""Benchmarks: a synthetic corpus generator and the benchmark suite (``python -m benchmarks.run``).

Not part of the unit tests; results go to ``benchmarks/results/`` (ignored by git).
"""
