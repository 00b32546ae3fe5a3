"""The monthly management SLA report: its figures, an Excel workbook and a standalone page."""

from pipelines.reports.figures import ReportData, ReportError, collect, month_bounds
from pipelines.reports.monthly import SUFFIXES, write_report

__all__ = ["SUFFIXES", "ReportData", "ReportError", "collect", "month_bounds", "write_report"]
