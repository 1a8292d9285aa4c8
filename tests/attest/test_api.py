"""The REST API at /api/v1/: bearer tokens and their scopes, a manager's token limited to their
line, the fields each resource carries (never quiz answers), cursor pagination with a constant
number of queries, rate limiting, and compliance figures equal to the dashboard's."""

import datetime
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
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


class ApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_organisation()
        people = cls.org.people
        campaign = factories.requirement(cls.org.policy, name="Campaign")
        cls.rita_signed = factories.finished(factories.assignment(people.rita, cls.org.version, campaign))
        cls.vic_signed = factories.finished(factories.assignment(people.vic, cls.org.version, campaign))
        cls.hr_user = factories.user(groups=[HR])
        cls.hr_token, cls.hr_secret = api_token_create(name="HRIS", scopes=EVERY_SCOPE, by=cls.hr_user)
        cls.mia_token, cls.mia_secret = api_token_create(name="Mia's sheet", scopes=EVERY_SCOPE, manager=people.mia)
        cls.people_only, cls.people_secret = api_token_create(name="Directory", scopes=[ApiScope.PEOPLE])

    def get(self, url, secret=None, **params):
        headers = bearer(secret) if secret else {}
        return self.client.get(url, params, **headers)

    # --- Authentication and scopes -------------------------------------------------------------

    def test_no_token_is_401_with_a_bearer_challenge(self):
        for url in ENDPOINTS:
            response = self.get(url)
            assert response.status_code == 401, url
            assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_unknown_malformed_and_revoked_tokens_are_401(self):
        revoked, secret = api_token_create(name="Old", scopes=EVERY_SCOPE)
        assert api_token_revoke(token=revoked, by=self.hr_user)
        for header in (f"Bearer {secret}", "Bearer pta_nonsense", "Bearer a b", f"Bearer {self.hr_secret}x"):
            response = self.client.get("/api/v1/people/", HTTP_AUTHORIZATION=header)
            assert response.status_code == 401, header
        response = self.get("/api/v1/people/", secret)
        assert response.json() == {"detail": str(ERROR_INVALID)}

    def test_a_signed_in_session_is_not_a_credential(self):
        """No session or cookie authentication: HR signed in to the admin gets 401, so a page
        elsewhere cannot make the browser call the API on their behalf (no CSRF surface)."""
        self.client.force_login(self.hr_user)
        for url in ENDPOINTS:
            assert self.get(url).status_code == 401, url

    def test_a_missing_scope_is_403_naming_it(self):
        assert self.get("/api/v1/people/", self.people_secret).status_code == 200
        for url, scope in ENDPOINTS.items():
            if scope == ApiScope.PEOPLE:
                continue
            response = self.get(url, self.people_secret)
            assert response.status_code == 403, url
            assert response.json() == {"detail": ERROR_MISSING_SCOPE % {"scope": scope}}

    def test_only_reading_is_allowed(self):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(self.client, method)(
                "/api/v1/people/", data="{}", content_type="application/json", **bearer(self.hr_secret)
            )
            assert response.status_code == 405, method
        person = self.org.people.tom.employee_id
        response = self.client.delete(f"/api/v1/people/{person}/", **bearer(self.hr_secret))
        assert response.status_code == 405

    def test_use_is_recorded_at_most_once_a_minute(self):
        assert self.hr_token.last_used_at is None
        self.get("/api/v1/people/", self.hr_secret)
        self.hr_token.refresh_from_db()
        first = self.hr_token.last_used_at
        assert first is not None
        self.get("/api/v1/people/", self.hr_secret)
        self.hr_token.refresh_from_db()
        assert self.hr_token.last_used_at == first

    def test_only_a_hash_of_the_token_is_stored(self):
        token = ApiToken.objects.get(pk=self.hr_token.pk)
        assert token.key_hash == hashlib.sha256(self.hr_secret.encode()).hexdigest()
        stored = json.dumps(list(ApiToken.objects.values()), default=str)
        assert self.hr_secret not in stored
        assert self.hr_secret.startswith(token.prefix)

    @override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"api_token": "3/min"}})
    def test_each_token_is_rate_limited(self):
        for _n in range(3):
            assert self.get("/api/v1/requirements/", self.hr_secret).status_code == 200
        response = self.get("/api/v1/requirements/", self.hr_secret)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        # Another token has its own allowance.
        assert self.get("/api/v1/people/", self.people_secret).status_code == 200

    # --- Whose people --------------------------------------------------------------------------

    def test_hr_token_sees_everyone_and_a_managers_token_their_line(self):
        hr = everything(self.client, "/api/v1/people/", self.hr_secret)
        assert {row["first_name"] for row in hr} == EVERYONE
        mia = everything(self.client, "/api/v1/people/", self.mia_secret)
        assert {row["first_name"] for row in mia} == MIAS_LINE

    def test_a_managers_token_cannot_open_anyone_outside_the_line(self):
        people = self.org.people
        assert self.get(f"/api/v1/people/{people.tom.employee_id}/", self.mia_secret).status_code == 200
        for outsider in (people.mia, people.cora, people.vic):
            response = self.get(f"/api/v1/people/{outsider.employee_id}/", self.mia_secret)
            assert response.status_code == 404, outsider
        attestations = everything(self.client, "/api/v1/attestations/", self.mia_secret)
        assert [row["id"] for row in attestations] == [self.rita_signed.attestation_id]
        vic = self.get(f"/api/v1/attestations/{self.vic_signed.attestation_id}/", self.mia_secret)
        assert vic.status_code == 404
        both = everything(self.client, "/api/v1/attestations/", self.hr_secret)
        assert {row["id"] for row in both} == {self.rita_signed.attestation_id, self.vic_signed.attestation_id}

    def test_the_line_follows_the_roster(self):
        """The line is read at each request: someone moved out of it disappears at once."""
        people = self.org.people
        people.tom.manager = people.cora
        people.tom.save()
        from attest.hierarchy import reporting_paths_refresh

        reporting_paths_refresh()
        mia = everything(self.client, "/api/v1/people/", self.mia_secret)
        assert {row["first_name"] for row in mia} == {"Rita", "Sam"}

    def test_a_token_of_a_manager_who_left_stops_working(self):
        people = self.org.people
        people.mia.status = EmployeeStatus.TERMINATED
        people.mia.save()
        response = self.get("/api/v1/people/", self.mia_secret)
        assert response.status_code == 401
        assert response.json() == {"detail": str(ERROR_MANAGER_LEFT)}

    def test_a_managers_token_needs_someone_reporting_to_them(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as raised:
            api_token_create(name="Tom", scopes=[ApiScope.PEOPLE], manager=self.org.people.tom)
        assert raised.value.messages == [ERROR_NOT_A_MANAGER % {"employee": self.org.people.tom}]

    # --- Fields --------------------------------------------------------------------------------

    def test_a_person_with_assignments_and_status(self):
        tom = self.org.people.tom
        row = self.get(f"/api/v1/people/{tom.employee_id}/", self.hr_secret).json()
        assert set(row) == PERSON_FIELDS
        assert self.get(f"/api/v1/people/{tom.employee_id}/", self.hr_secret)["Cache-Control"] == "private, no-store"
        assert row["manager_id"] == self.org.people.rita.employee_id
        assert (row["email"], row["department"], row["location"], row["language"], row["status"]) == (
            tom.email,
            "Retail",
            "London",
            "en",
            "active",
        )
        statuses = {item["id"]: item["status"] for item in row["assignments"]}
        assert statuses == {self.org.tom_overdue.pk: "overdue", self.org.tom_cancelled_later.pk: "cancelled"}
        first = next(item for item in row["assignments"] if item["id"] == self.org.tom_overdue.pk)
        assert first["policy"] == self.org.policy.slug
        assert first["requirement_name"] == "Onboarding"
        assert first["due_on"] == "2026-03-15"
        cora = self.get(f"/api/v1/people/{self.org.people.cora.employee_id}/", self.hr_secret).json()
        assert cora["manager_id"] is None

    def test_people_filters(self):
        rows = everything(self.client, "/api/v1/people/", self.hr_secret, department="Marketing")
        assert {row["first_name"] for row in rows} == {"Una", "Vic"}
        rows = everything(self.client, "/api/v1/people/", self.mia_secret, location="London")
        assert {row["first_name"] for row in rows} == {"Sam", "Tom"}
        response = self.get("/api/v1/people/", self.hr_secret, status="gone")
        assert response.status_code == 400
        assert "status" in response.json()

    def test_attestations_carry_the_record_but_never_quiz_answers(self):
        record = Attestation.objects.get(pk=self.rita_signed.attestation_id)
        assert record.quiz_results  # there is something to leak
        response = self.get(f"/api/v1/attestations/{record.pk}/", self.hr_secret)
        row = response.json()
        assert set(row) == ATTESTATION_FIELDS
        assert row["employee_id"] == self.org.people.rita.employee_id
        assert (row["version"], row["language"], row["content_sha256"], row["method"]) == (
            self.org.version.pk,
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
        rows = everything(self.client, "/api/v1/attestations/", self.hr_secret, employee=record.employee_number)
        assert [row["id"] for row in rows] == [record.pk]
        assert everything(self.client, "/api/v1/attestations/", self.hr_secret, version=999999) == []

    def test_policy_versions_with_each_languages_hash(self):
        row = self.get(f"/api/v1/policy-versions/{self.org.version.pk}/", self.hr_secret).json()
        version = self.org.version
        assert (row["number"], row["effective_date"], row["hash_scheme"]) == ("1.0", "2026-01-01", version.hash_scheme)
        assert row["policy"] == self.org.policy.slug
        assert row["languages"] == [
            {"language": code, "title": title, "text_sha256": digest}
            for code, (title, digest, _changes) in sorted(version.released_locales.items())
        ]

    def test_requirements(self):
        rows = everything(self.client, "/api/v1/requirements/", self.hr_secret)
        assert {row["name"] for row in rows} >= {"Onboarding", "Annual refresher", "Campaign"}
        onboarding = next(row for row in rows if row["name"] == "Onboarding")
        assert (onboarding["kind"], onboarding["policy"], onboarding["active"]) == (
            "onboarding",
            self.org.policy.slug,
            True,
        )

    # --- Pagination ----------------------------------------------------------------------------

    def test_cursor_pages_cover_everyone_once(self):
        for n in range(12):
            factories.employee(f"Extra{n}", "Person", manager=self.org.people.mia)
        pages = everything(self.client, "/api/v1/people/", self.hr_secret, page_size=5)
        ids = [row["employee_id"] for row in pages]
        assert len(ids) == len(set(ids)) == 19
        first = self.get("/api/v1/people/", self.hr_secret, page_size=5).json()
        assert len(first["results"]) == 5 and first["previous"] is None and "count" not in first
        assert self.get("/api/v1/people/", self.hr_secret, cursor="garbage").status_code == 404

    # --- Compliance figures --------------------------------------------------------------------

    def assert_same_figures(self, api: dict, page_context):
        assert api["headline"] == page_context["headline"]
        for breakdown in page_context["breakdowns"]:
            expected = [
                {column: row[column] for column in api["breakdowns"][breakdown["dimension"]][0]}
                for row in breakdown["rows"]
            ]
            assert api["breakdowns"][breakdown["dimension"]] == expected, breakdown["dimension"]

    def test_figures_equal_the_hr_dashboard_for_several_filters(self):
        org = self.org
        combinations = [
            {"as_of": AS_OF.isoformat()},
            {"as_of": AS_OF.isoformat(), "department": "Retail"},
            {"as_of": AS_OF.isoformat(), "location": "Oslo", "requirement": str(org.onboarding.pk)},
            {"policy": org.policy.slug, "due_from": "2026-03-01", "due_to": "2026-04-30"},
            {"as_of": "2026-04-10", "department": "Marketing", "location": "Paris"},
            {},
        ]
        dashboard = self.client_class()
        dashboard.force_login(self.hr_user)
        for params in combinations:
            page = dashboard.get("/admin/compliance/", params)
            assert page.status_code == 200
            response = self.get("/api/v1/compliance/", self.hr_secret, **params)
            assert response.status_code == 200, (params, response.content)
            api = response.json()
            assert api["scope"] == "everyone"
            assert api["as_of"] == page.context["filters"].on.isoformat()
            self.assert_same_figures(api, page.context)
            trend = [
                {**row, "week_start": row["week_start"].isoformat()}
                for row in (
                    {key: record[key] for key in ("week", "week_start", "due", "due_and_done", "completed")}
                    for record in page.context["trend_rows"]
                )
            ]
            assert api["trend"] == trend, params

    def test_a_managers_figures_equal_their_team_page(self):
        team = self.client_class()
        team.force_login(self.org.people.mia.user)
        for params in ({"as_of": AS_OF.isoformat()}, {"as_of": AS_OF.isoformat(), "location": "Oslo"}):
            page = team.get("/team/", params)
            assert page.status_code == 200
            api = self.get("/api/v1/compliance/", self.mia_secret, **params).json()
            assert api["scope"] == self.org.people.mia.employee_id
            self.assert_same_figures(api, page.context)
            assert (
                api["headline"]["total"]
                < self.get("/api/v1/compliance/", self.hr_secret, **params).json()["headline"]["total"]
            )

    def test_bad_filters_get_the_dashboards_messages(self):
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        cases = [
            ({"due_from": "2026-05-01", "due_to": "2026-04-01"}, "due_to", str(ERROR_DUE_RANGE)),
            ({"as_of": tomorrow}, "as_of", str(ERROR_AS_OF_FUTURE)),
            ({"as_of": "yesterday"}, "as_of", str(ERROR_DATE_FORMAT)),
        ]
        for params, field, message in cases:
            response = self.get("/api/v1/compliance/", self.hr_secret, **params)
            assert response.status_code == 400, params
            assert response.json()[field] == [message]
        # A manager cannot ask about a department outside their line.
        response = self.get("/api/v1/compliance/", self.mia_secret, department="Marketing")
        assert response.status_code == 400
        assert "department" in response.json()

    # --- Schema and documentation ----------------------------------------------------------------

    def test_schema_and_docs_are_served_by_the_product(self):
        schema = self.client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert schema.status_code == 200
        document = json.loads(schema.content)
        assert document["openapi"].startswith("3.")
        assert set(document["paths"]) >= {f"{url}" for url in ENDPOINTS}
        assert not [path for path in document["paths"] if not path.startswith("/api/v1/")]
        assert document["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
        docs = self.client.get("/api/v1/docs/")
        assert docs.status_code == 200
        html = docs.content.decode()
        assert "http://" not in html and "https://" not in html
        assert "<style" not in html and "<script>" not in html
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
        assert (
            self.client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
        )
        script = self.client.get("/api/v1/docs/", {"script": ""})
        assert script.status_code == 200 and b"/api/v1/schema/" in script.content

    # --- Creating and revoking tokens --------------------------------------------------------------

    def test_creation_and_revocation_are_audited(self):
        token, _secret = api_token_create(name="Audit", scopes=[ApiScope.REPORTS], by=self.hr_user)
        api_token_revoke(token=token, by=self.hr_user)
        actions = list(ModelLogEntry.objects.filter(object_id=str(token.pk)).values_list("action", flat=True))
        assert sorted(actions) == sorted([LOG_CREATED, LOG_REVOKED])


class AdminTokenTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hr_user = factories.user(groups=[HR])
        cls.editor = factories.user(groups=[POLICY_EDITORS])
        cls.boss = factories.employee("Bo", "Boss")
        factories.employee("Ann", "Report", manager=cls.boss)

    def test_hr_creates_a_token_shown_once(self):
        self.client.force_login(self.hr_user)
        assert self.client.get("/admin/api_tokens/new/").status_code == 200
        response = self.client.post(
            "/admin/api_tokens/new/",
            {"name": "Payroll", "scopes": [ApiScope.PEOPLE, ApiScope.REPORTS], "manager": self.boss.employee_id},
        )
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        token = ApiToken.objects.get(name="Payroll")
        secret = response.context["secret"]
        assert f'value="{secret}"' in response.content.decode()
        assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert (token.scopes, token.manager, token.created_by) == (
            [ApiScope.PEOPLE, ApiScope.REPORTS],
            self.boss,
            self.hr_user,
        )
        listing = self.client.get("/admin/api_tokens/").content.decode()
        assert "Payroll" in listing and token.prefix in listing and secret not in listing
        inspect = self.client.get(f"/admin/api_tokens/inspect/{token.pk}/").content.decode()
        assert secret not in inspect
        people = self.client.get("/api/v1/people/", **bearer(secret)).json()["results"]
        assert [row["first_name"] for row in people] == ["Ann"]

    def test_the_form_names_what_is_wrong(self):
        self.client.force_login(self.hr_user)
        response = self.client.post("/admin/api_tokens/new/", {"name": "X", "scopes": [], "manager": "NOPE"})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["scopes"] == ["This field is required."]
        assert errors["manager"] == ["No employee has the id “NOPE”."]
        assert not ApiToken.objects.exists()

    def test_hr_revokes_a_token(self):
        token, secret = api_token_create(name="Old", scopes=[ApiScope.PEOPLE])
        self.client.force_login(self.hr_user)
        assert self.client.get(f"/admin/api_tokens/{token.pk}/revoke/").status_code == 200
        response = self.client.post(f"/admin/api_tokens/{token.pk}/revoke/")
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None and token.revoked_by == self.hr_user
        assert self.client.get("/api/v1/people/", **bearer(secret)).status_code == 401

    def test_nobody_edits_or_deletes_a_token_and_editors_see_none(self):
        token, _secret = api_token_create(name="Kept", scopes=[ApiScope.PEOPLE])
        superuser = factories.user(is_superuser=True, is_staff=True)
        self.client.force_login(superuser)
        for url in (f"/admin/api_tokens/edit/{token.pk}/", f"/admin/api_tokens/delete/{token.pk}/"):
            assert self.client.get(url).status_code in (302, 403), url
        self.client.force_login(self.editor)
        for url in ("/admin/api_tokens/", "/admin/api_tokens/new/", f"/admin/api_tokens/{token.pk}/revoke/"):
            assert self.client.get(url).status_code in (302, 403), url
        assert self.client.post(f"/admin/api_tokens/{token.pk}/revoke/").status_code in (302, 403)
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
