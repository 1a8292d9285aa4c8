from django.core.management.base import BaseCommand

from cms.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisation, policy and training records (skipped if already loaded)."

    def handle(self, *args, **options):
        load_demo(stdout=self.stdout)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for email, role, _group in DEMO_LOGINS:
            self.stdout.write(f"  {role:<40} {email}")
