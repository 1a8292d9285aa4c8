"""``checkpoint_attestations``: sign the chain's state now and store it outside the database.

The task worker also writes one a few minutes after records are added; run this from cron (e.g.
hourly) as a backstop, and before taking a dump for an auditor.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from attest.checkpoints import ERROR_NO_PRIVATE_KEY, checkpoint_write


class Command(BaseCommand):
    help = "Write a signed checkpoint of the attestation chain to the checkpoints storage."

    def handle(self, *args, **options):
        try:
            name = checkpoint_write()
        except (ImproperlyConfigured, OSError) as error:
            raise CommandError(str(error)) from error
        if name is None:
            raise CommandError(ERROR_NO_PRIVATE_KEY)
        self.stdout.write(f"Wrote checkpoint {name}.")
