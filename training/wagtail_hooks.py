"""Admin for policy editors and legal: release versions, see what a version froze, review dates."""

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages as wagtail_messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import get_content_languages
from wagtail.permissions import register_permission_policy

from .admin_display import ReadableInspectView, local_time
from .admin_explorer import start_at_the_policy
from .forms import ReleaseForm
from .models import PolicyPage, PolicyVersion
from .permissions import AppendOnlyPermissionPolicy
from .questions import admin_views as questions_admin  # noqa: F401  (registers the Questions admin)
from .release_diff import release_changes
from .services import ReleaseError, version_release

register_permission_policy(PolicyVersion, AppendOnlyPermissionPolicy(PolicyVersion))


class ReleaseView(CreateView):
    """Releases a version, then tells whoever listens (``after_policy_version_release``: attest
    brings assignments in line once the release commits); ``training`` knows nothing of HR."""

    page_title = gettext_lazy("Release a policy version")
    template_name = "training/admin/release_form.html"

    def save_instance(self):
        data = self.form.cleaned_data
        try:
            version = version_release(
                policy=data["policy"],
                number=data["number"],
                effective_date=data["effective_date"],
                key_changes=data["key_changes"],
                requires_reattestation=bool(data["requires_reattestation"]),
                released_by=self.request.user,
                translated_key_changes=self.form.translated_key_changes,
                held_back=self.form.held_back,
                lag_confirmed=self.form.lag_confirmed,
            )
        except ReleaseError as error:
            raise ValidationError(error.messages) from error
        for hook in hooks.get_hooks("after_policy_version_release"):
            hook(self.request, version)
        return version

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        missing = form.plan.missing_locales if form.plan else {}
        if missing:
            messages.warning(
                self.request,
                _("Not translated for this version (employees get the English text): %(languages)s")
                % {"languages": ", ".join(sorted(get_content_languages().get(code, code) for code in missing))},
            )
        if form.held_back:
            messages.warning(
                self.request,
                _("Held back from this version (their readers keep the version they have): %(languages)s")
                % {"languages": ", ".join(sorted(get_content_languages().get(code, code) for code in form.held_back))},
            )
        return response

    def _policy_shown(self):
        """The policy whose changes the form shows: the one chosen (posted, or ``?policy=``), else
        the only one there is."""
        field = self.form.fields["policy"] if getattr(self, "form", None) else ReleaseForm().fields["policy"]
        value = self.request.POST.get("policy") or self.request.GET.get("policy")
        if value:
            try:
                return field.clean(value)
            except ValidationError:
                return None
        policies = list(field.queryset[:2])
        return policies[0] if len(policies) == 1 else None

    def get_initial(self):
        initial = super().get_initial()
        if self.request.method == "GET" and (policy := self._policy_shown()):
            initial["policy"] = policy.pk
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = self._policy_shown()
        context["changes_policy"] = policy
        context["release_changes"] = release_changes(policy=policy) if policy else None
        if policy is None:
            context["policy_choices"] = list(self.form.fields["policy"].queryset.order_by("title"))
        return context

    def get_success_buttons(self):
        """A released version is frozen: offer to look at it, not to edit it."""
        return [wagtail_messages.button(reverse("policy_versions:inspect", args=[quote(self.object.pk)]), _("View"))]

    def get_success_message(self, instance):
        return _("Version %(number)s of “%(policy)s” released. Its content is now frozen.") % {
            "number": instance.number,
            "policy": instance.policy.title,
        }


class PolicyVersionInspectView(ReadableInspectView):
    """Also shows the key changes as written for readers of each other language."""

    def get_field_label(self, field_name, field):
        if field_name == "translated_key_changes":
            return _("Key changes in other languages")
        if field_name == "lagging_languages":
            return _("Translations that lagged the original")
        return super().get_field_label(field_name, field)

    def get_lagging_languages_display_value(self):
        """Which lagging languages legal held back, and which it confirmed releasing as they were."""
        names = get_content_languages()
        held_back = [(names.get(code, code), _("held back")) for code in self.object.held_back_languages]
        confirmed = [
            (names.get(row.locale.language_code, row.locale.language_code), _("released as it was, confirmed"))
            for row in self.object.locales.select_related("locale").order_by("locale__language_code")
            if row.lagging_chapters
        ]
        return format_html_join("", "<p><strong>{}</strong>: {}</p>", held_back + confirmed) or "-"

    def get_translated_key_changes_display_value(self):
        names = get_content_languages()
        translated = [
            (names.get(code, code), "; ".join(self.object.key_change_list_in(code)))
            for code, (_title, _digest, changes) in sorted(self.object.released_locales.items())
            if changes
        ]
        return format_html_join("", "<p><strong>{}</strong>: {}</p>", translated) or "-"


class PolicyVersionViewSet(ModelViewSet):
    model = PolicyVersion
    icon = "history"
    menu_label = gettext_lazy("Policy versions")
    add_to_admin_menu = True
    menu_order = 210
    add_view_class = ReleaseView
    inspect_view_class = PolicyVersionInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "__str__",
        "effective_date",
        BooleanColumn("requires_reattestation", label=gettext_lazy("requires re-attestation")),
        Column(
            "released_at", label=gettext_lazy("released at"), accessor=lambda version: local_time(version.released_at)
        ),
        "released_by",
    ]
    list_filter = ["policy", "requires_reattestation"]
    inspect_view_fields = [
        "policy",
        "number",
        "effective_date",
        "key_changes",
        "translated_key_changes",
        "lagging_languages",
        "requires_reattestation",
        "released_at",
        "released_by",
        "content_sha256",
        "hash_scheme",
    ]

    def get_form_class(self, for_update=False):
        return ReleaseForm


@hooks.register("register_admin_viewset")
def register_policy_versions():
    return PolicyVersionViewSet("policy_versions")


class ReviewsDuePanel(Component):
    """On the admin dashboard: when each policy is next due for review, and who owns it."""

    name = "policy_reviews_due"
    order = 50
    template_name = "training/admin/reviews_due_panel.html"

    def __init__(self, policies):
        self.policies = policies

    def get_context_data(self, parent_context):
        return {"policies": self.policies, "today": timezone.localdate()}


@hooks.register("construct_homepage_panels")
def add_reviews_due_panel(request, panels):
    if request.user.has_perm("training.view_policyversion"):
        policies = list(PolicyPage.objects.filter(locale__language_code="en").select_related("owner_user"))
        panels.append(ReviewsDuePanel(policies))


hooks.register("construct_main_menu", start_at_the_policy)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("training.version_release", _("Release policy version"), _("Released a policy version"))
