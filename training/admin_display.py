"""How the admin shows values it would otherwise print as Python (``None``, ``True``) or in UTC."""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.admin.views.generic import InspectView

EMPTY = "—"


def local_time(moment: datetime.datetime) -> str:
    """A moment in the site's time zone (``TIME_ZONE``), naming the zone: the same on every page."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


class ReadableInspectView(InspectView):
    """An inspect view that shows an empty value as a dash, a yes/no field in words and a moment
    in local time with its zone."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, datetime.datetime):
            return local_time(value)
        return value
