"""The admin's "Questions": the policy owner, legal and HR list, filter and answer employees'
questions, and publish one as an anonymous FAQ entry of its chapter.

Answering tells whoever listens (``after_chapter_question_answer``: ``attest`` emails the person
who asked, in their language); ``training`` knows nothing of HR."""

import django_filters
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from ..admin_display import local_time
from .forms import FaqForm
from .models import ANSWER_MAX_LENGTH, ChapterQuestion, QuestionStatus
from .selectors import chapter_choices, owns_a_policy, question_visible_to, questions_visible_to
from .services import ERROR_ANSWER_EMPTY, QuestionError, faq_publish, question_answer

MANAGED_ACTIONS = {"view", "change"}


class QuestionPermissionPolicy(ModelPermissionPolicy):
    """View and change (answer, publish) for legal and HR (the model permissions) and for a
    policy's owner on their policies' questions. Nobody adds or deletes questions here."""

    def user_has_permission(self, user, action):
        if action not in MANAGED_ACTIONS:
            return False
        return super().user_has_permission(user, action) or owns_a_policy(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return action in MANAGED_ACTIONS and question_visible_to(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not MANAGED_ACTIONS & set(actions):
            return ChapterQuestion.objects.none()
        return questions_visible_to(user)


QUESTION_POLICY = QuestionPermissionPolicy(ChapterQuestion)
register_permission_policy(ChapterQuestion, QUESTION_POLICY)


class QuestionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=QuestionStatus.choices)
    chapter_key = django_filters.ChoiceFilter(label=gettext_lazy("Chapter"), choices=chapter_choices)
    language = django_filters.ChoiceFilter(label=gettext_lazy("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = ChapterQuestion
        fields = ["status", "chapter_key", "language"]


class AnswerForm(WagtailAdminModelForm):
    class Meta:
        model = ChapterQuestion
        fields = ["answer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["answer"]
        field.required = True
        field.max_length = ANSWER_MAX_LENGTH
        field.error_messages["required"] = ERROR_ANSWER_EMPTY
        field.help_text = _("Sent to the person who asked, by email, and shown to them under the chapter.")


class QuestionIndexView(IndexView):
    def get_base_queryset(self):
        return questions_visible_to(self.request.user)


class AnswerView(EditView):
    """The question as asked (who, which chapter of which version, in which language) above
    the answer form; a question nobody may see here is a 404, not a 403, so ids reveal nothing."""

    template_name = "training/admin/question_answer.html"
    success_message = gettext_lazy("Answer saved. The person who asked has been told by email.")

    def get_queryset(self):
        return questions_visible_to(self.request.user)

    def save_instance(self):
        try:
            question = question_answer(
                question=self.object, answer=self.form.cleaned_data["answer"], by=self.request.user
            )
        except QuestionError as error:
            raise ValidationError(error.message) from error
        for hook in hooks.get_hooks("after_chapter_question_answer"):
            hook(self.request, question)
        return question

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("answer", message)
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            question=self.object,
            publish_url=reverse("questions:publish", args=[self.object.pk]),
            **kwargs,
        )


class PublishView(WagtailAdminTemplateMixin, FormView):
    """Publish an answered question as an FAQ entry of its chapter, rewritten for every reader:
    one question and answer per content language, or marked not available in it."""

    template_name = "training/admin/question_publish.html"
    form_class = FaqForm
    page_title = gettext_lazy("Publish as FAQ")
    header_icon = "help"

    def dispatch(self, request, *args, pk, **kwargs):
        if not QUESTION_POLICY.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.question = get_object_or_404(questions_visible_to(request.user), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.question.chapter_title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("questions:index"), "label": _("Questions")},
            {"url": reverse("questions:edit", args=[self.question.pk]), "label": str(self.question)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_initial(self):
        entry = getattr(self.question, "faq_entry", None)
        if entry is None:
            return {
                f"question_{self.question.language}": self.question.text,
                f"answer_{self.question.language}": self.question.answer,
            }
        written = {row.language: row for row in entry.translations.all()}
        initial = {}
        for code, _name in settings.LANGUAGES:
            if code in written:
                initial[f"question_{code}"] = written[code].question
                initial[f"answer_{code}"] = written[code].answer
            else:
                initial[f"unavailable_{code}"] = True
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            question=self.question,
            answered=self.question.status != QuestionStatus.OPEN,
            cancel_url=reverse("questions:edit", args=[self.question.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            faq_publish(question=self.question, texts=form.texts, by=self.request.user)
        except QuestionError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Published as an FAQ entry of “%(chapter)s”. Readers see it beside the chapter, not in the signed text.")
            % {"chapter": self.question.chapter_title},
        )
        return redirect("questions:index")


def _question_excerpt(question):
    return question.text if len(question.text) <= 90 else question.text[:89] + "…"


class QuestionViewSet(ModelViewSet):
    model = ChapterQuestion
    icon = "help"
    menu_label = gettext_lazy("Questions")
    add_to_admin_menu = True
    menu_order = 220
    index_view_class = QuestionIndexView
    edit_view_class = AnswerView
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = QuestionFilterSet
    list_display = [
        TitleColumn(
            "text",
            label=gettext_lazy("question"),
            accessor=_question_excerpt,
            get_url=lambda question: reverse("questions:edit", args=[question.pk]),
        ),
        "chapter_title",
        "language",
        "status",
        Column("asked_at", label=gettext_lazy("asked at"), accessor=lambda question: local_time(question.asked_at)),
    ]
    ordering = ["-asked_at"]
    search_fields = None

    def get_form_class(self, for_update=False):
        return AnswerForm

    @property
    def publish_view(self):
        return PublishView.as_view()

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("publish/<int:pk>/", self.publish_view, name="publish")]


@hooks.register("register_admin_viewset")
def register_questions():
    return QuestionViewSet("questions")


@hooks.register("register_log_actions")
def register_question_log_actions(actions):
    actions.register_action("training.question_answer", _("Answer a question"), _("Answered an employee's question"))
    actions.register_action(
        "training.question_publish", _("Publish a question as FAQ"), _("Published a question as an FAQ entry")
    )
