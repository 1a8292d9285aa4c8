"""The employee journey through the real views: read, quiz, sign, certificate, verify."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from attest.forms.signing import ERROR_WRONG_PASSWORD
from attest.models import Attestation
from attest.services import ERROR_NAME_MISMATCH
from tests import factories
from tests.attest.steps import do_chapter, finish_and_sign, login, open_quiz, right_answers
from training.models import QuizAttempt, ReadingProgress
from training.services import (
    ERROR_QUIZ_ATTEMPT_CLOSED,
    ERROR_QUIZ_NO_ATTEMPTS_LEFT,
    ERROR_QUIZ_UNKNOWN_OPTION,
    ERROR_QUIZ_UNKNOWN_QUESTION,
)

pytestmark = pytest.mark.django_db


def test_my_training_lists_assignment_with_next_step(emma_assignment):
    response = login(emma_assignment.employee).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Social media policy" in html and "Version 1.0" in html
    assert reverse("chapter", args=[emma_assignment.pk, "one"]) in html
    assert "Assigned" in html


def test_reading_is_recorded_per_chapter_and_only_for_my_track(emma_assignment):
    client = login(emma_assignment.employee)
    assert client.get(reverse("chapter", args=[emma_assignment.pk, "team"])).status_code == 404
    client.post(reverse("chapter", args=[emma_assignment.pk, "one"]))
    client.post(reverse("chapter", args=[emma_assignment.pk, "one"]))
    progress = ReadingProgress.objects.get(user=emma_assignment.employee.user)
    assert progress.first_read_at <= progress.last_read_at
    assert ReadingProgress.objects.count() == 1
    emma_assignment.refresh_from_db()
    assert emma_assignment.started_at is not None


def test_quiz_page_never_reveals_answers_before_submission(emma_assignment):
    client = login(emma_assignment.employee)
    response, _attempt = open_quiz(client, emma_assignment, "one")
    html = response.content.decode()
    assert "Feedback" not in html and "Because" not in html and "correct" not in html.lower().replace("incorrect", "")


def test_quiz_is_graded_on_the_server_and_explains_only_after_passing(emma_assignment):
    client = login(emma_assignment.employee)
    response = do_chapter(client, emma_assignment, "one", correct=False)
    html = response.content.decode()
    assert "Not passed" in html and "Not answered correctly" in html
    assert "Because one q0" not in html and "Feedback" not in html
    attempt = QuizAttempt.objects.get()
    assert attempt.score == 0 and attempt.passed is False
    response = do_chapter(client, emma_assignment, "one")
    assert "Passed" in response.content.decode() and "Because one q0" in response.content.decode()
    assert QuizAttempt.objects.filter(passed=True).count() == 1


@pytest.mark.parametrize(
    "forgery", ["unknown_question", "unknown_option", "garbage_option", "other_attempt", "bad_uuid"]
)
def test_forged_quiz_posts_change_nothing(emma_assignment, forgery):
    client = login(emma_assignment.employee)
    _response, attempt = open_quiz(client, emma_assignment, "one")
    answers = right_answers(emma_assignment, attempt, "one")
    attempt_id = str(attempt.pk)
    expected = ERROR_QUIZ_ATTEMPT_CLOSED
    if forgery == "unknown_question":
        answers["q-not-a-question"] = [0]
        expected = ERROR_QUIZ_UNKNOWN_QUESTION
    elif forgery == "unknown_option":
        answers[next(iter(answers))] = [99]
        expected = ERROR_QUIZ_UNKNOWN_OPTION
    elif forgery == "garbage_option":
        answers[next(iter(answers))] = ["<script>"]
        expected = ERROR_QUIZ_UNKNOWN_OPTION
    elif forgery == "other_attempt":
        other = factories.employee("Other", "Person")
        other_assignment = factories.assignment(other, emma_assignment.version)
        _r, other_attempt = open_quiz(login(other), other_assignment, "one")
        attempt_id = str(other_attempt.pk)
    else:
        attempt_id = "../../etc/passwd"
    response = client.post(
        reverse("quiz", args=[emma_assignment.pk, "one"]), {"attempt": attempt_id, **answers}, follow=True
    )
    assert response.status_code == 200
    assert str(expected) in response.content.decode()
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()


def test_attempt_of_another_chapter_is_refused(emma_assignment):
    client = login(emma_assignment.employee)
    _response, attempt = open_quiz(client, emma_assignment, "one")
    answers = right_answers(emma_assignment, attempt, "one")
    response = client.post(
        reverse("quiz", args=[emma_assignment.pk, "two"]), {"attempt": str(attempt.pk), **answers}, follow=True
    )
    assert str(ERROR_QUIZ_ATTEMPT_CLOSED) in response.content.decode()
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()


def test_attempt_limit_and_question_pool_are_honoured(db):
    spec = factories.policy_spec(
        chapters=[factories.chapter_spec("limited", questions=4, attempt_limit=2, pool_size=2, pass_mark=100)]
    )
    version = factories.release(factories.published_policy(spec))
    emma = factories.employee()
    assignment = factories.assignment(emma, version)
    client = login(emma)
    do_chapter(client, assignment, "limited", correct=False)
    assert len(QuizAttempt.objects.get(number=1).presented) == 2
    do_chapter(client, assignment, "limited", correct=False)
    response = client.get(reverse("quiz", args=[assignment.pk, "limited"]), follow=True)
    assert str(ERROR_QUIZ_NO_ATTEMPTS_LEFT % {"limit": 2}) in response.content.decode()
    assert QuizAttempt.objects.count() == 2


def test_cannot_sign_before_everything_is_read_and_passed(emma_assignment):
    client = login(emma_assignment.employee)
    do_chapter(client, emma_assignment, "one")
    response = client.post(
        reverse("sign", args=[emma_assignment.pk]),
        {"typed_name": "Emma Wilson", "confirm": "on", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert not Attestation.objects.exists()


def test_signing_records_everything_and_completes_the_assignment(emma_assignment):
    _client, response = finish_and_sign(emma_assignment)
    assert response.status_code == 302
    attestation = Attestation.objects.get()
    assert attestation.typed_name == "Emma Wilson"
    assert attestation.employee_number == emma_assignment.employee.employee_id
    assert attestation.version_number == "1.0" and attestation.policy_title == "Social media policy"
    assert attestation.content_sha256 == emma_assignment.version.content_sha256
    assert attestation.locale_code == "en"
    assert "I, Emma Wilson, confirm that I have read and understood" in attestation.statement
    assert attestation.auth_method == "password"
    assert attestation.ip_address == "10.1.2.3" and attestation.user_agent == "pytest-browser"
    assert {r["passed"] for r in attestation.quiz_results} == {True} and len(attestation.quiz_results) == 2
    assert len(attestation.record_hash) == 64
    emma_assignment.refresh_from_db()
    assert emma_assignment.completed_at == attestation.signed_at
    assert emma_assignment.attestation_id == attestation.pk


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"password": "wrong"}, ERROR_WRONG_PASSWORD),
        ({"typed_name": "Someone Else"}, ERROR_NAME_MISMATCH % {"name": "Emma Wilson"}),
    ],
)
def test_signing_refuses_wrong_password_or_name(emma_assignment, override, message):
    _client, response = finish_and_sign(emma_assignment, **override)
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not Attestation.objects.exists()


def test_double_submit_yields_exactly_one_attestation(emma_assignment):
    client, _response = finish_and_sign(emma_assignment)
    again = client.post(
        reverse("sign", args=[emma_assignment.pk]),
        {"typed_name": "Emma Wilson", "confirm": "on", "password": factories.PASSWORD},
    )
    assert again.status_code == 302
    assert Attestation.objects.count() == 1


def test_another_employees_assignment_is_not_reachable(emma_assignment):
    intruder = login(factories.employee("Mallory", "Guess"))
    for name, args in [
        ("assignment", [emma_assignment.pk]),
        ("chapter", [emma_assignment.pk, "one"]),
        ("quiz", [emma_assignment.pk, "one"]),
        ("sign", [emma_assignment.pk]),
    ]:
        assert intruder.get(reverse(name, args=args)).status_code == 404


@pytest.mark.parametrize(("first", "last"), [("Søren", "Ødegård"), ("José", "Núñez"), ("Łukasz", "Żółć")])
def test_certificate_pdf_prints_names_and_verifies(version, first, last):
    person = factories.employee(first, last)
    assignment = factories.finished(factories.assignment(person, version))
    attestation = assignment.attestation
    response = login(person).get(reverse("certificate", args=[attestation.verification_code]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert f"{first} {last}" in text
    assert "Social media policy, version 1.0" in text
    assert attestation.content_sha256 in text
    assert attestation.verification_code in text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", text)
    assert f"/verify/{attestation.verification_code}/" in text

    public = Client().get(reverse("verify", args=[attestation.verification_code]))
    html = public.content.decode()
    assert public.status_code == 200 and f"{first} {last}" in html and "genuine" in html
    assert person.email not in html and person.employee_id not in html and attestation.content_sha256 not in html


@pytest.mark.parametrize("code", ["NOPE0000NOPE0000", "'; DROP TABLE x;--", "%00", "a" * 200])
def test_verify_unknown_or_malformed_code_is_404(db, code):
    response = Client().get(f"/verify/{code}/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_certificate_of_someone_else_is_404(version):
    owner = factories.employee()
    assignment = factories.finished(factories.assignment(owner, version))
    stranger = login(factories.employee("Stranger", "Danger"))
    assert stranger.get(reverse("certificate", args=[assignment.attestation.verification_code])).status_code == 404


def test_reattestation_shows_key_changes_and_changed_chapters(policy):
    first = factories.release(policy)
    person = factories.employee()
    factories.finished(factories.assignment(person, first))
    from training.models import ChapterPage

    factories.edit_chapter(ChapterPage.objects.get(slug="two"), body=[{"type": "text", "value": "<p>New rules.</p>"}])
    second = factories.release(policy, number="2.0", key_changes="Filming in stores needs approval\nPasskeys required")
    again = factories.assignment(person, second)
    html = login(person).get(reverse("assignment", args=[again.pk])).content.decode()
    assert "What changed since version 1.0" in html
    assert "Filming in stores needs approval" in html and "Passkeys required" in html
    assert "Chapter two" in html.split("Chapters that changed:")[1].split("</p>")[0]
    assert "Chapter one" not in html.split("Chapters that changed:")[1].split("</p>")[0]


@pytest.mark.parametrize("url_name", ["home", "assignment", "chapter", "quiz", "sign"])
def test_journey_pages_keep_a_constant_query_count(db, django_assert_max_num_queries, url_name):
    """The number of queries does not grow with the number of chapters."""
    counts = []
    for chapters in (2, 8):
        spec = factories.policy_spec(
            chapters=[factories.chapter_spec(f"c{i}") for i in range(chapters)], slug=f"policy-{chapters}"
        )
        version = factories.release(factories.published_policy(spec))
        person = factories.employee()
        assignment = factories.assignment(person, version)
        client = login(person)
        for i in range(chapters):
            do_chapter(client, assignment, f"c{i}")
        url = {
            "home": "/",
            "assignment": reverse("assignment", args=[assignment.pk]),
            "chapter": reverse("chapter", args=[assignment.pk, "c0"]),
            "quiz": reverse("quiz", args=[assignment.pk, "c0"]),
            "sign": reverse("sign", args=[assignment.pk]),
        }[url_name]
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code in (200, 302)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_signing_password_attempts_are_rate_limited(emma_assignment, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "3/m/user"}
    from django.core.cache import cache

    cache.clear()
    client, _response = finish_and_sign(emma_assignment, password="wrong")
    statuses = [
        client.post(
            reverse("sign", args=[emma_assignment.pk]),
            {"typed_name": "Emma Wilson", "confirm": "on", "password": "wrong"},
        ).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429
    assert not Attestation.objects.exists()


def test_reattestation_asks_only_for_changed_chapters(policy):
    from attest.models import RequirementKind
    from attest.selectors import assignment_progress
    from training.models import ChapterPage

    first = factories.release(policy)
    person = factories.employee()
    factories.finished(factories.assignment(person, first))
    factories.edit_chapter(ChapterPage.objects.get(slug="two"), body=[{"type": "text", "value": "<p>New rules.</p>"}])
    second = factories.release(policy, number="2.0")
    reattest = factories.requirement(policy, kind=RequirementKind.REATTESTATION)
    again = factories.assignment(person, second, requirement_=reattest)

    progress = assignment_progress(again)
    assert {s.chapter.slug: s.done for s in progress.chapters} == {"one": True, "two": False}
    assert [s.chapter.slug for s in progress.chapters if s.carried_over] == ["one"]
    html = login(person).get(reverse("assignment", args=[again.pk])).content.decode()
    assert "Unchanged since you last completed it" in html
    client = login(person)
    do_chapter(client, again, "two")
    response = client.post(
        reverse("sign", args=[again.pk]),
        {"typed_name": person.full_name, "confirm": "on", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert Attestation.objects.filter(assignment=again).count() == 1


def test_signing_right_after_allauth_reauthentication_needs_no_password(emma_assignment):
    client, _response = finish_and_sign(emma_assignment, typed_name="Not Yet")
    assert (
        client.post(
            "/accounts/login/", {"login": emma_assignment.employee.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD}).status_code == 302
    page = client.get(reverse("sign", args=[emma_assignment.pk])).content.decode()
    assert 'name="password"' not in page
    response = client.post(reverse("sign", args=[emma_assignment.pk]), {"typed_name": "Emma Wilson", "confirm": "on"})
    assert response.status_code == 302
    assert Attestation.objects.get().auth_method == "reauthentication"


def trained_without_a_password(assignment) -> Client:
    """Everything read and passed; then the account loses its password, as a single sign-on
    account has none. The client is signed in again (the password change ended its session)."""
    client = login(assignment.employee)
    for slug in ["one", "two"]:
        do_chapter(client, assignment, slug)
    user = assignment.employee.user
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    return client


def test_without_a_password_or_single_sign_on_nobody_signs_unconfirmed(emma_assignment):
    """An account with no password signs in through single sign-on; here none is configured,
    so the page says how to set a password and a forged POST records nothing."""
    client = trained_without_a_password(emma_assignment)
    url = reverse("sign", args=[emma_assignment.pk])
    page = client.get(url).content.decode()
    assert "Your account has no password yet." in page and 'name="typed_name"' not in page
    response = client.post(url, {"typed_name": "Emma Wilson", "confirm": "on"})
    assert response.status_code == 200
    assert not Attestation.objects.exists()


def test_with_single_sign_on_an_old_sign_in_is_confirmed_at_the_provider(emma_assignment, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Northwind SSO",
                    "client_id": "c",
                    "settings": {"server_url": "https://idp.example.com"},
                }
            ]
        }
    }
    client = trained_without_a_password(emma_assignment)
    response = client.get(reverse("sign", args=[emma_assignment.pk]))
    page = response.content.decode()
    assert 'action="/accounts/oidc/sso/login/?' in page and "prompt%3Dlogin" in page
    assert 'name="typed_name"' not in page
    assert "form-action 'self' https://idp.example.com;" in response["Content-Security-Policy"]
    assert not client.post(
        reverse("sign", args=[emma_assignment.pk]), {"typed_name": "Emma Wilson", "confirm": "on"}
    ).has_header("Location")
    assert not Attestation.objects.exists()
