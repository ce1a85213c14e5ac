"""Benchmarks: the kiosk's cost next to the paper, as ratios measured in one run.

Run with ``python -m benchmarks`` (see BENCHMARKS.md); not part of the test run.
"""
