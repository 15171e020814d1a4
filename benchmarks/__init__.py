"""roleswitch's benchmark suite: `python -m benchmarks` (see README, Performance)."""
