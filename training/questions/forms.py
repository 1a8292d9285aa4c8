"""The employee's question form, the answer form and the FAQ form (one question and answer per
content language, or "not available")."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH
from .services import (
    ERROR_FAQ_NO_LANGUAGE,
    ERROR_QUESTION_EMPTY,
    ERROR_QUESTION_TOO_LONG,
    faq_texts_problems,
)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only you, the policy owner, legal and HR can read it. Your manager cannot."),
        error_messages={
            "required": ERROR_QUESTION_EMPTY,
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["max_length"] = ERROR_QUESTION_TOO_LONG % {"limit": QUESTION_MAX_LENGTH}


class FaqForm(forms.Form):
    """For each content language: the question and answer as readers of it will see them, or
    "not available in this language"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = list(settings.LANGUAGES)
        for code, name in self.languages:
            self.fields[f"question_{code}"] = forms.CharField(
                label=_("Question (%(language)s)") % {"language": name},
                required=False,
                max_length=QUESTION_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
            )
            self.fields[f"answer_{code}"] = forms.CharField(
                label=_("Answer (%(language)s)") % {"language": name},
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 5, "lang": code}),
            )
            self.fields[f"unavailable_{code}"] = forms.BooleanField(
                label=_("Not available in %(language)s") % {"language": name}, required=False
            )

    def language_fields(self):
        """``(name, question field, answer field, not-available field)`` per language, for the template."""
        return [
            (name, self[f"question_{code}"], self[f"answer_{code}"], self[f"unavailable_{code}"])
            for code, name in self.languages
        ]

    @property
    def texts(self) -> dict[str, tuple[str, str] | None]:
        data = self.cleaned_data
        return {
            code: None
            if data.get(f"unavailable_{code}")
            else (data.get(f"question_{code}", ""), data.get(f"answer_{code}", ""))
            for code, _name in self.languages
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for code, message in faq_texts_problems(self.texts).items():
            self.add_error(f"question_{code}", message)
        if not self.errors and all(pair is None for pair in self.texts.values()):
            raise forms.ValidationError(ERROR_FAQ_NO_LANGUAGE)
        return cleaned
