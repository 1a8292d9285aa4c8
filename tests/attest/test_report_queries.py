"""The compliance pages run a fixed number of SQL queries however large the organisation
(DESIGN §5): HR's dashboard (also filtered), a manager's /team/ page and the drill-down people
pages, counted on a small organisation and again once it is three times larger. The figures
behind a dashboard take at most ten queries."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attest import reports
from attest.models import ReminderKind, ReminderLog
from cms.roles import HR
from tests import factories
from tests.attest.factories import AS_OF, build_organisation, moment

PARAMS = {"as_of": AS_OF.isoformat()}
LANGUAGES = ["en", "nb", "da", "fr", "es"]
_names = itertools.count(1)


def grow(org, people: int) -> None:
    """Add ``people`` employees to Mia's and Una's lines, two levels deep, in new departments,
    locations and languages, each with an assignment of every status, so every breakdown,
    list and page gets more rows (and more groups) to show."""
    policy, version = org.policy, org.version
    campaigns = [factories.requirement(policy, name=f"Campaign {next(_names)}") for _kind in range(6)]
    leads = [org.people.mia, org.people.una]
    for index in range(people):
        n = next(_names)
        person = factories.employee(
            f"Grown{n}",
            "Person",
            manager=leads[index % len(leads)],
            department=f"Department {n % 7}",
            location=f"City {n % 5}",
            language=LANGUAGES[n % len(LANGUAGES)],
        )
        if index < len(leads):
            leads.append(person)  # the next people report to them: indirect reports of Mia and Una
        due = datetime.date(2026, 3, 1 + n % 28)
        done_on = due - datetime.timedelta(days=n % 3)
        overdue = factories.assignment(person, version, campaigns[0], due_on=due)
        ReminderLog.objects.create(
            kind=ReminderKind.OVERDUE,
            dedupe_key=f"overdue:{overdue.pk}:grown",
            recipient=person.email,
            employee=person,
            assignment=overdue,
            sent_at=moment(due + datetime.timedelta(days=1)),
        )
        factories.assignment(
            person, version, campaigns[1], due_on=due, completed_at=moment(done_on), completed_on=done_on
        )
        factories.assignment(person, version, campaigns[2], due_on=datetime.date(2026, 5, 1), started_at=moment(due))
        factories.assignment(
            person,
            version,
            campaigns[3],
            due_on=due,
            exempted_at=moment(due - datetime.timedelta(days=9)),
            exemption_reason="Leave",
        )
        factories.assignment(
            person,
            version,
            campaigns[4],
            due_on=due,
            cancelled_at=moment(due - datetime.timedelta(days=9)),
            cancel_reason="left",
        )
        if index == 0:
            factories.finished(
                factories.assignment(person, version, campaigns[5])
            )  # a signed attestation with quiz scores


def queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {**PARAMS, **params})
    assert response.status_code == 200, url
    return len(context.captured_queries)


def assert_constant(client, org, pages: list[tuple[str, dict]], django_assert_num_queries) -> None:
    """Count each page's queries, grow the organisation from 7 people to 21 (and from 10
    assignments to 81), and expect exactly the same counts."""
    for url, params in pages:
        queries(client, url, params)  # the first request fills per-process caches
    small = {url + str(params): queries(client, url, params) for url, params in pages}
    grow(org, 14)
    for url, params in pages:
        with django_assert_num_queries(small[url + str(params)]):
            response = client.get(url, {**PARAMS, **params})
        assert response.status_code == 200, url


@pytest.fixture
def org(db):
    return build_organisation()


@pytest.mark.parametrize("scope", ["everyone", "department", "policy", "line"])
def test_dashboard_figures_take_at_most_ten_queries(org, scope, django_assert_max_num_queries):
    filters = {
        "everyone": {},
        "department": {"department": "Retail"},
        "policy": {"policy": org.policy.slug},
        "line": {"line_of": org.people.mia.pk},
    }[scope]
    for _size in ("small", "three times larger"):
        with django_assert_max_num_queries(10):
            report = reports.ReportFilters(as_of=AS_OF, **filters)
            reports.dashboard(report, choices=reports.filter_choices(scope=report))
        grow(org, 14)


def test_hr_pages_run_a_constant_number_of_queries(org, client, django_assert_num_queries):
    client.force_login(factories.user(groups=[HR]))
    pages = [
        ("/admin/compliance/", {}),
        ("/admin/compliance/", {"department": "Retail"}),
        ("/admin/compliance/", {"policy": org.policy.slug}),
        ("/admin/compliance/people/", {}),
        ("/admin/compliance/people/", {"status": "overdue"}),
        ("/admin/compliance/people/", {"dimension": "manager", "key": str(org.people.mia.pk), "status": "done"}),
        ("/admin/compliance/people/", {"dimension": "language", "key": "nb"}),
    ]
    assert_constant(client, org, pages, django_assert_num_queries)


def test_team_pages_run_a_constant_number_of_queries(org, client, django_assert_num_queries):
    client.force_login(org.people.mia.user)
    pages = [
        ("/team/", {}),
        ("/team/", {"department": "Retail"}),
        ("/team/people/", {}),
        ("/team/people/", {"status": "overdue"}),
        ("/team/people/", {"dimension": "department", "key": "Retail", "status": "done"}),
    ]
    assert_constant(client, org, pages, django_assert_num_queries)
