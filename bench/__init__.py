"""Enishi's benchmarks: `make bench` (or `python bench/run.py`) runs them and writes results.json.

Never timed tests: they start real servers against real databases and take minutes. See
docs/PERFORMANCE.md for how to read and extend them.
"""
