"""A failed quiz attempt says which questions were wrong and what to re-read, never the answer
key: otherwise one deliberate failure buys a pass and defeats the attempt limit."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from training.models import ChapterPage, QuizAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited_assignment(db):
    spec = factories.policy_spec(chapters=[factories.chapter_spec("one", attempt_limit=2, pass_mark=100)])
    version = factories.release(factories.published_policy(spec))
    return factories.assignment(factories.employee("Emma", "Wilson"), version)


def submit(client, assignment, *, right: set[int]):
    """Answer the questions at positions ``right`` correctly (option 0) and the others wrongly."""
    client.get(reverse("quiz", args=[assignment.pk, "one"]))
    attempt = QuizAttempt.objects.get(submitted_at__isnull=True)
    answers = {
        f"q-{item['question']}": [0 if position in right else 1] for position, item in enumerate(attempt.presented)
    }
    response = client.post(reverse("quiz", args=[assignment.pk, "one"]), {"attempt": str(attempt.pk), **answers})
    assert response.status_code == 200
    return response.content.decode(), attempt


def key_shown(html) -> list[str]:
    markers = ["tag-correct", 'class="correct', "Because one q", "Feedback 0", "Feedback 1", "Why:"]
    return [marker for marker in markers if marker in html]


def test_a_failed_attempt_names_the_wrong_questions_without_the_key(limited_assignment):
    client = Client()
    client.force_login(limited_assignment.employee.user)
    html, attempt = submit(client, limited_assignment, right=set())

    assert "Not passed" in html
    assert key_shown(html) == []
    assert html.count("Not answered correctly") == 1 + len(attempt.presented)  # the notice names the marker
    assert "Re-read “Chapter one” before you try again" in html
    assert reverse("chapter", args=[limited_assignment.pk, "one"]) in html


def test_the_key_is_shown_once_passed(limited_assignment):
    client = Client()
    client.force_login(limited_assignment.employee.user)
    submit(client, limited_assignment, right=set())
    html, _attempt = submit(client, limited_assignment, right={0, 1})
    assert "Passed" in html
    assert "tag-correct" in html and "Because one q0" in html


def test_the_key_is_shown_when_no_attempts_are_left(limited_assignment):
    assert ChapterPage.objects.get(slug="one").attempt_limit == 2
    client = Client()
    client.force_login(limited_assignment.employee.user)
    first, _attempt = submit(client, limited_assignment, right=set())
    assert key_shown(first) == []
    last, _attempt = submit(client, limited_assignment, right={0})
    assert "Not passed" in last
    assert "Because one q0" in last and "tag-correct" in last
