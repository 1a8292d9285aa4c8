"""The employee's decline form (on the signing page) and HR's response form (in the admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..validators import validate_printable
from .models import DeclineReason
from .services import ERROR_CHAPTER, ERROR_REASON, ERROR_RESPONSE, ERROR_TEXT, TEXT_MAX


def validate_printable_lines(value: str) -> None:
    """``validate_printable`` for several lines: line breaks and tabs are allowed, nothing else."""
    validate_printable(value.replace("\r", "").replace("\n", "").replace("\t", ""))


class DeclineForm(forms.Form):
    """Why the employee will not sign: a reason, their own words, and the chapter concerned
    (required unless the reason is "Other"). ``chapters`` are the chapters they were shown."""

    reason = forms.ChoiceField(
        label=_("Why are you not signing?"),
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_REASON, "invalid_choice": ERROR_REASON},
    )
    chapter = forms.TypedChoiceField(
        label=_("Which chapter is it about?"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": ERROR_CHAPTER},
    )
    text = forms.CharField(
        label=_("Explain in your own words"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_printable_lines],
        error_messages={"required": ERROR_TEXT},
    )

    def __init__(self, *args, chapters, **kwargs):
        super().__init__(*args, **kwargs)
        self.chapters = {chapter.pk: chapter for chapter in chapters}
        self.fields["chapter"].choices = [("", _("Choose a chapter")), *((c.pk, c.title) for c in chapters)]

    def clean(self):
        data = super().clean()
        needs_chapter = data.get("reason") and data["reason"] != DeclineReason.OTHER
        if needs_chapter and not data.get("chapter") and "chapter" not in self.errors:
            self.add_error("chapter", ERROR_CHAPTER)
        return data

    @property
    def chosen_chapter(self):
        return self.chapters.get(self.cleaned_data.get("chapter"))


class DeclineResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Your response to the employee"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[validate_printable_lines],
        error_messages={"required": ERROR_RESPONSE},
    )
