from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.models import Locale

from .models import PolicyPage, PolicyVersion
from .services import version_release_plan

# Choose policies by their page id rather than by primary key (the page pointer): on SQLite,
# Django's lookup through the pointer crashes on a number too large for the database instead of
# calling the choice invalid.
POLICY_LOOKUP = "id"


class ReleaseForm(WagtailAdminModelForm):
    """Release a policy version. Validation runs the same checks as the release itself, so an
    editor sees every reason a release would be refused before anything is written."""

    class Meta:
        model = PolicyVersion
        fields = ["policy", "number", "effective_date", "key_changes", "requires_reattestation"]
        widgets = {"effective_date": AdminDateInput, "key_changes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = PolicyPage.objects.filter(locale=Locale.get_default())
        self.fields["policy"].to_field_name = POLICY_LOOKUP
        self.fields["requires_reattestation"].required = False
        self.plan = None

    def clean(self):
        cleaned = super().clean()
        policy = cleaned.get("policy")
        if policy:
            self.plan = version_release_plan(policy=policy)
            for problem in self.plan.problems:
                self.add_error(None, problem)
        return cleaned

    def validate_constraints(self):
        """``released_at``, ``released_by`` and the hash are set by the release itself."""
        return


ERROR_KEY_CHANGES_REQUIRED = _("List the key changes, one per line.")
