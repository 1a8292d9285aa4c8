"""The REST API at /api/v1/: bearer tokens and their scopes, a manager's token limited to their
line, the fields each resource carries (never quiz answers), cursor pagination with a constant
number of queries, rate limiting, and compliance figures equal to the dashboard's."""

import copy
import datetime
import hashlib
import json
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attest.api.auth import ERROR_INVALID, ERROR_MANAGER_LEFT, ERROR_MISSING_SCOPE
from attest.api.models import ApiScope, ApiToken
from attest.api.tokens import ERROR_NOT_A_MANAGER, LOG_CREATED, LOG_REVOKED, api_token_create, api_token_revoke
from attest.forms.reports import ERROR_AS_OF_FUTURE, ERROR_DATE_FORMAT, ERROR_DUE_RANGE
from attest.models import Attestation, EmployeeStatus
from cms.roles import HR, POLICY_EDITORS
from tests import factories
from tests.attest.factories import AS_OF, build_organisation

pytestmark = pytest.mark.django_db

EVERY_SCOPE = list(ApiScope.values)
EVERYONE = {"Cora", "Mia", "Rita", "Sam", "Tom", "Una", "Vic"}
MIAS_LINE = {"Rita", "Sam", "Tom"}
ENDPOINTS = {
    "/api/v1/people/": ApiScope.PEOPLE,
    "/api/v1/requirements/": ApiScope.REQUIREMENTS,
    "/api/v1/policy-versions/": ApiScope.VERSIONS,
    "/api/v1/attestations/": ApiScope.ATTESTATIONS,
    "/api/v1/compliance/": ApiScope.REPORTS,
}
PERSON_FIELDS = {
    "employee_id",
    "first_name",
    "last_name",
    "email",
    "department",
    "location",
    "manager_id",
    "status",
    "language",
    "track",
    "hire_date",
    "assignments",
}
ATTESTATION_FIELDS = {
    "id",
    "verification_code",
    "employee_id",
    "policy",
    "policy_title",
    "version",
    "version_number",
    "assignment",
    "language",
    "content_sha256",
    "method",
    "signed_at",
    "corrects",
    "chain_lane",
    "chain_seq",
    "previous_hash",
    "record_hash",
}


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def everything(client, url, secret, **params) -> list[dict]:
    """Every row of a list, following the cursor links."""
    rows, seen_pages = [], 0
    response = client.get(url, params, **bearer(secret))
    while True:
        assert response.status_code == 200, response.content
        page = response.json()
        rows += page["results"]
        seen_pages += 1
        if not page["next"]:
            return rows
        assert seen_pages < 1000
        response = client.get(page["next"], **bearer(secret))


def get(client, url, secret=None, **params):
    headers = bearer(secret) if secret else {}
    return client.get(url, params, **headers)


# --- Tokens in the admin ---------------------------------------------------------------------------


@pytest.fixture
def admins(db):
    """HR, a policy editor, and Bo with Ann reporting to him. Built for each test: the organisation
    the API tests share lives until the module's last test (see below)."""
    hr_user = factories.user(groups=[HR])
    editor = factories.user(groups=[POLICY_EDITORS])
    boss = factories.employee("Bo", "Boss")
    factories.employee("Ann", "Report", manager=boss)
    return SimpleNamespace(hr_user=hr_user, editor=editor, boss=boss)


def test_hr_creates_a_token_shown_once(admins, client):
    client.force_login(admins.hr_user)
    assert client.get("/admin/api_tokens/new/").status_code == 200
    response = client.post(
        "/admin/api_tokens/new/",
        {"name": "Payroll", "scopes": [ApiScope.PEOPLE, ApiScope.REPORTS], "manager": admins.boss.employee_id},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(name="Payroll")
    secret = response.context["secret"]
    assert f'value="{secret}"' in response.content.decode()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (token.scopes, token.manager, token.created_by) == (
        [ApiScope.PEOPLE, ApiScope.REPORTS],
        admins.boss,
        admins.hr_user,
    )
    listing = client.get("/admin/api_tokens/").content.decode()
    assert "Payroll" in listing and token.prefix in listing and secret not in listing
    inspect = client.get(f"/admin/api_tokens/inspect/{token.pk}/").content.decode()
    assert secret not in inspect
    people = client.get("/api/v1/people/", **bearer(secret)).json()["results"]
    assert [row["first_name"] for row in people] == ["Ann"]


def test_the_form_names_what_is_wrong(admins, client):
    client.force_login(admins.hr_user)
    response = client.post("/admin/api_tokens/new/", {"name": "X", "scopes": [], "manager": "NOPE"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["scopes"] == ["This field is required."]
    assert errors["manager"] == ["No employee has the id “NOPE”."]
    assert not ApiToken.objects.exists()


def test_hr_revokes_a_token(admins, client):
    token, secret = api_token_create(name="Old", scopes=[ApiScope.PEOPLE])
    client.force_login(admins.hr_user)
    assert client.get(f"/admin/api_tokens/{token.pk}/revoke/").status_code == 200
    response = client.post(f"/admin/api_tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admins.hr_user
    assert client.get("/api/v1/people/", **bearer(secret)).status_code == 401


def test_nobody_edits_or_deletes_a_token_and_editors_see_none(admins, client):
    token, _secret = api_token_create(name="Kept", scopes=[ApiScope.PEOPLE])
    superuser = factories.user(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    for url in (f"/admin/api_tokens/edit/{token.pk}/", f"/admin/api_tokens/delete/{token.pk}/"):
        assert client.get(url).status_code in (302, 403), url
    client.force_login(admins.editor)
    for url in ("/admin/api_tokens/", "/admin/api_tokens/new/", f"/admin/api_tokens/{token.pk}/revoke/"):
        assert client.get(url).status_code in (302, 403), url
    assert client.post(f"/admin/api_tokens/{token.pk}/revoke/").status_code in (302, 403)
    token.refresh_from_db()
    assert token.revoked_at is None


# --- The command ---------------------------------------------------------------------------------


def test_command_creates_a_managers_token_and_prints_it_once(db, capsys):
    boss = factories.employee("Bo", "Boss")
    factories.employee("Ann", "Report", manager=boss)
    call_command(
        "api_token",
        "create",
        "Sheet",
        "--scope",
        "people:read",
        "--scope",
        "reports:read",
        "--manager",
        boss.employee_id,
    )
    out = capsys.readouterr()
    secret = out.out.strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (token.scopes, token.manager) == (["people:read", "reports:read"], boss)
    assert "not shown again" in out.err
    call_command("api_token", "list")
    listing = capsys.readouterr().out
    assert "Sheet" in listing and boss.employee_id in listing and secret not in listing
    call_command("api_token", "revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_command_refuses_unknown_managers_and_scopes(db):
    with pytest.raises(CommandError, match="No employee has the id “E404”"):
        call_command("api_token", "create", "X", "--scope", "people:read", "--manager", "E404")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("api_token", "create", "X", "--scope", "people:write")
    assert not ApiToken.objects.exists()


# --- Queries per page ------------------------------------------------------------------------------


@pytest.fixture
def crowd(db):
    """150 people, each with two assignments and one with an attestation."""
    policy = factories.published_policy()
    version = factories.release(policy)
    requirement = factories.requirement(policy)
    other = factories.requirement(policy)
    boss = factories.employee("Big", "Boss")
    from attest.models import Assignment, Employee

    people = [
        Employee(
            user=factories.user(email=f"p{n}@example.com"),
            employee_id=f"C{n:05d}",
            email=f"p{n}@example.com",
            first_name=f"P{n}",
            last_name="Crowd",
            department=f"D{n % 7}",
            location="Oslo",
            manager=boss,
            hire_date=datetime.date(2020, 1, 1),
        )
        for n in range(150)
    ]
    Employee.objects.bulk_create(people)
    from attest.hierarchy import reporting_paths_refresh

    reporting_paths_refresh()
    Assignment.objects.bulk_create(
        Assignment(employee=person, requirement=req, version=version, assigned_on=AS_OF, due_on=AS_OF)
        for person in people
        for req in (requirement, other)
    )
    factories.finished(factories.assignment(people[0], version))
    _token, hr = api_token_create(name="HR", scopes=EVERY_SCOPE)
    _token, manager = api_token_create(name="Boss", scopes=EVERY_SCOPE, manager=boss)
    return {"hr": hr, "manager": manager}


@pytest.mark.parametrize("page_size", [10, 100])
@pytest.mark.parametrize("who", ["hr", "manager"])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # token, page, and the prefetched assignments (people) or locales (versions)
        ("/api/v1/people/", 3),
        ("/api/v1/attestations/", 2),
        ("/api/v1/requirements/", 2),
        ("/api/v1/policy-versions/", 3),
    ],
)
def test_queries_per_page_do_not_grow(client, crowd, django_assert_num_queries, page_size, who, url, queries):
    secret = crowd[who]
    client.get(url, **bearer(secret))  # the first use of the day writes last_used_at
    with django_assert_num_queries(queries):
        first = client.get(url, {"page_size": page_size}, **bearer(secret))
    assert first.status_code == 200
    if first.json()["next"]:
        with django_assert_num_queries(queries):
            second = client.get(first.json()["next"], **bearer(secret))
        assert second.status_code == 200
    if url == "/api/v1/people/":
        assert len(first.json()["results"]) == min(page_size, 150 if who == "manager" else 151)


# --- The API over a shared organisation --------------------------------------------------------------

# These tests come last: the organisation they share lives until the module's last test, and the
# tests above count every token and person in the database.


@pytest.fixture(scope="module")
def organisation(django_db_blocker):
    """Built once for the module (what setUpTestData gave): the organisation, a campaign Rita and
    Vic signed, HR's token, Mia's manager token and a people-only token."""
    with factories.kept_for_module(django_db_blocker):
        org = build_organisation()
        people = org.people
        campaign = factories.requirement(org.policy, name="Campaign")
        rita_signed = factories.finished(factories.assignment(people.rita, org.version, campaign))
        vic_signed = factories.finished(factories.assignment(people.vic, org.version, campaign))
        hr_user = factories.user(groups=[HR])
        hr_token, hr_secret = api_token_create(name="HRIS", scopes=EVERY_SCOPE, by=hr_user)
        mia_token, mia_secret = api_token_create(name="Mia's sheet", scopes=EVERY_SCOPE, manager=people.mia)
        people_only, people_secret = api_token_create(name="Directory", scopes=[ApiScope.PEOPLE])
        yield SimpleNamespace(
            org=org,
            rita_signed=rita_signed,
            vic_signed=vic_signed,
            hr_user=hr_user,
            hr_token=hr_token,
            hr_secret=hr_secret,
            mia_token=mia_token,
            mia_secret=mia_secret,
            people_only=people_only,
            people_secret=people_secret,
        )


@pytest.fixture
def shared(organisation, db):
    """A copy of the shared objects for each test, as setUpTestData gave: a test that changes one in
    memory (Tom's manager, Mia's status, a token refreshed) does not change it for the next."""
    return copy.deepcopy(organisation)


# --- Authentication and scopes -------------------------------------------------------------


def test_no_token_is_401_with_a_bearer_challenge(shared, client):
    for url in ENDPOINTS:
        response = get(client, url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_unknown_malformed_and_revoked_tokens_are_401(shared, client):
    revoked, secret = api_token_create(name="Old", scopes=EVERY_SCOPE)
    assert api_token_revoke(token=revoked, by=shared.hr_user)
    for header in (f"Bearer {secret}", "Bearer pta_nonsense", "Bearer a b", f"Bearer {shared.hr_secret}x"):
        response = client.get("/api/v1/people/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
    response = get(client, "/api/v1/people/", secret)
    assert response.json() == {"detail": str(ERROR_INVALID)}


def test_a_signed_in_session_is_not_a_credential(shared, client):
    """No session or cookie authentication: HR signed in to the admin gets 401, so a page
    elsewhere cannot make the browser call the API on their behalf (no CSRF surface)."""
    client.force_login(shared.hr_user)
    for url in ENDPOINTS:
        assert get(client, url).status_code == 401, url


def test_a_missing_scope_is_403_naming_it(shared, client):
    assert get(client, "/api/v1/people/", shared.people_secret).status_code == 200
    for url, scope in ENDPOINTS.items():
        if scope == ApiScope.PEOPLE:
            continue
        response = get(client, url, shared.people_secret)
        assert response.status_code == 403, url
        assert response.json() == {"detail": ERROR_MISSING_SCOPE % {"scope": scope}}


def test_only_reading_is_allowed(shared, client):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(
            "/api/v1/people/", data="{}", content_type="application/json", **bearer(shared.hr_secret)
        )
        assert response.status_code == 405, method
    person = shared.org.people.tom.employee_id
    response = client.delete(f"/api/v1/people/{person}/", **bearer(shared.hr_secret))
    assert response.status_code == 405


def test_use_is_recorded_at_most_once_a_minute(shared, client):
    assert shared.hr_token.last_used_at is None
    get(client, "/api/v1/people/", shared.hr_secret)
    shared.hr_token.refresh_from_db()
    first = shared.hr_token.last_used_at
    assert first is not None
    get(client, "/api/v1/people/", shared.hr_secret)
    shared.hr_token.refresh_from_db()
    assert shared.hr_token.last_used_at == first


def test_only_a_hash_of_the_token_is_stored(shared, client):
    token = ApiToken.objects.get(pk=shared.hr_token.pk)
    assert token.key_hash == hashlib.sha256(shared.hr_secret.encode()).hexdigest()
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert shared.hr_secret not in stored
    assert shared.hr_secret.startswith(token.prefix)


def test_each_token_is_rate_limited(shared, client, settings):
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"api_token": "3/min"}}
    for _n in range(3):
        assert get(client, "/api/v1/requirements/", shared.hr_secret).status_code == 200
    response = get(client, "/api/v1/requirements/", shared.hr_secret)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Another token has its own allowance.
    assert get(client, "/api/v1/people/", shared.people_secret).status_code == 200


# --- Whose people --------------------------------------------------------------------------


def test_hr_token_sees_everyone_and_a_managers_token_their_line(shared, client):
    hr = everything(client, "/api/v1/people/", shared.hr_secret)
    assert {row["first_name"] for row in hr} == EVERYONE
    mia = everything(client, "/api/v1/people/", shared.mia_secret)
    assert {row["first_name"] for row in mia} == MIAS_LINE


def test_a_managers_token_cannot_open_anyone_outside_the_line(shared, client):
    people = shared.org.people
    assert get(client, f"/api/v1/people/{people.tom.employee_id}/", shared.mia_secret).status_code == 200
    for outsider in (people.mia, people.cora, people.vic):
        response = get(client, f"/api/v1/people/{outsider.employee_id}/", shared.mia_secret)
        assert response.status_code == 404, outsider
    attestations = everything(client, "/api/v1/attestations/", shared.mia_secret)
    assert [row["id"] for row in attestations] == [shared.rita_signed.attestation_id]
    vic = get(client, f"/api/v1/attestations/{shared.vic_signed.attestation_id}/", shared.mia_secret)
    assert vic.status_code == 404
    both = everything(client, "/api/v1/attestations/", shared.hr_secret)
    assert {row["id"] for row in both} == {shared.rita_signed.attestation_id, shared.vic_signed.attestation_id}


def test_the_line_follows_the_roster(shared, client):
    """The line is read at each request: someone moved out of it disappears at once."""
    people = shared.org.people
    people.tom.manager = people.cora
    people.tom.save()
    from attest.hierarchy import reporting_paths_refresh

    reporting_paths_refresh()
    mia = everything(client, "/api/v1/people/", shared.mia_secret)
    assert {row["first_name"] for row in mia} == {"Rita", "Sam"}


def test_a_token_of_a_manager_who_left_stops_working(shared, client):
    people = shared.org.people
    people.mia.status = EmployeeStatus.TERMINATED
    people.mia.save()
    response = get(client, "/api/v1/people/", shared.mia_secret)
    assert response.status_code == 401
    assert response.json() == {"detail": str(ERROR_MANAGER_LEFT)}


def test_a_managers_token_needs_someone_reporting_to_them(shared, client):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        api_token_create(name="Tom", scopes=[ApiScope.PEOPLE], manager=shared.org.people.tom)
    assert raised.value.messages == [ERROR_NOT_A_MANAGER % {"employee": shared.org.people.tom}]


# --- Fields --------------------------------------------------------------------------------


def test_a_person_with_assignments_and_status(shared, client):
    tom = shared.org.people.tom
    row = get(client, f"/api/v1/people/{tom.employee_id}/", shared.hr_secret).json()
    assert set(row) == PERSON_FIELDS
    assert get(client, f"/api/v1/people/{tom.employee_id}/", shared.hr_secret)["Cache-Control"] == "private, no-store"
    assert row["manager_id"] == shared.org.people.rita.employee_id
    assert (row["email"], row["department"], row["location"], row["language"], row["status"]) == (
        tom.email,
        "Retail",
        "London",
        "en",
        "active",
    )
    statuses = {item["id"]: item["status"] for item in row["assignments"]}
    assert statuses == {shared.org.tom_overdue.pk: "overdue", shared.org.tom_cancelled_later.pk: "cancelled"}
    first = next(item for item in row["assignments"] if item["id"] == shared.org.tom_overdue.pk)
    assert first["policy"] == shared.org.policy.slug
    assert first["requirement_name"] == "Onboarding"
    assert first["due_on"] == "2026-03-15"
    cora = get(client, f"/api/v1/people/{shared.org.people.cora.employee_id}/", shared.hr_secret).json()
    assert cora["manager_id"] is None


def test_people_filters(shared, client):
    rows = everything(client, "/api/v1/people/", shared.hr_secret, department="Marketing")
    assert {row["first_name"] for row in rows} == {"Una", "Vic"}
    rows = everything(client, "/api/v1/people/", shared.mia_secret, location="London")
    assert {row["first_name"] for row in rows} == {"Sam", "Tom"}
    response = get(client, "/api/v1/people/", shared.hr_secret, status="gone")
    assert response.status_code == 400
    assert "status" in response.json()


def test_attestations_carry_the_record_but_never_quiz_answers(shared, client):
    record = Attestation.objects.get(pk=shared.rita_signed.attestation_id)
    assert record.quiz_results  # there is something to leak
    response = get(client, f"/api/v1/attestations/{record.pk}/", shared.hr_secret)
    row = response.json()
    assert set(row) == ATTESTATION_FIELDS
    assert row["employee_id"] == shared.org.people.rita.employee_id
    assert (row["version"], row["language"], row["content_sha256"], row["method"]) == (
        shared.org.version.pk,
        record.locale_code,
        record.content_sha256,
        "password",
    )
    assert (row["chain_lane"], row["chain_seq"], row["record_hash"]) == (
        record.chain_lane,
        record.chain_seq,
        record.record_hash,
    )
    text = response.content.decode()
    for leak in ("quiz", "answer", "score", record.ip_address, record.user_agent):
        assert leak not in text, leak
    rows = everything(client, "/api/v1/attestations/", shared.hr_secret, employee=record.employee_number)
    assert [row["id"] for row in rows] == [record.pk]
    assert everything(client, "/api/v1/attestations/", shared.hr_secret, version=999999) == []


def test_policy_versions_with_each_languages_hash(shared, client):
    row = get(client, f"/api/v1/policy-versions/{shared.org.version.pk}/", shared.hr_secret).json()
    version = shared.org.version
    assert (row["number"], row["effective_date"], row["hash_scheme"]) == ("1.0", "2026-01-01", version.hash_scheme)
    assert row["policy"] == shared.org.policy.slug
    assert row["languages"] == [
        {"language": code, "title": title, "text_sha256": digest}
        for code, (title, digest, _changes) in sorted(version.released_locales.items())
    ]


def test_requirements(shared, client):
    rows = everything(client, "/api/v1/requirements/", shared.hr_secret)
    assert {row["name"] for row in rows} >= {"Onboarding", "Annual refresher", "Campaign"}
    onboarding = next(row for row in rows if row["name"] == "Onboarding")
    assert (onboarding["kind"], onboarding["policy"], onboarding["active"]) == (
        "onboarding",
        shared.org.policy.slug,
        True,
    )


# --- Pagination ----------------------------------------------------------------------------


def test_cursor_pages_cover_everyone_once(shared, client):
    for n in range(12):
        factories.employee(f"Extra{n}", "Person", manager=shared.org.people.mia)
    pages = everything(client, "/api/v1/people/", shared.hr_secret, page_size=5)
    ids = [row["employee_id"] for row in pages]
    assert len(ids) == len(set(ids)) == 19
    first = get(client, "/api/v1/people/", shared.hr_secret, page_size=5).json()
    assert len(first["results"]) == 5 and first["previous"] is None and "count" not in first
    assert get(client, "/api/v1/people/", shared.hr_secret, cursor="garbage").status_code == 404


# --- Compliance figures --------------------------------------------------------------------


def assert_same_figures(api: dict, page_context):
    assert api["headline"] == page_context["headline"]
    for breakdown in page_context["breakdowns"]:
        expected = [
            {column: row[column] for column in api["breakdowns"][breakdown["dimension"]][0]}
            for row in breakdown["rows"]
        ]
        assert api["breakdowns"][breakdown["dimension"]] == expected, breakdown["dimension"]


def test_figures_equal_the_hr_dashboard_for_several_filters(shared, client):
    org = shared.org
    combinations = [
        {"as_of": AS_OF.isoformat()},
        {"as_of": AS_OF.isoformat(), "department": "Retail"},
        {"as_of": AS_OF.isoformat(), "location": "Oslo", "requirement": str(org.onboarding.pk)},
        {"policy": org.policy.slug, "due_from": "2026-03-01", "due_to": "2026-04-30"},
        {"as_of": "2026-04-10", "department": "Marketing", "location": "Paris"},
        {},
    ]
    dashboard = Client()
    dashboard.force_login(shared.hr_user)
    for params in combinations:
        page = dashboard.get("/admin/compliance/", params)
        assert page.status_code == 200
        response = get(client, "/api/v1/compliance/", shared.hr_secret, **params)
        assert response.status_code == 200, (params, response.content)
        api = response.json()
        assert api["scope"] == "everyone"
        assert api["as_of"] == page.context["filters"].on.isoformat()
        assert_same_figures(api, page.context)
        trend = [
            {**row, "week_start": row["week_start"].isoformat()}
            for row in (
                {key: record[key] for key in ("week", "week_start", "due", "due_and_done", "completed")}
                for record in page.context["trend_rows"]
            )
        ]
        assert api["trend"] == trend, params


def test_a_managers_figures_equal_their_team_page(shared, client):
    team = Client()
    team.force_login(shared.org.people.mia.user)
    for params in ({"as_of": AS_OF.isoformat()}, {"as_of": AS_OF.isoformat(), "location": "Oslo"}):
        page = team.get("/team/", params)
        assert page.status_code == 200
        api = get(client, "/api/v1/compliance/", shared.mia_secret, **params).json()
        assert api["scope"] == shared.org.people.mia.employee_id
        assert_same_figures(api, page.context)
        assert (
            api["headline"]["total"]
            < get(client, "/api/v1/compliance/", shared.hr_secret, **params).json()["headline"]["total"]
        )


def test_bad_filters_get_the_dashboards_messages(shared, client):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    cases = [
        ({"due_from": "2026-05-01", "due_to": "2026-04-01"}, "due_to", str(ERROR_DUE_RANGE)),
        ({"as_of": tomorrow}, "as_of", str(ERROR_AS_OF_FUTURE)),
        ({"as_of": "yesterday"}, "as_of", str(ERROR_DATE_FORMAT)),
    ]
    for params, field, message in cases:
        response = get(client, "/api/v1/compliance/", shared.hr_secret, **params)
        assert response.status_code == 400, params
        assert response.json()[field] == [message]
    # A manager cannot ask about a department outside their line.
    response = get(client, "/api/v1/compliance/", shared.mia_secret, department="Marketing")
    assert response.status_code == 400
    assert "department" in response.json()


# --- Schema and documentation ----------------------------------------------------------------


def test_schema_and_docs_are_served_by_the_product(shared, client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = json.loads(schema.content)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) >= {f"{url}" for url in ENDPOINTS}
    assert not [path for path in document["paths"] if not path.startswith("/api/v1/")]
    assert document["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "http://" not in html and "https://" not in html
    assert "<style" not in html and "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and b"/api/v1/schema/" in script.content


# --- Creating and revoking tokens --------------------------------------------------------------


def test_creation_and_revocation_are_audited(shared, client):
    token, _secret = api_token_create(name="Audit", scopes=[ApiScope.REPORTS], by=shared.hr_user)
    api_token_revoke(token=token, by=shared.hr_user)
    actions = list(ModelLogEntry.objects.filter(object_id=str(token.pk)).values_list("action", flat=True))
    assert sorted(actions) == sorted([LOG_CREATED, LOG_REVOKED])
