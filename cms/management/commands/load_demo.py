import logging

from django.core.management.base import BaseCommand

from cms.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisation, policy and training records (skipped if already loaded)."

    def handle(self, *args, **options):
        # Wagtail logs every page edit and publish at INFO: a hundred lines above the logins.
        wagtail_log = logging.getLogger("wagtail")
        level = wagtail_log.level
        wagtail_log.setLevel(logging.WARNING)
        try:
            load_demo(stdout=self.stdout)
        finally:
            wagtail_log.setLevel(level)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, role, _group in DEMO_LOGINS:
            self.stdout.write(f"  {role:<40} {email}")
