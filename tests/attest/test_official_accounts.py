"""The register of official social-media accounts: audience, leavers' removal tasks (through a real
roster upload and HR's edit form), reviews, reminders, reports, exports and who may see any of it."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attest.admin.people.roster_import import ROSTER_SESSION_KEY
from attest.models import (
    AccessRemovalTask,
    AccessReview,
    AccountAccess,
    Assignment,
    Employee,
    EmployeeStatus,
    OfficialAccount,
    ReminderKind,
    ReminderLog,
)
from attest.official_accounts.models import AccessRole, LeaverSource, Platform, SignInProtection
from attest.official_accounts.reminders import leaver_task_reminders, review_due_reminders
from attest.official_accounts.selectors import register_report
from attest.official_accounts.services import (
    ERROR_EXTERNAL_NOT_AGENCY,
    ERROR_HOLDER_ALREADY,
    ERROR_HOLDER_LEFT,
    ERROR_NOTE_REQUIRED,
    ERROR_TASK_DONE,
    AccountError,
    access_grant,
    access_remove,
    account_save,
    leaver_tasks_open,
    removal_record,
    review_record,
)
from attest.reminders import deliver, reminders_send
from attest.services import assignments_sync
from cms.roles import HR, POLICY_EDITORS, SOCIAL_MEDIA_LEADS
from tests import factories
from tests.attest.factories import roster_row, write_csv
from tests.attest.test_people_admin import edit_data, upload

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 6, 1)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hr_user(db):
    return factories.user(email="ingrid@example.com", groups=[HR], first_name="Ingrid")


@pytest.fixture
def hr(hr_user):
    return client_for(hr_user)


def make_account(**fields) -> OfficialAccount:
    values = {
        "platform": Platform.INSTAGRAM,
        "handle": "@northwind.dk",
        "url": "https://www.instagram.com/northwind.dk/",
        "department": "Communications",
        "country": "Danmark",
        "language": "da",
        "purpose": "Billeder fra butikkerne.",
        "sign_in_protection": SignInProtection.AUTHENTICATOR,
        "credential_location": "Vault in the password manager",
        "review_every_months": 3,
    }
    values.update(fields)
    return account_save(account=OfficialAccount(**values))


# --- Audience ---------------------------------------------------------------------------------


def test_holders_of_official_accounts_are_an_audience_that_follows_grants_and_removals(version, hr_user):
    for_holders = factories.requirement(version.policy, official_account_holders=True)
    official_track = factories.requirement(version.policy, tracks=["official"])
    emma = factories.employee(track="all")
    bystander = factories.employee("Bo", "Stander", track="all")
    assignments_sync()
    assert not Assignment.objects.filter(employee__in=[emma, bystander]).exists()

    access = access_grant(account=make_account(), role=AccessRole.EDITOR, by=hr_user, employee=emma)

    assert set(Assignment.objects.open().filter(employee=emma).values_list("requirement", flat=True)) == {
        for_holders.pk,
        official_track.pk,
    }
    assert not Assignment.objects.filter(employee=bystander).exists()

    access_remove(access=access, by=hr_user, note="Removed from the page roles")
    assert not Assignment.objects.open().filter(employee=emma).exists()
    assert set(Assignment.objects.filter(employee=emma).values_list("cancel_reason", flat=True)) == {"out of audience"}
    assignments_sync()  # the daily sync agrees
    assert not Assignment.objects.open().filter(employee=emma).exists()


def test_an_agency_contact_is_not_an_employee_and_only_agencies_may_be_outsiders(hr_user):
    account = make_account()
    access = access_grant(
        account=account, role=AccessRole.AGENCY, by=hr_user, external_name="Nordlys  Studio", external_email="A@x.dk"
    )
    assert (access.employee, access.external_name, access.external_email) == (None, "Nordlys Studio", "a@x.dk")
    with pytest.raises(AccountError) as refused:
        access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, external_name="Someone")
    assert refused.value.args[0] == ERROR_EXTERNAL_NOT_AGENCY
    emma = factories.employee()
    access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, employee=emma)
    with pytest.raises(AccountError) as refused:
        access_grant(account=account, role=AccessRole.OWNER, by=hr_user, employee=emma)
    assert refused.value.args[0] == ERROR_HOLDER_ALREADY % {"name": emma.full_name}
    gone = factories.employee("Gone", "Away", status=EmployeeStatus.TERMINATED)
    with pytest.raises(AccountError) as refused:
        access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, employee=gone)
    assert refused.value.args[0] == ERROR_HOLDER_LEFT % {"name": "Gone Away"}


# --- Leavers ----------------------------------------------------------------------------------


def confirm_upload(client, path, **options):
    response = upload(client, path, **options)
    assert response.status_code == 200
    token = client.session[ROSTER_SESSION_KEY]["token"]
    return client.post(reverse("roster_import:confirm"), {"token": token})


def test_a_roster_import_that_deactivates_a_holder_opens_one_task_per_account(hr, hr_user, tmp_path):
    rows = [roster_row(1), roster_row(2, status="active")]
    assert confirm_upload(hr, write_csv(tmp_path / "a.csv", rows)).status_code == 302
    leaver = Employee.objects.get(employee_id="R00002")
    first, second = make_account(), make_account(platform=Platform.LINKEDIN, handle="northwind")
    for account in (first, second):
        access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, employee=leaver)
    access_grant(account=first, role=AccessRole.OWNER, by=hr_user, employee=Employee.objects.get(employee_id="R00001"))

    # R00002 is missing from the new file: with "missing people have left" they are deactivated.
    response = confirm_upload(hr, write_csv(tmp_path / "b.csv", [roster_row(1)]), deactivate_missing="on")
    assert response.status_code == 302

    tasks = AccessRemovalTask.objects.order_by("account__platform")
    assert [(t.account.platform, t.employee_id, t.source, t.done_at) for t in tasks] == [
        ("instagram", leaver.pk, LeaverSource.ROSTER, None),
        ("linkedin", leaver.pk, LeaverSource.ROSTER, None),
    ]
    # Again, and through the hook directly: still one task per account and person.
    confirm_upload(hr, write_csv(tmp_path / "c.csv", [roster_row(1)]), deactivate_missing="on")
    assert leaver_tasks_open(employee_ids=[leaver.pk], source=LeaverSource.PROVISIONING) == 0
    assert AccessRemovalTask.objects.count() == 2
    # The leaver's access and records stay until someone records the removal.
    assert AccountAccess.objects.active().filter(employee=leaver).count() == 2


def test_a_status_column_saying_terminated_also_opens_a_task(hr, hr_user, tmp_path):
    confirm_upload(hr, write_csv(tmp_path / "a.csv", [roster_row(1)]))
    person = Employee.objects.get(employee_id="R00001")
    access_grant(account=make_account(), role=AccessRole.RESPONDER, by=hr_user, employee=person)
    confirm_upload(hr, write_csv(tmp_path / "b.csv", [roster_row(1, status="terminated")]))
    assert AccessRemovalTask.objects.get().employee == person


def test_hr_terminating_someone_in_the_edit_form_opens_a_task(hr, hr_user):
    emma = factories.employee()
    access_grant(account=make_account(), role=AccessRole.EDITOR, by=hr_user, employee=emma)
    response = hr.post(reverse("employees:edit", args=[emma.pk]), edit_data(emma, status="on_leave"))
    response = hr.post(reverse("employees:edit", args=[emma.pk]), edit_data(emma, status="leave"))
    assert response.status_code == 302 and not AccessRemovalTask.objects.exists()

    response = hr.post(reverse("employees:edit", args=[emma.pk]), edit_data(emma, status="terminated"))
    assert response.status_code == 302, response.content.decode()[:2000]
    task = AccessRemovalTask.objects.get()
    assert (task.employee, task.source) == (emma, LeaverSource.EDIT)
    hr.post(reverse("employees:edit", args=[emma.pk]), edit_data(emma, status="terminated", first_name="Emmy"))
    assert AccessRemovalTask.objects.count() == 1


def leaver_with_task(hr_user, **account_fields):
    account = make_account(**account_fields)
    owner = factories.employee("Sofia", "Lind", language="da")
    access_grant(account=account, role=AccessRole.OWNER, by=hr_user, employee=owner)
    leaver = factories.employee("Lars", "Haugen", language="nb")
    access = access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, employee=leaver)
    leaver.status = EmployeeStatus.TERMINATED
    leaver.save()
    from attest.roster import employee_sync

    employee_sync(employee=leaver)
    return account, owner, leaver, access, AccessRemovalTask.objects.get(access=access)


def test_owner_and_hr_are_reminded_weekly_in_their_language_until_removal_is_recorded(hr_user, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://training.example.com"
    account, owner, leaver, access, task = leaver_with_task(hr_user)
    mail.outbox.clear()

    assert reminders_send(today=MONDAY)["account_leavers"] == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {owner.email, hr_user.email}
    danish = by_recipient[owner.email]
    assert "Lars Haugen" in danish.body and "Instagram @northwind.dk" in danish.body
    assert danish.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "https://training.example.com/admin/account_removal_tasks/" in danish.body
    assert ReminderLog.objects.filter(kind=ReminderKind.ACCOUNT_LEAVER).count() == 2

    assert reminders_send(today=MONDAY + datetime.timedelta(days=2))["account_leavers"] == 0  # same week
    assert reminders_send(today=MONDAY + datetime.timedelta(days=7))["account_leavers"] == 2  # next week

    with pytest.raises(AccountError) as refused:
        removal_record(task=task, by=hr_user, note="   ")
    assert refused.value.args[0] == ERROR_NOTE_REQUIRED
    removal_record(task=task, by=hr_user, note="Removed from X and password rotated")
    task.refresh_from_db()
    access.refresh_from_db()
    assert (task.done_by, task.note) == (hr_user, "Removed from X and password rotated")
    assert access.removed_at == task.done_at and access.removed_by == hr_user
    with pytest.raises(AccountError) as refused:
        removal_record(task=task, by=hr_user, note="again")
    assert refused.value.args[0] == ERROR_TASK_DONE
    assert reminders_send(today=MONDAY + datetime.timedelta(days=14))["account_leavers"] == 0
    # Nothing about the leaver is lost: the person, the access row and the task all remain.
    assert Employee.objects.filter(pk=leaver.pk).exists()
    assert AccountAccess.objects.filter(employee=leaver).count() == 1


def test_leaver_email_is_in_the_owners_language(hr_user, settings):
    leaver_with_task(hr_user)
    emails = {email.recipient: email for email in leaver_task_reminders(today=MONDAY)}
    assert {email.language for email in emails.values()} == {"da", "en"}
    mail.outbox.clear()
    deliver(emails.values())
    danish = next(m for m in mail.outbox if m.to[0].startswith("sofia"))
    assert 'lang="da"' in danish.alternatives[0][0]


# --- Reviews ----------------------------------------------------------------------------------


def test_review_reminder_goes_to_the_owner_once_per_review_date(hr_user):
    account, owner, _leaver, _access, _task = leaver_with_task(hr_user)
    assert review_due_reminders(today=account.next_review_on - datetime.timedelta(days=1)) == []
    mail.outbox.clear()
    assert reminders_send(today=account.next_review_on)["account_reviews"] == 1
    [sent] = [
        m for m in mail.outbox if m.to == [owner.email] and "Instagram @northwind.dk" in m.subject
    ]  # owner's language
    assert sent.to == [owner.email] and "Instagram @northwind.dk" in sent.subject
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert reminders_send(today=account.next_review_on + datetime.timedelta(days=3))["account_reviews"] == 0


def test_an_account_without_an_owner_at_work_sends_its_review_to_hr(hr_user):
    account = make_account()
    emails = review_due_reminders(today=account.next_review_on)
    assert [email.recipient for email in emails] == [hr_user.email]


def test_hr_records_a_review_over_http(hr, hr_user):
    account = make_account(review_every_months=3)
    keep = access_grant(account=account, role=AccessRole.OWNER, by=hr_user, employee=factories.employee())
    drop = access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, employee=factories.employee("Old", "Hand"))
    url = reverse("official_accounts:review", args=[account.pk])
    page = hr.get(url)
    assert page.status_code == 200 and "Old Hand" in page.content.decode()

    response = hr.post(url, {"keep": [keep.pk], "seen": f"{keep.pk},{drop.pk}", "note": "Quarterly check"})

    assert response.status_code == 302
    review = AccessReview.objects.get()
    assert [entry["access"] for entry in review.kept] == [keep.pk]
    assert [entry["holder"] for entry in review.removed] == ["Old Hand"]
    assert review.reviewed_by == hr_user
    account.refresh_from_db()
    today = timezone.localdate()
    assert account.last_reviewed_on == today
    assert account.next_review_on == today + datetime.timedelta(days=0) + (account.next_review_on - today)
    assert (account.next_review_on.year * 12 + account.next_review_on.month) - (today.year * 12 + today.month) == 3
    drop.refresh_from_db()
    assert drop.removed_at is not None and drop.removal_note == "Quarterly check"
    assert list(AccountAccess.objects.active().filter(account=account)) == [keep]


def test_a_review_of_holders_that_changed_meanwhile_is_refused(hr, hr_user):
    account = make_account()
    first = access_grant(account=account, role=AccessRole.OWNER, by=hr_user, employee=factories.employee())
    late = access_grant(account=account, role=AccessRole.EDITOR, by=hr_user, employee=factories.employee("New", "One"))
    response = hr.post(
        reverse("official_accounts:review", args=[account.pk]), {"keep": [first.pk], "seen": f"{first.pk}"}
    )
    assert response.status_code == 200
    assert "The list of holders changed while you were reviewing it" in response.content.decode()
    assert not AccessReview.objects.exists()
    late.refresh_from_db()
    assert late.removed_at is None
    with pytest.raises(AccountError):
        review_record(account=account, by=hr_user, keep=[first.pk, 99999], seen=[first.pk, late.pk, 99999])


# --- Reports and exports ----------------------------------------------------------------------


def test_reports_list_leavers_weak_sign_in_and_overdue_reviews(hr, hr_user):
    weak, _owner, _leaver, _access, _task = leaver_with_task(hr_user)
    strong = make_account(platform=Platform.LINKEDIN, handle="northwind", sign_in_protection=SignInProtection.PASSKEY)
    OfficialAccount.objects.filter(pk=strong.pk).update(
        next_review_on=timezone.localdate() - datetime.timedelta(days=4)
    )
    report = register_report()
    assert [(account, [a.holder_name for a in accesses]) for account, accesses in report.leavers_holding] == [
        (weak, ["Lars Haugen"])
    ]
    assert report.without_phishing_resistant == [weak]
    assert [(account.pk, days) for account, days in report.reviews_overdue] == [(strong.pk, 4)]

    page = hr.get(reverse("account_reports:index")).content.decode()
    assert "Lars Haugen" in page and "4 days overdue" in page and "Authenticator app" in page


def test_exports_neutralise_formulas_and_carry_the_register(hr, hr_user):
    account = make_account(handle='=HYPERLINK("http://evil")', purpose="+SUM(A1)")
    access_grant(account=account, role=AccessRole.AGENCY, by=hr_user, external_name="@agency", external_email="")

    response = hr.get(reverse("account_reports:export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["handle"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["purpose"] == "'+SUM(A1)"
    assert rows[0]["holders"] == "'@agency (agency)"
    assert rows[0]["phishing_resistant"] == "no"
    assert rows[0]["next_review_on"] == account.next_review_on.isoformat()

    response = hr.get(reverse("account_reports:export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["handle"].value == '=HYPERLINK("http://evil")' and cells["handle"].data_type == "s"
    assert cells["purpose"].data_type == "s"
    assert cells["next_review_on"].is_date


# --- Who may see it ---------------------------------------------------------------------------

REGISTER_URLS = ["official_accounts:index", "official_accounts:add", "account_removal_tasks:index"]
REPORT_URLS = [("account_reports:index", []), ("account_reports:export", ["csv"]), ("account_reports:export", ["xlsx"])]


def test_employees_and_managers_cannot_see_the_register(hr_user):
    boss = factories.employee("Marcus", "Berg")
    worker = factories.employee(manager=boss)
    account = make_account()
    for person in (boss, worker):
        client = client_for(person.user)
        for name in REGISTER_URLS:
            assert client.get(reverse(name)).status_code in (302, 403), name
        assert client.get(reverse("official_accounts:access", args=[account.pk])).status_code in (302, 403)
        for name, args in REPORT_URLS:
            assert client.get(reverse(name, args=args)).status_code in (302, 403), name


def test_editors_and_social_media_leads_get_what_their_role_allows(hr_user):
    account = make_account()
    editor = client_for(factories.user(groups=[POLICY_EDITORS]))
    for name in REGISTER_URLS:
        assert editor.get(reverse(name)).status_code in (302, 403), name
    lead_user = factories.user(email="lead@example.com", groups=[SOCIAL_MEDIA_LEADS])
    lead = client_for(lead_user)
    for name in REGISTER_URLS:
        assert lead.get(reverse(name)).status_code == 200, name
    for name, args in REPORT_URLS:
        assert lead.get(reverse(name, args=args)).status_code in (302, 403), name
    emma = factories.employee()
    response = lead.post(
        reverse("official_accounts:access", args=[account.pk]), {"employee": emma.employee_id, "role": "editor"}
    )
    assert response.status_code == 302
    assert AccountAccess.objects.get().granted_by == lead_user


def test_hr_sees_the_register_and_its_pages_in_constant_queries(hr, hr_user, django_assert_max_num_queries):
    for n in range(3):
        account = make_account(handle=f"@acct{n}")
        access_grant(account=account, role=AccessRole.OWNER, by=hr_user, employee=factories.employee(f"P{n}", "Owner"))
    leaver_with_task(hr_user, handle="@leaver")
    hr.get(reverse("official_accounts:index"))
    with django_assert_max_num_queries(30):
        page = hr.get(reverse("official_accounts:index"))
    assert page.status_code == 200 and "P2 Owner" in page.content.decode()
    for _ in range(5):
        account = make_account(handle=f"@more{_}")
        access_grant(account=account, role=AccessRole.OWNER, by=hr_user, employee=factories.employee(f"Q{_}", "Owner"))
    with django_assert_max_num_queries(30):
        assert hr.get(reverse("official_accounts:index")).status_code == 200
    with django_assert_max_num_queries(25):
        assert "Lars Haugen" in hr.get(reverse("account_removal_tasks:index")).content.decode()
    with django_assert_max_num_queries(25):
        assert hr.get(reverse("account_reports:index")).status_code == 200
    dashboard = hr.get(reverse("attest_compliance_dashboard")).content.decode()
    assert "1 access-removal task is open" in dashboard


def test_hr_grants_and_removes_access_over_http_and_gets_clear_errors(hr, hr_user):
    account = make_account()
    url = reverse("official_accounts:access", args=[account.pk])
    response = hr.post(url, {"employee": "NOBODY", "role": "editor"})
    assert response.status_code == 200 and "No employee has the id or email “NOBODY”." in response.content.decode()
    response = hr.post(url, {"employee": "", "role": "editor", "external_name": "Some Agency"})
    assert str(ERROR_EXTERNAL_NOT_AGENCY) in response.content.decode()
    emma = factories.employee()
    assert hr.post(url, {"employee": emma.email.upper(), "role": "owner"}).status_code == 302
    access = AccountAccess.objects.get(employee=emma)
    remove = reverse("official_accounts:remove", args=[account.pk, access.pk])
    assert hr.post(remove, {"note": ""}).status_code == 200
    assert hr.post(remove, {"note": "Removed on Instagram"}).status_code == 302
    access.refresh_from_db()
    assert access.removal_note == "Removed on Instagram" and access.removed_by == hr_user
    assert hr.post(remove, {"note": "again"}).status_code == 404  # no longer an active holder
    page = hr.get(url).content.decode()
    assert "Removed on Instagram" in page
