"""``send_reminders``: idempotent, safe to run from cron every hour (DESIGN §4).

By default it queues the work for the task worker (``manage.py db_worker``); ``--now`` sends in
this process instead. Either way nothing is ever sent twice.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from attest import tasks
from attest.reminders import reminders_send

from ._options import day_option


class Command(BaseCommand):
    help = "Send due reminders, manager escalations, the weekly HR digest and policy review reminders."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Send in this process instead of queueing a task.")
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, now, today, **options):
        day = day_option(today)
        if now:
            counts = reminders_send(today=day)
        else:
            result = tasks.send_reminders.enqueue(today=day.isoformat() if day else None)
            if not result.is_finished:
                self.stdout.write(
                    _("Queued task %(id)s: the worker (manage.py db_worker) sends the emails.") % {"id": result.id}
                )
                return
            if result.errors:
                raise CommandError(result.errors[-1].traceback)
            counts = result.return_value
        self.stdout.write(
            _("Sent %(employees)d reminders, %(managers)d escalations, %(hr)d HR digests, %(owners)d review reminders.")
            % {
                "employees": counts["employees"],
                "managers": counts["managers"],
                "hr": counts["hr"],
                "owners": counts["policy_owners"],
            }
        )
