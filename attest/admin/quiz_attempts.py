"""HR gives a person locked out of a chapter quiz another go (reset or more attempts), with a
reason that goes to the audit log. Reached from the Assignments list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import LogFormatter

from ..forms.signing import QuizAttemptsForm
from ..models import Assignment
from ..selectors import OPEN_STATUSES, assignment_quiz_allowances
from ..services import AttestationError, quiz_attempts_give


class QuizAttemptsView(WagtailAdminTemplateMixin, FormView):
    template_name = "attest/admin/quiz_attempts.html"
    form_class = QuizAttemptsForm
    page_title = gettext_lazy("Quiz attempts")
    header_icon = "help"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm("attest.change_assignment"):
            raise PermissionDenied
        self.assignment = get_object_or_404(
            Assignment.objects.with_status().select_related("employee__user", "version__policy", "requirement"), pk=pk
        )
        self.quizzes = assignment_quiz_allowances(self.assignment)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.assignment)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("assignments:index"), "label": _("Assignments")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["chapters"] = [(str(quiz.chapter.chapter_key), quiz.chapter.title) for quiz in self.quizzes]
        locked = next((quiz for quiz in self.quizzes if quiz.allowance.locked_out), None)
        if locked:
            kwargs["initial"] = {**kwargs.get("initial", {}), "chapter": str(locked.chapter.chapter_key)}
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            assignment=self.assignment,
            quizzes=self.quizzes,
            is_open=self.assignment.status in OPEN_STATUSES,
            cancel_url=reverse("assignments:index"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            quiz_attempts_give(
                assignment=self.assignment,
                chapter_key=data["chapter"],
                reason=data["reason"],
                by=self.request.user,
                reset=data["action"] == QuizAttemptsForm.RESET,
                attempts=data["attempts"],
            )
        except AttestationError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s can take the quiz again.") % {"name": self.assignment.employee.full_name},
        )
        return redirect("quiz_attempts", pk=self.assignment.pk)


class QuizAttemptsLogFormatter(LogFormatter):
    label = gettext_lazy("Quiz attempts given")

    def format_message(self, log_entry):
        data = log_entry.data
        if data.get("reset"):
            message = _("Quiz attempts reset for “%(chapter)s”: %(reason)s")
        else:
            message = _("%(attempts)s more quiz attempts for “%(chapter)s”: %(reason)s")
        return message % {
            "chapter": data.get("chapter", ""),
            "attempts": data.get("attempts", ""),
            "reason": data.get("reason", ""),
        }
