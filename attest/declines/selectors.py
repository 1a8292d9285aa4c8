"""Reads about declines. Nothing here writes."""

from django.db.models import QuerySet

from ..models import Assignment
from .models import Decline


def declines_of(assignment: Assignment) -> QuerySet[Decline]:
    """What the holder of ``assignment`` declined about its version since it was assigned,
    newest first, with the response when there is one (their assignment page shows these)."""
    return (
        Decline.objects.filter(
            employee_id=assignment.employee_id,
            version_id=assignment.version_id,
            declined_at__date__gte=assignment.assigned_on,
        )
        .select_related("chapter")
        .order_by("-declined_at", "-pk")
    )


def decline_for_review(pk: int) -> Decline:
    return Decline.objects.select_related(
        "employee", "version__policy", "chapter", "assignment__requirement", "responded_by", "user"
    ).get(pk=pk)
