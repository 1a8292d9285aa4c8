"""Canonical content hashing: the same text always gives the same SHA-256, on any database."""

import hashlib
import json

from .models import ChapterPage


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_of(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def chapter_content(chapter: ChapterPage) -> dict:
    """Everything a learner reads or answers in a chapter; nothing about the page's bookkeeping."""
    return {
        "title": chapter.title,
        "intro": chapter.intro,
        "track": chapter.track,
        "reading_minutes": chapter.reading_minutes,
        "body": list(chapter.body.get_prep_value()),
        "questions": list(chapter.questions.get_prep_value()),
        "pass_mark": chapter.pass_mark,
        "attempt_limit": chapter.attempt_limit,
        "pool_size": chapter.pool_size,
        "shuffle_options": chapter.shuffle_options,
    }


def chapter_sha256(chapter: ChapterPage) -> str:
    return sha256_of(chapter_content(chapter))


def locale_sha256(chapter_hashes: list[tuple[str, str]]) -> str:
    """Hash of one language of a version: its chapters' keys and hashes, in reading order."""
    return sha256_of([{"chapter": key, "sha256": digest} for key, digest in chapter_hashes])
