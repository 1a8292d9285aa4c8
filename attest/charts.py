"""Dashboard charts, drawn on the server by matplotlib from the report frames.

No JavaScript and no CDN: each chart is an SVG (for pages, embedded as a data URI so the page
needs no extra request and the site's Content Security Policy stays strict) or a PNG (for the
PDF). Every chart comes with the table of the numbers it shows, so screen-reader users and
anyone printing in black and white get the same information.

Colours are the Okabe–Ito palette, distinguishable with the common forms of colour blindness.
"""

from __future__ import annotations

import base64
import io
import unicodedata
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from . import reports  # noqa: E402
from .reports import COMPLETED, COMPLETED_LATE, DECLINED, DIMENSION_LABELS, EXEMPT, OVERDUE  # noqa: E402

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "svg.fonttype": "none",
    "svg.hashsalt": "compliance-report",
}
COLOURS = {
    COMPLETED: "#009E73",
    COMPLETED_LATE: "#56B4E9",
    "not_due": "#BBBBBB",
    OVERDUE: "#D55E00",
    DECLINED: "#E69F00",
    EXEMPT: "#CC79A7",
    "due": "#999999",
    "completed_line": "#0072B2",
}
MAX_BARS = 12


@dataclass
class Chart:
    """A chart and the table of its numbers: ``headers`` and ``rows`` hold display strings."""

    slug: str
    title: str
    description: str
    headers: list[str]
    rows: list[list[str]]
    figure: Figure

    def svg(self) -> str:
        buffer = io.StringIO()
        with matplotlib.rc_context(STYLE):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    def svg_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode()).decode()

    def png(self, dpi: int = 150) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()


def _status_series() -> list[tuple[str, str]]:
    return [
        (COMPLETED, _("Completed on time")),
        (COMPLETED_LATE, _("Completed late")),
        ("not_due", _("Not yet due")),
        (OVERDUE, _("Overdue")),
        (DECLINED, _("Declined")),
        (EXEMPT, _("Exempt")),
    ]


def _percent(value: float) -> str:
    return f"{value:.1%}"


# What each chart is, before any data is drawn: the page needs this to lay out the figure
# and its data table; the image itself comes from its own URL.
CHART_SLUGS = ("trend", "status-by-department", "status-by-location")


def chart_title(slug: str) -> str:
    if slug == "trend":
        return _("Completions per week against due dates")
    dimension = slug.removeprefix("status-by-")
    return _("Status by %(dimension)s") % {"dimension": str(DIMENSION_LABELS[dimension]).lower()}


def chart_description(slug: str) -> str:
    if slug == "trend":
        return _(
            "Bar chart of the assignments due in each ISO week, with a line for the completions made each week. "
            "The table after the chart gives the same numbers."
        )
    dimension = slug.removeprefix("status-by-")
    return _(
        "Stacked bar chart of assignments by status (completed on time, completed late, not yet due, overdue, "
        "exempt) for the %(count)s largest groups by %(dimension)s. The table after the chart gives the numbers "
        "for every group."
    ) % {"count": MAX_BARS, "dimension": str(DIMENSION_LABELS[dimension]).lower()}


def status_chart(frame: pd.DataFrame, *, slug: str) -> Chart:
    """Horizontal stacked bars: each group's assignments by status (the largest groups)."""
    dimension = slug.removeprefix("status-by-")
    title = chart_title(slug)
    key_label = str(DIMENSION_LABELS[dimension])
    top = frame.sort_values("total", ascending=False).head(MAX_BARS)
    series = _status_series()
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(7.5, 0.32 * max(len(top), 3) + 1.3))
        figure.subplots_adjust(
            left=0.24, right=0.97, top=1 - 0.45 / figure.get_figheight(), bottom=0.75 / figure.get_figheight()
        )
        axes = figure.add_subplot()
        bars = top.iloc[::-1]
        left = pd.Series(0, index=bars.index, dtype="int64")
        for column, label in series:
            axes.barh(
                [_short(name) for name in bars["label"]],
                bars[column],
                left=left,
                color=COLOURS[column],
                label=label,
                height=0.7,
            )
            left = left + bars[column]
        axes.set_title(title, loc="left")
        axes.set_xlabel(_("Assignments"))
        figure.legend(loc="lower center", ncols=len(series), frameon=False, fontsize=8)
    headers = [key_label, *(label for _column, label in series), _("Total"), _("Completion rate")]
    rows = [
        [
            str(row["label"]),
            *(f"{int(row[column]):,}" for column, _label in series),
            f"{int(row['total']):,}",
            _percent(row["completion_rate"]),
        ]
        for _index, row in top.iterrows()
    ]
    return Chart(slug=slug, title=title, description=chart_description(slug), headers=headers, rows=rows, figure=figure)


def _short(label: str, limit: int = 28) -> str:
    """A label short enough for the axis, without control characters (no font draws them)."""
    label = "".join(" " if unicodedata.category(c).startswith("C") else c for c in str(label)).strip()
    return label if len(label) <= limit else label[: limit - 1] + "…"


def trend_chart(trend: pd.DataFrame) -> Chart:
    """Per ISO week: assignments falling due (bars) against completions (line)."""
    title = chart_title("trend")
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(7.5, 3.2))
        figure.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.14)
        axes = figure.add_subplot()
        positions = list(range(len(trend)))
        axes.bar(positions, trend["due"], color=COLOURS["due"], label=_("Due that week"), width=0.8)
        axes.plot(
            positions,
            trend["completed"],
            color=COLOURS["completed_line"],
            marker="o",
            markersize=3,
            label=_("Completed that week"),
        )
        step = max(1, len(trend) // 8)
        axes.set_xticks(positions[::step], list(trend["week"].iloc[::step]), fontsize=7)
        axes.set_title(title, loc="left")
        axes.set_ylabel(_("Assignments"))
        axes.legend(frameon=False, fontsize=8, loc="upper left")
    headers = [_("ISO week"), _("Week starting"), _("Due"), _("Of which completed"), _("Completed that week")]
    rows = [
        [
            row["week"],
            row["week_start"].isoformat(),
            f"{int(row['due']):,}",
            f"{int(row['due_and_done']):,}",
            f"{int(row['completed']):,}",
        ]
        for _index, row in trend.iterrows()
    ]
    return Chart(
        slug="trend", title=title, description=chart_description("trend"), headers=headers, rows=rows, figure=figure
    )


def chart_from_dashboard(slug: str, dashboard) -> Chart:
    if slug == "trend":
        return trend_chart(dashboard.trend)
    return status_chart(dashboard.breakdowns[slug.removeprefix("status-by-")], slug=slug)


def dashboard_charts(dashboard) -> list[Chart]:
    """The charts of a dashboard, in order (for the PDF)."""
    return [chart_from_dashboard(slug, dashboard) for slug in CHART_SLUGS]


def chart_for_filters(slug: str, filters) -> Chart:
    """One chart, computing only the figures it draws (one query): what a chart's URL serves."""
    if slug == "trend":
        return trend_chart(reports.trend_frame(filters))
    dimension = slug.removeprefix("status-by-")
    return status_chart(reports.rollup(reports.cube_frame(filters), dimension), slug=slug)
