"""The compliance export as a PDF (reportlab): figures, breakdowns and the detail rows, wrapped, with the header on every page."""

from __future__ import annotations

import datetime
import functools
import io
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from .. import charts, reports
from ..certificates import BOLD, REGULAR, register_fonts
from .request import ExportRequest, _generated_text
from .xlsx import _breakdown_headers, _headline_rows

PDF_DETAIL_LIMIT = 5_000


CELL_PADDING = 2.5


PDF_WIDTHS = {  # points on landscape A4: every header and date fits, long text is cut
    "employee_id": 46,
    "email": 66,
    "full_name": 60,
    "department": 46,
    "location": 38,
    "manager_email": 62,
    "policy": 46,
    "version": 30,
    "requirement": 54,
    "assigned_on": 42,
    "due_on": 42,
    "status": 50,
    "completed_at": 60,
    "days_overdue": 36,
    "quiz_score": 30,
    "attestation_id": 44,
    "needs_hr": 30,
    "identity_change": 40,
}


def _pdf_styles():
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    register_fonts()
    sheet = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("ReportTitle", parent=sheet["Title"], fontName=BOLD, fontSize=18, alignment=0),
        "h2": ParagraphStyle("ReportH2", parent=sheet["Heading2"], fontName=BOLD, fontSize=12, spaceBefore=10),
        "body": ParagraphStyle("ReportBody", parent=sheet["BodyText"], fontName=REGULAR, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("ReportCell", fontName=REGULAR, fontSize=7, leading=8.5),
        "head": ParagraphStyle("ReportHead", fontName=BOLD, fontSize=5.5, leading=6.5),
    }


def _table_style(*, header_font=BOLD, size=7.5):
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), REGULAR, size),
            ("FONT", (0, 0), (-1, 0), header_font, size),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#1d4e89")),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fb")]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ]
    )


def _header_text(name: str, width: float, size: float = 5.5) -> str:
    """A column name that fits its column: too wide, it breaks after its underscores only."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(name, BOLD, size) <= width - 2 * CELL_PADDING:
        return name
    return name.replace("_", "_<br/>")


@functools.cache
def _cell_style(size: float):
    """The paragraph style of a wrapped table cell. A long word (an email address) is split
    across lines rather than run into the next column."""
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    return ParagraphStyle(f"Cell{size}", fontName=REGULAR, fontSize=size, leading=size * 1.2, splitLongWords=1)


def _fit(text: str, width: float, size: float, font: str = REGULAR):
    """``text`` for a ``width``-point cell: as it is when it fits on one line, else wrapped in
    the cell (a paragraph, only then: paragraphs for every one of thousands of cells would make
    the PDF slow to build). Nothing is cut: an auditor must read every address whole."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph

    if stringWidth(text, font, size) <= width - 2 * CELL_PADDING:
        return text
    return Paragraph(escape(text), _cell_style(size))


def _pdf_detail_value(name: str, value) -> str:
    if value is None:
        return ""
    if name == "status":
        return str(reports.STATUS_GROUP_LABELS.get(value, value))
    if name == "identity_change":  # "2026-03-02T13:05:09Z IC-12": the day and the reference fit
        return f"{value[:10]} {value.rpartition(' ')[2]}"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def pdf_write(request: ExportRequest, output, *, detail_limit: int | None = PDF_DETAIL_LIMIT) -> int:
    """Write the PDF report to ``output``; returns the number of detail rows included.

    ``detail_limit`` caps the detail table (the PDF says so, and points to CSV/Excel for all rows)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    styles = _pdf_styles()
    dashboard = reports.dashboard(request.filters, managers=None, overdue_limit=reports.OVERDUE_LIST_LENGTH)
    page_width, page_height = landscape(A4)
    margin = 10 * mm
    usable = page_width - 2 * margin
    title = _("Compliance report")
    footer = _("%(title)s · as of %(as_of)s · generated %(generated)s · page %%(page)s") % {
        "title": title,
        "as_of": request.filters.on.isoformat(),
        "generated": _generated_text(request),
    }

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(margin, 7 * mm, footer % {"page": document.page})
        canvas.restoreState()

    document = SimpleDocTemplate(
        output,
        pagesize=(page_width, page_height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=12 * mm,
        title=title,
        author=_("Policy training & attestation"),
    )
    story = [Paragraph(title, styles["title"])]
    facts = [[_("Generated"), _generated_text(request)], [_("Times are in"), str(timezone.get_current_timezone())]]
    facts += [[label, value] for label, value in request.described()]
    story.append(
        Table(facts, colWidths=[45 * mm, usable - 45 * mm], hAlign="LEFT", style=_table_style(header_font=REGULAR))
    )
    story.append(Paragraph(_("Headline figures"), styles["h2"]))
    headline = [
        [label, f"{value:.1%}" if fmt.endswith("%") else f"{int(value):,}"]
        for label, value, fmt in _headline_rows(dashboard.headline)
    ]
    story.append(
        Table([[_("Figure"), _("Value")], *headline], colWidths=[70 * mm, 35 * mm], hAlign="LEFT", style=_table_style())
    )

    for chart in charts.dashboard_charts(dashboard):
        image = Image(io.BytesIO(chart.png(dpi=110)))
        scale = min(usable / image.imageWidth, (page_height - 50 * mm) / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale * 0.9, image.imageHeight * scale * 0.9
        story.append(
            KeepTogether([Paragraph(chart.title, styles["h2"]), image, Paragraph(chart.description, styles["body"])])
        )

    columns = _breakdown_headers()
    for dimension in reports.DIMENSIONS:
        frame = dashboard.breakdowns[dimension]
        label = str(reports.DIMENSION_LABELS[dimension])
        heading = _("By %(dimension)s") % {"dimension": label.lower()}
        if dimension == "manager" and len(frame) > reports.MANAGERS_ON_DASHBOARD:
            heading += " " + _("(the %(shown)s with most overdue, of %(count)s; the Excel export lists all)") % {
                "shown": reports.MANAGERS_ON_DASHBOARD,
                "count": f"{len(frame):,}",
            }
            frame = frame.head(reports.MANAGERS_ON_DASHBOARD)
        rows = [[Paragraph(label, styles["head"])] + [Paragraph(h, styles["head"]) for _c, h, _f in columns]]
        for record in frame.to_dict("records"):
            rows.append(
                [_fit(str(record["label"]), 60 * mm, 7)]
                + [f"{record[c]:.1%}" if f.endswith("%") else f"{int(record[c]):,}" for c, _h, f in columns]
            )
        widths = [62 * mm] + [(usable - 62 * mm) / len(columns)] * len(columns)
        story.append(Paragraph(heading, styles["h2"]))
        story.append(Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=_table_style(size=7)))

    if dashboard.overdue is not None and not dashboard.overdue.empty:
        story.append(
            Paragraph(_("Overdue, longest first (first %(count)s)") % {"count": len(dashboard.overdue)}, styles["h2"])
        )
        heads = [
            _("Employee id"),
            _("Name"),
            _("Department"),
            _("Manager"),
            _("Requirement"),
            _("Due on"),
            _("Days overdue"),
            _("Reminders sent"),
        ]
        rows = [[Paragraph(h, styles["head"]) for h in heads]]
        for record in dashboard.overdue.to_dict("records"):
            rows.append(
                [
                    record["employee_id"],
                    _fit(record["full_name"], 45 * mm, 7),
                    _fit(record["department"], 35 * mm, 7),
                    _fit(record["manager_name"] or "", 45 * mm, 7),
                    _fit(record["requirement"], 60 * mm, 7),
                    record["due_on"].isoformat(),
                    str(record["days_overdue"]),
                    str(record["reminders"]),
                ]
            )
        widths = [22 * mm, 48 * mm, 38 * mm, 48 * mm, 62 * mm, 22 * mm, 18 * mm, 18 * mm]
        story.append(Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=_table_style(size=7)))

    story.append(PageBreak())
    story.append(Paragraph(_("Detail: one row per assignment"), styles["h2"]))
    total = reports.selection_count(request.filters, request.selection or reports.Selection())
    if detail_limit is not None and total > detail_limit:
        story.append(
            Paragraph(
                _("The first %(limit)s of %(total)s rows, by due date. The CSV and Excel exports hold every row.")
                % {"limit": f"{detail_limit:,}", "total": f"{total:,}"},
                styles["body"],
            )
        )
    weights = [PDF_WIDTHS[name] for name in reports.COLUMNS]
    widths = [usable * weight / sum(weights) for weight in weights]
    header = [
        Paragraph(_header_text(name, width), styles["head"])
        for name, width in zip(reports.COLUMNS, widths, strict=True)
    ]
    size = 6
    detail_style = _table_style(size=size)
    detail_style.add("ALIGN", (1, 1), (-1, -1), "LEFT")
    queryset = reports.detail_queryset(request.filters, request.selection)
    if detail_limit is not None:
        queryset = queryset[:detail_limit]
    counted = {"rows": 0}

    def detail_tables() -> Iterator:
        # Many short tables instead of one long one: reportlab splits each in linear time, and
        # ``repeatRows`` repeats the header on every page a table continues onto.
        chunk: list[list[str]] = []
        for row in queryset.iterator(chunk_size=2000):
            chunk.append(
                [
                    _fit(_pdf_detail_value(name, value), width, size)
                    for name, value, width in zip(reports.COLUMNS, row, widths, strict=True)
                ]
            )
            counted["rows"] += 1
            if len(chunk) == 300:
                yield Table([header, *chunk], colWidths=widths, repeatRows=1, hAlign="LEFT", style=detail_style)
                chunk = []
        if chunk or not counted["rows"]:
            yield Table([header, *chunk], colWidths=widths, repeatRows=1, hAlign="LEFT", style=detail_style)
        yield Spacer(1, 4 * mm)
        yield Paragraph(_("End of report: %(count)s rows.") % {"count": f"{counted['rows']:,}"}, styles["body"])

    document.build(_StreamedStory(story, detail_tables()), onFirstPage=on_page, onLaterPages=on_page)
    return counted["rows"]


class _StreamedStory(list):
    """A story reportlab reads from the front while the rest is still being made, so a report
    of 300,000 rows holds a few tables at a time rather than all of them (gigabytes).

    ``BaseDocTemplate.build`` only touches the front of the list (``len``, ``[i]``, ``del [0]``,
    ``insert(0, …)``, ``[0:0] = …``); topping it up from ``rest`` whenever it runs short is enough."""

    LOW_WATER = 4

    def __init__(self, start: list, rest: Iterator):
        super().__init__(start)
        self._rest = rest

    def _top_up(self) -> None:
        while self._rest is not None and super().__len__() < self.LOW_WATER:
            try:
                self.append(next(self._rest))
            except StopIteration:
                self._rest = None

    def __len__(self) -> int:
        self._top_up()
        return super().__len__()

    def __getitem__(self, index):
        self._top_up()
        return super().__getitem__(index)


def pdf_bytes(request: ExportRequest, *, detail_limit: int | None = PDF_DETAIL_LIMIT) -> bytes:
    buffer = io.BytesIO()
    pdf_write(request, buffer, detail_limit=detail_limit)
    return buffer.getvalue()
