from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.widgets import AdminDateInput
from wagtail.coreutils import get_content_languages
from wagtail.models import Locale

from .models import PolicyPage, PolicyVersion
from .services import key_changes_problems, lagging_problems, version_release_plan

TRANSLATED_KEY_CHANGES = "key_changes_"
LAGGING = "lagging_"
HOLD_BACK = "hold_back"
CONFIRM = "confirm"

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
                    help_text=_("Optional. Without them, readers of %(language)s see the list above.")
                    % {"language": name},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
        self.plan = None
        self._plan_policy = None
        if self.is_bound:
            self._add_lagging_fields()

    def _plan_for(self, policy):
        if self._plan_policy != policy:
            self.plan, self._plan_policy = version_release_plan(policy=policy), policy
        return self.plan

    def _add_lagging_fields(self):
        """One choice per language whose text lags the original: known once a policy is chosen,
        so it appears when the form comes back with the warning."""
        try:
            policy = self.fields["policy"].clean(self.data.get("policy"))
        except ValidationError:
            return
        for code in self._plan_for(policy).lagging:
            language = Locale(language_code=code).get_display_name()
            self.fields[LAGGING + code] = forms.ChoiceField(
                label=_("%(language)s lags the original") % {"language": language},
                choices=[
                    (
                        HOLD_BACK,
                        _("Hold %(language)s back: its readers keep the version they have") % {"language": language},
                    ),
                    (
                        CONFIRM,
                        _("Release %(language)s as it is: I confirm its readers sign a text without these changes")
                        % {"language": language},
                    ),
                ],
                widget=forms.RadioSelect,
                required=False,
            )

    @property
    def lagging_languages(self) -> list[tuple[str, str, list]]:
        """``(code, language, chapters)`` for each language whose text lags the original."""
        if not self.plan:
            return []
        return [
            (code, Locale(language_code=code).get_display_name(), chapters)
            for code, chapters in sorted(self.plan.lagging.items())
        ]

    def _lagging_choice(self, choice: str) -> set[str]:
        return {
            name.removeprefix(LAGGING)
            for name, value in self.cleaned_data.items()
            if name.startswith(LAGGING) and value == choice
        }

    @property
    def held_back(self) -> set[str]:
        """Lagging languages legal chose to leave out of this version."""
        return self._lagging_choice(HOLD_BACK)

    @property
    def lag_confirmed(self) -> set[str]:
        """Lagging languages legal explicitly confirmed releasing as they are."""
        return self._lagging_choice(CONFIRM)

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
            plan = self._plan_for(policy)
            for problem in plan.problems:
                self.add_error(None, problem)
            for problem in lagging_problems(plan, held_back=self.held_back, confirmed=self.lag_confirmed).values():
                self.add_error(None, problem)
            for code, problem in key_changes_problems(plan, self.translated_key_changes, self.held_back).items():
                self.add_error(TRANSLATED_KEY_CHANGES + code, problem)
        return cleaned

    def validate_constraints(self):
        """``released_at``, ``released_by`` and the hash are set by the release itself."""
        return
