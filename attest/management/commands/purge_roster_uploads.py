"""``purge_roster_uploads``: delete roster uploads that were previewed but never confirmed.

Each upload is also purged when the next one is staged; run this daily (cron) so an abandoned
file does not stay in the database longer than ``ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS``.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from attest.roster import roster_uploads_purge


class Command(BaseCommand):
    help = "Delete roster uploads older than ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS that were never confirmed."

    def handle(self, *args, **options):
        count = roster_uploads_purge()
        self.stdout.write(
            ngettext("%(count)d abandoned roster upload deleted.", "%(count)d abandoned roster uploads deleted.", count)
            % {"count": count}
        )
