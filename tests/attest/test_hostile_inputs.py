"""Hostile input against the employee-facing forms: clean 4xx or form errors, never a 500,
nothing unsafe stored, everything rendered back escaped."""

import pytest
from django.test import Client
from django.urls import reverse

from attest.models import Attestation
from attest.validators import ERROR_UNPRINTABLE
from tests import factories
from tests.attest.steps import do_chapter, login
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
    response = client.post(
        reverse("sign", args=[assignment.pk]), data='{"typed_name": "Emma Wilson"}', content_type="application/json"
    )
    assert response.status_code == 200
    assert not Attestation.objects.exists()


def test_malformed_multipart_is_a_400(ready):
    client, assignment = ready
    response = client.generic(
        "POST",
        reverse("sign", args=[assignment.pk]),
        data=b'--broken\r\nContent-Disposition: form-data; name="typed_name"\r\n\r\nEmma',
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
    response = client.post(
        reverse("quiz", args=[emma_assignment.pk, "one"]), {"attempt": str(attempt.pk), **junk}, follow=True
    )
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/verify/%3Cscript%3E/",
        "/training/999999999999/",
        "/training/certificates/%00.pdf",
        "/training/1/chapters/%2e%2e/",
    ],
)
def test_hostile_paths_are_clean_404s(emma, path):
    response = login(emma).get(path)
    assert response.status_code == 404
    assert "<script>" not in response.content.decode()


SQL = "1' OR '1'='1'; DROP TABLE training_quizattempt;--"


@pytest.mark.parametrize("view", ["sign", "quiz", "chapter"])
def test_employee_posts_without_a_csrf_token_are_refused(ready, view):
    _client, assignment = ready
    client = Client(enforce_csrf_checks=True)
    client.force_login(assignment.employee.user)
    args = [assignment.pk] if view == "sign" else [assignment.pk, "one"]
    data = {"typed_name": assignment.employee.full_name, "confirm": "on", "password": factories.PASSWORD}
    assert client.post(reverse(view, args=args), data).status_code == 403
    assert not Attestation.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"password": "x" * 1_000_000},
        {"password": SQL},
        {"password": "\x00"},
        {"confirm": ""},
        {"typed_name": ""},
        {"typed_name": SQL * 100},
    ],
)
def test_sign_form_with_garbage_is_a_form_error(ready, fields):
    client, assignment = ready
    data = {"typed_name": assignment.employee.full_name, "confirm": "on", "password": factories.PASSWORD, **fields}
    response = client.post(reverse("sign", args=[assignment.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Attestation.objects.exists()


@pytest.mark.parametrize(
    "attempt",
    [SQL, "x" * 100_000, "%00", "00000000-0000-0000-0000-000000000000", "-1", "99999999999999999999999999"],
)
def test_quiz_with_a_forged_attempt_changes_nothing(emma_assignment, attempt):
    client = login(emma_assignment.employee)
    client.get(reverse("quiz", args=[emma_assignment.pk, "one"]))
    response = client.post(reverse("quiz", args=[emma_assignment.pk, "one"]), {"attempt": attempt, "q-x": "0"})
    assert response.status_code == 302 and response["Location"] == reverse("quiz", args=[emma_assignment.pk, "one"])
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()


def test_quiz_cannot_submit_someone_elses_attempt(emma_assignment, version):
    client = login(emma_assignment.employee)
    client.get(reverse("quiz", args=[emma_assignment.pk, "one"]))
    emmas = QuizAttempt.objects.get()
    olivia = factories.assignment(factories.employee("Olivia", "Else"), version)
    other = login(olivia.employee)
    response = other.post(reverse("quiz", args=[olivia.pk, "one"]), {"attempt": str(emmas.pk)})
    assert response.status_code == 302
    emmas.refresh_from_db()
    assert emmas.submitted_at is None


@pytest.mark.parametrize("answer", [SQL, "9" * 5000, str(2**80), "-1", "1e9", SCRIPT, "\x00"])
def test_quiz_answers_that_are_not_options_change_nothing(emma_assignment, answer):
    client = login(emma_assignment.employee)
    client.get(reverse("quiz", args=[emma_assignment.pk, "one"]))
    attempt = QuizAttempt.objects.get()
    answers = {f"q-{item['question']}": [answer] for item in attempt.presented}
    response = client.post(
        reverse("quiz", args=[emma_assignment.pk, "one"]), {"attempt": str(attempt.pk), **answers}, follow=True
    )
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/verify/" + "A" * 10_000 + "/",
        "/verify/1'%20OR%20'1'='1/",
        "/training/certificates/" + "A" * 10_000 + ".pdf",
        "/training/certificates/1'%20OR%20'1'='1.pdf",
        "/training/99999999999999999999999999/",
        "/training/99999999999999999999999999/sign/",
        "/training/1/chapters/" + "a" * 5000 + "/quiz/",
    ],
)
def test_oversized_and_sql_paths_are_clean_404s(emma, path):
    response = login(emma).get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"language": SCRIPT, "next": "/"},
        {"language": "\x00", "next": "/"},
        {"language": "fr", "next": "javascript:alert(1)"},
        {"language": "fr", "next": "//evil.example/"},
        {"language": "x" * 10_000},
    ],
)
def test_language_switch_ignores_garbage_and_never_redirects_away(emma, data):
    response = login(emma).post("/i18n/setlang/", data)
    assert response.status_code == 302 and response["Location"] == "/"
