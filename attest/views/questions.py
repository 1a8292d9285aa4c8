"""An employee asks a question about the chapter they are reading (open training, or the text
as they signed it). The policy's owner is emailed once the question is saved."""

from functools import partial

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from training.questions.forms import QuestionForm
from training.questions.services import QuestionError, question_ask

from ..selectors import assignment_for_user, signed_chapter
from ..tasks import notify_question_asked
from .employee import _chapter_or_404, _open_assignment_or_redirect, open_chapter_page, signed_chapter_page

MESSAGE_QUESTION_SENT = gettext_lazy(
    "Your question was sent to the policy owner. You will get an email when it is answered, and the answer will "
    "appear here."
)


@require_POST
def question_ask_view(request, assignment_id, slug):
    assignment, progress, done = _open_assignment_or_redirect(request, assignment_id)
    if done:
        assignment = assignment_for_user(user=request.user, assignment_id=assignment_id)
        if not assignment.attestation_id:
            return done
        chapter = signed_chapter(assignment, slug)
    else:
        chapter = _chapter_or_404(progress, slug)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = question_ask(user=request.user, chapter=chapter, text=form.cleaned_data["text"])
        except QuestionError as error:
            form.add_error("text", error.message)
        else:
            transaction.on_commit(partial(notify_question_asked.enqueue, question.pk))
            messages.success(request, str(MESSAGE_QUESTION_SENT))
            return redirect(reverse("chapter", args=[assignment_id, slug]) + "#questions")
    if done:
        return signed_chapter_page(request, assignment, chapter, question_form=form)
    return open_chapter_page(request, assignment, progress, chapter, question_form=form)
