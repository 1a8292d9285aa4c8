"""What people do over HTTP with Django's test client (an employee's training, HR's forms, a client
under a URL prefix); shared by the tests."""

from contextlib import contextmanager

from django.test import Client
from django.urls import get_script_prefix, reverse, set_script_prefix

from tests import factories
from training.models import QuizAttempt


def login(employee) -> Client:
    client = Client()
    client.force_login(employee.user)
    return client


def open_quiz(client, assignment, slug):
    response = client.get(reverse("quiz", args=[assignment.pk, slug]))
    assert response.status_code == 200
    attempt = QuizAttempt.objects.get(user=assignment.employee.user, submitted_at__isnull=True)
    return response, attempt


def right_answers(assignment, attempt, slug):
    chapter = next(c for c in assignment.version.chapters.all() if c.slug == slug)
    questions = {child.id: child.value for child in chapter.page.questions}
    return {
        f"q-{item['question']}": [i for i, o in enumerate(questions[item["question"]]["options"]) if o["is_correct"]]
        for item in attempt.presented
    }


def do_chapter(client, assignment, slug, correct=True):
    client.post(reverse("chapter", args=[assignment.pk, slug]))
    _response, attempt = open_quiz(client, assignment, slug)
    answers = right_answers(assignment, attempt, slug)
    if not correct:
        answers = {key: [(value[0] + 1) % 3] for key, value in answers.items()}
    return client.post(reverse("quiz", args=[assignment.pk, slug]), {"attempt": str(attempt.pk), **answers})


def finish_and_sign(assignment, **overrides):
    client = login(assignment.employee)
    for slug in ["one", "two"]:
        do_chapter(client, assignment, slug)
    data = {"typed_name": assignment.employee.full_name, "confirm": "on", "password": factories.PASSWORD, **overrides}
    return client, client.post(
        reverse("sign", args=[assignment.pk]), data, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest-browser"
    )


@contextmanager
def mounted_at(script_name: str):
    """A client for the product mounted under ``script_name`` (a WSGI server's SCRIPT_NAME): the
    prefix in every request's environ and in ``reverse()``, as Django's WSGI handler sets it (the
    test client's handler does not)."""
    before = get_script_prefix()
    set_script_prefix(script_name or "/")
    try:
        yield Client(raise_request_exception=False, SCRIPT_NAME=script_name)
    finally:
        set_script_prefix(before)


def edit_data(person, **changes) -> dict:
    """What HR's edit form posts for ``person``, with ``changes``."""
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "manager_employee_id": "",
        "department": "Retail",
        "location": "London",
        "hire_date": "2020-01-01",
        "language": "en",
        "track": "all",
        "status": "active",
    }
    return {**data, **changes}
