"""What a release would change: for each chapter and each language, the approved text to be
released against the text of the version last released in that language.

Reads only, for the release form. A fixed number of queries however many chapters and languages
(the chapters, their translations, their approved revisions, the last release per language and
its chapters); the diffs are built in memory with ``diffs``.
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Revision

from .diffs import chapter_diff, chapter_plain_lines
from .hashing import chapter_sha256
from .models import ChapterPage, PolicyPage, PolicyVersionChapter, PolicyVersionLocale

CHANGED, NEW, UNCHANGED = "changed", "new", "unchanged"
DIFF_OLD = _("released in version %(number)s")
DIFF_NEW = _("to be released")
DIFF_NONE = _("not released before")


@dataclass
class LanguageChange:
    code: str
    language: str
    status: str
    diff: str = ""
    since: str = ""


@dataclass
class ChapterChange:
    key: uuid.UUID
    title: str
    languages: list[LanguageChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(change.status != UNCHANGED for change in self.languages)

    @property
    def changed_languages(self) -> list[LanguageChange]:
        return [change for change in self.languages if change.status != UNCHANGED]

    @property
    def unchanged_languages(self) -> list[LanguageChange]:
        return [change for change in self.languages if change.status == UNCHANGED]


@dataclass
class ReleaseChanges:
    chapters: list[ChapterChange]
    removed: list[str]

    @property
    def changed(self) -> list[ChapterChange]:
        return [chapter for chapter in self.chapters if chapter.changed]

    @property
    def unchanged(self) -> list[ChapterChange]:
        return [chapter for chapter in self.chapters if not chapter.changed]


def _approved_texts(policy: PolicyPage) -> dict[str, dict[uuid.UUID, ChapterPage]]:
    """``{language: {chapter key: page as its live (approved) revision}}``, in reading order."""
    sources = list(ChapterPage.objects.child_of(policy).live().order_by("path"))
    keys = [page.translation_key for page in sources]
    translations = list(
        ChapterPage.objects.filter(translation_key__in=keys, live=True)
        .exclude(locale_id=policy.locale_id)
        .order_by("locale_id")
    )
    pages = sources + translations
    contents = dict(
        Revision.objects.filter(pk__in=[page.live_revision_id for page in pages if page.live_revision_id]).values_list(
            "pk", "content"
        )
    )
    codes = {locale.pk: locale.language_code for locale in Locale.objects.all()}
    texts: dict[str, dict[uuid.UUID, ChapterPage]] = {codes[policy.locale_id]: {}}
    order = {key: position for position, key in enumerate(keys)}
    for page in sorted(
        pages, key=lambda page: (page.locale_id != policy.locale_id, codes[page.locale_id], order[page.translation_key])
    ):
        content = contents.get(page.live_revision_id)
        texts.setdefault(codes[page.locale_id], {})[page.translation_key] = _as_approved(page, content)
    return texts


def _as_approved(page: ChapterPage, content: dict | None) -> ChapterPage:
    """The page as its approved revision reads, unsaved. Not ``Revision.as_object()``: that costs
    queries per page (parent, comments) for bookkeeping the text does not need."""
    if content is None:
        return page
    approved = ChapterPage.from_serializable_data(content, check_fks=False)
    approved.locale_id, approved.translation_key = page.locale_id, page.translation_key
    return approved


def _last_released(policy: PolicyPage) -> dict[tuple[str, str], PolicyVersionChapter]:
    """``{(language, chapter key): row}`` from the newest version released in each language."""
    newest: dict[str, int] = {}
    for code, version_id in (
        PolicyVersionLocale.objects.filter(version__policy=policy)
        .order_by("-version__released_at", "-version_id")
        .values_list("locale__language_code", "version_id")
    ):
        newest.setdefault(code, version_id)
    if not newest:
        return {}
    wanted = Q()
    for code, version_id in newest.items():
        wanted |= Q(version_id=version_id, locale__language_code=code)
    rows = PolicyVersionChapter.objects.filter(wanted).select_related("locale", "version")
    return {(row.locale.language_code, str(row.chapter_key)): row for row in rows}


def release_changes(*, policy: PolicyPage) -> ReleaseChanges:
    """Every chapter of ``policy`` in reading order, with per language whether its approved text
    is new, changed (with a diff) or unchanged since the version last released in that language."""
    texts = _approved_texts(policy)
    released = _last_released(policy)
    source = next(iter(texts))
    names = {code: Locale(language_code=code).get_display_name() for code in texts}
    chapters = []
    for key, page in texts[source].items():
        chapter = ChapterChange(key=key, title=page.title)
        for code, pages in texts.items():
            new = pages.get(key)
            if new is None:
                continue
            old = released.get((code, str(key)))
            if old is None:
                lines = difflib.unified_diff(
                    [], chapter_plain_lines(new), fromfile=str(DIFF_NONE), tofile=str(DIFF_NEW), lineterm=""
                )
                chapter.languages.append(LanguageChange(code, names[code], NEW, "\n".join(lines)))
            elif chapter_sha256(new) == old.text_sha256:
                chapter.languages.append(LanguageChange(code, names[code], UNCHANGED, since=old.version.number))
            else:
                label = str(DIFF_OLD % {"number": old.version.number})
                diff = chapter_diff(old.page, new, old_label=label, new_label=str(DIFF_NEW))
                status = CHANGED if diff else UNCHANGED
                chapter.languages.append(LanguageChange(code, names[code], status, diff, old.version.number))
        chapters.append(chapter)
    current = {str(key) for key in texts[source]}
    removed = sorted({row.title for (code, key), row in released.items() if code == source and key not in current})
    return ReleaseChanges(chapters=chapters, removed=removed)
