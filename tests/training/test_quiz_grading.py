"""Quiz grading, through training's services and selectors directly (the HTTP tests go through
the quiz page): what counts as a right answer, the pass mark, what is refused, attempt limits and
grants, the question pool, when the answer key is shown, and that the released copy is graded."""

import random
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from training.models import ChapterPage, QuizAttempt, QuizLockout
from training.selectors import quiz_allowance, quiz_attempt_review
from training.services import (
    ERROR_QUIZ_ALREADY_PASSED,
    ERROR_QUIZ_ATTEMPT_CLOSED,
    ERROR_QUIZ_NO_ATTEMPTS_LEFT,
    ERROR_QUIZ_NO_QUESTIONS,
    ERROR_QUIZ_ONE_ANSWER,
    ERROR_QUIZ_UNANSWERED,
    ERROR_QUIZ_UNKNOWN_OPTION,
    ERROR_QUIZ_UNKNOWN_QUESTION,
    QuizError,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_attempts_grant,
    quiz_lockout_record,
)

pytestmark = pytest.mark.django_db


def chapter(slug, questions, **rules):
    """A chapter whose quiz is exactly ``questions`` (see ``factories.question``), options in
    their written order unless ``shuffle_options`` is given."""
    return {**factories.chapter_spec(slug, questions=0), "shuffle_options": False, **rules, "questions": questions}


def four(slug):
    return [factories.question(f"{slug} q{i}") for i in range(4)]


@pytest.fixture(scope="module")
def quiz(django_db_blocker):
    """One released policy whose chapters each have the quiz rules one group of tests needs:
    option 0 is the right one unless said otherwise."""
    with factories.kept_for_module(django_db_blocker):
        spec = factories.policy_spec(
            chapters=[
                chapter("at", four("at"), pass_mark=75),  # 3 of 4 right is exactly the pass mark
                chapter("above", four("above"), pass_mark=76),  # 3 of 4 right is one point below
                chapter(
                    "multiple",
                    [
                        factories.question("Which two?", kind="multiple", correct=(0, 2), options=4),
                        factories.question("Which one?"),
                    ],
                    pass_mark=100,
                ),
                chapter("limited", four("limited")[:2], pass_mark=100, attempt_limit=2),
                chapter("pool", [factories.question(f"pool q{i}") for i in range(5)], pass_mark=100, pool_size=2),
                chapter("shuffled", four("shuffled"), pass_mark=100, shuffle_options=True),
                chapter("frozen", four("frozen")[:2], pass_mark=50),
                chapter("reading", []),
            ]
        )
        version = factories.release(factories.published_policy(spec))
        yield {released.slug: released for released in version.chapters.all()}


@pytest.fixture
def learner(db):
    return factories.user()


def question_ids(released) -> dict[str, str]:
    """The released quiz's question ids by prompt."""
    return {block.value["prompt"]: block.id for block in released.page.questions}


def right_options(released, question_id) -> list[int]:
    options = question_ids_values(released)[question_id]["options"]
    return [index for index, option in enumerate(options) if option["is_correct"]]


def question_ids_values(released) -> dict[str, dict]:
    return {block.id: block.value for block in released.page.questions}


def answers(released, attempt, right: int | None = None) -> dict[str, list[int]]:
    """The first ``right`` questions presented answered right (all when None), the rest with a
    wrong option."""
    chosen = {}
    for position, item in enumerate(attempt.presented):
        key = right_options(released, item["question"])
        wrong = next(index for index in item["options"] if index not in key)
        chosen[item["question"]] = key if right is None or position < right else [wrong]
    return chosen


def attempt_at(released, user, right: int | None = None, **start) -> QuizAttempt:
    attempt = quiz_attempt_start(user=user, chapter=released, **start)
    return quiz_attempt_submit(
        user=user, chapter=released, attempt_id=attempt.pk, answers=answers(released, attempt, right)
    )


def refused(released, user, attempt, given, message):
    """``given`` is refused with ``message`` and the attempt stays open and ungraded."""
    with pytest.raises(QuizError) as error:
        quiz_attempt_submit(user=user, chapter=released, attempt_id=attempt.pk, answers=given)
    assert str(error.value) == str(message)
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.score, attempt.passed, attempt.answers) == (None, None, None, None)


# --- What is right, and the pass mark --------------------------------------------------------


def test_single_choice_all_right_all_wrong(quiz, learner):
    released = quiz["at"]
    wrong = attempt_at(released, learner, right=0)
    assert (wrong.score, wrong.passed, wrong.number) == (0, False, 1)
    assert wrong.submitted_at is not None
    assert set(wrong.answers) == {item["question"] for item in wrong.presented}
    right = attempt_at(released, learner)
    assert (right.score, right.passed, right.number) == (100, True, 2)


def test_the_score_is_the_share_of_questions_answered_right(quiz, learner):
    released = quiz["at"]
    assert [attempt_at(released, learner, right=n).score for n in (0, 1, 2)] == [0, 25, 50]


def test_a_score_exactly_at_the_pass_mark_passes(quiz, learner):
    attempt = attempt_at(quiz["at"], learner, right=3)
    assert (attempt.score, attempt.passed) == (75, True)


def test_a_score_one_point_below_the_pass_mark_fails(quiz, learner):
    attempt = attempt_at(quiz["above"], learner, right=3)
    assert (attempt.score, attempt.passed) == (75, False)
    assert attempt_at(quiz["above"], learner).passed  # and the learner may try again


@pytest.mark.parametrize(
    ("chosen", "score"),
    [
        ([0, 2], 100),  # exactly the right options
        ([2, 0], 100),  # in any order
        ([0], 50),  # some of them: that question is wrong, nothing in between
        ([0, 1, 2], 50),  # all of them and a wrong one
        ([1, 3], 50),  # only wrong ones
    ],
)
def test_multiple_choice_is_all_or_nothing_per_question(quiz, learner, chosen, score):
    released = quiz["multiple"]
    ids = question_ids(released)
    attempt = quiz_attempt_start(user=learner, chapter=released)
    graded = quiz_attempt_submit(
        user=learner,
        chapter=released,
        attempt_id=attempt.pk,
        answers={ids["Which two?"]: chosen, ids["Which one?"]: [0]},
    )
    assert (graded.score, graded.passed) == (score, score == 100)
    assert graded.answers[ids["Which two?"]] == chosen


# --- What is refused ---------------------------------------------------------------------------


def test_a_single_choice_question_takes_one_option(quiz, learner):
    released = quiz["at"]
    attempt = quiz_attempt_start(user=learner, chapter=released)
    given = answers(released, attempt)
    first = attempt.presented[0]["question"]
    given[first] = [0, 1]
    refused(released, learner, attempt, given, ERROR_QUIZ_ONE_ANSWER % {"prompt": "at q0"})


def test_every_question_presented_must_be_answered(quiz, learner):
    released = quiz["at"]
    attempt = quiz_attempt_start(user=learner, chapter=released)
    given = answers(released, attempt)
    first = attempt.presented[0]["question"]
    refused(released, learner, attempt, {**given, first: []}, ERROR_QUIZ_UNANSWERED)
    del given[first]
    refused(released, learner, attempt, given, ERROR_QUIZ_UNANSWERED)


def test_unknown_question_ids_are_refused(quiz, learner):
    released = quiz["at"]
    attempt = quiz_attempt_start(user=learner, chapter=released)
    given = answers(released, attempt)
    refused(released, learner, attempt, {**given, "no-such-question": [0]}, ERROR_QUIZ_UNKNOWN_QUESTION)
    other_chapter = next(iter(question_ids(quiz["above"]).values()))
    refused(released, learner, attempt, {**given, other_chapter: [0]}, ERROR_QUIZ_UNKNOWN_QUESTION)


@pytest.mark.parametrize("option", [3, -1, 99])
def test_unknown_options_are_refused(quiz, learner, option):
    released = quiz["at"]  # three options per question
    attempt = quiz_attempt_start(user=learner, chapter=released)
    given = answers(released, attempt)
    given[attempt.presented[0]["question"]] = [option]
    refused(released, learner, attempt, given, ERROR_QUIZ_UNKNOWN_OPTION)


def test_an_answer_to_a_question_of_the_pool_not_presented_is_refused(quiz, learner):
    released = quiz["pool"]
    attempt = quiz_attempt_start(user=learner, chapter=released, rng=random.Random(1))
    presented = {item["question"] for item in attempt.presented}
    not_presented = sorted(set(question_ids(released).values()) - presented)
    assert len(presented) == 2 and len(not_presented) == 3
    given = answers(released, attempt)
    refused(released, learner, attempt, {**given, not_presented[0]: [0]}, ERROR_QUIZ_UNKNOWN_QUESTION)
    # Answering the questions not asked instead of those asked does not pass either.
    refused(released, learner, attempt, {question: [0] for question in not_presented[:2]}, ERROR_QUIZ_UNKNOWN_QUESTION)


def test_a_submitted_attempt_cannot_be_submitted_again(quiz, learner):
    released = quiz["at"]
    attempt = quiz_attempt_start(user=learner, chapter=released)
    failed = quiz_attempt_submit(
        user=learner, chapter=released, attempt_id=attempt.pk, answers=answers(released, attempt, right=0)
    )
    with pytest.raises(QuizError) as error:
        quiz_attempt_submit(user=learner, chapter=released, attempt_id=attempt.pk, answers=answers(released, attempt))
    assert str(error.value) == str(ERROR_QUIZ_ATTEMPT_CLOSED)
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed, attempt.submitted_at, attempt.answers) == (
        0,
        False,
        failed.submitted_at,
        failed.answers,
    )
    assert QuizAttempt.objects.filter(user=learner).count() == 1


def test_forged_and_foreign_attempts_are_closed(quiz, learner):
    released = quiz["at"]
    someone = factories.user()
    theirs = quiz_attempt_start(user=someone, chapter=released)
    mine = quiz_attempt_start(user=learner, chapter=quiz["above"])
    for attempt_id, chapter_ in [
        ("not-a-uuid", released),
        (uuid.uuid4(), released),
        (theirs.pk, released),  # someone else's open attempt
        (mine.pk, released),  # my open attempt at another chapter
    ]:
        with pytest.raises(QuizError) as error:
            quiz_attempt_submit(
                user=learner, chapter=chapter_, attempt_id=attempt_id, answers=answers(released, theirs)
            )
        assert str(error.value) == str(ERROR_QUIZ_ATTEMPT_CLOSED), attempt_id
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()


def test_starting_again_resumes_the_open_attempt(quiz, learner):
    released = quiz["shuffled"]
    first = quiz_attempt_start(user=learner, chapter=released, rng=random.Random(1))
    again = quiz_attempt_start(user=learner, chapter=released, rng=random.Random(2))
    assert (again.pk, again.number, again.presented) == (first.pk, 1, first.presented)


def test_a_chapter_without_questions_has_no_quiz(quiz, learner):
    with pytest.raises(QuizError) as error:
        quiz_attempt_start(user=learner, chapter=quiz["reading"])
    assert str(error.value) == str(ERROR_QUIZ_NO_QUESTIONS)
    assert not QuizAttempt.objects.exists()


def test_a_passed_quiz_is_not_started_again(quiz, learner):
    released = quiz["at"]
    attempt_at(released, learner)
    with pytest.raises(QuizError) as error:
        quiz_attempt_start(user=learner, chapter=released)
    assert str(error.value) == str(ERROR_QUIZ_ALREADY_PASSED)


# --- Attempt limits and grants -----------------------------------------------------------------


def test_the_attempt_limit_then_a_grant(quiz, learner):
    released = quiz["limited"]  # two attempts
    hr = factories.user()
    allowance = quiz_allowance(user=learner, chapter=released)
    assert (allowance.limit, allowance.used, allowance.remaining, allowance.last_attempt) == (2, 0, 2, False)

    attempt_at(released, learner, right=1)
    allowance = quiz_allowance(user=learner, chapter=released)
    assert (allowance.used, allowance.remaining, allowance.last_attempt, allowance.locked_out) == (1, 1, True, False)
    assert quiz_lockout_record(user=learner, chapter=released, allowance=allowance) is False

    attempt_at(released, learner, right=1)
    allowance = quiz_allowance(user=learner, chapter=released)
    assert (allowance.used, allowance.remaining, allowance.locked_out) == (2, 0, True)
    assert quiz_lockout_record(user=learner, chapter=released, allowance=allowance) is True
    assert quiz_lockout_record(user=learner, chapter=released, allowance=allowance) is True  # recorded once
    assert QuizLockout.objects.filter(user=learner, cleared_at__isnull=True).count() == 1
    with pytest.raises(QuizError) as error:
        quiz_attempt_start(user=learner, chapter=released)
    assert str(error.value) == ERROR_QUIZ_NO_ATTEMPTS_LEFT % {"limit": 2}
    assert QuizAttempt.objects.filter(user=learner).count() == 2

    grant = quiz_attempts_grant(
        user=learner,
        version_id=released.version_id,
        chapter_key=released.chapter_key,
        attempts=1,
        reason="Was ill during the first two",
        by=hr,
    )
    assert (grant.attempts, grant.granted_by) == (1, hr)
    assert not QuizLockout.objects.filter(user=learner, cleared_at__isnull=True).exists()
    allowance = quiz_allowance(user=learner, chapter=released)
    assert (allowance.limit, allowance.granted, allowance.remaining, allowance.last_attempt) == (3, 1, 1, True)
    third = attempt_at(released, learner, right=1)
    assert (third.number, third.passed) == (3, False)
    with pytest.raises(QuizError):
        quiz_attempt_start(user=learner, chapter=released)  # the grant is used up

    quiz_attempts_grant(
        user=learner,
        version_id=released.version_id,
        chapter_key=released.chapter_key,
        attempts=2,
        reason="Another go",
        by=hr,
    )
    fourth = attempt_at(released, learner)
    assert (fourth.number, fourth.passed) == (4, True)
    allowance = quiz_allowance(user=learner, chapter=released)
    assert (allowance.passed, allowance.locked_out, allowance.last_attempt) == (True, False, False)
    with pytest.raises(QuizError) as error:
        quiz_attempt_start(user=learner, chapter=released)
    assert str(error.value) == str(ERROR_QUIZ_ALREADY_PASSED)


@pytest.mark.parametrize("attempts", [0, -1])
def test_a_grant_gives_at_least_one_attempt(quiz, learner, attempts):
    released = quiz["limited"]
    with pytest.raises(ValidationError):
        quiz_attempts_grant(
            user=learner,
            version_id=released.version_id,
            chapter_key=released.chapter_key,
            attempts=attempts,
            reason="Nothing",
            by=factories.user(),
        )


def test_attempts_and_grants_of_an_earlier_assignment_do_not_count(quiz, learner):
    released = quiz["limited"]
    quiz_attempts_grant(
        user=learner,
        version_id=released.version_id,
        chapter_key=released.chapter_key,
        attempts=1,
        reason="Earlier",
        by=factories.user(),
    )
    for _ in range(3):
        attempt_at(released, learner, right=0)
    with pytest.raises(QuizError):
        quiz_attempt_start(user=learner, chapter=released)
    since = timezone.now()
    allowance = quiz_allowance(user=learner, chapter=released, since=since)
    assert (allowance.limit, allowance.granted, allowance.used, allowance.remaining) == (2, 0, 0, 2)
    fresh = attempt_at(released, learner, right=0, since=since)
    assert fresh.number == 4  # numbered after all of this person's attempts
    assert quiz_allowance(user=learner, chapter=released, since=since).remaining == 1


def test_a_pass_before_an_earlier_assignment_does_not_count(quiz, learner):
    released = quiz["at"]
    attempt_at(released, learner)
    since = timezone.now()
    assert not quiz_allowance(user=learner, chapter=released, since=since).passed
    again = attempt_at(released, learner, right=0, since=since)
    assert (again.number, again.passed) == (2, False)


# --- The question pool and the order of options ------------------------------------------------


def test_the_pool_presents_pool_size_different_questions_each_attempt(quiz, learner):
    released = quiz["pool"]
    everything = set(question_ids(released).values())
    drawn = []
    for seed in range(8):
        attempt = quiz_attempt_start(user=learner, chapter=released, rng=random.Random(seed))
        asked = [item["question"] for item in attempt.presented]
        assert len(asked) == 2 and len(set(asked)) == 2 and set(asked) <= everything
        drawn.append(frozenset(asked))
        graded = quiz_attempt_submit(
            user=learner, chapter=released, attempt_id=attempt.pk, answers=answers(released, attempt, right=1)
        )
        assert (graded.score, graded.passed) == (50, False)  # graded over the two asked, not the five
    assert len(set(drawn)) > 1
    passed = attempt_at(released, learner, rng=random.Random(99))
    assert (passed.score, passed.passed) == (100, True)


def test_shuffled_options_are_graded_by_option_not_by_position(quiz, learner):
    released = quiz["shuffled"]
    attempt = quiz_attempt_start(user=learner, chapter=released, rng=random.Random(3))
    orders = [item["options"] for item in attempt.presented]
    assert all(sorted(order) == [0, 1, 2] for order in orders)
    assert any(order != [0, 1, 2] for order in orders), "the seed shuffles at least one question"
    assert len(orders) == 4  # no pool: every question
    by_position = {item["question"]: [item["options"].index(0)] for item in attempt.presented}
    assert any(chosen != [0] for chosen in by_position.values())
    graded = quiz_attempt_submit(user=learner, chapter=released, attempt_id=attempt.pk, answers=by_position)
    right = sum(chosen == [0] for chosen in by_position.values())
    assert graded.score == round(100 * right / 4) and not graded.passed
    attempt = quiz_attempt_start(user=learner, chapter=released, rng=random.Random(3))
    assert quiz_attempt_submit(
        user=learner, chapter=released, attempt_id=attempt.pk, answers=answers(released, attempt)
    ).passed


def test_unshuffled_options_keep_their_written_order(quiz, learner):
    attempt = quiz_attempt_start(user=learner, chapter=quiz["at"], rng=random.Random(3))
    assert [item["options"] for item in attempt.presented] == [[0, 1, 2]] * 4


# --- The answer key ----------------------------------------------------------------------------

KEY_FIELDS = {"is_correct", "feedback"}


def shows_key(review) -> bool:
    option_keys = {key for entry in review for _index, option in entry["options"] for key in option}
    question_keys = {key for entry in review for key in entry["question"]}
    return bool(option_keys & KEY_FIELDS) or "explanation" in question_keys or "options" in question_keys


def review_of(released, user, attempt):
    allowance = quiz_allowance(user=user, chapter=released)
    return allowance.reveals_answers, quiz_attempt_review(
        chapter=released, attempt=attempt, reveal=allowance.reveals_answers
    )


def test_the_key_is_hidden_after_a_failed_attempt_with_attempts_left(quiz, learner):
    released = quiz["limited"]
    attempt = attempt_at(released, learner, right=1)
    reveals, review = review_of(released, learner, attempt)
    assert reveals is False
    assert not shows_key(review)
    assert [entry["answered_right"] for entry in review] == [True, False]
    assert [entry["chosen"] for entry in review] == [set(attempt.answers[entry["id"]]) for entry in review]
    assert [entry["question"] for entry in review] == [
        {"prompt": "limited q0", "scenario": ""},
        {"prompt": "limited q1", "scenario": ""},
    ]
    assert [[option["text"] for _i, option in entry["options"]] for entry in review][0] == [
        "limited q0 option 0",
        "limited q0 option 1",
        "limited q0 option 2",
    ]


def test_the_key_is_shown_once_locked_out_and_hidden_again_after_a_grant(quiz, learner):
    released = quiz["limited"]
    attempt_at(released, learner, right=0)
    last = attempt_at(released, learner, right=1)
    reveals, review = review_of(released, learner, last)
    assert reveals is True
    assert shows_key(review)
    assert review[0]["question"]["explanation"] == "Because limited q0"
    assert [option["is_correct"] for _i, option in review[0]["options"]] == [True, False, False]
    quiz_attempts_grant(
        user=learner,
        version_id=released.version_id,
        chapter_key=released.chapter_key,
        attempts=1,
        reason="One more",
        by=factories.user(),
    )
    reveals, review = review_of(released, learner, last)
    assert reveals is False and not shows_key(review), "failing on purpose must not buy the key"


def test_the_key_is_shown_once_passed(quiz, learner):
    released = quiz["limited"]
    passed = attempt_at(released, learner)
    reveals, review = review_of(released, learner, passed)
    assert reveals is True and shows_key(review)
    assert all(entry["answered_right"] for entry in review)


def test_unlimited_attempts_never_reveal_the_key_before_a_pass(quiz, learner):
    released = quiz["at"]
    for _ in range(5):
        attempt = attempt_at(released, learner, right=0)
    reveals, review = review_of(released, learner, attempt)
    assert reveals is False and not shows_key(review)


# --- The released copy is graded, not the live page -----------------------------------------


def test_grading_uses_the_released_copy_after_the_page_is_edited(quiz, learner):
    released = quiz["frozen"]
    page = ChapterPage.objects.get(slug="frozen")
    factories.edit_chapter(
        page,
        pass_mark=100,
        questions=[factories.question(f"Rewritten q{i}", correct=1) for i in range(3)],
    )
    page = ChapterPage.objects.get(slug="frozen")
    assert page.live and not page.has_unpublished_changes
    assert (page.pass_mark, len(page.questions)) == (100, 3)
    assert [option["is_correct"] for option in page.questions[0].value["options"]] == [False, True, False]

    released.refresh_from_db()
    assert (released.page.pass_mark, len(released.page.questions)) == (50, 2)
    attempt = quiz_attempt_start(user=learner, chapter=released)
    assert {item["question"] for item in attempt.presented} == set(question_ids(released).values())
    live_key = {item["question"]: [1] for item in attempt.presented}
    by_live_page = quiz_attempt_submit(user=learner, chapter=released, attempt_id=attempt.pk, answers=live_key)
    assert (by_live_page.score, by_live_page.passed) == (0, False)

    half = attempt_at(released, learner, right=1)
    assert (half.score, half.passed) == (50, True)  # the released pass mark, 50, not the live 100
    reveals, review = review_of(released, learner, half)
    assert reveals and [entry["question"]["prompt"] for entry in review] == ["frozen q0", "frozen q1"]
    assert review[0]["question"]["explanation"] == "Because frozen q0"
