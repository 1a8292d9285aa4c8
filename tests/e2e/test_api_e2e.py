"""In a real browser: HR creates an API token in the admin, sees it once, a system uses it, HR
revokes it; and the API's documentation renders from the product's own files, under the site's
Content Security Policy, without reaching any other origin."""

import os

import pytest

from attest.api.models import ApiToken
from cms.roles import HR
from tests import factories
from tests.e2e.helpers import assert_accessible, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_hr_creates_uses_and_revokes_a_managers_token(page, live_server):
    hr = factories.user(groups=[HR])
    boss = factories.employee("Bo", "Boss")
    factories.employee("Ann", "Report", manager=boss)
    factories.employee("Olga", "Outsider")

    sign_in(page, hr.email, factories.PASSWORD)
    page.goto("/admin/api_tokens/")
    page.get_by_role("link", name="Add API token").click()
    page.wait_for_url("**/admin/api_tokens/new/")
    page.get_by_label("Name").fill("Team spreadsheet")
    page.get_by_label("people:read: People and their assignments").check()
    page.get_by_label("Manager's employee id").fill(boss.employee_id)
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state()
    assert "it will not be shown again" in page.inner_text("main")
    secret = page.get_by_label("Token for “Team spreadsheet”").input_value()
    assert secret.startswith("pta_")
    assert_accessible(page)

    answer = page.request.get("/api/v1/people/", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200
    assert [row["first_name"] for row in answer.json()["results"]] == ["Ann"]
    assert page.request.get("/api/v1/compliance/", headers={"Authorization": f"Bearer {secret}"}).status == 403

    page.get_by_role("link", name="Done").click()
    page.wait_for_url("**/admin/api_tokens/")
    row = page.locator("tbody tr", has_text="Team spreadsheet")
    assert secret not in page.content()
    assert "people:read" in row.inner_text()
    token = ApiToken.objects.get(name="Team spreadsheet")
    page.goto(f"/admin/api_tokens/{token.pk}/revoke/")
    page.get_by_role("button", name="Revoke token").click()
    page.wait_for_url("**/admin/api_tokens/")
    assert "revoked: it no longer works" in page.inner_text("body")
    assert page.request.get("/api/v1/people/", headers={"Authorization": f"Bearer {secret}"}).status == 401


def test_the_documentation_renders_from_the_product_alone(page, live_server):
    requested, problems = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Policy training & attestation API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/v1/people/")
    assert not [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert not problems, problems
