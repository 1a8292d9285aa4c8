"""``compliance_report``: the compliance export from the command line (DESIGN §4).

One row per assignment with the columns of ``reports.COLUMNS``, in CSV, Excel or PDF, as of a
date and optionally for one policy or department. HR runs it for audits and from schedulers, so
bad arguments fail fast with a message that says what to do, before anything is written.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attest import exports, reports
from attest.forms.reports import ReportFilterForm

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
        filters = self._filters(policy=policy, department=department, as_of=as_of)
        path = self._output(output, format)
        request = exports.ExportRequest(filters=filters, scope_label=_("Everyone"))
        started = time.monotonic()
        self.stdout.write(_("Writing the %(format)s report to %(path)s…") % {"format": format.upper(), "path": path})
        with open(path, "wb") as file:
            exports.write(format, request, file, pdf_detail_limit=None)
        rows = reports.selection_count(request.filters, reports.Selection())
        described = "; ".join(f"{label}: {value}" for label, value in request.described())
        self.stdout.write(
            self.style.SUCCESS(
                _("%(rows)s rows written to %(path)s in %(seconds).1f s (%(described)s).")
                % {"rows": f"{rows:,}", "path": path, "seconds": time.monotonic() - started, "described": described}
            )
        )

    def _filters(self, **options) -> reports.ReportFilters:
        """Checked by the dashboard's own filter form, so the command accepts exactly what HR can
        choose there; each problem is named by its option."""
        form = ReportFilterForm(options, choices=reports.filter_choices())
        if not form.is_valid():
            raise CommandError(
                " ".join(
                    f"--{name.replace('_', '-')}: {message}"
                    for name, errors in form.errors.items()
                    for message in errors
                )
            )
        return form.report_filters()

    def _output(self, output: str, fmt: str) -> Path:
        path = Path(output).expanduser()
        if path.is_dir():
            raise CommandError(ERROR_OUTPUT_IS_DIRECTORY % {"path": path, "format": fmt})
        if not path.parent.exists():
            raise CommandError(ERROR_OUTPUT_DIRECTORY % {"folder": path.parent})
        return path
