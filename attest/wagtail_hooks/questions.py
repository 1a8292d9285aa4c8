"""Answers to employees' questions reach them by email: ``training``'s answer view fires
``after_chapter_question_answer`` (it knows nothing of employees or their languages)."""

from functools import partial

from django.db import transaction
from wagtail import hooks

from ..tasks import notify_question_answered


@hooks.register("after_chapter_question_answer")
def email_the_answer(request, question):
    """Queued once the answer commits, so the worker reads the answer as saved."""
    transaction.on_commit(partial(notify_question_answered.enqueue, question.pk))
