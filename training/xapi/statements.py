"""Building xAPI 1.0.3 statements, frozen at the event (README, "Learning record store (xAPI)").

Who: an ``account`` agent (``homePage`` the site's URL, ``name`` the employee id), never an email
address or a name: the store is often run by someone else, and email addresses change (see
sign-in identity changes) while the employee id does not. ``training`` knows only users, so
``attest`` registers how a user becomes an employee id (``actor_resolver_register``).

Activity ids and extension keys live under the site's URL (``WAGTAILADMIN_BASE_URL``).
"""

import datetime
import uuid
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings

XAPI_VERSION = "1.0.3"

EXPERIENCED = "experienced"
PASSED = "passed"
FAILED = "failed"
COMPLETED = "completed"
ATTESTED = "attested"
VERBS = {
    EXPERIENCED: ("http://adlnet.gov/expapi/verbs/experienced", "experienced"),
    PASSED: ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    FAILED: ("http://adlnet.gov/expapi/verbs/failed", "failed"),
    COMPLETED: ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    # No ADL verb means "signed"; Activity Streams' "agree" (in the public xAPI vocabulary) is the
    # published verb closest to "I have read, understood and will comply".
    ATTESTED: ("http://activitystrea.ms/schema/1.0/agree", "agreed to"),
}
ACTIVITY_COURSE = "http://adlnet.gov/expapi/activities/course"
ACTIVITY_LESSON = "http://adlnet.gov/expapi/activities/lesson"
ACTIVITY_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"

_actor_resolver: Callable | None = None


def actor_resolver_register(resolver: Callable) -> None:
    """``resolver(user) -> str | None``: the account name (employee id) of a user."""
    global _actor_resolver  # noqa: PLW0603
    _actor_resolver = resolver


def site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def activity_iri(*parts) -> str:
    return f"{site_url()}/xapi/activities/" + "/".join(quote(str(part), safe=".-_~") for part in parts)


def extension_iri(name: str) -> str:
    return f"{site_url()}/xapi/extensions/{name}"


def actor_for(user, *, name: str | None = None) -> dict:
    """The agent for ``user``: their employee id when they have one, else ``user-<pk>``."""
    if name is None and _actor_resolver is not None:
        name = _actor_resolver(user)
    return {"objectType": "Agent", "account": {"homePage": site_url(), "name": name or f"user-{user.pk}"}}


def verb(key: str) -> dict:
    iri, display = VERBS[key]
    return {"id": iri, "display": {"en-US": display}}


def timestamp(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def activity(iri: str, *, kind: str, name: str, language: str) -> dict:
    return {"objectType": "Activity", "id": iri, "definition": {"type": kind, "name": {language: name}}}


def policy_activity(version, language: str) -> dict:
    return activity(
        activity_iri("policy", version.policy_id),
        kind=ACTIVITY_COURSE,
        name=version.title_in(language),
        language=language,
    )


def version_activity(version, language: str) -> dict:
    """The training: one policy version."""
    return activity(
        activity_iri("policy", version.policy_id, "version", version.number),
        kind=ACTIVITY_COURSE,
        name=f"{version.title_in(language)} {version.number}",
        language=language,
    )


def chapter_activity(chapter) -> dict:
    version = chapter.version
    return activity(
        activity_iri("policy", version.policy_id, "version", version.number, "chapter", chapter.chapter_key),
        kind=ACTIVITY_LESSON,
        name=chapter.title,
        language=chapter.locale.language_code,
    )


def quiz_activity(chapter) -> dict:
    version = chapter.version
    return activity(
        activity_iri("policy", version.policy_id, "version", version.number, "chapter", chapter.chapter_key, "quiz"),
        kind=ACTIVITY_ASSESSMENT,
        name=chapter.title,
        language=chapter.locale.language_code,
    )


def statement(
    *, key: str, actor: dict, obj: dict, at: datetime.datetime, context: dict, result: dict | None = None
) -> dict:
    """A complete statement with a fresh id: sent as it is, however often."""
    built = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": verb(key),
        "object": obj,
        "context": context,
        "timestamp": timestamp(at),
    }
    if result is not None:
        built["result"] = result
    return built


def _chapter_context(chapter, *, parent: list[dict]) -> dict:
    version = chapter.version
    language = chapter.locale.language_code
    return {
        "language": language,
        "contextActivities": {
            "parent": parent,
            "grouping": [version_activity(version, language), policy_activity(version, language)],
        },
        "extensions": {
            extension_iri("policy-version"): version.number,
            extension_iri("chapter-sha256"): chapter.text_sha256,
        },
    }


def chapter_experienced(*, user, chapter, at: datetime.datetime) -> dict:
    """Someone read a chapter (of one version, in one language)."""
    return statement(
        key=EXPERIENCED,
        actor=actor_for(user),
        obj=chapter_activity(chapter),
        at=at,
        context=_chapter_context(chapter, parent=[version_activity(chapter.version, chapter.locale.language_code)]),
    )


def quiz_attempt_graded(*, user, chapter, attempt) -> dict:
    """A submitted quiz attempt: passed or failed, with its score (0 to 100, scaled 0 to 1)."""
    context = _chapter_context(chapter, parent=[chapter_activity(chapter)])
    context["extensions"][extension_iri("attempt")] = attempt.number
    return statement(
        key=PASSED if attempt.passed else FAILED,
        actor=actor_for(user),
        obj=quiz_activity(chapter),
        at=attempt.submitted_at,
        context=context,
        result={
            "score": {"scaled": round(attempt.score / 100, 4), "raw": attempt.score, "min": 0, "max": 100},
            "success": bool(attempt.passed),
            "completion": True,
        },
    )
