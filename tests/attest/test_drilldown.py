"""HR's drill-down and the actions on it, through the admin pages: links to people, the filters in
force, the columns, the assignment's page with its Exempt button, the employee's training history,
reminders (one person, a selection) and bulk exemption."""

import datetime
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attest.models import Assignment, EmployeeStatus, ReminderKind, ReminderLog
from attest.services import hr_actions
from cms.roles import HR, POLICY_EDITORS
from tests import factories

PEOPLE = "/admin/compliance/people/"
REMIND = "/admin/compliance/remind/"
EXEMPT = "/admin/compliance/exempt/"
HEADERS = ["Name", "Department", "Requirement", "Version", "Status", "Due on", "Completed"]


@pytest.fixture
def org(db):
    """Four people: Tom overdue (Retail, Oslo), Rita completed (Retail, Oslo), Sam not yet due
    (Retail, London), Una overdue (Marketing, Paris) and on leave."""
    policy = factories.published_policy()
    version = factories.release(policy)
    requirement = factories.requirement(policy, name="Onboarding")
    today = timezone.localdate()
    past, future = today - datetime.timedelta(days=10), today + datetime.timedelta(days=20)
    tom = factories.employee("Tom", "Trainee", department="Retail", location="Oslo")
    rita = factories.employee("Rita", "Lead", department="Retail", location="Oslo")
    sam = factories.employee("Sam", "Seller", department="Retail", location="London")
    una = factories.employee("Una", "Brand", department="Marketing", location="Paris", status=EmployeeStatus.LEAVE)
    people = SimpleNamespace(tom=tom, rita=rita, sam=sam, una=una)
    return SimpleNamespace(
        version=version,
        requirement=requirement,
        people=people,
        tom=factories.assignment(tom, version, requirement, due_on=past),
        rita=factories.finished(factories.assignment(rita, version, requirement, due_on=future)),
        sam=factories.assignment(sam, version, requirement, due_on=future),
        una=factories.assignment(una, version, requirement, due_on=past),
    )


@pytest.fixture
def hr(db):
    client = Client()
    client.force_login(factories.user(email="ingrid@example.com", groups=[HR]))
    return client


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def messages_of(client, response) -> list[str]:
    """The messages a POST left, consumed by following its redirect so the next one starts afresh."""
    found = [str(message) for message in get_messages(response.wsgi_request)]
    client.get(response["Location"])
    return found


def test_names_link_to_the_employee_record(org, hr):
    page = soup(hr.get(PEOPLE))
    links = {a.get_text(strip=True): a["href"] for a in page.select("table.report-people tbody th[scope=row] a")}
    assert links["Tom Trainee"] == reverse("employees:edit", args=[org.people.tom.pk])
    assert hr.get(links["Tom Trainee"]).status_code == 200


def test_the_title_and_a_line_name_every_filter_in_force_with_a_way_to_clear_it(org, hr):
    page = soup(hr.get(PEOPLE, {"status": "overdue", "department": "Retail", "location": "Oslo"}))
    assert page.title.get_text(strip=True).startswith("Overdue assignments — Retail, Oslo")
    assert "All assignments" not in page.get_text()
    active = page.select("[data-active-filters] li")
    assert [item.get_text(" ", strip=True) for item in active] == [
        "Department: Retail clear",
        "Location: Oslo clear",
    ]
    names = {cell.get_text(strip=True) for cell in page.select("tbody th[scope=row]")}
    assert names == {"Tom Trainee"}

    cleared = active[1].a["href"]
    page = soup(hr.get(PEOPLE + cleared))
    assert page.title.get_text(strip=True).startswith("Overdue assignments — Retail")
    assert {cell.get_text(strip=True) for cell in page.select("tbody th[scope=row]")} == {"Tom Trainee"}

    page = soup(hr.get(PEOPLE, {"dimension": "department", "key": "Marketing"}))
    assert page.title.get_text(strip=True).startswith("Assignments — Marketing")
    assert "All assignments" not in page.get_text()

    assert soup(hr.get(PEOPLE)).title.get_text(strip=True).startswith("All assignments")


def test_the_list_shows_seven_columns_and_keeps_the_rest_on_the_assignments_page(org, hr):
    page = soup(hr.get(PEOPLE))
    headers = [th.get_text(strip=True) for th in page.select("table.report-people thead th")]
    assert headers[1:-1] == HEADERS  # a tick box first, the row's Remind button last
    row = next(tr for tr in page.select("tbody tr") if tr.th and tr.th.get_text(strip=True) == "Rita Lead")
    detail = soup(hr.get(row.select("td a")[0]["href"]))
    text = detail.get_text(" ", strip=True)
    assert org.people.rita.employee_id in text and org.people.rita.email in text
    assert "Quiz score" in text and "Days overdue" in text


def test_exempt_is_a_button_on_the_assignments_own_page(org, hr):
    page = soup(hr.get(reverse("assignments:inspect", args=[org.tom.pk])))
    button = page.select_one("[data-exempt-button]")
    assert button["href"] == reverse("assignments:exempt", args=[org.tom.pk])
    response = hr.post(button["href"], {"reason": "Long-term leave"})
    assert response.status_code == 302
    org.tom.refresh_from_db()
    assert org.tom.exemption_reason == "Long-term leave"
    assert ModelLogEntry.objects.filter(action="attest.assignment_exempt", object_id=str(org.tom.pk)).exists()

    finished = soup(hr.get(reverse("assignments:inspect", args=[org.rita.pk])))
    assert finished.select_one("[data-exempt-button]") is None
    assert "there is nothing to remind or exempt" in finished.get_text()


def test_the_employee_record_shows_the_training_history_in_constant_queries(org, hr, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("employees:edit", args=[org.people.rita.pk])
    page = soup(hr.get(url))
    history = page.select_one("#training-history")
    row = history.select_one("tbody tr")
    assert row.th.get_text(strip=True) == "Onboarding"
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[1] == "Completed"
    certificate = row.select_one("a[href*='/certificates/']")
    assert hr.get(certificate["href"])["Content-Type"] == "application/pdf"
    assert "quizzes passed 2 of 2" in history.get_text(" ", strip=True)

    with CaptureQueriesContext(connection) as first:
        hr.get(url)
    for number in range(5):
        more = factories.requirement(org.version.policy, name=f"Campaign {number}")
        factories.finished(factories.assignment(org.people.rita, org.version, more))
    with CaptureQueriesContext(connection) as later:
        page = soup(hr.get(url))
    assert len(page.select("#training-history tbody tr")) == 6
    assert len(later.captured_queries) == len(first.captured_queries)


def test_one_click_reminder_is_sent_once_a_day_recorded_and_explained(org, hr):
    mail.outbox.clear()
    record = soup(hr.get(reverse("employees:edit", args=[org.people.tom.pk])))
    button = record.select_one(f"#training-history button[name=assignment][value='{org.tom.pk}']")
    assert button.find_parent("form")["action"] == REMIND
    here = PEOPLE + "?status=overdue"
    response = hr.post(REMIND, {"assignment": org.tom.pk, "next": here})
    assert response.status_code == 302 and response["Location"] == here
    assert messages_of(hr, response) == ["1 reminder sent."]
    [message] = mail.outbox
    assert message.to == [org.people.tom.email] and "overdue" in message.subject.lower()
    log = ReminderLog.objects.get(assignment=org.tom)
    assert log.kind == ReminderKind.OVERDUE and log.dedupe_key.startswith("hr_reminder:")
    entry = ModelLogEntry.objects.get(action=hr_actions.LOG_REMIND)
    assert entry.object_id == str(org.tom.pk) and entry.data["recipient"] == org.people.tom.email

    again = hr.post(REMIND, {"assignment": org.tom.pk, "next": here})
    assert messages_of(hr, again) == ["1 reminder not sent: already emailed today (1)."]
    assert len(mail.outbox) == 1 and ModelLogEntry.objects.filter(action=hr_actions.LOG_REMIND).count() == 1

    history = hr.get(reverse("assignments:history", args=[org.tom.pk])).content.decode()
    assert f"Reminder emailed to {org.people.tom.email}" in history


def test_reminding_a_selection_says_how_many_were_sent_and_why_others_were_not(org, hr):
    mail.outbox.clear()
    ids = [org.tom.pk, org.rita.pk, org.sam.pk, org.una.pk]
    response = hr.post(REMIND, {"selected": ids, "next": PEOPLE})
    assert messages_of(hr, response) == [
        "2 reminders sent.",
        "2 reminders not sent: on leave, gone or not started yet (1), completed, exempt or cancelled (1).",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([org.people.tom.email, org.people.sam.email])
    assert "due" in mail.outbox[0].subject.lower()


def test_a_reminder_already_sent_today_by_the_automatic_run_is_not_repeated(org, hr):
    mail.outbox.clear()
    ReminderLog.objects.create(
        kind=ReminderKind.OVERDUE,
        dedupe_key=f"overdue:{org.tom.pk}:week",
        recipient=org.people.tom.email,
        employee=org.people.tom,
        assignment=org.tom,
        sent_at=timezone.now(),
    )
    response = hr.post(REMIND, {"assignment": org.tom.pk})
    assert messages_of(hr, response) == ["1 reminder not sent: already emailed today (1)."]
    assert mail.outbox == []


def test_reminders_are_rate_limited_and_refuse_bad_input(org, hr):
    assert messages_of(hr, hr.post(REMIND, {})) == [str(hr_actions.ERROR_NOTHING_CHOSEN)]
    assert messages_of(hr, hr.post(REMIND, {"selected": ["1; DROP"]})) == [
        "The chosen assignments could not be read. Reload the page and choose again."
    ]
    too_many = [str(n) for n in range(1, hr_actions.MAX_SELECTION + 2)]
    assert messages_of(hr, hr.post(REMIND, {"selected": too_many})) == ["Choose at most 200 assignments at a time."]
    response = hr.post(REMIND, {"assignment": org.sam.pk, "next": "https://evil.example/"})
    assert response["Location"] == PEOPLE
    messages_of(hr, response)
    for _n in range(hr_actions.REMIND_LIMIT - 1):
        messages_of(hr, hr.post(REMIND, {"assignment": org.sam.pk}))
    refused = hr.post(REMIND, {"assignment": org.sam.pk})
    assert messages_of(hr, refused) == [str(hr_actions.ERROR_REMIND_TOO_MANY)]


def test_only_hr_reminds_or_exempts(org, db):
    editor = Client()
    editor.force_login(factories.user(groups=[POLICY_EDITORS]))
    assert editor.post(REMIND, {"assignment": org.tom.pk}).status_code in (302, 403)
    assert editor.post(EXEMPT, {"selected": [org.tom.pk], "reason": "x", "confirm": "1"}).status_code in (302, 403)
    assert not ReminderLog.objects.exists()
    assert not Assignment.objects.filter(exempted_at__isnull=False).exists()
    employee = Client()
    employee.force_login(org.people.tom.user)
    assert employee.post(REMIND, {"assignment": org.tom.pk}).status_code in (302, 403)
    assert not ReminderLog.objects.exists()


def test_bulk_exemption_with_one_reason_is_recorded_per_assignment(org, hr):
    review = soup(hr.post(EXEMPT, {"selected": [org.tom.pk, org.sam.pk], "next": PEOPLE}))
    names = [th.get_text(strip=True) for th in review.select("tbody th")]
    assert names == ["Sam Seller", "Tom Trainee"]

    empty = soup(hr.post(EXEMPT, {"selected": [org.tom.pk, org.sam.pk], "reason": " ", "confirm": "1"}))
    assert empty.select_one("[data-exempt-error]").get_text(strip=True) == "Give a reason for the exemption."

    response = hr.post(
        EXEMPT, {"selected": [org.tom.pk, org.sam.pk], "reason": "Seasonal staff", "confirm": "1", "next": PEOPLE}
    )
    assert response.status_code == 302 and messages_of(hr, response) == ["2 assignments exempted."]
    exempted = Assignment.objects.filter(exempted_at__isnull=False)
    assert set(exempted.values_list("pk", flat=True)) == {org.tom.pk, org.sam.pk}
    assert set(exempted.values_list("exemption_reason", flat=True)) == {"Seasonal staff"}
    entries = ModelLogEntry.objects.filter(action="attest.assignment_exempt")
    assert sorted(entries.values_list("object_id", flat=True)) == sorted([str(org.tom.pk), str(org.sam.pk)])
    assert {entry.data["reason"] for entry in entries} == {"Seasonal staff"}


def test_bulk_exemption_refuses_completed_assignments_and_exempts_nothing(org, hr):
    review = soup(hr.post(EXEMPT, {"selected": [org.tom.pk, org.rita.pk]}))
    assert "already completed" in review.get_text()
    refused = soup(hr.post(EXEMPT, {"selected": [org.tom.pk, org.rita.pk], "reason": "Leave", "confirm": "1"}))
    assert refused.select_one("[data-exempt-error]").get_text(strip=True) == (
        "Nothing was exempted: Rita Lead already completed the training. Leave them out and try again."
    )
    assert not Assignment.objects.filter(exempted_at__isnull=False).exists()
    assert not ModelLogEntry.objects.filter(action="attest.assignment_exempt").exists()


def test_the_drill_down_runs_a_constant_number_of_queries(org, hr, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {"status": "overdue", "department": "Retail"}
    with CaptureQueriesContext(connection) as first:
        hr.get(PEOPLE, params)
    for number in range(10):
        person = factories.employee("Extra", f"Person{number}", department="Retail", location="Oslo")
        factories.assignment(person, org.version, org.requirement, due_on=org.tom.due_on)
    with CaptureQueriesContext(connection) as later:
        page = soup(hr.get(PEOPLE, params))
    assert len(page.select("tbody th[scope=row]")) == 11
    assert len(later.captured_queries) == len(first.captured_queries)
