"""The compliance figures as JSON: ``reports.dashboard`` (what the HR dashboard and ``/team/``
show), its pandas frames turned into plain numbers. Nothing is counted here."""

from __future__ import annotations

from .. import reports
from .models import ApiToken

EVERYONE = "everyone"


def _plain(value):
    """numpy's integers and floats as Python's (JSON knows no numpy)."""
    if hasattr(value, "item"):
        return value.item()
    return value


def _rows(frame, columns) -> list[dict]:
    return [{column: _plain(record[column]) for column in columns} for record in frame.to_dict("records")]


def compliance_figures(filters: reports.ReportFilters, *, choices: reports.FilterChoices, token: ApiToken) -> dict:
    """Headline, every breakdown and the weekly trend, for ``filters`` (already limited to the
    token's people). The overdue list is left out: it names people, which ``/people/`` serves."""
    dashboard = reports.dashboard(filters, choices=choices, overdue_limit=0)
    trend_columns = ("week", "week_start", "due", "due_and_done", "completed")
    return {
        "as_of": dashboard.filters.on,
        "generated_at": dashboard.generated_at,
        "scope": token.manager.employee_id if token.manager_id else EVERYONE,
        "filters": dashboard.filters.query_params(),
        "headline": dashboard.headline,
        "breakdowns": {
            dimension: _rows(frame, reports.BREAKDOWN_COLUMNS) for dimension, frame in dashboard.breakdowns.items()
        },
        "managers_complete": dashboard.managers_complete,
        "trend": _rows(dashboard.trend, trend_columns),
    }
