"""Compliance dashboards, drill-downs and exports: HR in the Wagtail admin, managers at /team/.

The views are thin: they check who may see what, read the filters, and hand over to
``reports`` (figures), ``charts`` and ``exports``. HR sees everyone; a manager (an employee
with reports) sees only their direct and indirect reports, on every page and in every export.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from wagtail.admin.auth import permission_required

from training.questions.selectors import chapters_most_asked

from .. import charts, exports, reports
from ..forms.reports import ReportFilterForm, SelectionForm
from ..hierarchy import line_prefix
from ..models import Employee
from ..permissions import HR_PERMISSION
from ..selectors import employee_for_user

PEOPLE_PER_PAGE = 100
HR_NAMESPACE = "attest_compliance"
ERROR_NOT_A_MANAGER = gettext_lazy("This page is for managers: nobody reports to you.")
DRILL_STATUSES = ("all", "done", reports.OVERDUE, "not_due", reports.EXEMPT, reports.DECLINED)


@dataclass(frozen=True)
class Scope:
    """Who the pages are for: where their URLs live and whose people they may see."""

    namespace: str
    people: reports.ReportFilters
    label: str

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"{self.namespace}_{name}", kwargs=kwargs or None)

    def urls(self) -> dict[str, str]:
        names = ("dashboard", "people", "quiz") if self.namespace == HR_NAMESPACE else ("dashboard", "people")
        return {name: self.url(name) for name in names}


def hr_scope() -> Scope:
    return Scope(namespace=HR_NAMESPACE, people=reports.ReportFilters(), label=str(_("Everyone")))


def manager_scope(request) -> Scope:
    """The signed-in manager's line, or 403 for anyone nobody reports to."""
    viewer = employee_for_user(request.user)
    if viewer is None or not Employee.objects.filter(manager=viewer).exists():
        raise PermissionDenied(ERROR_NOT_A_MANAGER)
    return Scope(
        namespace="team",
        people=reports.ReportFilters(line_of=viewer.pk, line_path=line_prefix(viewer)),
        label=_("Direct and indirect reports of %(name)s") % {"name": viewer.full_name},
    )


def percent(value: float) -> str:
    """A rate as a percentage with one decimal, in the active language's number format."""
    return f"{number_format(round(value * 100, 1), 1)} %"


def _link(url: str, *parts: dict) -> str:
    params = {}
    for part in parts:
        params.update(part)
    return f"{url}?{urlencode(params)}" if params else url


def _filters_or_errors(request, scope: Scope, choices: reports.FilterChoices):
    form = ReportFilterForm(request.GET, choices=choices)
    if not form.is_valid():
        return form, None
    return form, form.report_filters(scope=scope.people)


def _rows_with_links(frame, dimension: str, people_url: str, filters: reports.ReportFilters) -> list[dict]:
    rows = []
    for record in frame.to_dict("records"):
        base = {"dimension": dimension, "key": record["key"]}
        record["links"] = {
            status: _link(people_url, filters.query_params(), base, {"status": status}) for status in DRILL_STATUSES
        }
        record["completion_pct"] = percent(record["completion_rate"])
        record["overdue_pct"] = percent(record["overdue_rate"])
        rows.append(record)
    return rows


def _export_links(scope: Scope, filters: reports.ReportFilters, selection: reports.Selection | None = None) -> dict:
    extra = selection.query_params() if selection else {}
    return {fmt: _link(scope.url("export", fmt=fmt), filters.query_params(), extra) for fmt in exports.FORMATS}


def _dashboard_context(scope: Scope, filters: reports.ReportFilters, choices: reports.FilterChoices) -> dict:
    dashboard = reports.dashboard(filters, choices=choices)
    figures = {
        slug: {
            "slug": slug,
            "title": charts.chart_title(slug),
            "description": charts.chart_description(slug),
            "url": _link(scope.url("chart", slug=slug), filters.query_params()),
        }
        for slug in charts.CHART_SLUGS
    }
    people_url = scope.url("people")
    headline_links = {
        status: _link(people_url, filters.query_params(), {"status": status})
        for status in (
            "all",
            "required",
            "done",
            reports.COMPLETED_LATE,
            "not_due",
            reports.OVERDUE,
            reports.EXEMPT,
            reports.DECLINED,
        )
    }
    breakdowns = [
        {
            "dimension": dimension,
            "title": _("By %(dimension)s") % {"dimension": str(reports.DIMENSION_LABELS[dimension]).lower()},
            "key_label": reports.DIMENSION_LABELS[dimension],
            "rows": _rows_with_links(dashboard.breakdowns[dimension], dimension, people_url, filters),
            "partial": dimension == "manager" and not dashboard.managers_complete,
            "chart": figures.get(f"status-by-{dimension}"),
        }
        for dimension in reports.DIMENSIONS
    ]
    trend_rows = []
    for record in dashboard.trend.to_dict("records"):
        week = record["week_start"].isoformat()
        record["due_link"] = _link(people_url, filters.query_params(), {"dimension": "due_week", "key": week})
        record["done_link"] = _link(
            people_url, filters.query_params(), {"dimension": "done_week", "key": week, "status": "done"}
        )
        trend_rows.append(record)
    if scope.namespace == "team":
        trend_rows = weeks_worth_showing(trend_rows)
    overdue_rows = dashboard.overdue.to_dict("records") if dashboard.overdue is not None else []
    return {
        "dashboard": dashboard,
        "headline": dashboard.headline,
        "headline_pct": {
            "completion": percent(dashboard.headline["completion_rate"]),
            "on_time": percent(dashboard.headline["on_time_rate"]),
            "overdue": percent(dashboard.headline["overdue_rate"]),
        },
        "headline_links": headline_links,
        "breakdowns": breakdowns,
        "trend_rows": trend_rows,
        "trend_chart": figures["trend"],
        "overdue_rows": overdue_rows,
        "overdue_link": _link(people_url, filters.query_params(), {"status": reports.OVERDUE}),
        "exports": _export_links(scope, filters),
    }


TEAM_TREND_WEEKS = 8


def weeks_worth_showing(rows: list[dict]) -> list[dict]:
    """A small team's trend is mostly empty weeks: keep the weeks from the first to the last
    with anything due or completed, or the last ``TEAM_TREND_WEEKS`` weeks when none has."""
    busy = [index for index, row in enumerate(rows) if row["due"] or row["completed"]]
    if not busy:
        return rows[-TEAM_TREND_WEEKS:]
    return rows[busy[0] : busy[-1] + 1]


def _base_context(scope: Scope, form, filters, title) -> dict:
    return {
        "scope": scope,
        "urls": scope.urls(),
        "form": form,
        "filters": filters,
        "filter_query": urlencode(filters.query_params()) if filters else "",
        "page_title": title,
    }


def _dashboard(request, scope: Scope, template: str, extra: dict | None = None):
    choices = reports.filter_choices(scope=scope.people)
    form, filters = _filters_or_errors(request, scope, choices)
    context = {**_base_context(scope, form, filters, _("Compliance")), **(extra or {})}
    if filters is not None:
        context.update(_dashboard_context(scope, filters, choices))
    return render(request, template, context)


def _selection(request) -> reports.Selection:
    form = SelectionForm(request.GET)
    if not form.is_valid():
        raise Http404
    return form.selection()


def _people(request, scope: Scope, template: str):
    choices = reports.filter_choices(scope=scope.people)
    form, filters = _filters_or_errors(request, scope, choices)
    context = _base_context(scope, form, filters, _("People"))
    context["keep"] = [(name, request.GET[name]) for name in ("dimension", "key", "status") if request.GET.get(name)]
    if filters is not None:
        selection = _selection(request)
        paginator = Paginator(reports.detail_queryset(filters, selection), PEOPLE_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        query = {**filters.query_params(), **selection.query_params()}
        context.update(
            {
                "selection": selection,
                "selection_label": reports.selection_label(selection, filters),
                "page": page,
                "people": [dict(zip(reports.COLUMNS, row, strict=True)) for row in page.object_list],
                "status_labels": reports.STATUS_GROUP_LABELS,
                "query": urlencode(query),
                "dashboard_link": _link(scope.url("dashboard"), filters.query_params()),
                "exports": _export_links(scope, filters, selection),
            }
        )
    return render(request, template, context)


def _chart(request, scope: Scope, slug: str):
    """One chart as an SVG image. Served on its own URL so the page never waits for drawing;
    it computes only the figures it draws."""
    if slug not in charts.CHART_SLUGS:
        raise Http404
    choices = reports.filter_choices(scope=scope.people)
    _form, filters = _filters_or_errors(request, scope, choices)
    if filters is None:
        raise Http404
    response = HttpResponse(charts.chart_for_filters(slug, filters).svg(), content_type="image/svg+xml")
    # An SVG opened on its own must not run anything; its styles are matplotlib's own.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _export(request, scope: Scope, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404
    choices = reports.filter_choices(scope=scope.people)
    form, filters = _filters_or_errors(request, scope, choices)
    if filters is None:
        return HttpResponse(
            "\n".join(str(error) for errors in form.errors.values() for error in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    export = exports.ExportRequest(filters=filters, selection=_selection(request), scope_label=scope.label)
    response = StreamingHttpResponse(exports.content(fmt, export), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(fmt)}"'
    for name, value in export.headers().items():
        response[name] = value
    response["Cache-Control"] = "private, no-store"
    return response


# --- HR, in the Wagtail admin --------------------------------------------------------------


@require_GET
@permission_required(HR_PERMISSION)
def admin_dashboard(request):
    return _dashboard(
        request,
        hr_scope(),
        "attest/reports/admin_dashboard.html",
        extra={"question_chapters": chapters_most_asked(), "questions_url": reverse("questions:index")},
    )


@require_GET
@permission_required(HR_PERMISSION)
def admin_chart(request, slug):
    return _chart(request, hr_scope(), slug)


@require_GET
@permission_required(HR_PERMISSION)
def admin_export(request, fmt):
    return _export(request, hr_scope(), fmt)


@require_GET
@permission_required(HR_PERMISSION)
def admin_quiz(request):
    scope = hr_scope()
    choices = reports.filter_choices()
    form, filters = _filters_or_errors(request, scope, choices)
    context = _base_context(scope, form, filters, _("Quiz insight"))
    if filters is not None:
        chapters, context["computed_at"] = reports.quiz_insight_cached(filters)
        context["fresh_minutes"] = reports.QUIZ_INSIGHT_FRESH_FOR // 60
        for chapter in chapters:
            chapter.pass_pct = percent(chapter.pass_rate)
            chapter.first_try_pct = percent(chapter.first_try_rate)
            for question in chapter.questions:
                question.wrong_pct = percent(question.wrong_rate)
        context["chapters"] = chapters
    return render(request, "attest/reports/admin_quiz.html", context)


# --- Managers, on the site -----------------------------------------------------------------


@require_GET
def team_dashboard(request):
    return _dashboard(request, manager_scope(request), "attest/reports/team_dashboard.html")


@require_GET
def team_people(request):
    return _people(request, manager_scope(request), "attest/reports/team_people.html")


@require_GET
def team_chart(request, slug):
    return _chart(request, manager_scope(request), slug)


@require_GET
def team_export(request, fmt):
    return _export(request, manager_scope(request), fmt)
