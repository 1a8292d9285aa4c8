"""The real client behind a reverse proxy (DESIGN §3 rule 10): rate limits and the signer's
recorded address take it from X-Forwarded-For only as far as ``DJANGO_TRUSTED_PROXY_COUNT``
(``ALLAUTH_TRUSTED_PROXY_COUNT``) trusted proxies vouch for it."""

import pytest
from django.test import Client
from django.urls import reverse

from attest.models import Attestation
from tests import factories
from tests.attest.steps import do_chapter, login

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # the reverse proxy, as the app server sees every connection
CLIENT = "203.0.113.7"
FORGED = "198.51.100.66"


def sign_through_proxy(assignment, forwarded_for: str):
    client = login(assignment.employee)
    for slug in ("one", "two"):
        do_chapter(client, assignment, slug)
    data = {"typed_name": assignment.employee.full_name, "confirm": "on", "password": factories.PASSWORD}
    response = client.post(
        reverse("sign", args=[assignment.pk]), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
    )
    assert response.status_code == 302
    return Attestation.objects.get(assignment=assignment)


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(settings, emma_assignment):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert sign_through_proxy(emma_assignment, FORGED).ip_address == PROXY


def test_behind_one_trusted_proxy_the_signer_is_the_address_it_saw(settings, emma_assignment):
    """nginx appends the address it saw to whatever the client sent: the last one is the client."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert sign_through_proxy(emma_assignment, f"{FORGED}, {CLIENT}").ip_address == CLIENT


def test_behind_two_trusted_proxies_the_second_address_from_the_right(settings, emma_assignment):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert sign_through_proxy(emma_assignment, f"{FORGED}, {CLIENT}, 10.0.0.9").ip_address == CLIENT


def test_a_request_that_skipped_a_proxy_still_gets_an_answer(settings, emma_assignment):
    """Fewer addresses than trusted proxies (someone reached the inner proxy directly): the
    furthest recorded address, not allauth's ImproperlyConfigured (a 500)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert sign_through_proxy(emma_assignment, CLIENT).ip_address == CLIENT


@pytest.fixture
def rate_limits(settings):
    from cms.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS


def junk_logins(count: int, forwarded_for) -> list[int]:
    client = Client()
    return [
        client.post(
            "/accounts/login/",
            {"login": f"nobody{n}@example.com", "password": "x"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for(n),
        ).status_code
        for n in range(count)
    ]


def test_one_client_behind_the_proxy_cannot_lock_everyone_out(rate_limits, settings, emma):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # Rotating a forged address on the left does not make a fresh client either.
    statuses = junk_logins(31, lambda n: f"192.0.2.{n}, {FORGED}")
    assert statuses[-1] == 429
    other = Client()
    response = other.post(
        "/accounts/login/",
        {"login": emma.email, "password": factories.PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 302 and other.session["_auth_user_id"] == str(emma.user_id)


def test_without_a_trusted_proxy_everyone_behind_it_is_one_client(rate_limits, settings, emma):
    """Why the setting matters: left at 0 behind a proxy, the limit is shared by everyone."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert junk_logins(31, lambda n: FORGED)[-1] == 429
    response = Client().post(
        "/accounts/login/",
        {"login": emma.email, "password": factories.PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 429


def test_links_in_emails_use_the_host_not_a_forwarded_host(emma, mailoutbox):
    """``X-Forwarded-Host`` is not trusted (``USE_X_FORWARDED_HOST`` is off): a client cannot
    make a password-reset email link to its own site."""
    response = Client().post(
        "/accounts/password/reset/",
        {"email": emma.email},
        HTTP_X_FORWARDED_HOST="evil.example",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=CLIENT,
    )
    assert response.status_code == 302 and len(mailoutbox) == 1
    assert "http://testserver/accounts/password/reset/key/" in mailoutbox[0].body
    assert "evil.example" not in mailoutbox[0].body


def test_the_proxy_says_when_the_request_came_over_https(settings, emma):
    """``SECURE_PROXY_SSL_HEADER``: with X-Forwarded-Proto from the proxy, the HTTPS redirect
    does not loop; without it, a plain request is sent to HTTPS."""
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    plain = Client().get("/healthz")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/healthz"
