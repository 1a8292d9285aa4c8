"""The product mounted under a URL prefix (DESIGN §3 rule 10): every access rule gives the same
answers, whether the prefix comes from the server (``SCRIPT_NAME``) or the settings
(``FORCE_SCRIPT_NAME``). The whole walk of every URL as every role under ``/p`` is
``test_walk[...-prefixed]`` in test_url_walk.py."""

import pytest
from django.test import override_settings

from cms.roles import HR
from tests import factories
from tests.attest.steps import mounted_at

PREFIX = "/p"
MFA_SETUP = f"{PREFIX}/accounts/2fa/totp/activate/"


@pytest.mark.django_db
@pytest.mark.parametrize("forced", [False, True], ids=["SCRIPT_NAME", "FORCE_SCRIPT_NAME"])
def test_hr_without_two_factor_reaches_no_admin_page_or_export_under_a_prefix(settings, forced):
    """The deployer's finding: ``/p/admin/employees/`` and the compliance CSV answered 200."""
    settings.STAFF_REQUIRE_MFA = True
    hr = factories.user(groups=[HR])
    with override_settings(FORCE_SCRIPT_NAME=PREFIX if forced else None), mounted_at(PREFIX) as client:
        client.force_login(hr)
        for path in ("/admin/employees/", "/admin/compliance/export/csv/", "/admin/"):
            response = client.get(path)
            assert response.status_code == 302 and response["Location"] == MFA_SETUP, path
            assert b"employee_id" not in response.content


@pytest.mark.django_db
def test_the_admin_gets_its_policy_and_the_site_the_strict_one_under_a_prefix(emma):
    hr = factories.user(groups=[HR])
    with mounted_at(PREFIX) as client:
        client.force_login(emma.user)
        site = client.get("/")["Content-Security-Policy"]
        client.force_login(hr)
        admin = client.get("/admin/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in site
    assert "script-src 'self' 'unsafe-inline'" in admin
