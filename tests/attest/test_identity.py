"""Changing who an account belongs to (issue 13): a used account's new sign-in email needs a
second HR person, shows while pending, ends the sessions, tells the old address, is audited
old → new, and flags signatures in the next 30 days. Employees cannot manage their addresses."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attest import exports, identity, reports
from attest.models import Attestation, Employee, IdentityChange, IdentityChangeOutcome
from attest.roster import roster_import
from cms.roles import HR
from cms.views import ERROR_EMAIL_MANAGED
from tests import factories
from tests.attest.factories import roster_row, write_csv
from tests.attest.steps import edit_data

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ingrid(db):
    return factories.user(email="ingrid@example.com", groups=[HR])


@pytest.fixture
def henrik(db):
    return factories.user(email="henrik@example.com", groups=[HR])


def text(response) -> str:
    return response.content.decode()


def decide(client, change, action):
    return client.post(reverse("identity_changes:decide", args=[change.pk]), {action: ""})


def test_hr_edit_of_a_used_account_waits_for_a_second_hr_person(ingrid, henrik, django_capture_on_commit_callbacks):
    emma = factories.employee("Emma", "Wilson", email="emma@example.com", department="Retail")
    EmailAddress.objects.create(user=emma.user, email="emma@example.com", primary=True, verified=True)
    emma_browser = client_for(emma.user)
    other = factories.employee("Olav", "Other")
    other_browser = client_for(other.user)
    hr_one, hr_two = client_for(ingrid), client_for(henrik)

    response = hr_one.post(
        reverse("employees:edit", args=[emma.pk]),
        edit_data(emma, email="hr.controlled@example.com", department="Marketing"),
        follow=True,
    )

    assert "needs a second HR person&#x27;s approval" in text(response)
    emma.refresh_from_db()
    emma.user.refresh_from_db()
    assert (emma.email, emma.user.email, emma.user.username, emma.department) == (
        "emma@example.com",
        "emma@example.com",
        "emma@example.com",
        "Marketing",  # the rest of the edit applies
    )
    change = IdentityChange.objects.get(employee=emma)
    assert (change.outcome, change.old_email, change.new_email, change.requested_by) == (
        IdentityChangeOutcome.PENDING,
        "emma@example.com",
        "hr.controlled@example.com",
        ingrid,
    )
    assert "hr.controlled@example.com" in text(hr_one.get(reverse("employees:index")))
    assert "pending: needs a second HR person" in text(hr_one.get(reverse("employees:edit", args=[emma.pk])))
    assert change.reference in text(hr_one.get(reverse("identity_changes:index")))

    page = text(hr_one.get(reverse("identity_changes:decide", args=[change.pk])))
    assert 'name="approve"' not in page
    refused = decide(hr_one, change, "approve")
    assert refused.status_code == 200
    assert str(identity.ERROR_OWN_CHANGE).replace("'", "&#x27;") in text(refused)
    change.refresh_from_db()
    assert change.outcome == IdentityChangeOutcome.PENDING
    assert emma_browser.get("/").status_code == 200  # still signed in, still Emma's address

    with django_capture_on_commit_callbacks(execute=True):
        approved = decide(hr_two, change, "approve")
    assert approved.status_code == 302

    change.refresh_from_db()
    emma.refresh_from_db()
    emma.user.refresh_from_db()
    assert (change.outcome, change.decided_by) == (IdentityChangeOutcome.APPROVED, henrik)
    assert (emma.email, emma.user.email, emma.user.username) == ("hr.controlled@example.com",) * 3
    assert list(EmailAddress.objects.filter(user=emma.user).values_list("email", flat=True)) == [
        "hr.controlled@example.com"
    ]
    [notice] = mail.outbox
    assert notice.to == ["emma@example.com"]
    assert "hr.controlled@example.com" in notice.body and change.reference in notice.body
    assert emma_browser.get("/").status_code == 302  # signed out
    assert other_browser.get("/").status_code == 200  # nobody else
    assert not any(s.get_decoded().get("_auth_user_id") == str(emma.user.pk) for s in Session.objects.all())
    entry = ModelLogEntry.objects.get(action=identity.LOG_APPLIED, object_id=str(emma.pk))
    assert entry.data["old_email"] == "emma@example.com" and entry.data["new_email"] == "hr.controlled@example.com"
    assert entry.user == henrik
    history = text(hr_two.get(reverse("employees:history", args=[emma.pk])))
    assert "Sign-in email changed: emma@example.com → hr.controlled@example.com" in history

    assert decide(hr_two, change, "approve").status_code == 200  # decided once only
    assert len(mail.outbox) == 1


def test_the_requester_may_reject_and_nothing_changes(ingrid):
    emma = factories.employee("Emma", "Wilson", email="emma@example.com")
    hr = client_for(ingrid)
    hr.post(reverse("employees:edit", args=[emma.pk]), edit_data(emma, email="new@example.com"))
    change = IdentityChange.objects.get(employee=emma)

    assert decide(hr, change, "reject").status_code == 302

    change.refresh_from_db()
    emma.refresh_from_db()
    assert (change.outcome, emma.email) == (IdentityChangeOutcome.REJECTED, "emma@example.com")
    assert ModelLogEntry.objects.filter(action=identity.LOG_REJECTED, object_id=str(emma.pk)).exists()


def test_a_never_used_account_changes_at_once_and_is_audited(ingrid):
    noah = factories.employee("Noah", "Clarke", email="noah@example.com")
    noah.user.set_unusable_password()
    noah.user.save()

    client_for(ingrid).post(reverse("employees:edit", args=[noah.pk]), edit_data(noah, email="noah.c@example.com"))

    noah.refresh_from_db()
    assert noah.email == "noah.c@example.com"
    change = IdentityChange.objects.get(employee=noah)
    assert (change.outcome, change.old_email, change.new_email) == (
        IdentityChangeOutcome.DIRECT,
        "noah@example.com",
        "noah.c@example.com",
    )
    entry = ModelLogEntry.objects.get(action=identity.LOG_APPLIED, object_id=str(noah.pk))
    assert (entry.data["old_email"], entry.data["new_email"]) == ("noah@example.com", "noah.c@example.com")


@pytest.mark.parametrize("use", ["login", "sso"])
def test_a_sign_in_or_an_sso_link_makes_an_account_used(ingrid, use):
    person = factories.employee("Pat", "Person", email="pat@example.com")
    person.user.set_unusable_password()
    if use == "login":
        person.user.last_login = timezone.now()
    person.user.save()
    if use == "sso":
        SocialAccount.objects.create(user=person.user, provider="sso", uid="pat")

    client_for(ingrid).post(reverse("employees:edit", args=[person.pk]), edit_data(person, email="x@example.com"))

    assert IdentityChange.objects.get(employee=person).outcome == IdentityChangeOutcome.PENDING


def upload(client, path):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "send_invitations": "on"}
    return client.post(reverse("roster_import:upload"), data)


def test_roster_upload_holds_used_accounts_new_emails_for_one_approval(tmp_path, ingrid, henrik):
    rows = [roster_row(n) for n in range(1, 5)]
    roster_import(source=write_csv(tmp_path / "first.csv", rows), send_invitations=False)
    User = get_user_model()
    for email in ("person1@example.com", "person2@example.com"):
        used = User.objects.get(email=email)
        used.set_password(factories.PASSWORD)
        used.save()
    rows[0] |= {"email": "p1.new@example.com", "department": "Marketing"}
    rows[1] |= {"email": "p2.new@example.com"}
    rows[2] |= {"email": "p3.new@example.com"}  # never used: changes at once
    rows[3] |= {"department": "Finance"}
    path = write_csv(tmp_path / "changes.csv", rows)
    hr = client_for(ingrid)

    preview = text(upload(hr, path))

    assert "Needs a second HR person's approval" in preview
    held = preview.split('id="roster-held"')[1].split("</table>")[0]
    assert "p1.new@example.com" in held and "p2.new@example.com" in held and "p3.new" not in held
    token = hr.session["attest_roster_upload"]["token"]
    confirmed = hr.post(reverse("roster_import:confirm"), {"token": token}, follow=True)
    assert "2 new sign-in emails wait for a second HR person" in text(confirmed)

    people = {e.employee_id: e for e in Employee.objects.select_related("user")}
    assert (people["R00001"].email, people["R00001"].department) == ("person1@example.com", "Marketing")
    assert people["R00002"].email == "person2@example.com"
    assert (people["R00003"].email, people["R00003"].user.username) == ("p3.new@example.com", "p3.new@example.com")
    assert people["R00004"].department == "Finance"
    pending = list(IdentityChange.objects.filter(outcome=IdentityChangeOutcome.PENDING).order_by("pk"))
    assert [(c.employee.employee_id, c.file_name) for c in pending] == [
        ("R00001", "changes.csv"),
        ("R00002", "changes.csv"),
    ]
    assert len({c.batch for c in pending}) == 1
    direct = IdentityChange.objects.get(employee=people["R00003"])
    assert direct.outcome == IdentityChangeOutcome.DIRECT
    assert ModelLogEntry.objects.filter(action=identity.LOG_APPLIED, object_id=str(people["R00003"].pk)).exists()

    again = roster_import(source=path, by=ingrid)  # the same file again: nothing new
    assert again.ok and len(again.held) == 2
    assert IdentityChange.objects.filter(outcome=IdentityChangeOutcome.PENDING).count() == 2

    assert decide(client_for(henrik), pending[0], "approve").status_code == 302  # one approval: the file
    assert set(Employee.objects.filter(employee_id__in=["R00001", "R00002"]).values_list("email", flat=True)) == {
        "p1.new@example.com",
        "p2.new@example.com",
    }
    assert not IdentityChange.objects.filter(outcome=IdentityChangeOutcome.PENDING).exists()


def test_import_roster_command_lists_held_changes(tmp_path):
    rows = [roster_row(1)]
    roster_import(source=write_csv(tmp_path / "a.csv", rows), send_invitations=False)
    user = get_user_model().objects.get(email="person1@example.com")
    user.last_login = timezone.now()
    user.save()
    rows[0]["email"] = "moved@example.com"
    out = io.StringIO()

    call_command("import_roster", str(write_csv(tmp_path / "b.csv", rows)), stdout=out)

    assert "row 2, R00001: person1@example.com → moved@example.com" in out.getvalue()
    assert IdentityChange.objects.get().outcome == IdentityChangeOutcome.PENDING


def test_a_signature_within_30_days_of_a_change_is_flagged(ingrid, henrik):
    version = factories.release(factories.published_policy())
    emma = factories.employee("Emma", "Wilson", email="emma@example.com")
    soon = factories.finished(factories.assignment(emma, version))
    signed_at = Attestation.objects.get(pk=soon.attestation_id).signed_at
    change = identity.identity_change_request(employee=emma, new_email="emma.new@example.com", by=ingrid)
    identity.identity_change_approve(change=change, by=henrik)
    IdentityChange.objects.filter(pk=change.pk).update(decided_at=signed_at - datetime.timedelta(days=29))
    late = factories.employee("Lars", "Late", email="lars@example.com")
    late_assignment = factories.finished(factories.assignment(late, version))
    old = identity.identity_change_request(employee=late, new_email="lars.new@example.com", by=ingrid)
    identity.identity_change_approve(change=old, by=henrik)
    late_signed = Attestation.objects.get(pk=late_assignment.attestation_id).signed_at
    IdentityChange.objects.filter(pk=old.pk).update(decided_at=late_signed - datetime.timedelta(days=31))
    flag = f"{(signed_at - datetime.timedelta(days=29)).astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%S}Z {change.reference}"

    people = text(client_for(ingrid).get("/admin/compliance/people/?status=done"))
    assert flag in people
    assert old.reference not in people

    data = b"".join(exports.csv_stream(exports.ExportRequest(filters=reports.ReportFilters())))
    rows = [line.split(",") for line in data.decode("utf-8-sig").splitlines()]
    assert rows[0][: len(reports.COLUMNS) - 1] == list(reports.COLUMNS[:-1]) and rows[0][-1] == "identity_change"
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["emma.new@example.com"][-1] == flag
    assert by_email["lars.new@example.com"][-1] == ""


def test_employees_cannot_add_change_or_remove_their_sign_in_address():
    emma = factories.employee("Emma", "Wilson", email="emma@example.com")
    client = client_for(emma.user)

    page = client.get("/accounts/email/")
    assert page.status_code == 200 and "emma@example.com" in text(page)
    for action in ("action_add", "action_remove", "action_primary"):
        refused = client.post("/accounts/email/", {"email": "mine@example.com", action: ""})
        assert refused.status_code == 403
        assert str(ERROR_EMAIL_MANAGED).replace("'", "&#x27;") in text(refused)
    assert not EmailAddress.objects.filter(email="mine@example.com").exists()


def social_login(email: str, verified: bool = True) -> SocialLogin:
    """What allauth builds from the provider's answer: the address and whether it verified it."""
    login = SocialLogin(user=get_user_model()(email=email), account=SocialAccount(provider="sso", uid=email))
    login.email_addresses = [EmailAddress(email=email, verified=verified, primary=True)]
    return login


def test_single_sign_on_matches_only_the_roster_email_verified_by_the_provider(monkeypatch):
    from cms.adapters import RosterSocialAccountAdapter

    emma = factories.employee("Emma", "Wilson", email="emma@example.com")
    mallory = factories.employee("Mallory", "Insider", email="mallory@example.com")
    EmailAddress.objects.create(user=mallory.user, email="ceo@example.com", verified=False, primary=False)
    adapter = RosterSocialAccountAdapter()
    monkeypatch.setattr(adapter, "can_authenticate_by_email", lambda login, email: True)

    assert adapter.authenticate_by_email(social_login("emma@example.com")) == (emma.user, "emma@example.com")
    assert adapter.authenticate_by_email(social_login("EMMA@example.com")) == (emma.user, "EMMA@example.com")
    assert adapter.authenticate_by_email(social_login("emma@example.com", verified=False)) is None
    assert adapter.authenticate_by_email(social_login("ceo@example.com")) is None  # not a roster email


def test_ending_sessions_also_clears_the_cached_copies(settings):
    from django.contrib.sessions.backends import cached_db
    from django.core.cache import cache

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as in production
    emma = factories.employee("Emma", "Wilson")
    other = factories.employee("Olav", "Other")
    browser, bystander = client_for(emma.user), client_for(other.user)
    key = browser.session.session_key
    assert browser.get("/").status_code == 200
    assert cache.get(cached_db.KEY_PREFIX + key) is not None

    assert identity.sessions_end(user_ids=[emma.user.pk]) == 1

    assert cache.get(cached_db.KEY_PREFIX + key) is None
    assert browser.get("/").status_code == 302
    assert bystander.get("/").status_code == 200
