"""Assignment generation (``assignments_sync``): each requirement kind, audiences, hire dates in
the future, people who move or leave, material releases, and idempotency."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from attest import services
from attest.bulk import insert_rows
from attest.models import Assignment, EmployeeStatus, RequirementKind
from attest.services import assignments_sync
from cms.roles import LEGAL_REVIEWERS
from tests import factories
from training.models import PolicyVersion

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)


def open_assignments(**filters):
    return Assignment.objects.open().filter(**filters)


# --- Onboarding -------------------------------------------------------------------------------


def test_onboarding_is_due_n_days_after_hire_for_people_hired_since_it_started(version):
    requirement = factories.requirement(
        version.policy, kind=RequirementKind.ONBOARDING, due_days=14, starts_on=datetime.date(2026, 1, 1)
    )
    new_hire = factories.employee("Noah", "Clarke", hire_date=datetime.date(2026, 5, 20))
    veteran = factories.employee("Vera", "Old", hire_date=datetime.date(2019, 1, 1))

    assert assignments_sync(today=TODAY) == {"created": 1, "moved": 0, "cancelled": 0}

    assignment = Assignment.objects.get(employee=new_hire)
    assert (assignment.requirement, assignment.version) == (requirement, version)
    assert assignment.due_on == datetime.date(2026, 6, 3)
    assert assignment.assigned_on == TODAY
    assert not Assignment.objects.filter(employee=veteran).exists()


def test_future_hires_get_their_onboarding_on_their_first_day(version):
    factories.requirement(
        version.policy, kind=RequirementKind.ONBOARDING, due_days=14, starts_on=datetime.date(2026, 1, 1)
    )
    future = factories.employee("Hannah", "Price", hire_date=datetime.date(2026, 7, 1))

    assignments_sync(today=TODAY)
    assert not Assignment.objects.filter(employee=future).exists()

    assignments_sync(today=datetime.date(2026, 7, 1))
    assignment = Assignment.objects.get(employee=future)
    assert (assignment.assigned_on, assignment.due_on) == (datetime.date(2026, 7, 1), datetime.date(2026, 7, 15))


def test_onboarding_is_done_once(version):
    factories.requirement(
        version.policy, kind=RequirementKind.ONBOARDING, due_days=14, starts_on=datetime.date(2026, 1, 1)
    )
    hire = factories.employee(hire_date=timezone.localdate() - DAY)
    assignments_sync()
    factories.finished(Assignment.objects.get(employee=hire))

    assert assignments_sync(today=timezone.localdate() + datetime.timedelta(days=400))["created"] == 0
    assert Assignment.objects.filter(employee=hire).count() == 1


# --- Annual refresher -------------------------------------------------------------------------


def test_annual_refresher_first_round_is_due_n_days_after_it_starts(version):
    factories.requirement(version.policy, kind=RequirementKind.ANNUAL, due_days=30, starts_on=TODAY)
    emma = factories.employee()
    assignments_sync(today=TODAY)
    assert Assignment.objects.get(employee=emma).due_on == TODAY + datetime.timedelta(days=30)


def test_annual_refresher_comes_back_12_months_after_the_last_completion(version):
    requirement = factories.requirement(
        version.policy, kind=RequirementKind.ANNUAL, due_days=30, starts_on=datetime.date(2020, 1, 1)
    )
    emma = factories.employee()
    assignments_sync()
    first = factories.finished(Assignment.objects.get(employee=emma))
    signed = first.completed_on
    next_due = signed.replace(year=signed.year + 1)

    assert assignments_sync(today=next_due - datetime.timedelta(days=31))["created"] == 0
    assert assignments_sync(today=next_due - datetime.timedelta(days=30))["created"] == 1
    second = open_assignments(employee=emma, requirement=requirement).get()
    assert second.due_on == next_due
    assert assignments_sync(today=next_due)["created"] == 0


def test_annual_refresher_on_a_fixed_yearly_date(version):
    factories.requirement(
        version.policy,
        kind=RequirementKind.ANNUAL,
        due_days=30,
        starts_on=datetime.date(2026, 1, 1),
        annual_fixed_date=datetime.date(2026, 12, 31),
    )
    emma = factories.employee()
    assert assignments_sync(today=datetime.date(2026, 11, 30))["created"] == 0
    assignments_sync(today=datetime.date(2026, 12, 1))
    assert Assignment.objects.get(employee=emma).due_on == datetime.date(2026, 12, 31)


# --- Re-attestation ---------------------------------------------------------------------------


def test_material_release_asks_those_who_signed_before_to_sign_again(policy):
    first = factories.release(policy, "1.0")
    onboarding = factories.requirement(policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    reattest = factories.requirement(
        policy, kind=RequirementKind.REATTESTATION, due_days=21, starts_on=datetime.date(2020, 1, 1)
    )
    signer = factories.employee("Sam", "Signer")
    newcomer = factories.employee("Nina", "New")
    assignments_sync()
    factories.finished(Assignment.objects.get(employee=signer, requirement=onboarding))
    assert not Assignment.objects.filter(requirement=reattest).exists()  # nobody needs to re-sign 1.0

    second = factories.release(policy, "2.0", material=True, key_changes="Stricter rules")
    counts = assignments_sync()

    again = Assignment.objects.get(employee=signer, requirement=reattest)
    assert again.version == second
    assert again.due_on == timezone.localdate(second.released_at) + datetime.timedelta(days=21)
    assert not Assignment.objects.filter(employee=newcomer, requirement=reattest).exists()
    # The newcomer's open campaign assignment moves to the newer text instead.
    assert Assignment.objects.get(employee=newcomer, requirement=onboarding).version == second
    assert counts == {"created": 1, "moved": 1, "cancelled": 0}
    assert first.pk != second.pk


def test_material_release_moves_open_assignments_and_restarts_them(policy):
    first = factories.release(policy, "1.0")
    requirement = factories.requirement(policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    emma = factories.employee()
    assignments_sync()
    Assignment.objects.filter(employee=emma).update(started_at=timezone.now())

    factories.release(policy, "1.1", material=False, key_changes="Typos")
    assert assignments_sync()["moved"] == 0
    assert Assignment.objects.get(employee=emma).version == first

    second = factories.release(policy, "2.0", material=True, key_changes="New rules")
    assert assignments_sync()["moved"] == 1
    moved = Assignment.objects.get(employee=emma, requirement=requirement)
    assert (moved.version, moved.started_at) == (second, None)


# --- Ad hoc campaigns and audiences -----------------------------------------------------------


def test_ad_hoc_campaign_for_an_audience(version):
    factories.requirement(
        version.policy,
        kind=RequirementKind.AD_HOC,
        due_date=datetime.date(2026, 9, 1),
        departments=["Retail"],
        locations=["Oslo", "London"],
        tracks=["official"],
    )
    chosen = factories.employee("In", "Audience", department="Retail", location="Oslo", track="official")
    factories.employee("Other", "Department", department="Finance", location="Oslo", track="official")
    factories.employee("Other", "Location", department="Retail", location="Paris", track="official")
    factories.employee("Other", "Track", department="Retail", location="Oslo", track="all")

    assert assignments_sync(today=TODAY)["created"] == 1
    assignment = Assignment.objects.get()
    assert (assignment.employee, assignment.due_on) == (chosen, datetime.date(2026, 9, 1))


def test_ad_hoc_campaign_is_done_once(version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    emma = factories.employee()
    assignments_sync()
    factories.finished(Assignment.objects.get(employee=emma))
    assert assignments_sync()["created"] == 0


def test_everyone_by_default_except_leavers(version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    factories.employee("Active", "One")
    factories.employee("On", "Leave", status=EmployeeStatus.LEAVE)
    factories.employee("Gone", "Already", status=EmployeeStatus.TERMINATED)
    assignments_sync()
    assert sorted(Assignment.objects.values_list("employee__last_name", flat=True)) == ["Leave", "One"]


# --- People who move or leave -----------------------------------------------------------------


def test_people_who_change_department_have_their_assignment_cancelled_not_deleted(version):
    requirement = factories.requirement(
        version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1), departments=["Retail"]
    )
    emma = factories.employee(department="Retail")
    assignments_sync()
    assignment = Assignment.objects.get(employee=emma)

    emma.department = "Marketing"
    emma.save()
    assert assignments_sync(employees=[emma]) == {"created": 0, "moved": 0, "cancelled": 1}
    assignment.refresh_from_db()
    assert assignment.cancelled_at is not None
    assert assignment.cancel_reason == "out of audience"

    emma.department = "Retail"
    emma.save()
    assignments_sync(employees=[emma])
    assert open_assignments(employee=emma, requirement=requirement).count() == 1
    assert Assignment.objects.filter(employee=emma).count() == 2


def test_leavers_have_open_assignments_cancelled_and_completed_ones_kept(policy):
    version = factories.release(policy)
    campaign = factories.requirement(policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    emma = factories.employee()
    assignments_sync()
    done = factories.finished(Assignment.objects.get(employee=emma, requirement=campaign))
    other = factories.requirement(policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2031, 1, 1))
    assignments_sync()
    pending = Assignment.objects.get(employee=emma, requirement=other)

    emma.status = EmployeeStatus.TERMINATED
    emma.save()
    assert assignments_sync()["cancelled"] == 1

    pending.refresh_from_db()
    done.refresh_from_db()
    assert pending.cancel_reason == "left"
    assert done.cancelled_at is None and done.completed_at is not None
    assert done.version == version


# --- Idempotency and scale --------------------------------------------------------------------


def test_running_twice_changes_nothing(version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    factories.requirement(version.policy, kind=RequirementKind.ANNUAL, due_days=30, starts_on=TODAY)
    factories.requirement(
        version.policy, kind=RequirementKind.ONBOARDING, due_days=14, starts_on=datetime.date(2026, 1, 1)
    )
    for n in range(3):
        factories.employee(f"P{n}", "Person", hire_date=datetime.date(2026, 5, 1))
    assert assignments_sync(today=TODAY)["created"] == 9
    before = list(Assignment.objects.order_by("pk").values())

    assert assignments_sync(today=TODAY) == {"created": 0, "moved": 0, "cancelled": 0}
    assert list(Assignment.objects.order_by("pk").values()) == before


def test_only_the_people_asked_about(version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    emma = factories.employee()
    factories.employee("Not", "Now")
    assert assignments_sync(employee_ids=[emma.pk])["created"] == 1
    assert assignments_sync(employees=[])["created"] == 0
    assert list(Assignment.objects.values_list("employee", flat=True)) == [emma.pk]


def test_large_selections_are_read_in_one_pass(version, monkeypatch):
    monkeypatch.setattr(services.assignments, "_SYNC_FILTER_IN_PYTHON", 1)
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    chosen = [factories.employee(f"P{n}", "Chosen") for n in range(3)]
    factories.employee("Left", "Out")
    assert assignments_sync(employees=chosen)["created"] == 3
    assert set(Assignment.objects.values_list("employee", flat=True)) == {e.pk for e in chosen}


def test_one_open_assignment_per_person_and_requirement_even_when_two_syncs_race(version):
    requirement = factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    emma = factories.employee()
    assignments_sync()
    # What a second sync that read the database a moment earlier would insert:
    row = (emma.pk, requirement.pk, version.pk, TODAY, datetime.date(2030, 1, 1))
    insert_rows(
        Assignment, ("employee", "requirement", "version", "assigned_on", "due_on"), [row], ignore_conflicts=True
    )
    assert Assignment.objects.filter(employee=emma).count() == 1


# --- Triggers ---------------------------------------------------------------------------------


def test_scheduled_sync_command_is_idempotent(version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    factories.employee()
    stdout = StringIO()
    call_command("sync_assignments", stdout=stdout)
    assert stdout.getvalue().strip() == "1 assignments created, 0 moved to a newer version, 0 cancelled."
    stdout = StringIO()
    call_command("sync_assignments", "--now", "--today", "2026-06-01", stdout=stdout)
    assert stdout.getvalue().strip() == "0 assignments created, 0 moved to a newer version, 0 cancelled."


def test_releasing_from_the_admin_asks_past_signers_to_re_attest_once_the_worker_runs(
    policy, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Through the release view over HTTP, then one pass of the real database worker: nobody runs
    ``sync_assignments``. The worker recycles connections between tasks; inside the test's
    transaction that would close it (PostgreSQL), so, as Django's test client does for requests,
    the recycling is switched off."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    first = factories.release(policy, "1.0")
    campaign = factories.requirement(policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    reattest = factories.requirement(policy, kind=RequirementKind.REATTESTATION, due_days=21)
    signer = factories.employee("Sam", "Signer")
    newcomer = factories.employee("Nina", "New")
    assignments_sync()
    factories.finished(Assignment.objects.get(employee=signer, requirement=campaign))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    legal = Client()
    legal.force_login(factories.user(groups=[LEGAL_REVIEWERS]))

    with django_capture_on_commit_callbacks(execute=True):
        response = legal.post(
            "/admin/policy_versions/new/",
            {
                "policy": policy.pk,
                "number": "2.0",
                "effective_date": "2026-12-01",
                "key_changes": "New rules",
                "requires_reattestation": "on",
            },
        )
    assert response.status_code == 302
    second = PolicyVersion.objects.get(number="2.0")
    assert not Assignment.objects.filter(requirement=reattest).exists(), "queued, not yet run"
    queued = DBTaskResult.objects.filter(task_path="attest.tasks.sync_assignments")
    assert queued.filter(status=TaskResultStatus.READY).count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO(), stderr=StringIO())

    assert queued.get().status == TaskResultStatus.SUCCESSFUL
    again = Assignment.objects.get(employee=signer, requirement=reattest)
    assert again.version == second != first and again.completed_at is None
    assert Assignment.objects.get(employee=newcomer, requirement=campaign).version == second
