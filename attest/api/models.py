"""API tokens: who may call the API, for what, and for whose people.

Only a SHA-256 of each token is stored (``key_hash``): a token is 256 random bits, so a fast hash
is as strong as a slow one, and a database dump gives nobody a working token. The token is shown
once, when it is created. A token is never edited: HR revokes it and creates another.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import Employee


class ApiScope(models.TextChoices):
    PEOPLE = "people:read", _("People and their assignments")
    REQUIREMENTS = "requirements:read", _("Requirements")
    VERSIONS = "versions:read", _("Policy versions")
    ATTESTATIONS = "attestations:read", _("Attestations")
    REPORTS = "reports:read", _("Compliance figures")


class ApiToken(models.Model):
    wagtail_reference_index_ignore = True

    name = models.CharField(_("name"), max_length=100, help_text=_("Which system uses this token, and who runs it."))
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    manager = models.ForeignKey(
        Employee,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Limits the token to this manager's direct and indirect reports. Empty: everyone."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("add", "view")
        permissions = [("revoke_apitoken", _("Can revoke API tokens"))]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
