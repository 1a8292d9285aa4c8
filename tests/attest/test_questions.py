"""Employees' questions about a chapter: asked under the chapter, private to the asker, the
policy's owner, legal and HR; answered in the admin (the asker is emailed in their language);
published as an anonymous FAQ entry that every reader of that language sees beside the chapter,
never inside the signed text."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from attest.models import ReminderLog
from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from tests.attest.steps import login
from training.hashing import content_sha256
from training.models import PolicyVersion, PolicyVersionChapter
from training.questions.models import QUESTION_MAX_LENGTH, ChapterQuestion, FaqEntry, QuestionStatus
from training.questions.services import (
    ERROR_FAQ_INCOMPLETE,
    ERROR_QUESTION_EMPTY,
    ERROR_QUESTION_TOO_LONG,
    ERROR_QUESTION_TOO_MANY,
    QUESTION_LIMIT,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "es", "da", "nb"]
FAQ_NOTE = "They are not part of the policy text you read and sign."


def staff(*groups, **extra):
    user = factories.user(groups=groups, **extra)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def owner(policy):
    user, client = staff(POLICY_EDITORS, first_name="Olivia", last_name="Owner", email="owner@example.com")
    policy.owner_user = user
    policy.save(update_fields=["owner_user"])
    return user, client


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    def ask(client, assignment, text, slug="one"):
        mail.outbox.clear()  # the legal review's own emails from building the policy
        with django_capture_on_commit_callbacks(execute=True):  # the email is queued once the question commits
            return client.post(reverse("chapter_question", args=[assignment.pk, slug]), {"text": text})

    return ask


def chapter_url(assignment, slug="one"):
    return reverse("chapter", args=[assignment.pk, slug])


# --- Asking ------------------------------------------------------------------------------------


def test_employee_asks_under_the_chapter_and_the_owner_is_emailed(emma_assignment, owner, ask):
    client = login(emma_assignment.employee)
    page = client.get(chapter_url(emma_assignment)).content.decode()
    assert "Ask a question about this chapter" in page
    response = ask(client, emma_assignment, "  May I like a competitor's post?  ")
    assert response.status_code == 302 and response["Location"].endswith(chapter_url(emma_assignment) + "#questions")
    question = ChapterQuestion.objects.get()
    assert question.asked_by == emma_assignment.employee.user
    assert question.version == emma_assignment.version
    assert (question.chapter_slug, question.chapter_title, question.language) == ("one", "Chapter one", "en")
    assert question.text == "May I like a competitor's post?" and question.status == QuestionStatus.OPEN
    chapter = emma_assignment.version.chapters.get(slug="one", locale__language_code="en")
    assert question.chapter_key == chapter.chapter_key
    [email] = mail.outbox
    assert email.to == ["owner@example.com"]
    assert email.subject == "New question about “Chapter one”"
    assert "May I like a competitor's post?" in email.body and "Emma Wilson" in email.body
    assert reverse("questions:edit", args=[question.pk]) in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    page = client.get(chapter_url(emma_assignment)).content.decode()
    assert "May I like a competitor&#x27;s post?" in page and "Not answered yet" in page


def test_without_an_owner_hr_is_emailed(emma_assignment, ask):
    factories.user(email="hr@example.com", groups=[HR])
    ask(login(emma_assignment.employee), emma_assignment, "Who do I tell?")
    assert [m.to for m in mail.outbox] == [["hr@example.com"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", str(ERROR_QUESTION_EMPTY)),
        ("x" * (QUESTION_MAX_LENGTH + 1), str(ERROR_QUESTION_TOO_LONG % {"limit": QUESTION_MAX_LENGTH})),
    ],
)
def test_empty_or_too_long_question_is_refused_with_a_clear_message(emma_assignment, text, message, ask):
    response = ask(login(emma_assignment.employee), emma_assignment, text)
    assert response.status_code == 200
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html and 'aria-invalid="true"' in html
    assert not ChapterQuestion.objects.exists() and not mail.outbox


def test_questions_are_rate_limited_per_person(emma_assignment, version, ask):
    client = login(emma_assignment.employee)
    for n in range(QUESTION_LIMIT):
        assert ask(client, emma_assignment, f"Question {n}").status_code == 302
    response = ask(client, emma_assignment, "One too many")
    assert str(ERROR_QUESTION_TOO_MANY % {"limit": QUESTION_LIMIT}) in response.content.decode()
    assert ChapterQuestion.objects.count() == QUESTION_LIMIT
    other = factories.assignment(factories.employee("Noah", "Clarke"), version)
    assert ask(login(other.employee), other, "Mine is fine").status_code == 302


def test_a_chapter_outside_the_training_cannot_be_asked_about(emma_assignment, ask):
    """Emma reads track "all": the official team's chapter is not hers."""
    assert ask(login(emma_assignment.employee), emma_assignment, "Sneaky", slug="team").status_code == 404


# --- Privacy -----------------------------------------------------------------------------------


@pytest.fixture
def asked(emma_assignment, version, ask):
    manager = factories.employee("Marcus", "Berg")
    emma = emma_assignment.employee
    emma.manager = manager
    emma.save(update_fields=["manager"])
    ask(login(emma), emma_assignment, "Private worry about my cousin's account")
    return ChapterQuestion.objects.get(), manager


def test_nobody_else_sees_the_question_on_the_site(asked, emma_assignment, version, ask):
    question, manager = asked
    colleague = factories.assignment(factories.employee("Noah", "Clarke"), version)
    for person in (manager, colleague.employee):
        client = login(person)
        assert client.get(chapter_url(emma_assignment)).status_code == 404
        assert ask(client, emma_assignment, "Peek").status_code == 404
    page = login(colleague.employee).get(chapter_url(colleague)).content.decode()
    assert "cousin" not in page
    assert ChapterQuestion.objects.count() == 1


def test_nobody_else_sees_the_question_in_the_admin(asked, owner):
    question, manager = asked
    edit = reverse("questions:edit", args=[question.pk])
    publish = reverse("questions:publish", args=[question.pk])
    _editor, editor = staff(POLICY_EDITORS)
    for client in (editor, login(manager)):
        for url in (reverse("questions:index"), edit, publish):
            assert client.get(url).status_code in (302, 403, 404), url
    assert "Questions" not in editor.get(reverse("wagtailadmin_home")).content.decode()
    for client in (owner[1], staff(HR)[1], staff(LEGAL_REVIEWERS)[1]):
        listing = client.get(reverse("questions:index")).content.decode()
        assert "Private worry" in listing
        assert client.get(edit).status_code == 200


def test_an_owner_sees_only_their_own_policies_questions(asked):
    question, _manager = asked
    other_policy = factories.published_policy(factories.policy_spec(slug="other-policy"))
    _user, other_owner = staff(POLICY_EDITORS)
    other_policy.owner_user = _user
    other_policy.save(update_fields=["owner_user"])
    assert "Private worry" not in other_owner.get(reverse("questions:index")).content.decode()
    assert other_owner.get(reverse("questions:edit", args=[question.pk])).status_code == 404
    assert other_owner.post(reverse("questions:edit", args=[question.pk]), {"answer": "x"}).status_code == 404
    assert other_owner.get(reverse("questions:publish", args=[question.pk])).status_code == 404
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN


# --- Answering ---------------------------------------------------------------------------------


@pytest.fixture
def answer(django_capture_on_commit_callbacks):
    def answer(client, question, text="Yes, as long as you say who you work for."):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("questions:edit", args=[question.pk]), {"answer": text})

    return answer


def test_owner_answers_and_the_asker_is_emailed_in_their_language(policy, version, owner, ask, answer):
    person = factories.employee("Léa", "Martin", language="fr")
    assignment = factories.assignment(person, version)
    ask(login(person), assignment, "Puis-je aimer un post ?")
    question = ChapterQuestion.objects.get()
    mail.outbox.clear()
    response = answer(owner[1], question)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.answered_by == owner[0]
    assert question.answered_at is not None
    [email] = mail.outbox
    assert email.to == [person.email]
    html = email.alternatives[0][0]
    assert '<html lang="fr">' in html and "Ceci est un message automatique." in email.body
    assert "Yes, as long as you say who you work for." in email.body
    assert reverse("chapter", args=[assignment.pk, "one"]) + "#questions" in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert ReminderLog.objects.filter(kind="answer", employee=person).count() == 1
    page = login(person).get(chapter_url(assignment)).content.decode()
    assert "Yes, as long as you say who you work for." in page


def test_an_empty_answer_is_refused(asked, owner, answer):
    question, _manager = asked
    response = answer(owner[1], question, "   ")
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN and not question.answer


def test_the_answer_is_seen_only_by_the_asker(asked, owner, version, answer):
    question, _manager = asked
    answer(owner[1], question, "Only for Emma")
    colleague = factories.assignment(factories.employee("Noah", "Clarke"), version)
    assert "Only for Emma" not in login(colleague.employee).get(chapter_url(colleague)).content.decode()


# --- FAQ ---------------------------------------------------------------------------------------


def faq_data(**overrides):
    data = {}
    for code in LANGUAGES:
        data[f"question_{code}"] = f"[{code}] Can I mention a customer?"
        data[f"answer_{code}"] = f"[{code}] Only with their written consent."
    data.update(overrides)
    return data


def test_owner_publishes_an_anonymous_faq_that_every_reader_of_the_language_sees(asked, owner, version, answer):
    question, _manager = asked
    answer(owner[1], question)
    response = owner[1].post(
        reverse("questions:publish", args=[question.pk]),
        faq_data(question_nb="", answer_nb="", unavailable_nb="on"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED
    entry = FaqEntry.objects.get()
    assert sorted(entry.translations.values_list("language", flat=True)) == ["da", "en", "es", "fr"]
    colleague = factories.assignment(factories.employee("Noah", "Clarke"), version)
    page = login(colleague.employee).get(chapter_url(colleague)).content.decode()
    assert "[en] Can I mention a customer?" in page and FAQ_NOTE in page
    assert "cousin" not in page and "Emma" not in page
    assert "[fr]" not in page
    # The FAQ is outside the article that holds the signed text.
    article = re.search(r"<article.*?</article>", page, re.S).group(0)
    assert "Can I mention a customer?" not in article


def test_a_half_written_language_is_refused(asked, owner, answer):
    question, _manager = asked
    answer(owner[1], question)
    response = owner[1].post(reverse("questions:publish", args=[question.pk]), faq_data(answer_da=""))
    assert response.status_code == 200
    assert str(ERROR_FAQ_INCOMPLETE % {"language": "Dansk"}) in response.content.decode()
    assert not FaqEntry.objects.exists()


def test_an_open_question_cannot_be_published(asked, owner):
    question, _manager = asked
    response = owner[1].post(reverse("questions:publish", args=[question.pk]), faq_data())
    assert response.status_code == 200 and not FaqEntry.objects.exists()


def test_publishing_an_faq_leaves_the_signed_chapter_and_its_hash_unchanged(asked, owner, version, answer):
    question, _manager = asked
    before = list(
        PolicyVersionChapter.objects.filter(version=version)
        .order_by("pk")
        .values_list("pk", "content", "content_sha256")
    )
    version_hash = PolicyVersion.objects.get(pk=version.pk).content_sha256
    answer(owner[1], question)
    owner[1].post(reverse("questions:publish", args=[question.pk]), faq_data())
    after = list(
        PolicyVersionChapter.objects.filter(version=version)
        .order_by("pk")
        .values_list("pk", "content", "content_sha256")
    )
    assert after == before
    assert PolicyVersion.objects.get(pk=version.pk).content_sha256 == version_hash
    for chapter in PolicyVersionChapter.objects.filter(version=version):
        assert content_sha256(chapter.content, version.hash_scheme) == chapter.content_sha256
    call_command("verify_versions")  # exits non-zero on any mismatch


# --- Query counts and the HR dashboard ---------------------------------------------------------


def _publish_directly(question, owner_user, n):
    from training.questions.services import faq_publish, question_answer

    question_answer(question=question, answer=f"Answer {n}", by=owner_user)
    faq_publish(question=question, texts={code: (f"Q{n} {code}", f"A{n} {code}") for code in LANGUAGES}, by=owner_user)


def test_chapter_page_costs_the_same_queries_whatever_the_questions_and_faq(
    emma_assignment, owner, version, monkeypatch, ask
):
    monkeypatch.setattr("training.questions.services.QUESTION_LIMIT", 100)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(emma_assignment.employee)
    url = chapter_url(emma_assignment)
    stranger = factories.employee()
    ask(login(stranger), factories.assignment(stranger, version), "Warm up")  # emails fill the site's cached settings
    client.get(url)
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        counts.append(len(captured))
        colleague = factories.employee()
        for n in range(4):
            ask(login(emma_assignment.employee), emma_assignment, f"Mine {_round}-{n}")
            ask(login(colleague), factories.assignment(colleague, version), f"Theirs {_round}-{n}")
        for question in ChapterQuestion.objects.filter(status=QuestionStatus.OPEN)[:3]:
            _publish_directly(question, owner[0], question.pk)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    counts.append(len(captured))
    faq = re.search(r"<section[^>]*data-faq.*?</section>", page, re.S).group(0)
    assert page.count("data-my-question") == 8 and faq.count("<dt>") == FaqEntry.objects.count() == 6
    assert counts[0] == counts[1] == counts[2], counts


def test_hr_dashboard_shows_the_chapters_that_draw_the_most_questions(emma_assignment, version, owner, ask):
    client = login(emma_assignment.employee)
    for n in range(3):
        ask(client, emma_assignment, f"About one {n}")
    ask(client, emma_assignment, "About two", slug="two")
    _publish_directly(ChapterQuestion.objects.filter(chapter_slug="one").first(), owner[0], 1)
    _hr, hr = staff(HR)
    html = hr.get(reverse("attest_compliance_dashboard")).content.decode()
    table = re.search(r"<table[^>]*data-question-chapters.*?</table>", html, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\"><a[^>]*>([^<]+)</a></th><td>(\d+)</td><td>(\d+)</td></tr>", table)
    assert rows == [("Chapter one", "3", "2"), ("Chapter two", "1", "1")]
    key = str(version.chapters.get(slug="one", locale__language_code="en").chapter_key)
    listing = hr.get(reverse("questions:index") + f"?chapter_key={key}").content.decode()
    assert "About one 0" in listing and "About two" not in listing
    published = hr.get(reverse("questions:index") + "?status=published&language=en").content.decode()
    assert "About one 2" in published and "About one 1" not in published and "About two" not in published
