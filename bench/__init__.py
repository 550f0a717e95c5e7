"""Zansai's benchmarks: `python -m bench [--quick] [--only NAME ...] [--json]`.

They print numbers and never assert a time. Each benchmark is a module here that defines
`BENCHMARK = bench.core.Benchmark(...)` (the interface is described in `bench.core`) and is
listed in `bench.runner.MODULES`. Results and how to read them: docs/performance.md.
"""
