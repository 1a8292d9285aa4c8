"""``import_roster PATH [--dry-run] [--deactivate-missing]`` (DESIGN §4)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attest.roster import roster_import

PROGRESS_STEP = 5  # percent
PROGRESS_MIN_ROWS = 1000


class ProgressPrinter:
    """Prints ``Importing… 35%`` to stderr every 5%, for files big enough to make people wait."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_MIN_ROWS * 2:
            return
        percent = min(100, done * 100 // total) // PROGRESS_STEP * PROGRESS_STEP
        if percent > self.shown:
            self.shown = percent
            self.stream.write(_("Importing… %(percent)s%%") % {"percent": percent})


class Command(BaseCommand):
    help = (
        "Import the roster from the HR system (CSV in UTF-8, or XLSX). All-or-nothing: on any problem it "
        "prints each one as 'row N, column C: message', changes nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The roster file, .csv or .xlsx.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, but change nothing.")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="People in the database but not in the file have left: close their accounts, keep their records.",
        )
        parser.add_argument(
            "--no-invitations", action="store_true", help="Do not email new people an invitation to set a password."
        )

    def handle(self, *args, path, dry_run, deactivate_missing, no_invitations, verbosity, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        result = roster_import(
            source=source,
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
            send_invitations=not no_invitations,
            progress=ProgressPrinter(self.stderr) if verbosity >= 1 else None,
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                ngettext(
                    "%(count)d problem in the roster; nothing was changed.",
                    "%(count)d problems in the roster; nothing was changed.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        summary = _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(deactivated)d deactivated, "
            "%(invited)d invited."
        ) % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "deactivated": result.deactivated,
            "invited": result.invited,
        }
        if dry_run:
            summary = _("Dry run, nothing was changed: %(summary)s") % {"summary": summary}
        self.stdout.write(summary)
        if result.held:
            self.stdout.write(
                ngettext(
                    "%(count)d new sign-in email needs a second HR person's approval in the admin (Email changes):",
                    "%(count)d new sign-in emails need a second HR person's approval in the admin (Email changes):",
                    len(result.held),
                )
                % {"count": len(result.held)}
            )
            for change in result.held:
                self.stdout.write(f"  row {change.row}, {change.employee_id}: {change.old_email} → {change.new_email}")
