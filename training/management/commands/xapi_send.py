"""``xapi_send``: send the xAPI outbox to the learning record store now.

The task worker sends statements as they are recorded and retries with back-off; run this from
cron as a backstop, or with ``--all`` once a store that was down is back, to send the statements
still waiting for their back-off too. Exits non-zero when statements had to wait or were refused.
"""

from django.core.management.base import BaseCommand, CommandError

from training.xapi.outbox import outbox_send, xapi_enabled

ERROR_NOT_CONFIGURED = "XAPI_LRS_ENDPOINT is not set: there is no learning record store to send to."


class Command(BaseCommand):
    help = "Send the xAPI statements waiting in the outbox to the learning record store."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Also send statements still waiting for their back-off.")

    def handle(self, *args, **options):
        if not xapi_enabled():
            raise CommandError(ERROR_NOT_CONFIGURED)
        report = outbox_send(include_waiting=options["all"])
        self.stdout.write(f"{report.sent} sent, {report.failed} refused, {report.delayed} waiting.")
        if report.failed or report.delayed:
            when = f" Next try at {report.next_try_at.isoformat()}." if report.delayed and report.next_try_at else ""
            raise CommandError(f"The learning record store answered: {report.errors[-1].rstrip('.')}.{when}")
