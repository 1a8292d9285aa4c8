"""THE status rule: where an assignment stands (assigned, in progress, overdue, declined,
completed, completed late, exempt, cancelled) at the end of any day.

``status_rules`` is the one definition; everything else derives from it: the ``status``
annotation (``Assignment.objects.with_status``: employee pages, the admin), the reports'
``report_status`` column and CSV ``COPY``, and the dashboard's mutually exclusive counts."""

import datetime

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .declines.models import declined


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    COMPLETED_LATE = "completed_late", _("Completed late")
    EXEMPT = "exempt", _("Exempt")
    CANCELLED = "cancelled", _("Cancelled")


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the site's time zone: anything before it happened "by" that day."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def done_by(day: datetime.date) -> Q:
    """Completed by the end of ``day``."""
    return Q(completed_on__isnull=False, completed_on__lte=day)


def status_rules(day: datetime.date) -> list[tuple[str, Q]]:
    """An assignment's status as it stood at the end of ``day``: ordered conditions, the first
    that holds wins."""
    end = end_of_day(day)
    return [
        (AssignmentStatus.CANCELLED, Q(cancelled_at__lt=end)),
        (AssignmentStatus.EXEMPT, Q(exempted_at__lt=end)),
        (AssignmentStatus.COMPLETED, done_by(day) & Q(completed_on__lte=F("due_on"))),
        (AssignmentStatus.COMPLETED_LATE, done_by(day)),
        (AssignmentStatus.DECLINED, declined(end)),
        (AssignmentStatus.OVERDUE, Q(due_on__lt=day)),
        (AssignmentStatus.IN_PROGRESS, Q(started_at__lt=end)),
        (AssignmentStatus.ASSIGNED, Q()),
    ]


def status_expression(day: datetime.date) -> Case:
    """``status_rules`` as one SQL ``CASE``."""
    *rules, (default, _always) = status_rules(day)
    return Case(
        *(When(condition, then=Value(status)) for status, condition in rules),
        default=Value(default),
        output_field=models.CharField(),
    )


def status_conditions(day: datetime.date) -> dict[str, Q]:
    """``status_rules`` as one condition per status that holds exactly where the ``CASE`` gives
    that status (each rule, and none before it), for filtered counts."""
    conditions, earlier = {}, Q()
    for status, condition in status_rules(day):
        conditions[status] = (condition & ~earlier) if earlier else condition
        earlier = (earlier | condition) if earlier else condition
    return conditions
