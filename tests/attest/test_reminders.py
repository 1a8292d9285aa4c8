"""Reminders, escalations, the HR digest and review reminders: who gets what, when, in which
language, and never twice (also when two processes send at the same moment)."""

import datetime
import re
import threading
from io import StringIO
from smtplib import SMTPException

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attest.models import Assignment, EmployeeStatus, ReminderKind, ReminderLog
from attest.reminders import reminders_send
from attest.services import assignment_exempt
from cms.roles import HR, POLICY_EDITORS
from tests import factories

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 6, 1)  # ISO week 2026-W23
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def knobs(settings):
    settings.ATTEST_REMIND_DAYS_BEFORE = 7
    settings.ATTEST_ESCALATE_AFTER_DAYS = 7
    settings.WAGTAILADMIN_BASE_URL = "https://training.example.com"


def ready() -> None:
    """Forget the mail sent while setting up (publishing a policy notifies its legal reviewers)."""
    mail.outbox.clear()


def kinds() -> list[str]:
    return sorted(ReminderLog.objects.values_list("kind", flat=True))


# --- Employees --------------------------------------------------------------------------------


def test_due_soon_reminder_links_straight_to_the_training(emma, version):
    assignment = factories.assignment(emma, version, due_on=MONDAY + 7 * DAY)

    ready()
    assert reminders_send(today=MONDAY)["employees"] == 1

    [message] = mail.outbox
    assert message.to == [emma.email]
    assert message.subject == "Reminder: complete “Social media policy” by June 8, 2026"
    link = f"https://training.example.com/training/{assignment.pk}/"
    assert link in message.body
    assert f'href="{link}"' in message.alternatives[0][0]
    log = ReminderLog.objects.get()
    assert (log.kind, log.dedupe_key, log.assignment, log.employee) == (
        ReminderKind.DUE_SOON,
        f"due_soon:{assignment.pk}:{assignment.due_on}",
        assignment,
        emma,
    )


def test_due_soon_is_sent_once_and_not_too_early(emma, version):
    factories.assignment(emma, version, due_on=MONDAY + 8 * DAY)
    ready()
    assert reminders_send(today=MONDAY)["employees"] == 0
    assert reminders_send(today=MONDAY + DAY)["employees"] == 1
    assert reminders_send(today=MONDAY + DAY)["employees"] == 0
    assert reminders_send(today=MONDAY + 2 * DAY)["employees"] == 0
    assert kinds() == [ReminderKind.DUE_SOON]


def test_due_today(emma, version):
    factories.assignment(emma, version, due_on=MONDAY)
    ready()
    reminders_send(today=MONDAY)
    reminders_send(today=MONDAY)
    assert kinds() == [ReminderKind.DUE_TODAY]
    assert mail.outbox[0].subject == "Due today: “Social media policy”"


def test_overdue_reminder_once_a_week(emma, version):
    assignment = factories.assignment(emma, version, due_on=MONDAY - 3 * DAY)

    ready()
    assert reminders_send(today=MONDAY)["employees"] == 1
    assert reminders_send(today=MONDAY + 3 * DAY)["employees"] == 0
    assert reminders_send(today=MONDAY + 7 * DAY)["employees"] == 1

    assert list(ReminderLog.objects.order_by("sent_at").values_list("dedupe_key", flat=True)) == [
        f"overdue:{assignment.pk}:2026-W23",
        f"overdue:{assignment.pk}:2026-W24",
    ]
    assert "is 3 days overdue" in mail.outbox[0].body
    assert "is 10 days overdue" in mail.outbox[1].body


def test_reminder_is_in_the_employees_language(version):
    sofia = factories.employee("Sofia", "Lind", language="fr")
    factories.assignment(sofia, version, due_on=MONDAY + 7 * DAY)
    ready()
    reminders_send(today=MONDAY)
    [message] = mail.outbox
    assert "8 juin 2026" in message.subject
    assert 'lang="fr"' in message.alternatives[0][0]


@pytest.mark.parametrize("status", [EmployeeStatus.LEAVE, EmployeeStatus.TERMINATED])
def test_people_away_are_not_chased(version, status):
    away = factories.employee("Maren", "Strand", status=status)
    factories.assignment(away, version, due_on=MONDAY - 10 * DAY)
    ready()
    assert reminders_send(today=MONDAY) == {
        "employees": 0,
        "managers": 0,
        "hr": 0,
        "policy_owners": 0,
        "account_leavers": 0,
        "account_reviews": 0,
    }
    assert mail.outbox == []


def test_exempt_completed_and_cancelled_assignments_are_not_chased(version):
    hr = factories.user(groups=[HR])
    exempt = factories.assignment(factories.employee("Ex", "Empt"), version, due_on=MONDAY)
    assignment_exempt(assignment=exempt, reason="Long-term leave", by=hr)
    factories.finished(factories.assignment(factories.employee("Done", "Already"), version, due_on=MONDAY))
    factories.assignment(factories.employee("Can", "Celled"), version, due_on=MONDAY, cancelled_at=timezone.now())
    ready()
    assert reminders_send(today=MONDAY)["employees"] == 0


def test_people_whose_account_is_closed_are_not_chased(emma, version):
    factories.assignment(emma, version, due_on=MONDAY)
    emma.user.is_active = False
    emma.user.save()
    ready()
    assert reminders_send(today=MONDAY)["employees"] == 0


# --- Managers ---------------------------------------------------------------------------------


def test_managers_get_one_weekly_summary_of_reports_overdue_long_enough(version):
    marcus = factories.employee("Marcus", "Berg", language="en")
    late = [factories.employee(name, "Late", manager=marcus) for name in ("Mette", "Julien")]
    recent = factories.employee("Thea", "Recent", manager=marcus)
    for person in late:
        factories.assignment(person, version, due_on=MONDAY - 7 * DAY)
    factories.assignment(recent, version, due_on=MONDAY - 2 * DAY)

    ready()
    assert reminders_send(today=MONDAY)["managers"] == 1
    assert reminders_send(today=MONDAY + DAY)["managers"] == 0

    [summary] = [m for m in mail.outbox if m.to == [marcus.email]]
    assert summary.subject == "2 people in your team are overdue with policy training"
    assert "Mette Late" in summary.body and "Julien Late" in summary.body
    assert "Thea Recent" not in summary.body
    assert ReminderLog.objects.get(kind=ReminderKind.ESCALATION).dedupe_key == f"escalation:{marcus.pk}:2026-W23"

    assert reminders_send(today=MONDAY + 7 * DAY)["managers"] == 1


def test_escalation_skips_a_manager_who_is_away(version):
    director = factories.employee("Astrid", "Vik")
    manager = factories.employee("Absent", "Manager", manager=director, status=EmployeeStatus.LEAVE)
    report = factories.employee("Late", "Report", manager=manager)
    factories.assignment(report, version, due_on=MONDAY - 30 * DAY)
    ready()
    reminders_send(today=MONDAY)
    [escalation] = ReminderLog.objects.filter(kind=ReminderKind.ESCALATION)
    assert escalation.recipient == director.email


def test_escalation_in_the_managers_language(version):
    manager = factories.employee("Rasmus", "Kjaer", language="fr")
    factories.assignment(factories.employee(manager=manager), version, due_on=MONDAY - 9 * DAY)
    ready()
    reminders_send(today=MONDAY)
    [summary] = [m for m in mail.outbox if m.to == [manager.email]]
    assert 'lang="fr"' in summary.alternatives[0][0]
    assert "23 mai 2026" in summary.body


# --- HR and policy owners ---------------------------------------------------------------------


def test_hr_gets_a_weekly_digest_and_editors_do_not(emma, version):
    hr = factories.user(email="hr@example.com", groups=[HR])
    factories.user(email="editor@example.com", groups=[POLICY_EDITORS])
    factories.assignment(emma, version, due_on=MONDAY - 10 * DAY)

    ready()
    assert reminders_send(today=MONDAY)["hr"] == 1
    assert reminders_send(today=MONDAY + 2 * DAY)["hr"] == 0
    [digest] = [m for m in mail.outbox if m.to == [hr.email]]
    assert digest.subject == "Policy training, week 2026-W23: 1 overdue"
    assert "Retail: 1" in digest.body
    assert ReminderLog.objects.get(kind=ReminderKind.HR_DIGEST).dedupe_key == f"hr_digest:{hr.pk}:2026-W23"
    assert reminders_send(today=MONDAY + 7 * DAY)["hr"] == 1


def test_policy_owner_is_reminded_once_when_the_review_is_due(policy):
    owner = factories.user(email="owner@example.com")
    policy.owner_user = owner
    policy.review_interval_months = 6
    policy.last_reviewed_on = MONDAY - relativedelta(months=6) + DAY
    policy.save()

    ready()
    assert reminders_send(today=MONDAY)["policy_owners"] == 0
    assert reminders_send(today=MONDAY + DAY)["policy_owners"] == 1
    assert reminders_send(today=MONDAY + 5 * DAY)["policy_owners"] == 0
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "“Social media policy” is due for review"
    assert f"https://training.example.com/admin/pages/{policy.pk}/edit/" in message.body

    policy.last_reviewed_on = MONDAY + 5 * DAY
    policy.save()
    assert reminders_send(today=MONDAY + 5 * DAY + relativedelta(months=6))["policy_owners"] == 1


# --- Delivery ---------------------------------------------------------------------------------


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("mail server down")


def test_a_failed_send_is_not_logged_and_is_retried(emma, version, settings):
    factories.assignment(emma, version, due_on=MONDAY)
    settings.EMAIL_BACKEND = "tests.attest.test_reminders.BrokenBackend"
    ready()
    assert reminders_send(today=MONDAY)["employees"] == 0
    assert not ReminderLog.objects.exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_send(today=MONDAY)["employees"] == 1
    assert ReminderLog.objects.count() == 1


def test_command_runs_the_task_and_is_idempotent(emma, version):
    factories.assignment(emma, version, due_on=MONDAY)
    stdout = StringIO()
    ready()
    call_command("send_reminders", "--today", "2026-06-01", stdout=stdout)
    assert stdout.getvalue().strip() == "Sent 1 reminders, 0 escalations, 0 HR digests, 0 review reminders."
    stdout = StringIO()
    call_command("send_reminders", "--today", "2026-06-01", "--now", stdout=stdout)
    assert stdout.getvalue().startswith("Sent 0 reminders")
    assert len(mail.outbox) == 1


def test_command_queues_for_the_worker(emma, version, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    factories.assignment(emma, version, due_on=timezone.localdate())
    stdout = StringIO()
    ready()
    call_command("send_reminders", stdout=stdout)
    assert re.match(r"Queued task \S+: the worker \(manage.py db_worker\) sends the emails.", stdout.getvalue())
    assert mail.outbox == []

    assert DBTaskResult.objects.filter(task_path="attest.tasks.send_reminders").count() == 1


# --- Two processes at once (PostgreSQL) -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks across connections)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_sending_at_once_send_each_email_once():
    version = factories.release(factories.published_policy())
    manager = factories.employee("Marcus", "Berg")
    people = [factories.employee(f"P{n}", "Late", manager=manager) for n in range(12)]
    for person in people:
        factories.assignment(person, version, due_on=MONDAY - 10 * DAY)
    factories.user(email="hr@example.com", groups=[HR])
    ready()
    barrier = threading.Barrier(2)
    results, failures = [], []

    def send():
        try:
            barrier.wait(timeout=30)
            results.append(reminders_send(today=MONDAY))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert sum(result["employees"] for result in results) == 12
    assert sum(result["managers"] for result in results) == 1
    assert sum(result["hr"] for result in results) == 1
    recipients = [message.to[0] for message in mail.outbox]
    assert len(recipients) == len(set(recipients)) == 14
    assert ReminderLog.objects.count() == 14
    assert django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    assert Assignment.objects.count() == 12


# --- Language, links and headers of every automatic email --------------------------------------


@pytest.fixture
def translated_version(db):
    return factories.release(factories.translated_policy(languages=("es", "nb"), chapters=1))


def test_reminders_and_escalations_name_the_policy_in_the_readers_language(translated_version):
    manager = factories.employee("Ingrid", "Haugen", language="nb")
    carmen = factories.employee("Carmen", "Ruiz", language="es", manager=manager)
    factories.assignment(carmen, translated_version, due_on=MONDAY - 9 * DAY)
    ready()
    reminders_send(today=MONDAY)
    [reminder] = [m for m in mail.outbox if m.to == [carmen.email]]
    assert "Política de redes sociales" in reminder.subject
    assert "Social media policy" not in reminder.body
    [escalation] = [m for m in mail.outbox if m.to == [manager.email]]
    assert "Retningslinjer for sosiale medier" in escalation.body
    assert "Social media policy" not in escalation.body + escalation.alternatives[0][0]


def test_escalation_links_to_the_managers_team_page(version):
    marcus = factories.employee("Marcus", "Berg")
    factories.assignment(factories.employee(manager=marcus), version, due_on=MONDAY - 9 * DAY)
    ready()
    reminders_send(today=MONDAY)
    [summary] = [m for m in mail.outbox if m.to == [marcus.email]]
    assert "https://training.example.com/team/" in summary.body
    assert 'href="https://training.example.com/team/"' in summary.alternatives[0][0]


def test_every_automatic_email_says_it_is_automatic(emma, version, policy):
    from attest.reminders import invitations_send

    hr = factories.user(email="hr@example.com", first_name="Hedda", last_name="Holm", groups=[HR])
    newcomer = factories.employee("Noah", "Clarke")
    newcomer.user.set_unusable_password()
    newcomer.user.save()
    factories.assignment(factories.employee(manager=emma), version, due_on=MONDAY - 9 * DAY)
    ready()
    invitations_send(employee_ids=[newcomer.pk])
    reminders_send(today=MONDAY)
    kinds_sent = {log.kind for log in ReminderLog.objects.all()}
    assert {
        ReminderKind.INVITATION,
        ReminderKind.OVERDUE,
        ReminderKind.ESCALATION,
        ReminderKind.HR_DIGEST,
    } <= kinds_sent
    assert mail.outbox and all(m.extra_headers.get("Auto-Submitted") == "auto-generated" for m in mail.outbox)
    assert all(m.message()["Auto-Submitted"] == "auto-generated" for m in mail.outbox)
    [digest] = [m for m in mail.outbox if m.to == [hr.email]]
    assert digest.body.startswith("Hello Hedda,")
