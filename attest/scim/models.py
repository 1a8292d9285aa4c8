"""Bearer tokens identity providers use to call the SCIM service. Only a SHA-256 of each token is
kept (tokens are 256 random bits, so a plain hash is enough); the token itself is shown once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScimToken(models.Model):
    wagtail_reference_index_ignore = True

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("Which identity provider uses it, e.g. “Entra ID”.")
    )
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
        verbose_name = _("provisioning token")
        verbose_name_plural = _("provisioning tokens")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None
