"""``manage.py scim_token create NAME`` (prints the token once), ``revoke NAME``, ``list``."""

from django.core.management.base import BaseCommand, CommandError

from ...models import ScimToken
from ...tokens import TokenError, token_create, token_revoke


class Command(BaseCommand):
    help = "Create, revoke or list the bearer tokens identity providers use for SCIM provisioning."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("create", help="Create a token and print it once.").add_argument("name")
        actions.add_parser("revoke", help="Revoke a token: its provider gets 401 from now on.").add_argument("name")
        actions.add_parser("list", help="Every token, active or revoked, with its last use.")

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                record, token = token_create(name=options["name"])
                self.stdout.write(token)
                self.stderr.write(
                    f"Token “{record.name}” created. It is shown only this once: store it in the provider."
                )
            elif action == "revoke":
                record = token_revoke(name=options["name"])
                self.stdout.write(f"Token “{record.name}” revoked.")
            else:
                for record in ScimToken.objects.order_by("name"):
                    state = f"revoked {record.revoked_at:%Y-%m-%d %H:%M}" if record.revoked_at else "active"
                    used = f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never"
                    self.stdout.write(f"{record.name}\t{record.prefix}…\t{state}\tlast used {used}")
        except TokenError as error:
            raise CommandError(str(error)) from error
