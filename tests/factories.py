"""Small, explicit builders for tests: a released policy, employees, finished training."""

import datetime
import itertools
import json
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from attest.hierarchy import reporting_paths_refresh
from attest.models import Assignment, Employee, Requirement, RequirementKind
from cms.models import HomePage
from cms.simulation import complete_training
from training.content import chapter_apply, policy_create, policy_translate, review_and_publish
from training.models import ChapterPage, PolicyPage
from training.services import version_release

PASSWORD = "correct-horse-battery"
DEMO_POLICY = settings.BASE_DIR / "fixtures" / "policy"
_sequence = itertools.count(1)


def question(prompt="Is this right?", kind="single", correct=0, options=3, scenario=""):
    """``correct``: the index of the right option, or a tuple of them (multiple choice)."""
    right = set(correct) if isinstance(correct, tuple | list | set) else {correct}
    return {
        "kind": kind,
        "prompt": prompt,
        "scenario": scenario,
        "options": [
            {"text": f"{prompt} option {i}", "is_correct": i in right, "feedback": f"Feedback {i}"}
            for i in range(options)
        ],
        "explanation": f"Because {prompt}",
    }


def chapter_spec(slug, track="all", questions=2, **extra):
    return {
        "slug": slug,
        "title": f"Chapter {slug}",
        "intro": f"About {slug}.",
        "track": track,
        "reading_minutes": 2,
        "pass_mark": 50,
        "body": [{"type": "text", "value": f"<p>Text of {slug}.</p>"}],
        "questions": [question(f"{slug} q{i}") for i in range(questions)],
        **extra,
    }


def policy_spec(chapters=None, slug="social-media-policy"):
    return {
        "policy": {"title": "Social media policy", "slug": slug, "summary": "<p>Summary</p>"},
        "chapters": chapters
        if chapters is not None
        else [chapter_spec("one"), chapter_spec("two"), chapter_spec("team", track="official")],
    }


def user(email=None, password=PASSWORD, groups=(), **extra):
    email = email or f"user{next(_sequence)}@example.com"
    account = get_user_model().objects.create_user(username=email, email=email, password=password, **extra)
    for name in groups:
        account.groups.add(Group.objects.get(name=name))
    return account


def editor_and_reviewer():
    from cms.roles import LEGAL_REVIEWERS, POLICY_EDITORS

    return user(groups=[POLICY_EDITORS]), user(groups=[LEGAL_REVIEWERS])


def published_policy(spec=None) -> PolicyPage:
    """A policy whose pages have all been approved in legal review and published."""
    editor, reviewer = editor_and_reviewer()
    policy = policy_create(parent=HomePage.objects.get(), spec=spec or policy_spec())
    review_and_publish(policy, editor=editor, reviewer=reviewer)
    for chapter in policy.get_children().specific():
        review_and_publish(chapter, editor=editor, reviewer=reviewer)
    return policy


def demo_spec(language: str, chapters: int | None = None) -> dict:
    """The demo policy as written in ``fixtures/policy/<language>.json``, cut to its first chapters."""
    spec = json.loads((DEMO_POLICY / f"{language}.json").read_text(encoding="utf-8"))
    if chapters is not None:
        spec["chapters"] = spec["chapters"][:chapters]
    return spec


def translated_policy(languages=("da", "es"), chapters: int | None = 2) -> PolicyPage:
    """The demo policy published in English and translated into ``languages`` from the demo
    translations, every page approved in legal review: ready to release in all of them."""
    editor, reviewer = editor_and_reviewer()
    policy = published_policy(demo_spec("en", chapters))
    for language in languages:
        translation = policy_translate(policy=policy, spec=demo_spec(language, chapters), language=language)
        review_and_publish(translation, editor=editor, reviewer=reviewer)
        for chapter in translation.get_children().specific():
            review_and_publish(chapter, editor=editor, reviewer=reviewer)
    return policy


def edit_chapter(chapter: ChapterPage, *, approve=True, **changes):
    editor, reviewer = editor_and_reviewer()
    spec = {**_spec_of(chapter), **changes}
    chapter_apply(chapter, spec)
    if approve:
        review_and_publish(chapter, editor=editor, reviewer=reviewer)
    else:
        chapter.save_revision(user=editor)
    return chapter


def _spec_of(chapter: ChapterPage) -> dict:
    return {
        "slug": chapter.slug,
        "title": chapter.title,
        "intro": chapter.intro,
        "track": chapter.track,
        "reading_minutes": chapter.reading_minutes,
        "pass_mark": chapter.pass_mark,
        "attempt_limit": chapter.attempt_limit,
        "pool_size": chapter.pool_size,
        "shuffle_options": chapter.shuffle_options,
        "body": list(chapter.body.raw_data),
        "questions": [block["value"] for block in chapter.questions.raw_data],
    }


def release(policy, number="1.0", material=True, key_changes="First release"):
    released_by = user()
    return version_release(
        policy=policy,
        number=number,
        effective_date=datetime.date(2026, 1, 1),
        key_changes=key_changes,
        requires_reattestation=material,
        released_by=released_by,
    )


def employee(first_name="Emma", last_name="Wilson", manager=None, **fields) -> Employee:
    n = next(_sequence)
    email = fields.pop("email", f"{first_name.lower()}.{n}@example.com")
    account = user(email=email)
    defaults = {
        "employee_id": f"E{n:05d}",
        "department": "Retail",
        "location": "London",
        "hire_date": datetime.date(2020, 1, 1),
        "language": "en",
        "track": "all",
    }
    defaults.update(fields)
    person = Employee.objects.create(
        user=account, email=email, first_name=first_name, last_name=last_name, manager=manager, **defaults
    )
    reporting_paths_refresh()
    person.refresh_from_db(fields=["managers_path"])
    return person


def requirement(policy, kind=RequirementKind.AD_HOC, **fields) -> Requirement:
    defaults = {"name": f"Requirement {next(_sequence)}", "due_days": 30, "starts_on": datetime.date(2020, 1, 1)}
    if kind == RequirementKind.AD_HOC:
        defaults["due_date"] = datetime.date(2030, 1, 1)
    defaults.update(fields)
    return Requirement.objects.create(policy=policy, kind=kind, **defaults)


def assignment(employee, version, requirement_=None, due_on=datetime.date(2030, 1, 1), **fields) -> Assignment:
    requirement_ = requirement_ or requirement(version.policy)
    return Assignment.objects.create(
        employee=employee,
        requirement=requirement_,
        version=version,
        assigned_on=fields.pop("assigned_on", datetime.date(2026, 1, 1)),
        due_on=due_on,
        **fields,
    )


def finished(assignment_) -> Assignment:
    complete_training(assignment_)
    assignment_.refresh_from_db()
    return assignment_


@contextmanager
def kept_for_module(django_db_blocker):
    """Data a whole test module reads, built once (what ``TestCase.setUpTestData`` gives): the
    transaction around it is rolled back after the module's last test, and each test runs in a
    savepoint inside it (pytest-django's ``db``), so no test sees another's writes."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
