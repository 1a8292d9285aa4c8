"""The decline record and the one rule every report, reminder and page reads it by.

Imported by ``attest.models`` so Django registers the model; it imports nothing from there
itself (foreign keys by name), so the two never import each other at load time.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _


class DeclineReason(models.TextChoices):
    DISAGREE = "disagree", _("I disagree with part of the policy")
    UNCLEAR = "unclear", _("I don't understand part of it")
    OTHER = "other", _("Other")


class Decline(models.Model):
    """An employee declined to sign ``assignment``'s version, with what they were shown (version,
    language, content hash) and why. Written once by ``declines.services.decline_create``; the
    response fields are written once by ``decline_respond``; on PostgreSQL a trigger refuses
    anything else (migration ``decline_immutable``)."""

    wagtail_reference_index_ignore = True

    assignment = models.ForeignKey(
        "attest.Assignment", verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="declines"
    )
    employee = models.ForeignKey(
        "attest.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="declines"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        "training.PolicyVersion", verbose_name=_("version"), on_delete=models.PROTECT, related_name="+"
    )
    locale_code = models.CharField(_("language"), max_length=8)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    declined_at = models.DateTimeField(_("declined at"))
    reason = models.CharField(_("reason"), max_length=16, choices=DeclineReason.choices)
    chapter = models.ForeignKey(
        "training.PolicyVersionChapter",
        verbose_name=_("chapter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("explanation"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("declined signature")
        verbose_name_plural = _("declined signatures")
        ordering = ["-declined_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(responded_at__isnull=True), name="one_open_decline_per_assignment"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="decline_has_text"),
            models.CheckConstraint(
                condition=Q(reason=DeclineReason.OTHER) | Q(chapter__isnull=False), name="decline_names_chapter"
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True, responded_by__isnull=True, response="")
                | (Q(responded_at__isnull=False, responded_by__isnull=False) & ~Q(response="")),
                name="decline_response_complete",
            ),
        ]
        indexes = [models.Index(fields=["employee", "version"], name="decline_employee_version")]

    def __str__(self):
        return f"{self.employee} — {self.version} ({self.declined_at:%Y-%m-%d})"

    @property
    def awaiting_response(self) -> bool:
        return self.responded_at is None


def awaiting_at(end: datetime.datetime | None = None) -> Q:
    """Declines that await HR's response at the moment ``end`` (now, by default)."""
    if end is None:
        return Q(responded_at__isnull=True)
    return Q(declined_at__lt=end) & (Q(responded_at__isnull=True) | Q(responded_at__gte=end))


def declined(end: datetime.datetime | None = None) -> Q:
    """THE rule for the ``declined`` status, as a condition on assignments: its holder declined
    its version, since it was assigned, and the decline awaits a response (at ``end``, or now).

    One signature completes every open assignment of a version, so one decline covers them all.
    It is an uncorrelated ``pk IN (...)``, which PostgreSQL hashes once for the whole report.
    ``AssignmentQuerySet.with_status``, ``reports.status_as_of`` and ``reports.status_conditions``
    all call this, so the model, the dashboard and the exports cannot disagree."""
    from attest.models import Assignment

    declines = Decline.objects.filter(
        awaiting_at(end),
        employee_id=OuterRef("employee_id"),
        version_id=OuterRef("version_id"),
        declined_at__date__gte=OuterRef("assigned_on"),
    )
    return Q(pk__in=Assignment.objects.filter(Exists(declines)).values("pk"))
