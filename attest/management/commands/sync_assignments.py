"""``sync_assignments``: bring assignments in line with requirements, people and released versions.

Idempotent; schedule it nightly (releasing a version from the admin queues it too). By default it queues the
work for the task worker (``manage.py db_worker``); ``--now`` runs it in this process.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from attest import tasks
from attest.services import assignments_sync

from ._options import day_option


class Command(BaseCommand):
    help = "Create, move and cancel assignments so they match requirements, people and released versions."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run in this process instead of queueing a task.")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, now, today, **options):
        day = day_option(today)
        if now:
            counts = assignments_sync(today=day)
        else:
            result = tasks.sync_assignments.enqueue(today=day.isoformat() if day else None)
            if not result.is_finished:
                self.stdout.write(
                    _("Queued task %(id)s: the worker (manage.py db_worker) runs it.") % {"id": result.id}
                )
                return
            if result.errors:
                raise CommandError(result.errors[-1].traceback)
            counts = result.return_value
        self.stdout.write(
            _("%(created)d assignments created, %(moved)d moved to a newer version, %(cancelled)d cancelled.") % counts
        )
