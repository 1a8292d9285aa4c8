"""In a real browser, against a real OpenID Connect provider (node-oidc-provider, started here):
an employee from the roster signs in through single sign-on, and confirms who they are at the
provider again before signing. Someone the roster does not know gets no account."""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from attest.models import Attestation, AuthMethod
from attest.selectors import assignment_progress
from tests import factories
from tests.e2e.helpers import read_and_pass

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

IDP = Path(__file__).parent / "idp"
CLIENT_ID, CLIENT_SECRET = "policy-training", "test-client-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def identity_provider(live_server, settings):
    """The provider on a free port, and the product configured to use it."""
    if not shutil.which("node") or not (IDP / "node_modules" / "oidc-provider").exists():
        pytest.skip("Node.js and tests/e2e/idp/node_modules are needed (scripts/test installs them)")
    port = free_port()
    callback = f"{live_server.url}/accounts/oidc/sso/login/callback/"
    process = subprocess.Popen(  # noqa: S603
        ["node", "idp.mjs", str(port), callback, CLIENT_ID, CLIENT_SECRET],  # noqa: S607
        cwd=IDP,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        line = process.stdout.readline()
        if line.startswith("ready"):
            break
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the test identity provider did not start: {line}")
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Northwind SSO",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": f"http://127.0.0.1:{port}", "token_auth_method": "client_secret_basic"},
                }
            ],
        }
    }
    yield
    process.kill()
    process.wait()


def provider_login(page, email):
    """On the provider's own sign-in page (node-oidc-provider's development form)."""
    page.wait_for_url("**/interaction/**")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sign_in_with_sso(page, email):
    page.goto("/accounts/login/")
    page.click("text=Northwind SSO")
    page.click("main form button[type=submit]")  # allauth's "continue to Northwind SSO"
    provider_login(page, email)


def test_employee_signs_in_with_sso_and_confirms_at_the_provider_before_signing(page, identity_provider, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 5
    version = factories.release(factories.published_policy())
    emma = factories.employee("Emma", "Wilson", email="emma.sso@example.com")
    emma.user.set_unusable_password()
    emma.user.save()
    assignment = factories.assignment(emma, version)

    sign_in_with_sso(page, emma.email)
    page.wait_for_url("**/")
    assert "Social media policy" in page.inner_text("main")
    for status in assignment_progress(assignment).chapters:
        page.goto(f"/training/{assignment.pk}/chapters/{status.chapter.slug}/")
        read_and_pass(page, emma.user)

    time.sleep(5.5)  # the sign-in at the provider is now too old to count as confirming a signature
    page.goto(f"/training/{assignment.pk}/sign/")
    assert page.locator("input[name=typed_name]").count() == 0
    assert page.locator("input[name=password]").count() == 0
    page.click("text=Confirm with single sign-on")
    provider_login(page, emma.email)  # prompt=login: the provider asks again despite its session
    page.wait_for_url(f"**/training/{assignment.pk}/sign/")
    assert page.locator("input[name=password]").count() == 0
    page.fill("input[name=typed_name]", "Emma Wilson")
    page.check("input[name=confirm]")
    page.click(".sign-form button[type=submit]")
    page.wait_for_url(f"**/training/{assignment.pk}/")
    attestation = Attestation.objects.get(assignment=assignment)
    assert attestation.auth_method == AuthMethod.REAUTHENTICATION
    assert attestation.typed_name == "Emma Wilson"


def test_someone_the_roster_does_not_know_gets_no_account(page, identity_provider):
    users = get_user_model().objects.count()
    sign_in_with_sso(page, "stranger@example.com")
    page.wait_for_load_state()
    assert "/accounts/" in page.url
    assert get_user_model().objects.count() == users
    assert page.locator("text=Sign out").count() == 0
