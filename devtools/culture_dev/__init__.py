"""Development tools beside the runtime package: the synthetic landing drop and the benchmark.

``culture_warehouse`` (the Airflow plugins folder) never imports this package at import time;
only the ``culture generate`` and ``culture bench`` commands load it, when they run.
"""
