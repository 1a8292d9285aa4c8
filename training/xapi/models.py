"""The outbox of xAPI statements waiting for, or given to, the learning record store."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class XapiStatementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Rejected by the learning record store")


class XapiStatement(models.Model):
    """One statement, frozen when the event happened: its id (the primary key) is the statement's
    own, so sending it again is harmless (the learning record store keeps one per id).

    ``pending`` rows are sent when ``next_try_at`` has passed; a store that is down moves it on
    (exponential back-off) and counts ``attempts``. A statement the store refuses (a 4xx answer
    other than 409 or 429) becomes ``failed`` with the store's answer in ``last_error``, until HR
    retries it from the admin."""

    wagtail_reference_index_ignore = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    verb = models.CharField(_("verb"), max_length=40)
    object_id = models.CharField(_("activity"), max_length=500)
    actor_name = models.CharField(_("actor"), max_length=255, blank=True)
    statement = models.JSONField(_("statement"))
    status = models.CharField(
        _("status"), max_length=10, choices=XapiStatementStatus.choices, default=XapiStatementStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("recorded at"))
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("xAPI statement")
        verbose_name_plural = _("xAPI statements")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_try_at"], name="xapi_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="pending") | models.Q(next_try_at__isnull=False),
                name="xapi_pending_has_next_try",
            )
        ]

    def __str__(self):
        return f"{self.verb} {self.object_id} ({self.id})"
