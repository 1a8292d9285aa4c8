"""SCIM 2.0 provisioning (/scim/v2/): each operation through HTTP, with the roster's rules,
assignments, invitations and audit log; errors are SCIM error documents, never a 500."""

import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import ModelLogEntry

from attest.hierarchy import MAX_DEPTH
from attest.models import (
    Assignment,
    Employee,
    EmployeeStatus,
    IdentityChange,
    IdentityChangeOutcome,
    IdentityChangeSource,
    ReminderKind,
    ReminderLog,
    RequirementKind,
)
from attest.roster import LOG_PROVISIONING
from attest.scim.models import ScimToken
from attest.scim.tokens import token_create, token_revoke
from tests import factories

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
CT = "application/scim+json"


class Scim:
    def __init__(self, token: str):
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def _send(self, method, path, body=None, **params):
        url = f"/scim/v2/{path}"
        call = getattr(self.client, method)
        if body is None:
            return call(url, params) if method == "get" else call(url)
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return call(url, data=data, content_type=CT)

    def get(self, path, **params):
        return self._send("get", path, **params)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, body):
        return self._send("patch", path, body)

    def delete(self, path):
        return self._send("delete", path)


@pytest.fixture
def token():
    return token_create(name="Entra ID")[1]


@pytest.fixture
def scim(token):
    return Scim(token)


def user_body(n=1, **extra):
    body = {
        "schemas": [USER, ENTERPRISE],
        "userName": f"new.person{n}@example.com",
        "externalId": f"S{n:04d}",
        "name": {"givenName": "New", "familyName": f"Person{n}"},
        "emails": [{"value": f"new.person{n}@example.com", "type": "work", "primary": True}],
        "preferredLanguage": "fr-FR",
        "active": True,
        "addresses": [{"type": "work", "locality": "Paris"}],
        ENTERPRISE: {"department": "Retail"},
    }
    body.update(extra)
    return body


def assert_error(response, status, scim_type=None, detail=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == CT
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type
    if detail:
        assert detail in body["detail"], body["detail"]
    return body


def patch(*operations):
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


# --- Authentication, tokens and rate limits ------------------------------------------------------


def test_requests_need_a_valid_token():
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer scim_wrong"}, {"HTTP_AUTHORIZATION": "Basic abc"}):
        response = Client(**headers).get("/scim/v2/Users")
        assert_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_gets_401_and_last_use_is_recorded(token, scim):
    assert scim.get("Users").status_code == 200
    record = ScimToken.objects.get()
    assert record.last_used_at is not None
    assert record.token_sha256 != token and token not in record.token_sha256
    token_revoke(name="Entra ID")
    assert_error(scim.get("Users"), 401)


def test_requests_are_rate_limited_per_token(scim, settings):
    settings.ATTEST_SCIM_RATE_LIMIT = 3
    other = Scim(token_create(name="Okta")[1])
    for _ in range(3):
        assert scim.get("Users").status_code == 200
    response = scim.get("Users")
    assert_error(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    assert other.get("Users").status_code == 200


def test_scim_token_command_creates_lists_and_revokes():
    out, err = StringIO(), StringIO()
    call_command("scim_token", "create", "Okta", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("scim_") and "shown only this once" in err.getvalue()
    assert Scim(token).get("Users").status_code == 200
    with pytest.raises(CommandError, match="already exists"):
        call_command("scim_token", "create", "okta", stdout=StringIO(), stderr=StringIO())
    listing = StringIO()
    call_command("scim_token", "list", stdout=listing)
    assert "Okta" in listing.getvalue() and "active" in listing.getvalue() and token not in listing.getvalue()
    call_command("scim_token", "revoke", "Okta", stdout=StringIO())
    assert Scim(token).get("Users").status_code == 401
    with pytest.raises(CommandError, match="No active token"):
        call_command("scim_token", "revoke", "Okta", stdout=StringIO())


def test_requests_are_csrf_exempt(token):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post("/scim/v2/Users", data=json.dumps(user_body()), content_type=CT)
    assert response.status_code == 201


# --- Discovery --------------------------------------------------------------------------------


def test_discovery_endpoints(scim):
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["filter"]["supported"] and not config["bulk"]["supported"]
    types = scim.get("ResourceTypes").json()
    assert [item["id"] for item in types["Resources"]] == ["User"]
    assert scim.get("ResourceTypes/User").json()["schemaExtensions"][0]["schema"] == ENTERPRISE
    schemas = scim.get("Schemas").json()
    assert {item["id"] for item in schemas["Resources"]} == {USER, ENTERPRISE}
    assert scim.get(f"Schemas/{ENTERPRISE}").json()["name"] == "EnterpriseUser"
    assert_error(scim.get("Schemas/urn:nothing"), 404)


def test_groups_and_bulk_are_not_supported(scim):
    assert_error(scim.get("Groups"), 501, detail="Groups are not supported")
    assert_error(scim.post("Groups", {"displayName": "Retail"}), 501)
    assert_error(scim.post("Bulk", {}), 501)
    assert_error(scim.get("Nothing/here"), 404)


# --- Create -----------------------------------------------------------------------------------


def test_create_makes_the_employee_with_assignments_invitation_and_audit(scim, version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    boss = factories.employee("Marcus", "Berg")
    body = user_body()
    body[ENTERPRISE]["manager"] = {"value": str(boss.pk)}
    response = scim.post("Users", body)

    assert response.status_code == 201, response.content
    assert response["Content-Type"] == CT
    resource = response.json()
    person = Employee.objects.get(employee_id="S0001")
    assert response["Location"].endswith(f"/scim/v2/Users/{person.pk}")
    assert resource["id"] == str(person.pk) and resource["userName"] == "new.person1@example.com"
    assert resource["active"] is True and resource[ENTERPRISE]["manager"]["value"] == str(boss.pk)
    assert (person.email, person.first_name, person.last_name) == ("new.person1@example.com", "New", "Person1")
    assert (person.department, person.location, person.language, person.track) == ("Retail", "Paris", "fr", "all")
    assert person.manager == boss and person.status == EmployeeStatus.ACTIVE
    assert person.hire_date is not None
    assert person.managers_path == f"/{boss.pk}/"
    assert not person.user.has_usable_password() and person.user.is_active
    assert Assignment.objects.filter(employee=person, version=version).count() == 1
    entry = ModelLogEntry.objects.get(object_id=str(person.pk), action=LOG_PROVISIONING)
    assert entry.data == {"change": "created", "source": "provisioning", "via": "Entra ID"}
    assert entry.user is None
    assert ReminderLog.objects.filter(employee=person, kind=ReminderKind.INVITATION).count() == 1
    assert ["new.person1@example.com"] in [message.to for message in mail.outbox]


def test_create_conflicts_are_409_uniqueness(scim):
    taken = factories.employee("Emma", "Wilson", email="emma@example.com")
    assert scim.post("Users", user_body()).status_code == 201
    assert_error(scim.post("Users", user_body()), 409, "uniqueness", "S0001")
    body = user_body(2, userName="emma@example.com", emails=[{"value": "emma@example.com", "primary": True}])
    assert_error(scim.post("Users", body), 409, "uniqueness", f"already belongs to employee {taken.employee_id}")
    assert Employee.objects.count() == 2


def test_create_with_invalid_values_reports_the_roster_messages(scim):
    body = user_body(userName="not-an-email", emails=[], preferredLanguage="de-DE")
    del body["addresses"]
    error = assert_error(scim.post("Users", body), 400, "invalidValue")
    assert "userName: “not-an-email” is not a valid email address." in error["detail"]
    assert "preferredLanguage: Unknown language “de”" in error["detail"]
    assert 'addresses[type eq "work"].locality: This field is required.' in error["detail"]
    assert not Employee.objects.exists()


def test_defaults_fill_what_the_provider_does_not_send(scim, settings):
    settings.ATTEST_SCIM_DEFAULT_LOCATION = "Oslo"
    body = user_body()
    del body["addresses"], body["preferredLanguage"]
    assert scim.post("Users", body).status_code == 201
    person = Employee.objects.get()
    assert (person.location, person.language) == ("Oslo", "en")


def test_unknown_manager_and_malformed_bodies(scim):
    body = user_body()
    body[ENTERPRISE]["manager"] = {"value": "NOBODY"}
    assert_error(scim.post("Users", body), 400, "invalidValue", "Manager NOBODY is neither")
    assert_error(scim.post("Users", "{not json"), 400, "invalidSyntax")
    assert_error(scim.post("Users", [1, 2]), 400, "invalidSyntax")
    assert_error(scim.post("Users", user_body(name={"givenName": ["x"]})), 400, "invalidValue")


def test_track_from_a_configured_attribute(scim, settings):
    settings.ATTEST_SCIM_TRACK_ATTRIBUTE = f"{ENTERPRISE}:division"
    body = user_body()
    body[ENTERPRISE]["division"] = "Official"
    assert scim.post("Users", body).status_code == 201
    person = Employee.objects.get()
    assert person.track == "official"
    scim.patch(f"Users/{person.pk}", patch({"op": "replace", "path": f"{ENTERPRISE}:division", "value": "Sales"}))
    person.refresh_from_db()
    assert person.track == "all"


# --- Read and list ----------------------------------------------------------------------------


@pytest.fixture
def people():
    boss = factories.employee("Marcus", "Berg", employee_id="M1", email="marcus@example.com")
    return [
        boss,
        factories.employee("Emma", "Wilson", manager=boss, employee_id="E1", email="emma@example.com"),
        factories.employee("Noah", "Clarke", manager=boss, employee_id="E2", email="noah@example.com"),
    ]


def test_get_one_user_and_404(scim, people):
    emma = people[1]
    resource = scim.get(f"Users/{emma.pk}").json()
    assert resource["externalId"] == "E1" and resource[ENTERPRISE]["employeeNumber"] == "E1"
    assert resource[ENTERPRISE]["manager"] == {"value": str(people[0].pk), "displayName": "Marcus Berg"}
    assert resource["meta"]["location"].endswith(f"/scim/v2/Users/{emma.pk}")
    assert_error(scim.get("Users/999999"), 404)
    assert_error(scim.get("Users/abc"), 404)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('userName eq "EMMA@example.com"', ["E1"]),
        ('externalId eq "E2"', ["E2"]),
        ('emails.value eq "noah@example.com"', ["E2"]),
        ('emails[type eq "work"].value eq "noah@example.com"', ["E2"]),
        ('userName eq "emma@example.com" or externalId eq "M1"', ["M1", "E1"]),
        ('userName eq "emma@example.com" and externalId eq "E2"', []),
        (f'{ENTERPRISE}:employeeNumber eq "E2"', ["E2"]),
        ('name.familyName sw "C"', ["E2"]),
    ],
)
def test_list_with_filters(scim, people, query, expected):
    body = scim.get("Users", filter=query).json()
    assert [item["externalId"] for item in body["Resources"]] == expected
    assert body["totalResults"] == len(expected)


@pytest.mark.parametrize("query", ["userName eq", 'foo eq "x"', 'userName eq "a" or title eq "b"', "((("])
def test_bad_filters_are_invalid_filter(scim, people, query):
    assert_error(scim.get("Users", filter=query), 400, "invalidFilter")


def test_paging_and_attribute_selection(scim, people, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        body = scim.get("Users", startIndex=2, count=1).json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (3, 2, 1)
    assert body["Resources"][0]["externalId"] == "E1"
    assert scim.get("Users", count=0).json()["Resources"] == []
    assert_error(scim.get("Users", count="lots"), 400, "invalidValue")
    only = scim.get("Users", attributes="userName,name.givenName", count=1).json()["Resources"][0]
    assert set(only) == {"schemas", "id", "userName", "name"} and only["name"] == {"givenName": "Marcus"}
    without = scim.get(f"Users/{people[1].pk}", excludedAttributes=f"emails,{ENTERPRISE}:manager").json()
    assert "emails" not in without and "manager" not in without[ENTERPRISE] and "userName" in without


def test_list_queries_do_not_grow_with_the_page(scim, people, django_assert_max_num_queries):
    for n in range(10):
        factories.employee("Extra", f"Person{n}", manager=people[0])
    with django_assert_max_num_queries(5):
        assert len(scim.get("Users").json()["Resources"]) == 13


# --- Replace (PUT, as Okta sends it) -------------------------------------------------------------


def test_okta_style_put_replaces_the_user(scim, people, version):
    factories.requirement(
        version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1), departments=["Support"]
    )
    emma = people[1]
    body = {
        "schemas": [USER, ENTERPRISE],
        "id": str(emma.pk),
        "userName": "emma@example.com",
        "name": {"givenName": "Emma", "familyName": "Wilson-Berg"},
        "emails": [{"primary": True, "value": "emma@example.com", "type": "work"}],
        "active": True,
        "locale": "da_DK",
        "groups": [],
        ENTERPRISE: {"employeeNumber": "E1", "department": "Support", "manager": {"value": "E2"}},
    }
    response = scim.put(f"Users/{emma.pk}", body)
    assert response.status_code == 200, response.content
    emma.refresh_from_db()
    assert (emma.last_name, emma.department, emma.language, emma.location) == ("Wilson-Berg", "Support", "da", "London")
    assert emma.manager == people[2]
    assert Assignment.objects.filter(employee=emma).count() == 1
    entry = ModelLogEntry.objects.get(object_id=str(emma.pk), action=LOG_PROVISIONING)
    assert entry.data["source"] == "provisioning" and set(entry.data["fields"]) >= {
        "last_name",
        "department",
        "manager",
    }
    assert response.json()[ENTERPRISE]["manager"]["value"] == str(people[2].pk)


def test_put_cannot_change_the_employee_id(scim, people):
    body = {"schemas": [USER], "userName": "emma@example.com", "externalId": "OTHER"}
    assert_error(scim.put(f"Users/{people[1].pk}", body), 400, "mutability")


def test_put_manager_loop_and_depth_follow_the_roster(scim, people):
    boss, emma, _noah = people
    body = {
        "schemas": [USER, ENTERPRISE],
        "userName": "marcus@example.com",
        ENTERPRISE: {"manager": {"value": str(emma.pk)}},
    }
    assert_error(scim.put(f"Users/{boss.pk}", body), 400, "invalidValue", "Manager loop: M1 → E1 → M1.")
    chain = [boss]
    for n in range(MAX_DEPTH):
        chain.append(factories.employee("Level", str(n), manager=chain[-1], employee_id=f"L{n}"))
    top = factories.employee("Top", "Person", employee_id="T0")
    body = {"schemas": [USER, ENTERPRISE], "userName": "marcus@example.com", ENTERPRISE: {"manager": {"value": "T0"}}}
    assert_error(scim.put(f"Users/{boss.pk}", body), 400, "invalidValue", f"at most {MAX_DEPTH} are allowed")
    boss.refresh_from_db()
    assert boss.manager is None and top.reports.count() == 0


# --- Patch (as Entra ID sends it) ----------------------------------------------------------------


def test_entra_style_patch(scim, people):
    emma = people[1]
    response = scim.patch(
        f"Users/{emma.pk}",
        patch(
            {"op": "Replace", "path": "name.givenName", "value": "Emmy"},
            {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Marketing"},
            {"op": "Add", "path": 'addresses[type eq "work"].locality', "value": "Bergen"},
            {"op": "Add", "path": "preferredLanguage", "value": "nb-NO"},
            {"op": "Replace", "path": "title", "value": "Clerk"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(people[2].pk)},
        ),
    )
    assert response.status_code == 200, response.content
    emma.refresh_from_db()
    assert (emma.first_name, emma.department, emma.location, emma.language) == ("Emmy", "Marketing", "Bergen", "nb")
    assert emma.manager == people[2]
    scim.patch(f"Users/{emma.pk}", patch({"op": "Remove", "path": f"{ENTERPRISE}:manager"}))
    emma.refresh_from_db()
    assert emma.manager is None


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "value": {"active": False}},
        {"op": "Replace", "value": {"active": "False"}},
    ],
)
def test_patch_deactivates_and_reactivates(scim, people, operation):
    emma = people[1]
    assert scim.patch(f"Users/{emma.pk}", patch(operation)).json()["active"] is False
    emma.refresh_from_db()
    assert emma.status == EmployeeStatus.TERMINATED and not emma.user.is_active
    response = scim.patch(f"Users/{emma.pk}", patch({"op": "Replace", "path": "active", "value": "True"}))
    assert response.json()["active"] is True
    emma.refresh_from_db()
    assert emma.status == EmployeeStatus.ACTIVE and emma.user.is_active


def test_path_less_replace_with_names_and_extension(scim, people):
    emma = people[1]
    body = patch(
        {
            "op": "replace",
            "value": {
                "name.familyName": "Stone",
                f"{ENTERPRISE}:department": "Legal",
                ENTERPRISE: {"manager": {"value": str(people[2].pk)}},
                "name": {"givenName": "Em"},
            },
        }
    )
    assert scim.patch(f"Users/{emma.pk}", body).status_code == 200
    emma.refresh_from_db()
    assert (emma.first_name, emma.last_name, emma.department, emma.manager) == ("Em", "Stone", "Legal", people[2])


def test_leave_is_kept_when_active_stays_true(scim, people):
    emma = people[1]
    Employee.objects.filter(pk=emma.pk).update(status=EmployeeStatus.LEAVE)
    scim.patch(f"Users/{emma.pk}", patch({"op": "replace", "path": "active", "value": True}))
    emma.refresh_from_db()
    assert emma.status == EmployeeStatus.LEAVE


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"Operations": [{"op": "replace", "path": "active", "value": False}]}, "invalidSyntax"),
        (patch(), "invalidSyntax"),
        (patch({"op": "move", "path": "active", "value": False}), "invalidSyntax"),
        (patch({"op": "remove"}), "noTarget"),
        (patch({"op": "replace", "value": "x"}), "invalidValue"),
        (patch({"op": "replace", "path": "active", "value": "maybe"}), "invalidValue"),
        (patch({"op": "replace", "path": "a b c", "value": 1}), "invalidPath"),
        (patch({"op": "remove", "path": 'emails[type eq "home"]'}), "noTarget"),
        (patch({"op": "replace", "path": "name.familyName"}), "invalidValue"),
        (patch({"op": "replace", "path": "name.familyName", "value": ""}), "invalidValue"),
        (patch({"op": "replace", "path": "externalId", "value": "NEW"}), "mutability"),
    ],
)
def test_malformed_patches_change_nothing(scim, people, body, scim_type):
    emma = people[1]
    before = Employee.objects.values().get(pk=emma.pk)
    assert_error(scim.patch(f"Users/{emma.pk}", body), 400, scim_type)
    assert Employee.objects.values().get(pk=emma.pk) == before


# --- Email changes from the provider are authoritative -------------------------------------------


def test_email_change_of_a_used_account_applies_at_once_and_is_recorded(
    scim, people, django_capture_on_commit_callbacks
):
    emma = people[1]
    emma.user.set_password("a-long-password-1")
    emma.user.save()
    held = IdentityChange.objects.create(
        employee=emma,
        old_email="emma@example.com",
        new_email="held@example.com",
        requested_at=emma.updated_at,
        source=IdentityChangeSource.EDIT,
        batch="00000000-0000-0000-0000-000000000001",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = scim.patch(
            f"Users/{emma.pk}",
            patch({"op": "Replace", "path": 'emails[type eq "work"].value', "value": "emma.wilson@example.com"}),
        )
    assert response.status_code == 200, response.content
    assert response.json()["userName"] == "emma.wilson@example.com"
    emma.refresh_from_db()
    assert emma.email == emma.user.email == emma.user.username == "emma.wilson@example.com"
    change = IdentityChange.objects.get(outcome=IdentityChangeOutcome.DIRECT)
    assert (change.source, change.old_email, change.file_name) == ("provisioning", "emma@example.com", "Entra ID")
    held.refresh_from_db()
    assert held.outcome == IdentityChangeOutcome.SUPERSEDED
    assert [message.to for message in mail.outbox] == [["emma@example.com"]]  # the old address is told
    assert ModelLogEntry.objects.filter(object_id=str(emma.pk), action="attest.identity_change").exists()


def test_username_change_of_a_never_used_account(scim, people):
    noah = people[2]
    scim.patch(f"Users/{noah.pk}", patch({"op": "replace", "path": "userName", "value": "Noah.C@example.com"}))
    noah.refresh_from_db()
    assert noah.email == "noah.c@example.com"
    assert IdentityChange.objects.get().source == "provisioning"
    assert mail.outbox == []


# --- Delete = deactivate -----------------------------------------------------------------------


def test_delete_deactivates_and_keeps_records(scim, people, emma_assignment):
    emma = emma_assignment.employee
    response = scim.delete(f"Users/{emma.pk}")
    assert response.status_code == 204
    emma.refresh_from_db()
    assert emma.status == EmployeeStatus.TERMINATED and not emma.user.is_active
    assert Employee.objects.filter(pk=emma.pk).exists()
    assert scim.get(f"Users/{emma.pk}").json()["active"] is False
    entry = ModelLogEntry.objects.get(object_id=str(emma.pk), action=LOG_PROVISIONING)
    assert entry.data["fields"][:1] == ["status"] and entry.data["source"] == "provisioning"
    assert scim.delete(f"Users/{emma.pk}").status_code == 204
    assert_error(scim.delete("Users/999999"), 404)


# --- Admin: tokens -----------------------------------------------------------------------------


def test_hr_creates_and_revokes_a_token_in_the_admin():
    from cms.roles import HR

    client = Client()
    client.force_login(factories.user(email="ingrid@example.com", groups=[HR]))
    assert client.get("/admin/scim_tokens/").status_code == 200
    response = client.post("/admin/scim_tokens/add/", {"name": "Google"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    token = text.split("data-scim-token>")[1].split("<")[0]
    record = ScimToken.objects.get(name="Google")
    assert record.created_by.email == "ingrid@example.com" and token.startswith(record.prefix)
    assert Scim(token).get("Users").status_code == 200
    index = client.get("/admin/scim_tokens/").content.decode()
    assert "Google" in index and token not in index
    assert client.post(f"/admin/scim_tokens/revoke/{record.pk}/").status_code == 302
    record.refresh_from_db()
    assert record.revoked_at and record.revoked_by.email == "ingrid@example.com"
    assert Scim(token).get("Users").status_code == 401


def test_editors_cannot_manage_tokens():
    from cms.roles import POLICY_EDITORS

    client = Client()
    client.force_login(factories.user(groups=[POLICY_EDITORS]))
    assert client.get("/admin/scim_tokens/add/").status_code in (302, 403)
    assert client.post("/admin/scim_tokens/add/", {"name": "Sneaky"}).status_code in (302, 403)
    assert not ScimToken.objects.exists()


# --- Insiders ------------------------------------------------------------------------------------


def test_a_provider_cannot_take_a_staff_accounts_address(scim):
    from cms.roles import HR

    factories.user(email="ingrid@example.com", groups=[HR])
    body = user_body(userName="ingrid@example.com", emails=[{"value": "ingrid@example.com", "primary": True}])
    assert_error(scim.post("Users", body), 409, "uniqueness", "already belongs to another user account")
    assert not Employee.objects.exists()


def test_without_a_track_attribute_the_provider_leaves_hr_s_track_alone(scim, people):
    emma = people[1]
    Employee.objects.filter(pk=emma.pk).update(track="official")
    body = {"schemas": [USER], "userName": "emma@example.com", "track": "all", "title": "Intern"}
    assert scim.put(f"Users/{emma.pk}", body).status_code == 200
    emma.refresh_from_db()
    assert emma.track == "official"
