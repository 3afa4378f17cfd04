"""Reports shared by every check: ``summary.json``, ``findings.csv``, ``findings.gpkg``,
``report.html`` (an interactive map beside every finding, offline), and a short table for the
terminal.

Every ``geonames inspect …`` command (and ``geonames names lint``) builds a :class:`Report`
and calls :func:`write_report`.
"""

from geonames.document import MapLayer, Report, Section, Table
from geonames.report.writers import ReportFolderError, format_summary, write_report

__all__ = ["MapLayer", "Report", "ReportFolderError", "Section", "Table", "format_summary",
           "write_report"]
