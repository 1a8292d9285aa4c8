from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.coreutils import get_content_languages
from wagtail.models import Locale

from .models import PolicyPage, PolicyVersion
from .services import key_changes_problems, version_release_plan

TRANSLATED_KEY_CHANGES = "key_changes_"

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
        self.fields["key_changes"].help_text = _("One change per line, in the policy's original language.")
        default = Locale.get_default().language_code
        for code, name in get_content_languages().items():
            if code != default:
                self.fields[TRANSLATED_KEY_CHANGES + code] = forms.CharField(
                    label=_("Key changes in %(language)s") % {"language": name},
                    help_text=_("Optional. Without them, readers of %(language)s see the list above.") % {"language": name},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        self.plan = None

    @property
    def translated_key_changes(self) -> dict[str, str]:
        """``{language code: lines}`` as typed, for the languages given."""
        return {
            name.removeprefix(TRANSLATED_KEY_CHANGES): value
            for name, value in self.cleaned_data.items()
            if name.startswith(TRANSLATED_KEY_CHANGES) and value.strip()
        }

    def clean(self):
        cleaned = super().clean()
        policy = cleaned.get("policy")
        if policy:
            self.plan = version_release_plan(policy=policy)
            for problem in self.plan.problems:
                self.add_error(None, problem)
            for code, problem in key_changes_problems(self.plan, self.translated_key_changes).items():
                self.add_error(TRANSLATED_KEY_CHANGES + code, problem)
        return cleaned

    def validate_constraints(self):
        """``released_at``, ``released_by`` and the hash are set by the release itself."""
        return

