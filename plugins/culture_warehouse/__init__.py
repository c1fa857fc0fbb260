"""Culture warehouse: the nightly pipeline behind the trust- and results-culture marts.

Every stage lives in this package; the Airflow DAG and the ``culture`` CLI only call it.
"""

__version__ = "0.1.0"
