"""Content hashing: the same released text always gives the same SHA-256, on any database.

A released chapter is frozen as ``chapter_content``: plain JSON with every block id assigned
once. Canonical hashes (``HashScheme.CANONICAL``) leave block ids and the list storage format
out, so rendering or re-saving a chapter never changes its hash. Versions released before that
keep their legacy hash (the stored content as is, ids included) because attestations carry it.
"""

import hashlib
import json

from .models import ChapterPage, HashScheme

STREAM_FIELDS = ("body", "questions")


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_of(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _stream_data(value) -> list:
    """Stream data with every block (list items included) converted, so each gets its id now
    and keeps it: a lazy StreamValue would otherwise hand out old-format lists that gain new
    random ids each time the chapter is displayed."""
    for _child in value:
        pass
    return list(value.get_prep_value())


def chapter_content(chapter: ChapterPage) -> dict:
    """Everything a learner reads or answers in a chapter; nothing about the page's bookkeeping."""
    return {
        "title": chapter.title,
        "intro": chapter.intro,
        "track": chapter.track,
        "reading_minutes": chapter.reading_minutes,
        "body": _stream_data(chapter.body),
        "questions": _stream_data(chapter.questions),
        "pass_mark": chapter.pass_mark,
        "attempt_limit": chapter.attempt_limit,
        "pool_size": chapter.pool_size,
        "shuffle_options": chapter.shuffle_options,
    }


def _without_block_ids(data):
    """Block ids and the list storage format are presentation: drop them, keep the text."""
    if isinstance(data, list):
        return [_without_block_ids(item) for item in data]
    if isinstance(data, dict):
        if set(data) in ({"type", "value"}, {"type", "value", "id"}):
            if data["type"] == "item":  # a list item in the current storage format
                return _without_block_ids(data["value"])
            return {"type": data["type"], "value": _without_block_ids(data["value"])}
        return {key: _without_block_ids(value) for key, value in data.items()}
    return data


def canonical_content(content: dict) -> dict:
    return {key: _without_block_ids(value) if key in STREAM_FIELDS else value for key, value in content.items()}


def content_sha256(content: dict, scheme: int = HashScheme.CANONICAL) -> str:
    """The hash of a frozen chapter copy under ``scheme``."""
    if scheme == HashScheme.LEGACY:
        return sha256_of(content)
    return sha256_of(canonical_content(content))


def chapter_sha256(chapter: ChapterPage) -> str:
    return content_sha256(chapter_content(chapter))


def locale_sha256(chapter_hashes: list[tuple[str, str]]) -> str:
    """Hash of one language of a version: its chapters' keys and hashes, in reading order."""
    return sha256_of([{"chapter": key, "sha256": digest} for key, digest in chapter_hashes])
