from django import forms
from django.utils.translation import gettext_lazy as _

from ..validators import validate_printable

ERROR_WRONG_PASSWORD = _("That password is not correct.")
ERROR_CONFIRM = _("Tick the box to confirm the statement.")


class SignForm(forms.Form):
    """The signing form. Asks for the password, unless a re-authentication (password, second
    factor, or a sign-in at the single sign-on provider) has just confirmed who is signing."""

    typed_name = forms.CharField(label=_("Your full name"), max_length=300, validators=[validate_printable])
    confirm = forms.BooleanField(
        label=_("I have read, understood and will comply with this policy."), error_messages={"required": ERROR_CONFIRM}
    )
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, recently_reauthenticated: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if recently_reauthenticated:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(ERROR_WRONG_PASSWORD)
        return password

    @property
    def uses_password(self) -> bool:
        return "password" in self.fields


class QuizAttemptsForm(forms.Form):
    """HR gives someone another go at a chapter quiz: reset to the full limit, or add attempts."""

    RESET = "reset"
    ADD = "add"

    chapter = forms.ChoiceField(label=_("Chapter quiz"))
    action = forms.ChoiceField(
        label=_("What to do"),
        choices=[(RESET, _("Reset: allow the full number of attempts again")), (ADD, _("Add attempts"))],
        widget=forms.RadioSelect,
        initial=RESET,
    )
    attempts = forms.IntegerField(label=_("Attempts to add"), min_value=1, max_value=10, required=False, initial=1)
    reason = forms.CharField(label=_("Reason"), max_length=500, validators=[validate_printable])

    def __init__(self, *args, chapters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].choices = chapters
