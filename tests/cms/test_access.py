"""Who reaches what: employees never reach the admin; editors never see HR data."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from cms.views import SIGNUP_CLOSED
from tests import factories

pytestmark = pytest.mark.django_db

HR_ADMIN_URLS = ["/admin/attestations/"]


TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def current_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_the_allauth_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    admin = Client().get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/accounts/login/")


def test_wagtail_login_is_routed_through_allauth(db):
    response = Client().get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"


def test_no_public_sign_up(db):
    """Sign-up is closed: people are sent to sign in, told why, and nobody gets an account."""
    client = Client()
    response = client.get("/accounts/signup/", follow=True)
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert str(SIGNUP_CLOSED) in response.content.decode()
    client.post("/accounts/signup/", {"email": "stranger@example.com", "password1": "a-long-password-2026"})
    assert not get_user_model().objects.filter(email="stranger@example.com").exists()


def test_employee_cannot_reach_the_admin(emma):
    response = client_for(emma.user).get("/admin/", follow=True)
    assert response.redirect_chain, "expected to be turned away"
    assert response.status_code in (200, 403)
    assert "wagtail" not in response.content.decode().lower()


@pytest.mark.parametrize("url", HR_ADMIN_URLS)
def test_policy_editor_cannot_see_hr_data(db, url):
    editor = factories.user(groups=[POLICY_EDITORS])
    response = client_for(editor).get(url)
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("url", HR_ADMIN_URLS)
def test_hr_sees_hr_data(db, url):
    assert client_for(factories.user(groups=[HR])).get(url).status_code == 200


def test_staff_roles_reach_the_admin(db):
    for group in (HR, POLICY_EDITORS, LEGAL_REVIEWERS):
        assert client_for(factories.user(groups=[group])).get("/admin/").status_code == 200


def test_policy_page_shows_the_released_version_to_employees(emma, version):
    html = client_for(emma.user).get("/social-media-policy/").content.decode()
    assert "Version 1.0" in html and "Chapter one" in html
    chapter = client_for(emma.user).get("/social-media-policy/one/")
    assert chapter.status_code == 200 and "Text of one." in chapter.content.decode()


def test_healthz_reports_database(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_pages_send_a_content_security_policy(emma):
    response = client_for(emma.user).get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_admin_makes_no_outside_requests(db):
    html = client_for(factories.user(groups=[HR])).get("/admin/").content.decode()
    assert "gravatar" not in html.lower()
    assert "releases.wagtail.io" not in html


def test_staff_must_set_up_two_factor_before_the_admin(db, settings):
    settings.STAFF_REQUIRE_MFA = True
    hr = factories.user(groups=[HR])
    response = client_for(hr).get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=hr, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET})
    client = client_for(hr)  # a session that never passed the second factor
    response = client.get("/admin/compliance/?department=Retail")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fcompliance%2F%3Fdepartment%3DRetail"
    answered = client.post(response["Location"], {"code": current_code(TOTP_SECRET)})
    assert answered.status_code == 302 and answered["Location"] == "/admin/compliance/?department=Retail"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # allauth announces a new authenticator on commit
def test_setting_up_the_authenticator_app_counts_as_the_second_factor(settings):
    """Nobody is asked for a second code straight after proving the app works."""
    settings.STAFF_REQUIRE_MFA = True
    hr = factories.user(groups=[HR])
    client = client_for(hr)
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_employees_are_not_asked_for_two_factor(emma, settings):
    settings.STAFF_REQUIRE_MFA = True
    assert client_for(emma.user).get("/").status_code == 200
