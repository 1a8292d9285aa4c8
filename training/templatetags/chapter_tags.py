"""Heading levels inside a chapter. The chapter's title is the h1; the sections editors write in
rich text (stored as h3, the only heading the editor offers) are shown as h2; a block's own
heading (Scenario, Do, Don't, Example) sits one level below the section it belongs to. Screen
readers list headings as an outline, so no level may be skipped."""

import re
from collections.abc import Iterator

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_RICH_TEXT_HEADING = re.compile(r"<(/?)h([3-6])(?=[\s>])")


@register.filter
def section_headings(html) -> str:
    """Rich-text h3…h6 shown one level up (h2…h5): nothing stands between them and the h1."""
    return mark_safe(_RICH_TEXT_HEADING.sub(lambda match: f"<{match[1]}h{int(match[2]) - 1}", str(html)))  # noqa: S308 - only tag names change in already-safe rich text


@register.filter
def with_heading_levels(body) -> Iterator[tuple]:
    """Each block with the level of its own heading: h2 before the first section, h3 after."""
    level = 2
    for block in body:
        yield block, level
        if block.block_type == "text" and "<h3" in block.value.source:
            level = 3
