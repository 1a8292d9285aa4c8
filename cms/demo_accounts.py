"""The demo's official social-media accounts: the company page on LinkedIn, the Danish Instagram
run by Sofia Lind's team, and a Norwegian X account whose editor has just left (so HR sees an
open access-removal task). Built through the register's services, as HR would."""

import datetime

from django.utils import timezone

from attest.models import Employee, EmployeeStatus
from attest.official_accounts.models import AccessRole, OfficialAccount, Platform, SignInProtection
from attest.official_accounts.services import access_grant, account_save
from attest.roster import employee_sync

ACCOUNTS = [
    {
        "platform": Platform.LINKEDIN,
        "handle": "northwind",
        "url": "https://www.linkedin.com/company/northwind",
        "department": "Communications",
        "country": "",
        "language": "en",
        "purpose": "The company page: news about Northwind, open positions and what our people are proud of.",
        "sign_in_protection": SignInProtection.PASSKEY,
        "credential_location": "Communications vault in the company password manager; recovery codes in the safe in London.",
        "review_every_months": 6,
        "holders": [
            ("oliver.grant@northwind.example", AccessRole.OWNER),
            ("amelia.hughes@northwind.example", AccessRole.EDITOR),
        ],
    },
    {
        "platform": Platform.INSTAGRAM,
        "handle": "@northwind.dk",
        "url": "https://www.instagram.com/northwind.dk/",
        "department": "Communications",
        "country": "Danmark",
        "language": "da",
        "purpose": "Billeder og korte videoer fra butikkerne i Danmark, kampagner og svar på spørgsmål fra danske kunder.",
        "sign_in_protection": SignInProtection.AUTHENTICATOR,
        "credential_location": "Kommunikationsafdelingens boks i virksomhedens password manager (København).",
        "review_every_months": 3,
        "holders": [
            ("sofia.lind@northwind.example", AccessRole.OWNER),
            ("rasmus.kjaer@northwind.example", AccessRole.EDITOR),
            (("Nordlys Studio", "konto@nordlys-studio.example"), AccessRole.AGENCY),
        ],
    },
    {
        "platform": Platform.X,
        "handle": "@northwind_no",
        "url": "https://x.com/northwind_no",
        "department": "Customer Service",
        "country": "Norge",
        "language": "nb",
        "purpose": "Kundeservice på norsk: svar på spørsmål om bestillinger, åpningstider og reklamasjoner.",
        "sign_in_protection": SignInProtection.SMS,
        "credential_location": "Kundeservice sin hvelv i passordbehandleren; reservekoder hos teamleder i Oslo.",
        "review_every_months": 6,
        "holders": [
            ("thea.kristiansen@northwind.example", AccessRole.OWNER),
            ("nora.pedersen@northwind.example", AccessRole.RESPONDER),
            ("lars.haugen@northwind.example", AccessRole.EDITOR),
        ],
    },
]
LEAVER = "lars.haugen@northwind.example"


def load_official_accounts(*, hr_user) -> None:
    """Idempotent: skipped once the register has accounts."""
    if OfficialAccount.objects.exists():
        return
    for spec in ACCOUNTS:
        spec = dict(spec)
        holders = spec.pop("holders")
        account = account_save(account=OfficialAccount(**spec))
        for holder, role in holders:
            if isinstance(holder, tuple):
                access_grant(account=account, role=role, by=hr_user, external_name=holder[0], external_email=holder[1])
            else:
                access_grant(account=account, role=role, by=hr_user, employee=Employee.objects.get(email=holder))
    # The LinkedIn page's review is overdue, to show in HR's report.
    OfficialAccount.objects.filter(platform=Platform.LINKEDIN).update(
        next_review_on=timezone.localdate() - datetime.timedelta(days=10)
    )
    # Lars Haugen leaves: HR records it, and a task to remove his access to the X account opens.
    leaver = Employee.objects.get(email=LEAVER)
    leaver.status = EmployeeStatus.TERMINATED
    leaver.save(update_fields=["status", "updated_at"])
    employee_sync(employee=leaver)
