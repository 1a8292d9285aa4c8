"""Input hygiene for names and free text that end up on signed records and certificates."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ERROR_UNPRINTABLE = _("Remove control or text-direction characters: they are not allowed here.")

# Bidirectional overrides and isolates can make a name display differently from what is stored.
BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


def has_unprintable(value: str) -> bool:
    # ``isprintable`` (C speed) is false for every such character, so most values stop there.
    return not value.isprintable() and any(
        char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") for char in value
    )


def validate_printable(value: str) -> None:
    if has_unprintable(value):
        raise ValidationError(ERROR_UNPRINTABLE, code="unprintable")
