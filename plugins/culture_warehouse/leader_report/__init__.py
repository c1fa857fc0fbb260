"""The culture report for leaders without a BI tool: a static, self-contained site from ``marts``.

``culture report --dsn … --out DIR [--lang da|en]`` and the ``culture_report`` DAG both call
:func:`build_report`: ``index.html`` for the institution and ``units/<code>.html`` per current
org unit, each figure next to the parent unit's and the institution's.
"""

from culture_warehouse.leader_report.marts import ReportRefused
from culture_warehouse.leader_report.site import ReportSite, build_report

__all__ = ["ReportRefused", "ReportSite", "build_report"]
