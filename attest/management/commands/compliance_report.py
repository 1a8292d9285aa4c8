"""``compliance_report``: the compliance export from the command line (DESIGN §4).

One row per assignment with the columns of ``reports.COLUMNS``, in CSV, Excel or PDF, as of a
date and optionally for one policy or department. HR runs it for audits and from schedulers, so
bad arguments fail fast with a message that says what to do, before anything is written.
"""

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attest import exports, reports
from attest.models import Employee
from training.models import PolicyVersion

ERROR_AS_OF_FORMAT = gettext_lazy("--as-of must be a date written YYYY-MM-DD, e.g. 2026-03-31 (got “%(value)s”).")
ERROR_AS_OF_FUTURE = gettext_lazy("--as-of %(value)s is in the future: a report can only say what has happened.")
ERROR_UNKNOWN_POLICY = gettext_lazy("No released policy has the slug “%(value)s”. Released policies: %(known)s.")
ERROR_UNKNOWN_DEPARTMENT = gettext_lazy("Nobody works in a department called “%(value)s”. Departments: %(known)s.")
ERROR_OUTPUT_DIRECTORY = gettext_lazy("The folder %(folder)s does not exist: create it or choose another --output.")
ERROR_OUTPUT_IS_DIRECTORY = gettext_lazy(
    "--output %(path)s is a folder: give a file name, e.g. %(path)s/report.%(format)s."
)


HELP = gettext_lazy(
    "Export one row per assignment (employee_id, email, full_name, department, location, manager_email, policy, "
    "version, requirement, assigned_on, due_on, status, completed_at, days_overdue, quiz_score, attestation_id) "
    "as CSV, Excel or PDF, as of a date."
)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        """argparse formats the description with regular expressions: it needs a real string."""
        return str(HELP)

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=exports.FORMATS, help=_("csv, xlsx or pdf."))
        parser.add_argument("--output", required=True, help=_("The file to write."))
        parser.add_argument("--policy", default="", help=_("Only this policy (its slug)."))
        parser.add_argument("--department", default="", help=_("Only people in this department."))
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default="",
            help=_("Figures as of the end of this day (YYYY-MM-DD); today by default."),
        )

    def handle(self, *args, format, output, policy, department, as_of, **options):
        as_of_date = self._as_of(as_of)
        self._check_policy(policy)
        self._check_department(department)
        path = self._output(output, format)
        request = exports.ExportRequest(
            filters=reports.ReportFilters(policy=policy, department=department, as_of=as_of_date),
            scope_label=_("Everyone"),
        )
        started = time.monotonic()
        self.stdout.write(_("Writing the %(format)s report to %(path)s…") % {"format": format.upper(), "path": path})
        if format == "csv":
            exports.csv_write(request, path)
        elif format == "xlsx":
            exports.xlsx_write(request, path)
        else:
            with open(path, "wb") as pdf:
                exports.pdf_write(request, pdf, detail_limit=None)
        rows = reports.selection_count(request.filters, reports.Selection())
        described = "; ".join(f"{label}: {value}" for label, value in request.described())
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s rows written to %(path)s in %(seconds).1f s (%(described)s).")
                % {"rows": f"{rows:,}", "path": path, "seconds": time.monotonic() - started, "described": described}
            )
        )

    def _as_of(self, value: str) -> datetime.date:
        if not value:
            return timezone.localdate()
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(ERROR_AS_OF_FORMAT % {"value": value}) from None
        if len(value) != 10:
            raise CommandError(ERROR_AS_OF_FORMAT % {"value": value})
        if day > timezone.localdate():
            raise CommandError(ERROR_AS_OF_FUTURE % {"value": value})
        return day

    def _check_policy(self, slug: str) -> None:
        if not slug:
            return
        known = sorted(set(PolicyVersion.objects.values_list("policy__slug", flat=True)))
        if slug not in known:
            raise CommandError(ERROR_UNKNOWN_POLICY % {"value": slug, "known": ", ".join(known) or "—"})

    def _check_department(self, name: str) -> None:
        if not name or Employee.objects.filter(department=name).exists():
            return
        known = Employee.objects.order_by("department").values_list("department", flat=True).distinct()
        raise CommandError(ERROR_UNKNOWN_DEPARTMENT % {"value": name, "known": ", ".join(known) or "—"})

    def _output(self, output: str, fmt: str) -> Path:
        path = Path(output).expanduser()
        if path.is_dir():
            raise CommandError(ERROR_OUTPUT_IS_DIRECTORY % {"path": path, "format": fmt})
        if not path.parent.exists():
            raise CommandError(ERROR_OUTPUT_DIRECTORY % {"folder": path.parent})
        return path
