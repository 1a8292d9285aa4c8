"""What an export is asked for (filters, selection, scope) and how it names and describes itself."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import reports


@dataclass
class ExportRequest:
    """What to export: the filters, optionally one figure's people, and how to describe the scope."""

    filters: reports.ReportFilters
    selection: reports.Selection | None = None
    scope_label: str = ""

    def __post_init__(self):
        self.filters = self.filters.resolved()
        self.generated_at = timezone.localtime()

    def described(self) -> list[tuple[str, str]]:
        described = reports.describe_filters(self.filters, scope_label=self.scope_label)
        if self.selection and (self.selection.dimension != "overall" or self.selection.status != "all"):
            described.append((_("Figure"), reports.selection_label(self.selection, self.filters)))
        return described

    def filename(self, extension: str) -> str:
        """E.g. ``compliance-report_as-of-2026-05-01_department-retail.csv``."""
        parts = [f"as-of-{self.filters.on.isoformat()}"]
        for name, value in self.filters.query_params().items():
            if name != "as_of":
                parts.append(slugify(f"{name}-{value}")[:40])
        if self.selection:
            parts.extend(slugify(f"{name}-{value}")[:40] for name, value in self.selection.query_params().items())
        return "compliance-report_" + "_".join(parts) + f".{extension}"

    def headers(self) -> dict[str, str]:
        """Response headers stating the as-of date and filters (ASCII: values are URL-encoded)."""
        from urllib.parse import urlencode

        params = {**self.filters.query_params(), **(self.selection.query_params() if self.selection else {})}
        params.pop("as_of", None)
        return {
            "X-Report-As-Of": self.filters.on.isoformat(),
            "X-Report-Generated-At": self.generated_at.isoformat(timespec="seconds"),
            "X-Report-Filters": urlencode(params) or "none",
        }


def _generated_text(request: ExportRequest) -> str:
    moment = request.generated_at
    return f"{date_format(moment, 'DATETIME_FORMAT')} ({moment.tzname()})"
