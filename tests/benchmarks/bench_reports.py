"""HR reports benchmark (DESIGN §5): the dashboard and the exports for 100,000 employees.

    .venv/bin/python tests/benchmarks/bench_reports.py [--employees 100000] [--rounds 9]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_reports] [--keep-db] [--reuse-db] [--pages-only]

What it does:

1. Drops and recreates the PostgreSQL database ``bench_reports`` (``--database-url`` to change
   it; dropped again afterwards unless ``--keep-db``; ``--reuse-db`` skips steps 1 and 2 when a
   kept database already holds an organisation), migrates it and times ``generate_organisation
   --employees N`` (about three assignments per person). Settings are ``cms.settings.test`` with
   ``DEBUG = False``.
2. Signs in, through Django's test client in this process, an HR user, the top manager (whose
   line is everyone) and the head of the largest department.
3. Times each page after a warm-up (median and p95 of ``--rounds`` requests) and counts its SQL
   queries: the HR dashboard, filtered by department and by policy, the manager's ``/team/``
   dashboard, the drill-down people pages and the chart images. "Figures" times and counts the
   queries of the dashboard's figures alone (``reports.filter_choices`` and ``reports.dashboard``).
4. Times the full CSV export (``compliance_report --format csv`` and the dashboard's download)
   against PostgreSQL's own ``COPY (the same join) TO STDOUT`` written to a file the same way;
   ``compliance_report --format xlsx`` in a child process, with its peak memory over that of a
   child that only starts Django; and the PDF (the dashboard's download, whose detail
   table stops at 5,000 rows, and ``compliance_report --format pdf`` with every row).

Bars: the organisation in at most ``GENERATE_BAR`` seconds; the dashboard pages under 0.5 s
(median) with at most 10 figure queries; CSV within 2× of ``COPY``; Excel under 60 s with a
bounded memory growth. Other figures are printed for information. Exits 1 if a bar is missed.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

GENERATE_BAR = 180.0  # seconds for 100,000 employees: "a few minutes at most"
PAGE_BAR = 0.5  # seconds of server time, median
FIGURE_QUERIES_BAR = 10
CSV_RATIO_BAR = 2.0
XLSX_SECONDS_BAR = 60.0
XLSX_MEMORY_BAR = 256  # MB of resident memory growth: the rows are never all in memory


class Results:
    """Every figure measured, and the bars missed."""

    def __init__(self):
        self.missed: list[str] = []

    def check(self, label: str, value: float, bar: float, unit: str, ok: bool) -> None:
        verdict = "OK" if ok else "MISSED"
        print(f"    {label}: {value:,.2f} {unit} (bar {bar:,.2f} {unit}) {verdict}", flush=True)
        if not ok:
            self.missed.append(f"{label}: {value:,.2f} {unit}, bar {bar:,.2f} {unit}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=9, help="timed requests per page, after two warm-ups")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_reports")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection or --reuse-db")
    parser.add_argument("--reuse-db", action="store_true", help="use a kept database's organisation as it is")
    parser.add_argument("--pages-only", action="store_true", help="time the pages, skip the exports")
    return parser.parse_args()


def other_benchmarks() -> list[str]:
    """Command lines of other benchmark scripts running now (they share the two cores)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if "tests/benchmarks/bench_" in command and "bench_reports" not in command:
            found.append(f"{entry.name} {command}")
    return found


def admin_url(database_url: str) -> tuple[str, str]:
    url = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(url._replace(path="/postgres")), url.path.lstrip("/")


def database_exists(database_url: str) -> bool:
    import psycopg

    admin, name = admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    admin, name = admin_url(database_url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# Runs in a child process: Django, then the management command given as arguments (if any),
# then prints its own peak resident memory. The kernel's ru_maxrss would not do: a child
# started from this large process inherits its high-water mark.
CHILD = (
    "import sys, django; django.setup(); from django.core.management import call_command; "
    "sys.argv[1:] and call_command(*sys.argv[1:]); "
    "print(next(line for line in open('/proc/self/status') if line.startswith('VmHWM:')).split()[1])"
)


def child(*args: str) -> tuple[float, float]:
    """Seconds taken by a child process running ``CHILD`` with ``args``, and its peak memory in MB."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    return time.perf_counter() - started, int(done.stdout.split()[-1]) / 1024


def baseline_memory() -> float:
    """Peak memory of a child that only starts Django: what an export's growth is measured from."""
    return child()[1]


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# ---------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------


def generate(employees: int, results: Results) -> None:
    from django.core.management import call_command

    from attest.models import Assignment

    print(f"generate_organisation --employees {employees:,}", flush=True)
    seconds, _none = timed(
        lambda: call_command("generate_organisation", employees=employees, stdout=open(os.devnull, "w"))
    )  # noqa: SIM115
    print(f"    {Assignment.objects.count():,} assignments")
    results.check("generate_organisation", seconds, GENERATE_BAR, "s", seconds <= GENERATE_BAR)


def viewers() -> dict:
    """An HR user; the top manager (everyone is in their line); the head of the largest department."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Count

    from attest.models import Employee
    from cms.roles import HR

    hr, _created = get_user_model().objects.get_or_create(
        username="bench-hr@bench.example", defaults={"email": "bench-hr@bench.example"}
    )
    hr.groups.add(Group.objects.get(name=HR))
    top = Employee.objects.filter(manager__isnull=True, reports__isnull=False).order_by("pk").first()
    largest = (
        Employee.objects.exclude(pk=top.pk)
        .values("department")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["department"]
    )
    head = Employee.objects.filter(manager=top, department=largest).order_by("pk").first()
    return {"hr": hr, "top": top, "head": head}


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def line_size(manager) -> int:
    from attest import reports

    return reports.employees_in_scope(reports.ReportFilters(line_of=manager.pk)).count()


def figures(line_of=None, **filters) -> tuple[float, int]:
    """Time and queries of a dashboard's figures alone: what the view asks ``reports`` for."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from attest import reports

    # The view knows the manager's line before it asks for figures (it has the signed-in employee).
    scope = reports.ReportFilters(line_of=line_of).resolved() if line_of else reports.ReportFilters()
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        choices = reports.filter_choices(scope=scope)
        reports.dashboard(
            reports.ReportFilters(line_of=scope.line_of, line_path=scope.line_path, **filters), choices=choices
        )
        seconds = time.perf_counter() - started
    return seconds, len(context.captured_queries)


def page(client, url: str, params: dict, rounds: int) -> tuple[list[float], int, int]:
    """Timings of ``rounds`` GETs after two warm-ups, the query count and the response size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.status_code)
        return response

    get()
    with CaptureQueriesContext(connection) as context:
        response = get()
    queries = len(context.captured_queries)  # read now: the next request empties the log
    timings = [timed(get)[0] for _round in range(rounds)]
    return timings, queries, len(response.content)


def pages(people: dict, rounds: int, results: Results) -> None:
    from django.test import Client

    from training.models import PolicyVersion

    hr = Client()
    hr.force_login(people["hr"])
    department = people["head"].department
    policy = PolicyVersion.objects.order_by("-released_at").values_list("policy__slug", flat=True).first()
    team = {}
    for role in ("top", "head"):
        team[role] = Client()
        team[role].force_login(people[role].user)
    print(
        f"Pages ({rounds} timed requests each after two warm-ups; top manager's line {line_size(people['top']):,}, "
        f"head of {department}'s line {line_size(people['head']):,} people)",
        flush=True,
    )
    dashboards = [
        ("HR dashboard", hr, "/admin/compliance/", {}, {}),
        (
            f"HR dashboard, department {department}",
            hr,
            "/admin/compliance/",
            {"department": department},
            {"department": department},
        ),
        (f"HR dashboard, policy {policy}", hr, "/admin/compliance/", {"policy": policy}, {"policy": policy}),
        ("/team/, top manager", team["top"], "/team/", {}, {"line_of": people["top"].pk}),
        (f"/team/, head of {department}", team["head"], "/team/", {}, {"line_of": people["head"].pk}),
    ]
    for label, client, url, params, filters in dashboards:
        timings, queries, size = page(client, url, params, rounds)
        figure_seconds, figure_queries = figures(**filters)
        median = statistics.median(timings)
        print(
            f"  {label:<44} median {median * 1000:7.1f} ms  p95 {percentile(timings, 0.95) * 1000:7.1f} ms  "
            f"{queries} queries; figures alone {figure_seconds * 1000:.0f} ms, {figure_queries} queries  {size / 1024:,.0f} KB",
            flush=True,
        )
        results.check(f"{label}: median server time", median, PAGE_BAR, "s", median < PAGE_BAR)
        results.check(
            f"{label}: figure queries",
            figure_queries,
            FIGURE_QUERIES_BAR,
            "queries",
            figure_queries <= FIGURE_QUERIES_BAR,
        )
    informative = [
        ("HR people, overdue", hr, "/admin/compliance/people/", {"status": "overdue"}),
        (
            f"HR people, {department} done",
            hr,
            "/admin/compliance/people/",
            {"dimension": "department", "key": department, "status": "done"},
        ),
        ("HR people, everyone, last page", hr, "/admin/compliance/people/", {"page": "last"}),
        ("/team/people/, top manager, overdue", team["top"], "/team/people/", {"status": "overdue"}),
        ("HR chart: trend", hr, "/admin/compliance/chart/trend.svg", {}),
        ("HR chart: status by department", hr, "/admin/compliance/chart/status-by-department.svg", {}),
        ("HR quiz insight", hr, "/admin/compliance/quiz/", {}),
    ]
    for label, client, url, params in informative:
        timings, queries, size = page(client, url, params, max(3, rounds // 3))
        print(
            f"  {label:<44} median {statistics.median(timings) * 1000:7.1f} ms  p95 {percentile(timings, 0.95) * 1000:7.1f} ms  "
            f"{queries} queries  {size / 1024:,.0f} KB",
            flush=True,
        )
    results.hr_client = hr


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


def copy_baseline_sql() -> str:
    """The export's join written by hand: the same tables, rows, columns and order, each value
    computed as plainly as SQL allows (no as-of rules, no formula escaping)."""
    from django.db import connection
    from wagtail.models import Page

    from attest.models import Assignment, Attestation, Employee, Requirement
    from training.models import PolicyPage, PolicyVersion

    quote = connection.ops.quote_name
    tables = {
        "assignment": Assignment,
        "employee": Employee,
        "requirement": Requirement,
        "version": PolicyVersion,
        "policy": PolicyPage,
        "attestation": Attestation,
        "page": Page,
    }
    t = {name: quote(model._meta.db_table) for name, model in tables.items()}
    return f"""
        SELECT e.employee_id, e.email, e.first_name || ' ' || e.last_name, e.department, e.location, m.email,
               p.title, v.number, r.name, a.assigned_on, a.due_on,
               CASE WHEN a.exempted_at IS NOT NULL THEN 'exempt'
                    WHEN a.completed_on IS NOT NULL AND a.completed_on <= a.due_on THEN 'completed'
                    WHEN a.completed_on IS NOT NULL THEN 'completed_late'
                    WHEN a.due_on < CURRENT_DATE THEN 'overdue'
                    WHEN a.started_at IS NOT NULL THEN 'in_progress'
                    ELSE 'assigned' END,
               a.completed_at,
               CASE WHEN a.exempted_at IS NULL AND a.completed_on IS NULL AND a.due_on < CURRENT_DATE
                    THEN CURRENT_DATE - a.due_on END,
               (SELECT ROUND(AVG((q.value->>'score')::numeric)) FROM jsonb_array_elements(s.quiz_results) q),
               a.attestation_id
        FROM {t["assignment"]} a
        JOIN {t["employee"]} e ON e.id = a.employee_id
        LEFT JOIN {t["employee"]} m ON m.id = e.manager_id
        JOIN {t["requirement"]} r ON r.id = a.requirement_id
        JOIN {t["version"]} v ON v.id = a.version_id
        JOIN {t["policy"]} pp ON pp.page_ptr_id = v.policy_id
        JOIN {t["page"]} p ON p.id = pp.page_ptr_id
        LEFT JOIN {t["attestation"]} s ON s.id = a.attestation_id
        WHERE a.cancelled_at IS NULL AND a.assigned_on <= CURRENT_DATE
        ORDER BY a.due_on, e.last_name, e.first_name, a.id
    """  # noqa: S608 - table names come from the models


def copy_to_file(sql: str, path: Path) -> int:
    """PostgreSQL's own ``COPY ... TO STDOUT`` into a file; returns the number of rows."""
    from django.db import connection

    with connection.cursor() as cursor, open(path, "wb") as output:
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                output.write(block)
        return cursor.cursor.rowcount


def best_of(runs: int, function) -> tuple[float, object]:
    """The fastest of ``runs`` (each after the same warm cache): the least disturbed by others."""
    timings = [timed(function) for _run in range(runs)]
    return min(timings, key=lambda item: item[0])


def csv_export(workdir: Path, client, results: Results) -> None:
    import csv

    from django.core.management import call_command

    print("CSV export (best of 3)", flush=True)
    command_path, view_path, copy_path = workdir / "report.csv", workdir / "download.csv", workdir / "copy.csv"

    def command():
        call_command("compliance_report", format="csv", output=str(command_path), stdout=open(os.devnull, "w"))  # noqa: SIM115

    def download():
        response = client.get("/admin/compliance/export/csv/")
        assert response.status_code == 200
        with open(view_path, "wb") as output:
            for chunk in response.streaming_content:
                output.write(chunk)

    sql = copy_baseline_sql()
    copy_seconds, copy_rows = best_of(3, lambda: copy_to_file(sql, copy_path))
    command_seconds, _none = best_of(3, command)
    view_seconds, _none = best_of(3, download)
    with open(command_path, encoding="utf-8-sig", newline="") as file:
        command_rows = sum(1 for _row in csv.reader(file)) - 1
    print(
        f"  COPY (the same join) TO STDOUT            {copy_seconds:7.2f} s  {copy_rows:,} rows  {copy_path.stat().st_size / 1e6:,.1f} MB"
    )
    print(
        f"  compliance_report --format csv            {command_seconds:7.2f} s  {command_rows:,} rows  {command_path.stat().st_size / 1e6:,.1f} MB"
    )
    print(
        f"  dashboard download (/admin/.../csv/)      {view_seconds:7.2f} s  {view_path.stat().st_size / 1e6:,.1f} MB"
    )
    if command_rows != copy_rows:
        results.missed.append(f"CSV rows: the export has {command_rows:,}, COPY {copy_rows:,}")
    results.check(
        "CSV export (command) / COPY",
        command_seconds / copy_seconds,
        CSV_RATIO_BAR,
        "×",
        command_seconds / copy_seconds <= CSV_RATIO_BAR,
    )
    results.check(
        "CSV export (download) / COPY",
        view_seconds / copy_seconds,
        CSV_RATIO_BAR,
        "×",
        view_seconds / copy_seconds <= CSV_RATIO_BAR,
    )


def xlsx_export(workdir: Path, results: Results) -> None:
    print("Excel export (compliance_report in a child process)", flush=True)
    path = workdir / "report.xlsx"
    base = baseline_memory()
    seconds, peak = child("compliance_report", "--format", "xlsx", "--output", str(path))
    growth = peak - base
    print(
        f"  compliance_report --format xlsx           {seconds:7.2f} s  {path.stat().st_size / 1e6:,.1f} MB  peak RSS {peak:,.0f} MB (+{growth:,.0f} MB over Django alone)"
    )
    results.check("Excel export time", seconds, XLSX_SECONDS_BAR, "s", seconds < XLSX_SECONDS_BAR)
    results.check("Excel export peak memory growth", growth, XLSX_MEMORY_BAR, "MB", growth <= XLSX_MEMORY_BAR)


def pdf_export(workdir: Path, client) -> None:
    print("PDF export (no bar: for information)", flush=True)

    def download():
        response = client.get("/admin/compliance/export/pdf/")
        assert response.status_code == 200
        return len(response.content)

    seconds, size = timed(download)
    print(f"  dashboard download (first 5,000 rows)     {seconds:7.2f} s  {size / 1e6:,.1f} MB")
    path = workdir / "report.pdf"
    base = baseline_memory()
    seconds, peak = child("compliance_report", "--format", "pdf", "--output", str(path))
    print(
        f"  compliance_report --format pdf (all rows) {seconds:7.2f} s  {path.stat().st_size / 1e6:,.1f} MB  "
        f"peak RSS {peak:,.0f} MB (+{peak - base:,.0f} MB over Django alone)"
    )


# ---------------------------------------------------------------------------------------------


def main() -> int:
    options = parse_args()
    os.environ["DATABASE_URL"] = options.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    others = other_benchmarks()
    print(f"HR reports benchmark: {options.employees:,} employees, database {options.database_url}")
    print(f"Load average {os.getloadavg()[0]:.2f}; other benchmarks running: {others or 'none'}", flush=True)
    reuse = options.reuse_db and database_exists(options.database_url)
    if not reuse:
        recreate_database(options.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    results = Results()
    if not reuse:
        seconds, _none = timed(lambda: call_command("migrate", verbosity=0))
        print(f"migrate: {seconds:.1f} s", flush=True)
        generate(options.employees, results)
    workdir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        pages(viewers(), options.rounds, results)
        if not options.pages_only:
            csv_export(workdir, results.hr_client, results)
            xlsx_export(workdir, results)
            pdf_export(workdir, results.hr_client)
    finally:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
        from django.db import connections

        connections.close_all()
        if not options.keep_db:
            recreate_database(options.database_url, drop_only=True)
    still = other_benchmarks()
    print(f"\nLoad average {os.getloadavg()[0]:.2f}; other benchmarks running at the end: {still or 'none'}")
    if results.missed:
        print("BARS MISSED:\n  " + "\n  ".join(results.missed))
        return 1
    print("All bars met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
