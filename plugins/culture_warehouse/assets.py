"""The Airflow Asset the nightly publish updates, and that the ``culture_report`` DAG is scheduled on.

Only the DAG files import this module: it loads ``airflow.sdk``, which a night run by the CLI
already has, but nothing below the DAGs needs.
"""

from __future__ import annotations

from airflow.sdk import Asset

MARTS = Asset(name="culture_warehouse_marts", uri="culture://warehouse/marts", group="culture")
"""The ``marts`` schema BI reads: updated when ``publish`` of ``culture_nightly`` succeeds."""
