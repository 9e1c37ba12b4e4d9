"""A sample class (honest, partial and hostile students) for `make grade-demo`, the benchmarks and the tests."""
