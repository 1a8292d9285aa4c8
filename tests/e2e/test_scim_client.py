"""A real SCIM client (scim2-client over httpx) against the running server: discovery, create,
filter, an Entra-style PATCH, an Okta-style PUT, a conflict, a malformed patch and deactivation,
checked in the database (employees, assignments, audit log, invitations)."""

import datetime

import httpx
import pytest
from django.core import mail
from scim2_client import BaseSyncSCIMClient
from scim2_models import EnterpriseUser, Error, ListResponse, PatchOp, PatchOperation, User
from wagtail.models import ModelLogEntry

from attest.models import Assignment, Employee, EmployeeStatus, ReminderKind, ReminderLog, RequirementKind
from attest.roster import LOG_PROVISIONING
from attest.scim.tokens import token_create
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client's synchronous client on an httpx.Client (its bundled engine targets httpx2)."""

    def __init__(self, client: httpx.Client, **kwargs):
        super().__init__(**kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint: str) -> bool:
        url = self.client.build_request("GET", endpoint).url
        base = self.client.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) and url.raw_path.startswith(
            base.raw_path
        )

    def _parse_json(self, response):
        return response.json()

    def request(self, method, url, **kwargs):
        return self.client.request(method, url, **kwargs)


@pytest.fixture
def scim(live_server):
    token = token_create(name="Entra ID")[1]
    http = httpx.Client(
        base_url=f"{live_server.url}/scim/v2/", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    client = HttpxSCIMClient(http, resource_models=[User[EnterpriseUser]])
    client.discover(schemas=False)
    yield client
    http.close()


def test_an_identity_provider_provisions_through_a_scim_client(scim, live_server):
    version = factories.release(factories.published_policy())
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    boss = factories.employee("Marcus", "Berg", employee_id="M1", email="marcus@example.com")
    outbox = len(mail.outbox)

    # Create.
    new = User[EnterpriseUser](
        user_name="sofia.lind@example.com",
        external_id="S100",
        name={"given_name": "Sofia", "family_name": "Lind"},
        emails=[{"value": "sofia.lind@example.com", "type": "work", "primary": True}],
        preferred_language="da-DK",
        active=True,
        addresses=[{"type": "work", "locality": "Copenhagen"}],
    )
    new[EnterpriseUser] = EnterpriseUser(department="Marketing", manager={"value": str(boss.pk)})
    created = scim.create(new)
    sofia = Employee.objects.get(employee_id="S100")
    assert created.id == str(sofia.pk) and created.user_name == "sofia.lind@example.com"
    assert (sofia.department, sofia.location, sofia.language, sofia.manager) == ("Marketing", "Copenhagen", "da", boss)
    assert Assignment.objects.filter(employee=sofia, version=version).count() == 1
    assert ModelLogEntry.objects.get(object_id=str(sofia.pk), action=LOG_PROVISIONING).data["source"] == "provisioning"
    assert ReminderLog.objects.filter(employee=sofia, kind=ReminderKind.INVITATION).exists()
    assert ["sofia.lind@example.com"] in [message.to for message in mail.outbox[outbox:]]

    # Filter, as both providers do before creating.
    found = scim.query(User[EnterpriseUser], query_parameters={"filter": 'userName eq "SOFIA.LIND@example.com"'})
    assert isinstance(found, ListResponse) and found.total_results == 1 and found.resources[0].external_id == "S100"
    none = scim.query(User[EnterpriseUser], query_parameters={"filter": 'externalId eq "nobody"'})
    assert none.total_results == 0

    # An Entra-style PATCH: capitalised ops, an enterprise path, "False"-style text is covered by unit tests.
    patch = PatchOp[User[EnterpriseUser]](
        operations=[
            PatchOperation(op="replace", path="name.givenName", value="Sofie"),
            PatchOperation(op="replace", path=f"{ENTERPRISE}:department", value="Communications"),
        ]
    )
    patched = scim.modify(User[EnterpriseUser], created.id, patch)
    assert patched.name.given_name == "Sofie"
    sofia.refresh_from_db()
    assert (sofia.first_name, sofia.department) == ("Sofie", "Communications")

    # An Okta-style PUT of the whole user.
    whole = scim.query(User[EnterpriseUser], created.id)
    whole.name.family_name = "Lind-Berg"
    whole.preferred_language = "nb-NO"
    replaced = scim.replace(whole)
    assert replaced.name.family_name == "Lind-Berg"
    sofia.refresh_from_db()
    assert (sofia.last_name, sofia.language, sofia.manager) == ("Lind-Berg", "nb", boss)

    # A conflict: someone else's address.
    clash = User[EnterpriseUser](
        user_name="marcus@example.com",
        external_id="S101",
        name={"given_name": "Xavier", "family_name": "Young"},
        addresses=[{"type": "work", "locality": "Oslo"}],
    )
    clash[EnterpriseUser] = EnterpriseUser(department="Retail")
    error = scim.create(clash, raise_scim_errors=False)
    assert isinstance(error, Error) and error.status == 409 and error.scim_type == "uniqueness"
    assert "already belongs to employee M1" in error.detail
    assert not Employee.objects.filter(employee_id="S101").exists()

    # A malformed patch: a body without the PatchOp schema.
    raw = scim.request("PATCH", f"Users/{created.id}", json={"Operations": [{"op": "replace", "path": "active"}]})
    assert raw.status_code == 400 and raw.json()["scimType"] == "invalidSyntax"
    operation = PatchOperation(op="replace", path="externalId", value="CHANGED")
    refused = scim.modify(
        User[EnterpriseUser], created.id, PatchOp[User[EnterpriseUser]](operations=[operation]), raise_scim_errors=False
    )
    assert isinstance(refused, Error) and (refused.status, refused.scim_type) == (400, "mutability")
    assert Employee.objects.filter(employee_id="S100").exists()

    # Deactivate (DELETE keeps the records).
    scim.delete(User[EnterpriseUser], created.id)
    sofia.refresh_from_db()
    assert sofia.status == EmployeeStatus.TERMINATED and not sofia.user.is_active
    assert Assignment.objects.filter(employee=sofia).exists()
    assert scim.query(User[EnterpriseUser], created.id).active is False
