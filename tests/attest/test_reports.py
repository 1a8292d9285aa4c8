"""Compliance figures checked against a small organisation built by hand, where every right
answer is known: statuses as of a date, rates, breakdowns, trend, overdue list, drill-downs,
filters, scope, quiz insight, and a query count that does not grow with the organisation."""

import datetime
from collections import Counter

import pandas as pd
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attest import reports
from attest.models import Assignment
from cms.roles import HR
from tests import factories
from tests.attest.factories import AS_OF, LATER, build_organisation, moment
from training.models import PolicyVersionChapter, QuizAttempt


def figures(frame, key_column="label"):
    """A breakdown as {label: (total, done, overdue, not yet due, exempt)}."""
    return {
        row[key_column]: (row["total"], row["done"], row["overdue"], row["not_due"], row["exempt"])
        for row in frame.to_dict("records")
    }


FILTERS = reports.ReportFilters(as_of=AS_OF)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def org(django_db_blocker):
    """The hand-built organisation, shared by the module's tests (each runs in its own savepoint)."""
    with factories.kept_for_module(django_db_blocker):
        yield build_organisation()


# --- Figures of the hand-built organisation ---------------------------------------------------


def test_headline_as_of_the_end_of_march(org):
    headline = reports.dashboard(FILTERS).headline
    assert {status: headline[status] for status in reports.REPORT_STATUSES} == {
        "assigned": 1,
        "in_progress": 1,
        "overdue": 3,
        "declined": 0,
        "completed": 1,
        "completed_late": 1,
        "exempt": 1,
    }
    assert (headline["total"], headline["required"], headline["done"], headline["open"]) == (8, 7, 2, 5)
    assert headline["completion_rate"] == 2 / 7
    assert headline["on_time_rate"] == 1 / 7
    assert headline["overdue_rate"] == 3 / 7


def test_later_completion_start_and_cancellation_count_only_from_their_date(org):
    headline = reports.dashboard(reports.ReportFilters(as_of=LATER)).headline
    # Cora completed on 5 April (late); Tom's second assignment was cancelled on 5 April;
    # Rita's refresher was assigned on 10 April.
    assert headline["completed_late"] == 2
    assert headline["overdue"] == 1
    assert headline["assigned"] == 2
    assert headline["total"] == 8


def test_status_rule_matches_with_status_today(org):
    today = timezone.localdate()
    ours = dict(reports.assignments_in_scope(reports.ReportFilters(as_of=today)).values_list("pk", "report_status"))
    theirs = dict(Assignment.objects.with_status(today).filter(cancelled_at__isnull=True).values_list("pk", "status"))
    assert ours == theirs


def test_status_conditions_agree_with_status_expression(org):
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 3, 15), AS_OF, LATER, timezone.localdate()):
        rows = reports.assignments_in_scope(reports.ReportFilters(as_of=day))
        by_case = Counter(rows.values_list("report_status", flat=True))
        by_conditions = {
            status: rows.filter(condition).count() for status, condition in reports.status_conditions(day).items()
        }
        assert by_conditions == {status: by_case.get(status, 0) for status in reports.REPORT_STATUSES}, day


def test_breakdowns(org):
    breakdowns = reports.dashboard(FILTERS).breakdowns
    assert figures(breakdowns["department"]) == {
        "Executive": (1, 0, 1, 0, 0),
        "Marketing": (2, 0, 0, 2, 0),
        "Retail": (5, 2, 2, 0, 1),
    }
    assert figures(breakdowns["location"]) == {
        "London": (3, 1, 2, 0, 0),
        "Oslo": (3, 1, 1, 0, 1),
        "Paris": (2, 0, 0, 2, 0),
    }
    assert figures(breakdowns["requirement"]) == {
        "Onboarding": (5, 2, 1, 2, 0),
        "Annual refresher": (3, 0, 2, 0, 1),
    }
    assert figures(breakdowns["version"]) == {"Social media policy 1.0": (8, 2, 3, 2, 1)}
    assert figures(breakdowns["language"]) == {
        "Norsk bokmål": (3, 1, 1, 0, 1),
        "English": (3, 1, 2, 0, 0),
        "Français": (2, 0, 0, 2, 0),
    }
    department = breakdowns["department"].set_index("label")
    assert department.loc["Retail", "completion_rate"] == 2 / 4
    assert department.loc["Retail", "overdue_rate"] == 2 / 4


def test_manager_breakdown_counts_direct_reports_most_overdue_first(org):
    managers = reports.dashboard(FILTERS, managers=None).breakdowns["manager"]
    assert figures(managers) == {
        "Rita Lead": (2, 0, 2, 0, 0),
        "No manager": (1, 0, 1, 0, 0),
        "Mia Manager": (2, 2, 0, 0, 0),
        "Cora Chief": (2, 0, 0, 1, 1),
        "Una Brand": (1, 0, 0, 1, 0),
    }
    assert list(managers["label"][:2]) == ["Rita Lead", "No manager"]
    assert managers.iloc[0]["detail"] == org.people.rita.email
    assert reports.manager_frame(FILTERS, top=1)["label"].tolist() == ["Rita Lead", "No manager"]
    # The dashboard lists the managers whose reports are overdue (every manager is in the exports).
    assert reports.dashboard(FILTERS).breakdowns["manager"]["label"].tolist() == ["Rita Lead", "No manager"]


def test_signed_language_counts_for_completed_assignments(org):
    version = org.version
    signed = factories.assignment(
        org.people.una, version, factories.requirement(org.policy), due_on=datetime.date(2030, 1, 1)
    )
    factories.finished(signed)
    signed.refresh_from_db()
    assert signed.attestation.locale_code == "en"  # the policy exists in English only
    languages = figures(reports.dashboard(reports.ReportFilters()).breakdowns["language"])
    assert languages["English"][1] >= 1
    una = reports.select(
        reports.assignments_in_scope(reports.ReportFilters().resolved()),
        reports.Selection(dimension="language", key="en", status="done"),
        timezone.localdate(),
    )
    assert signed.pk in set(una.values_list("pk", flat=True))


def test_trend_per_iso_week(org):
    trend = reports.dashboard(
        reports.ReportFilters(as_of=AS_OF, due_from=datetime.date(2026, 2, 23), due_to=datetime.date(2026, 5, 3))
    ).trend
    weeks = {row["week"]: (row["due"], row["due_and_done"], row["completed"]) for row in trend.to_dict("records")}
    assert weeks["2026-W09"] == (0, 0, 0)  # Mia's exempt assignment is not due
    assert weeks["2026-W11"] == (3, 2, 1)  # Rita, Sam, Tom due 15 March; Rita completed 10 March
    assert weeks["2026-W12"] == (1, 0, 1)  # Cora due 20 March; Sam completed 20 March
    assert weeks["2026-W13"] == (1, 0, 0)
    assert weeks["2026-W14"] == (0, 0, 0)  # Cora's completion on 5 April is after the as-of date
    assert weeks["2026-W18"] == (2, 0, 0)
    assert trend["week_start"].iloc[0] == datetime.date(2026, 2, 23)


def test_overdue_list_with_days_and_reminders_sent_by_then(org):
    overdue = reports.dashboard(FILTERS).overdue
    assert [(row["full_name"], row["days_overdue"], row["reminders"]) for row in overdue.to_dict("records")] == [
        ("Tom Trainee", 16, 2),
        ("Cora Chief", 11, 0),
        ("Tom Trainee", 6, 0),
    ]
    assert overdue.iloc[0]["manager_name"] == "Rita Lead"


def test_drill_down_lists_the_people_behind_a_figure(org):
    def people(**selection):
        frame = reports.detail_frame(FILTERS, reports.Selection(**selection))
        return sorted(frame["full_name"])

    assert people(dimension="department", key="Retail", status="overdue") == ["Tom Trainee", "Tom Trainee"]
    assert people(dimension="manager", key=str(org.people.mia.pk), status="done") == [
        "Rita Lead",
        "Sam Seller",
    ]
    assert people(dimension="manager", key=reports.NO_MANAGER) == ["Cora Chief"]
    assert people(dimension="language", key="nb") == ["Cora Chief", "Mia Manager", "Rita Lead"]
    assert people(dimension="requirement", key=str(org.annual.pk), status="exempt") == ["Mia Manager"]
    assert people(dimension="due_week", key="2026-03-09") == ["Rita Lead", "Sam Seller", "Tom Trainee"]
    assert people(dimension="done_week", key="2026-03-16", status="done") == ["Sam Seller"]
    assert people(status="not_due") == ["Una Brand", "Vic Voice"]
    assert reports.selection_count(FILTERS, reports.Selection(status="required")) == 7


def test_detail_rows_have_the_export_columns_and_values(org):
    frame = reports.detail_frame(FILTERS)
    assert list(frame.columns) == list(reports.COLUMNS)
    assert len(frame) == 8
    tom = frame[(frame["full_name"] == "Tom Trainee") & (frame["requirement"] == "Onboarding")].iloc[0]
    assert (tom["status"], tom["days_overdue"], tom["manager_email"]) == ("overdue", 16, org.people.rita.email)
    cora = frame[frame["full_name"] == "Cora Chief"].iloc[0]
    assert cora["status"] == "overdue"
    assert pd.isna(cora["completed_at"])
    rita = frame[frame["full_name"] == "Rita Lead"].iloc[0]
    assert (rita["status"], rita["due_on"], rita["policy"], rita["version"]) == (
        "completed",
        datetime.date(2026, 3, 15),
        "Social media policy",
        "1.0",
    )


def test_filters(org):
    def total(**fields):
        return reports.dashboard(reports.ReportFilters(as_of=AS_OF, **fields)).headline["total"]

    assert total(department="Retail") == 5
    assert total(location="London") == 3
    assert total(requirement=org.onboarding.pk) == 5
    assert total(policy=org.policy.slug) == 8
    assert total(policy=str(org.policy.pk)) == 8
    assert total(policy="another-policy") == 0
    assert total(due_from=datetime.date(2026, 3, 15), due_to=datetime.date(2026, 3, 20)) == 4
    assert total(department="Retail", location="Oslo") == 2


def test_scope_is_the_whole_reporting_line(org):
    mia = org.people.mia
    dashboard = reports.dashboard(reports.ReportFilters(as_of=AS_OF, line_of=mia.pk))
    assert dashboard.headline["total"] == 4  # Rita, Sam and Tom (twice); not Mia herself
    frame = reports.detail_frame(reports.ReportFilters(as_of=AS_OF, line_of=mia.pk))
    assert sorted(set(frame["full_name"])) == ["Rita Lead", "Sam Seller", "Tom Trainee"]
    rita = reports.ReportFilters(as_of=AS_OF, line_of=org.people.rita.pk)
    assert reports.dashboard(rita).headline["total"] == 2  # Tom, twice
    choices = reports.filter_choices(scope=reports.ReportFilters(line_of=org.people.una.pk))
    assert (choices.departments, choices.locations) == (["Marketing"], ["Paris"])


def test_choices(org):
    choices = reports.filter_choices()
    assert choices.departments == ["Executive", "Marketing", "Retail"]
    assert choices.locations == ["London", "Oslo", "Paris"]
    assert choices.policies == [(org.policy.slug, "Social media policy")]
    assert {name for _pk, name in choices.requirements} == {"Onboarding", "Annual refresher"}


def test_describe_filters_in_words(org):
    described = dict(
        reports.describe_filters(
            reports.ReportFilters(as_of=AS_OF, policy=org.policy.slug, requirement=org.annual.pk, department="Retail"),
            scope_label="Everyone",
        )
    )
    assert described == {
        "As of": "2026-03-31",
        "Policy": "Social media policy",
        "Requirement": "Annual refresher",
        "Department": "Retail",
        "People": "Everyone",
    }


# --- The dashboard's queries do not grow with the number of people or assignments -------------


def dashboard_queries() -> int:
    with CaptureQueriesContext(connection) as context:
        reports.dashboard(reports.ReportFilters(as_of=AS_OF))
    return len(context.captured_queries)


def test_constant_and_at_most_ten(org):
    small = dashboard_queries()
    manager = org.people.cora
    requirement = factories.requirement(org.policy, name="Campaign")
    for n in range(30):
        person = factories.employee(
            f"Extra{n}", "Person", manager=manager, department=f"Dept {n % 5}", location=f"City {n % 4}"
        )
        factories.assignment(person, org.version, requirement, due_on=datetime.date(2026, 3, 1 + n % 28))
    assert dashboard_queries() == small
    assert small <= 10


def test_whole_admin_request_is_constant(org, client):
    hr = factories.user(groups=[HR])
    client.force_login(hr)
    client.get("/admin/compliance/")

    def request_queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get("/admin/compliance/", {"as_of": AS_OF.isoformat()})
        assert response.status_code == 200
        return len(context.captured_queries)

    before = request_queries()
    for n in range(20):
        person = factories.employee(f"More{n}", "Person", manager=org.people.mia, department=f"Team {n}")
        factories.assignment(person, org.version, org.onboarding, due_on=datetime.date(2026, 3, 20))
    assert request_queries() == before


# --- Quiz insight ----------------------------------------------------------------------------


@pytest.fixture
def quiz_attempts(org):
    """Four learners on chapter one: A fails then passes, B and C pass first time, D fails once."""
    chapter = PolicyVersionChapter.objects.get(version=org.version, slug="one")
    questions = {block.value["prompt"]: block for block in chapter.page.questions}
    q0, q1 = questions["one q0"], questions["one q1"]

    def answers(q0_right: bool, q1_right: bool) -> dict:
        return {q0.id: [0] if q0_right else [1], q1.id: [0] if q1_right else [2]}

    people = [org.people.rita, org.people.sam, org.people.tom, org.people.una]
    plan = [
        [(False, False), (True, False)],  # Rita: fails, then passes with 50 %
        [(True, True)],  # Sam
        [(True, False)],  # Tom
        [(False, False)],  # Una: fails once
    ]
    for person, attempts in zip(people, plan, strict=True):
        for number, (first, second) in enumerate(attempts, start=1):
            score = 50 * first + 50 * second
            QuizAttempt.objects.create(
                user=person.user,
                version=org.version,
                chapter_key=chapter.chapter_key,
                locale_code="en",
                number=number,
                presented=[{"question": q0.id, "options": [0, 1, 2]}, {"question": q1.id, "options": [0, 1, 2]}],
                answers=answers(first, second),
                score=score,
                passed=score >= 50,
                started_at=moment(datetime.date(2026, 3, 1 + number)),
                submitted_at=moment(datetime.date(2026, 3, 1 + number), 11),
            )


def test_pass_rate_attempts_and_hardest_questions(org, quiz_attempts):
    [chapter] = reports.quiz_insight(reports.ReportFilters(as_of=AS_OF))
    assert chapter.title == "Chapter one"
    assert (chapter.learners, chapter.attempts, chapter.passed, chapter.first_try) == (4, 5, 3, 2)
    assert chapter.pass_rate == 0.75
    assert chapter.average_attempts == 1.25
    assert [(q.prompt, q.asked, q.wrong) for q in chapter.questions] == [("one q1", 5, 4), ("one q0", 5, 2)]


def test_quiz_insight_is_kept_for_a_while_and_says_when_it_was_computed(
    org, quiz_attempts, client, django_assert_num_queries
):
    filters = reports.ReportFilters(as_of=AS_OF)
    chapters, computed_at = reports.quiz_insight_cached(filters)
    QuizAttempt.objects.filter(passed=False).update(passed=True)
    with django_assert_num_queries(0):
        again, again_at = reports.quiz_insight_cached(filters)
    assert again_at == computed_at and [c.passed for c in again] == [c.passed for c in chapters] == [3]
    assert reports.quiz_insight_cached(reports.ReportFilters(as_of=AS_OF, department="Marketing"))[0][0].learners == 1
    cache.clear()
    assert reports.quiz_insight_cached(filters)[0][0].passed == 4
    hr = factories.user(groups=[HR])
    client.force_login(hr)
    page = client.get("/admin/compliance/quiz/", {"as_of": AS_OF.isoformat()}).content.decode()
    assert "Computed " in page and "recomputed at most every 10 minutes" in page


def test_quiz_filters_by_department_and_date(org, quiz_attempts):
    [chapter] = reports.quiz_insight(reports.ReportFilters(as_of=AS_OF, department="Marketing"))
    assert (chapter.learners, chapter.passed) == (1, 0)
    assert reports.quiz_insight(reports.ReportFilters(as_of=datetime.date(2026, 2, 1))) == []
    [line] = reports.quiz_insight(reports.ReportFilters(as_of=AS_OF, line_of=org.people.mia.pk))
    assert line.learners == 3
