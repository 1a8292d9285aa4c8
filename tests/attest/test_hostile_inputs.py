"""Hostile input against the employee-facing forms: clean 4xx or form errors, never a 500,
nothing unsafe stored, everything rendered back escaped."""

import pytest
from django.test import Client
from django.urls import reverse

from attest.models import Attestation
from attest.validators import ERROR_UNPRINTABLE
from tests import factories
from tests.attest.test_journey import do_chapter, login
from training.models import QuizAttempt

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
HOSTILE_NAMES = [
    ("x" * 10_000, "Ensure this value has at most 300 characters"),
    ("Emma\u202eWilson", ERROR_UNPRINTABLE),
    ("Emma\x00Wilson", "Null characters are not allowed."),
    ("Emma\x07 Wilson", ERROR_UNPRINTABLE),
    (SCRIPT, "Type your full name exactly"),
    ("Robert'); DROP TABLE attest_attestation;--", "Type your full name exactly"),
]


@pytest.fixture
def ready(emma_assignment):
    client = login(emma_assignment.employee)
    for slug in ["one", "two"]:
        do_chapter(client, emma_assignment, slug)
    return client, emma_assignment


@pytest.mark.parametrize(("name", "message"), HOSTILE_NAMES)
def test_hostile_typed_names_get_form_errors(ready, name, message):
    client, assignment = ready
    response = client.post(
        reverse("sign", args=[assignment.pk]), {"typed_name": name, "confirm": "on", "password": factories.PASSWORD}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert str(message).replace("'", "&#x27;") in html or str(message) in html
    assert SCRIPT not in html
    assert not Attestation.objects.exists()


def test_wrong_content_type_is_a_form_error_not_a_crash(ready):
    client, assignment = ready
    response = client.post(reverse("sign", args=[assignment.pk]), data='{"typed_name": "Emma Wilson"}', content_type="application/json")
    assert response.status_code == 200
    assert not Attestation.objects.exists()


def test_malformed_multipart_is_a_400(ready):
    client, assignment = ready
    response = client.generic(
        "POST",
        reverse("sign", args=[assignment.pk]),
        data=b"--broken\r\nContent-Disposition: form-data; name=\"typed_name\"\r\n\r\nEmma",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert not Attestation.objects.exists()


def test_missing_csrf_token_is_refused(emma_assignment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(emma_assignment.employee.user)
    response = client.post(reverse("chapter", args=[emma_assignment.pk, "one"]))
    assert response.status_code == 403


def test_quiz_flooded_with_fields_changes_nothing(emma_assignment):
    client = login(emma_assignment.employee)
    client.get(reverse("quiz", args=[emma_assignment.pk, "one"]))
    attempt = QuizAttempt.objects.get()
    junk = {f"q-{i}": [SCRIPT] for i in range(500)}
    response = client.post(reverse("quiz", args=[emma_assignment.pk, "one"]), {"attempt": str(attempt.pk), **junk}, follow=True)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.parametrize("path", ["/verify/%3Cscript%3E/", "/training/999999999999/", "/training/certificates/%00.pdf", "/training/1/chapters/%2e%2e/"])
def test_hostile_paths_are_clean_404s(emma, path):
    response = login(emma).get(path)
    assert response.status_code == 404
    assert "<script>" not in response.content.decode()
