"""Copy the text of every released chapter from its frozen revision into the version itself.

Each chapter also gets its canonical hash (``text_sha256``), so later versions can tell which
chapters are unchanged whatever scheme each was hashed with. The copy is exactly what the legacy hash was computed over (the revision's stream data as
stored, block ids included), so each stored hash is re-checked with its own formula before
anything is written. A mismatch stops the migration and names the version and language:
attestations carry these hashes, so they are never recomputed or replaced.
"""

import hashlib
import json

from django.db import migrations

STREAM_BLOCKS = {
    "body": {"text", "do_dont", "example", "scenario", "callout", "image"},
    "questions": {"question"},
}
SCALARS = ("title", "intro", "track", "reading_minutes", "pass_mark", "attempt_limit", "pool_size", "shuffle_options")


class LegacyHashMismatch(Exception):
    pass


def _sha256(data) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stream(raw, known: set[str]) -> list:
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [item for item in items if item.get("type") in known]


def _without_block_ids(data):
    """The canonical form of ``training.hashing`` (as of this migration): no block ids, list
    items as plain values, so texts compare equal whatever their storage format."""
    if isinstance(data, list):
        return [_without_block_ids(item) for item in data]
    if isinstance(data, dict):
        if set(data) in ({"type", "value"}, {"type", "value", "id"}):
            if data["type"] == "item":
                return _without_block_ids(data["value"])
            return {"type": data["type"], "value": _without_block_ids(data["value"])}
        return {key: _without_block_ids(value) for key, value in data.items()}
    return data


def canonical_sha256(content: dict) -> str:
    return _sha256(
        {key: _without_block_ids(value) if key in STREAM_BLOCKS else value for key, value in content.items()}
    )


def legacy_content(revision_content: dict) -> dict:
    """A chapter's content from its revision, as the legacy ``chapter_content`` saw it when
    rebuilt fresh from that revision (untouched stream data, block ids included)."""
    content = {name: revision_content.get(name) for name in SCALARS}
    for name, known in STREAM_BLOCKS.items():
        content[name] = _stream(revision_content.get(name), known)
    return content


def copy_released_text(apps, schema_editor):
    PolicyVersion = apps.get_model("training", "PolicyVersion")
    PolicyVersionChapter = apps.get_model("training", "PolicyVersionChapter")
    PolicyVersionLocale = apps.get_model("training", "PolicyVersionLocale")
    for version in PolicyVersion.objects.order_by("pk"):
        label = f"{version.policy_id}/{version.number} (id {version.pk})"
        for locale_row in PolicyVersionLocale.objects.filter(version=version).select_related("locale"):
            language = locale_row.locale.language_code
            rows = list(
                PolicyVersionChapter.objects.filter(version=version, locale_id=locale_row.locale_id)
                .select_related("revision")
                .order_by("position")
            )
            hashes = []
            for row in rows:
                content = legacy_content(row.revision.content)
                if _sha256(content) != row.content_sha256:
                    raise LegacyHashMismatch(
                        f"Version {label}, language {language}, chapter {row.slug}: the frozen revision "
                        f"{row.revision_id} no longer matches the hash stored at release."
                    )
                row.content = content
                row.text_sha256 = canonical_sha256(content)
                hashes.append({"chapter": str(row.chapter_key), "sha256": row.content_sha256})
            if _sha256(hashes) != locale_row.content_sha256:
                raise LegacyHashMismatch(
                    f"Version {label}, language {language}: the chapters no longer match the language's hash."
                )
            for row in rows:
                PolicyVersionChapter.objects.filter(pk=row.pk).update(content=row.content, text_sha256=row.text_sha256)


class Migration(migrations.Migration):
    dependencies = [("training", "0005_frozen_chapter_content")]

    operations = [migrations.RunPython(copy_released_text, migrations.RunPython.noop)]
