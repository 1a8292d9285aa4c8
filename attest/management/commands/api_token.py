"""Create, list and revoke API tokens from the command line (HR does the same in the admin).

    manage.py api_token create NAME --scope people:read [--scope reports:read] [--manager EMPLOYEE_ID]
    manage.py api_token list
    manage.py api_token revoke ID

``create`` prints the token once, on standard output and alone on its line, so a script can
capture it; only its hash is stored.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from attest.api.forms import ERROR_UNKNOWN_EMPLOYEE
from attest.api.models import ApiScope, ApiToken
from attest.api.tokens import api_token_create, api_token_revoke
from attest.models import Employee


class Command(BaseCommand):
    help = "Create, list or revoke tokens for the REST API at /api/v1/."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it (once).")
        create.add_argument("name", help="Which system uses the token, and who runs it.")
        create.add_argument(
            "--scope",
            action="append",
            required=True,
            choices=ApiScope.values,
            help="What the token may read; repeat for several.",
        )
        create.add_argument("--manager", metavar="EMPLOYEE_ID", help="Limit the token to this manager's line.")
        actions.add_parser("list", help="List every token (never the secrets).")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, name, scope, manager=None, **options):
        person = None
        if manager:
            person = Employee.objects.filter(employee_id=manager).first()
            if person is None:
                raise CommandError(ERROR_UNKNOWN_EMPLOYEE % {"employee_id": manager})
        try:
            token, secret = api_token_create(name=name, scopes=scope, manager=person)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Token {token.pk} “{token.name}” ({', '.join(token.scopes)}). Copy it now: it is not shown again."
        )
        self.stdout.write(secret)

    def _list(self, **options):
        for token in ApiToken.objects.select_related("manager").order_by("pk"):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            reach = token.manager.employee_id if token.manager_id else "everyone"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.name}\t{','.join(token.scopes)}\t{reach}\tlast used {used}\t{state}"
            )

    def _revoke(self, *, id, **options):  # noqa: A002 - the argument's name on the command line
        token = ApiToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(f"No API token has the id {id}.")
        if not api_token_revoke(token=token):
            raise CommandError(f"Token {id} was already revoked.")
        self.stdout.write(f"Token {id} “{token.name}” revoked.")
