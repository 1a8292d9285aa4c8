"""A chapter as plain text, and a readable diff between two texts of it: what legal reads before
releasing a change that a translation does not carry yet."""

import difflib
import html

from django.utils.html import strip_tags

from .models import ChapterPage


def chapter_plain_lines(chapter: ChapterPage) -> list[str]:
    """What a reader sees, line by line: title, introduction, each block as rendered, the quiz."""
    lines = [chapter.title, chapter.intro]
    for block in chapter.body:
        lines += html.unescape(strip_tags(str(block.render()))).splitlines()
    for question in chapter.questions:
        lines.append(question.value["prompt"])
        lines += [f"- {option['text']}" for option in question.value["options"]]
    return [line.strip() for line in lines if line and line.strip()]


def chapter_diff(old: ChapterPage, new: ChapterPage, *, old_label: str, new_label: str) -> str:
    """A unified diff of the two texts (empty when they read the same)."""
    return "\n".join(
        difflib.unified_diff(
            chapter_plain_lines(old), chapter_plain_lines(new), fromfile=old_label, tofile=new_label, lineterm=""
        )
    )
