"""Declining to sign, through the pages people use: the form on the signing page, the record,
the emails to HR and the policy owner, the "declined" status everywhere, reminders that leave a
decline awaiting HR alone, HR's response in the admin, and signing afterwards."""

import csv
import datetime
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attest import reports
from attest.declines.forms import DeclineForm
from attest.declines.models import Decline, DeclineReason
from attest.declines.services import (
    ERROR_ALREADY_ANSWERED,
    ERROR_ALREADY_DECLINED,
    ERROR_CHAPTER,
    ERROR_REASON,
    ERROR_RESPONSE,
    ERROR_TEXT,
)
from attest.models import Assignment, ReminderKind, ReminderLog
from attest.reminders import employee_reminders, hr_digests, manager_escalations, reminders_send
from attest.status import AssignmentStatus
from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from tests.attest.steps import do_chapter, login
from training.models import PolicyPage

pytestmark = pytest.mark.django_db

PAST = datetime.date(2026, 1, 15)
TEXT = "The rule on private accounts goes further than my contract allows."


@pytest.fixture
def people(version):
    """Mia manages Tom, who is overdue and has read everything; Ingrid is HR; Owen owns the
    policy and reads French."""
    mia = factories.employee("Mia", "Manager")
    tom = factories.employee("Tom", "Trainee", manager=mia)
    assignment = factories.assignment(tom, version, due_on=PAST)
    hr = factories.user(email="ingrid@example.com", groups=[HR], first_name="Ingrid")
    owner = factories.employee("Owen", "Owner", language="fr")
    PolicyPage.objects.filter(pk=version.policy_id).update(owner_user=owner.user)
    client = login(tom)
    for slug in ("one", "two"):
        do_chapter(client, assignment, slug)
    mail.outbox.clear()  # the legal review's notifications
    return {"mia": mia, "tom": tom, "assignment": assignment, "hr": hr, "owner": owner, "client": client}


def chapter_of(assignment, slug="one"):
    return assignment.version.chapters.get(slug=slug, locale__language_code="en")


def decline(people, django_capture_on_commit_callbacks, **data):
    assignment = people["assignment"]
    data = {"reason": DeclineReason.DISAGREE, "chapter": chapter_of(assignment).pk, "text": TEXT, **data}
    with django_capture_on_commit_callbacks(execute=True):
        return people["client"].post(reverse("decline", args=[assignment.pk]), data)


def errors(response) -> list[str]:
    page = BeautifulSoup(response.content, "html.parser").find("form", class_="decline-form")
    return [node.get_text(strip=True) for node in page.select(".error, .errors li")]


def test_signing_page_offers_the_decline_form_with_the_versions_chapters(people):
    html = people["client"].get(reverse("sign", args=[people["assignment"].pk])).content.decode()
    form = BeautifulSoup(html, "html.parser").find("form", class_="decline-form")
    assert form["action"] == reverse("decline", args=[people["assignment"].pk])
    options = [option.get_text() for option in form.select("select[name=chapter] option")]
    assert options == ["Choose a chapter", "Chapter one", "Chapter two"]  # Tom's track: not "team"
    assert [label.get_text() for label in form.select("fieldset label")] == [str(c.label) for c in DeclineReason]


def test_missing_reason_text_or_chapter_are_named(people, django_capture_on_commit_callbacks):
    response = decline(people, django_capture_on_commit_callbacks, reason="", text="   ", chapter="")
    assert response.status_code == 400
    assert errors(response) == [str(ERROR_REASON), str(ERROR_TEXT)]
    response = decline(people, django_capture_on_commit_callbacks, chapter="")
    assert errors(response) == [str(ERROR_CHAPTER)]
    response = decline(people, django_capture_on_commit_callbacks, chapter=chapter_of(people["assignment"], "team").pk)
    assert errors(response) == [str(ERROR_CHAPTER)]  # a chapter Tom was never shown
    assert not Decline.objects.exists() and not mail.outbox
    assert "Sign the attestation" in response.content.decode()  # still the signing page, signing form intact


def test_other_needs_no_chapter(people, django_capture_on_commit_callbacks):
    response = decline(people, django_capture_on_commit_callbacks, reason=DeclineReason.OTHER, chapter="")
    assert response.status_code == 302
    assert Decline.objects.get().chapter is None


def test_a_decline_is_recorded_with_what_was_shown_and_hr_and_owner_are_told(
    people, django_capture_on_commit_callbacks
):
    before = timezone.now()
    response = decline(people, django_capture_on_commit_callbacks, text=f"  {TEXT}\nSecond line.  ")
    assert response.status_code == 302 and response["Location"] == reverse("assignment", args=[people["assignment"].pk])
    row = Decline.objects.get()
    version = people["assignment"].version
    assert (row.assignment, row.employee, row.user, row.version) == (
        people["assignment"],
        people["tom"],
        people["tom"].user,
        version,
    )
    assert row.locale_code == "en" and row.content_sha256 == version.content_sha256_in("en")
    assert row.reason == DeclineReason.DISAGREE and row.chapter == chapter_of(people["assignment"])
    assert row.text == f"{TEXT}\nSecond line." and row.declined_at >= before and row.responded_at is None
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"ingrid@example.com", people["owner"].email}
    link = reverse("decline_respond", args=[row.pk])
    for message in by_recipient.values():
        assert message.extra_headers["Auto-Submitted"] == "auto-generated"
        assert link in message.body and "Chapter one" in message.body
        assert TEXT not in message.body  # the employee's words stay in the admin
    assert by_recipient["ingrid@example.com"].subject == "Tom Trainee declined to sign “Social media policy” 1.0"
    assert '<html lang="fr">' in by_recipient[people["owner"].email].alternatives[0][0]
    assert set(ReminderLog.objects.values_list("kind", flat=True)) == {ReminderKind.DECLINE}
    page = people["client"].get(reverse("assignment", args=[people["assignment"].pk])).content.decode()
    assert "Waiting for a response from HR" in page and TEXT in page
    again = people["client"].get(reverse("sign", args=[people["assignment"].pk])).content.decode()
    assert "data-awaiting-decline" in again and 'class="decline-form"' not in again


def test_declining_twice_while_waiting_is_refused(people, django_capture_on_commit_callbacks):
    decline(people, django_capture_on_commit_callbacks)
    response = decline(people, django_capture_on_commit_callbacks, reason=DeclineReason.UNCLEAR)
    assert response.status_code == 400 and str(ERROR_ALREADY_DECLINED) in response.content.decode()
    assert Decline.objects.count() == 1


def test_someone_elses_assignment_cannot_be_declined(people, version, django_capture_on_commit_callbacks):
    other = factories.assignment(factories.employee("Olga", "Other"), version)
    response = people["client"].post(reverse("decline", args=[other.pk]), {"reason": "other", "text": "x"})
    assert response.status_code == 404 and not Decline.objects.exists()


def test_declined_is_one_status_in_the_model_dashboard_drill_down_exports_and_team(
    people, django_capture_on_commit_callbacks
):
    decline(people, django_capture_on_commit_callbacks)
    pk = people["assignment"].pk
    assert Assignment.objects.with_status().get(pk=pk).status == AssignmentStatus.DECLINED
    today = reports.ReportFilters(as_of=timezone.localdate())
    rows = reports.assignments_in_scope(today)
    assert rows.get(pk=pk).report_status == reports.DECLINED
    for status, condition in reports.status_conditions(today.on).items():
        assert rows.filter(condition).filter(pk=pk).exists() == (status == reports.DECLINED), status
    headline = reports.dashboard(today).headline
    assert (headline["declined"], headline["overdue"], headline["done"], headline["open"]) == (1, 0, 0, 1)
    hr = login_user(people["hr"])
    html = hr.get(reverse("attest_compliance_dashboard")).content.decode()
    assert BeautifulSoup(html, "html.parser").find(id="declined-count").get_text() == "1"
    drill = hr.get(reverse("attest_compliance_people"), {"status": "declined"})
    table = BeautifulSoup(drill.content, "html.parser").find("table", class_="report-people")
    assert [cell.get_text(strip=True) for cell in table.select("tbody th[scope=row]")] == ["Tom Trainee"]
    assert "Declined" in table.get_text()
    response = hr.get(reverse("attest_compliance_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert {row["full_name"]: row["status"] for row in rows} == {"Tom Trainee": "declined"}
    response = hr.get(reverse("attest_compliance_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Detail"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("status") + 1).value == "declined"
    team = login(people["mia"]).get(reverse("team_people"), {"status": "declined"}).content.decode()
    assert "Tom Trainee" in team and "Declined" in team
    assert TEXT not in team  # a manager sees the status, never the reason or the words
    dashboard = login(people["mia"]).get(reverse("team_dashboard")).content.decode()
    assert BeautifulSoup(dashboard, "html.parser").find(id="declined-count").get_text() == "1"
    assert TEXT not in dashboard


def login_user(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_reminders_leave_a_decline_awaiting_hr_alone_and_hr_digest_lists_it(
    people, django_capture_on_commit_callbacks, settings
):
    settings.ATTEST_ESCALATE_AFTER_DAYS = 1
    today = timezone.localdate()
    assert [e.recipient for e in employee_reminders(today=today)] == [people["tom"].email]
    assert [e.recipient for e in manager_escalations(today=today)] == [people["mia"].email]
    decline(people, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    assert list(employee_reminders(today=today)) == []
    assert manager_escalations(today=today) == []
    assert login(people["mia"]).post(reverse("team_remind")).status_code == 302
    assert not mail.outbox  # the manager's nudge skips them too
    reminders_send(today=today)
    digest = next(message for message in mail.outbox if message.to == ["ingrid@example.com"])
    assert "1 person declined to sign and awaits your response" in digest.body
    assert reverse("decline_respond", args=[Decline.objects.get().pk]) in digest.body
    assert not any(message.to == [people["tom"].email] for message in mail.outbox)
    assert [d["name"] for d in hr_digests(today=today)[0].context["declines"]] == ["Tom Trainee"]


def test_hr_responds_once_the_employee_is_told_then_signs(people, django_capture_on_commit_callbacks):
    decline(people, django_capture_on_commit_callbacks)
    row = Decline.objects.get()
    mail.outbox.clear()
    hr = login_user(people["hr"])
    url = reverse("decline_respond", args=[row.pk])
    page = hr.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert TEXT in html and "I disagree with part of the policy" in html and "Chapter one" in html
    assert reverse("policy_versions:inspect", args=[row.version_id]) in html
    assert str(ERROR_RESPONSE) in hr.post(url, {"response": " "}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert hr.post(url, {"response": "Section 2 applies to work topics only."}).status_code == 302
    row.refresh_from_db()
    assert row.responded_by == people["hr"] and row.response == "Section 2 applies to work topics only."
    [message] = mail.outbox
    assert message.to == [people["tom"].email] and message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Section 2 applies to work topics only." in message.body
    assert hr.post(url, {"response": "Changed my mind"}).status_code in (302, 403)  # the admin redirects
    row.refresh_from_db()
    assert row.response == "Section 2 applies to work topics only."
    # the employee sees it, is reminded again, and signs normally; the decline stays
    assert Assignment.objects.with_status().get(pk=row.assignment_id).status == AssignmentStatus.OVERDUE
    page = people["client"].get(reverse("assignment", args=[row.assignment_id])).content.decode()
    assert "Section 2 applies to work topics only." in page
    response = people["client"].post(
        reverse("sign", args=[row.assignment_id]),
        {"typed_name": "Tom Trainee", "confirm": "on", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert Assignment.objects.with_status().get(pk=row.assignment_id).status == AssignmentStatus.COMPLETED_LATE
    assert Decline.objects.filter(pk=row.pk).exists()


def test_signing_while_a_decline_awaits_a_response_completes_the_assignment(people, django_capture_on_commit_callbacks):
    decline(people, django_capture_on_commit_callbacks)
    response = people["client"].post(
        reverse("sign", args=[people["assignment"].pk]),
        {"typed_name": "Tom Trainee", "confirm": "on", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    status = Assignment.objects.with_status().get(pk=people["assignment"].pk).status
    assert status == AssignmentStatus.COMPLETED_LATE
    assert reports.assignments_in_scope(reports.ReportFilters()).get().report_status == reports.COMPLETED_LATE


def test_the_admin_lists_declines_and_has_no_add_edit_or_delete(people, django_capture_on_commit_callbacks):
    decline(people, django_capture_on_commit_callbacks)
    row = Decline.objects.get()
    hr = login_user(people["hr"])
    index = hr.get(reverse("declines:index")).content.decode()
    assert "Tom Trainee" in index and reverse("decline_respond", args=[row.pk]) in index
    for name, args in (("declines:add", []), ("declines:edit", [row.pk]), ("declines:delete", [row.pk])):
        response = hr.get(reverse(name, args=args))
        assert response.status_code in (302, 403, 404), name
        assert hr.post(reverse(name, args=args)).status_code in (302, 403, 404), name
    superuser = login_user(factories.user(is_superuser=True, is_staff=True))
    assert superuser.post(reverse("declines:delete", args=[row.pk])).status_code in (302, 403, 404)
    assert Decline.objects.filter(pk=row.pk, text=TEXT).exists()


def test_who_may_read_and_answer_declines(people, django_capture_on_commit_callbacks):
    decline(people, django_capture_on_commit_callbacks)
    url = reverse("decline_respond", args=[Decline.objects.get().pk])
    reviewer = login_user(factories.user(groups=[LEGAL_REVIEWERS]))
    assert reviewer.get(url).status_code == 200  # legal may answer too
    editor = login_user(factories.user(groups=[POLICY_EDITORS]))
    assert editor.get(url).status_code in (302, 403)
    assert editor.post(url, {"response": "No"}).status_code in (302, 403)
    manager = login(people["mia"])
    assert manager.get(url).status_code in (302, 403)
    assert Decline.objects.get().responded_at is None


def test_answering_twice_at_once_keeps_the_first(people, django_capture_on_commit_callbacks):
    from attest.declines.services import DeclineError, decline_respond

    decline(people, django_capture_on_commit_callbacks)
    stale = Decline.objects.get()
    again = Decline.objects.get()
    decline_respond(decline=stale, response="First", by=people["hr"])
    with pytest.raises(DeclineError, match=str(ERROR_ALREADY_ANSWERED)):
        decline_respond(decline=again, response="Second", by=people["hr"])
    assert Decline.objects.get().response == "First"


def test_decline_form_refuses_control_characters_but_keeps_lines(people):
    chapters = [status.chapter for status in []]
    form = DeclineForm({"reason": "other", "text": "line one\nline two\u202e"}, chapters=chapters)
    assert not form.is_valid() and "text" in form.errors
    form = DeclineForm({"reason": "other", "text": "line one\r\nline two"}, chapters=chapters)
    assert form.is_valid()


def test_declining_needs_the_reading_done_like_signing(version, django_capture_on_commit_callbacks):
    fresh = factories.assignment(factories.employee("Nina", "New"), version)
    client = login(fresh.employee)
    response = client.post(reverse("decline", args=[fresh.pk]), {"reason": "other", "text": "Not read yet"})
    assert response.status_code == 302 and response["Location"] == reverse("assignment", args=[fresh.pk])
    assert not Decline.objects.exists()
    assert client.get(reverse("decline", args=[fresh.pk])).status_code == 405


def test_as_of_a_day_before_the_decline_or_after_the_response_it_was_not_declined(
    people, django_capture_on_commit_callbacks
):
    from attest.declines.services import decline_respond

    decline(people, django_capture_on_commit_callbacks)
    pk = people["assignment"].pk
    yesterday = reports.ReportFilters(as_of=timezone.localdate() - datetime.timedelta(days=1))
    assert reports.assignments_in_scope(yesterday).get(pk=pk).report_status == reports.OVERDUE
    assert reports.dashboard(yesterday).headline["declined"] == 0
    decline_respond(decline=Decline.objects.get(), response="Answered", by=people["hr"])
    today = reports.ReportFilters(as_of=timezone.localdate())
    assert reports.assignments_in_scope(today).get(pk=pk).report_status == reports.OVERDUE
    assert Assignment.objects.with_status().get(pk=pk).status == AssignmentStatus.OVERDUE
    assert [e.recipient for e in employee_reminders(today=today.on)] == [people["tom"].email]  # chased again
