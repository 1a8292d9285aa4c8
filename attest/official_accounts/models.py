"""The register: accounts, who holds access to them, leavers' access-removal tasks and reviews.

Imported by ``attest.models``, so these are models of the ``attest`` app. Nothing here is ever
deleted: removing someone's access stamps their row (who, when, why) and keeps it as history.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    OTHER = "other", _("Other")


class SignInProtection(models.TextChoices):
    PASSKEY = "passkey", _("Passkey or security key")
    AUTHENTICATOR = "authenticator", _("Authenticator app")
    SMS = "sms", _("Code by text message")
    NONE = "none", _("None")


PHISHING_RESISTANT = frozenset({SignInProtection.PASSKEY})
"""Second factors a fake sign-in page cannot relay: a passkey or security key is bound to the site."""


class AccessRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    RESPONDER = "responder", _("Responder")
    AGENCY = "agency", _("Agency")


class LeaverSource(models.TextChoices):
    ROSTER = "roster", _("Roster import")
    EDIT = "edit", _("Edit in the admin")
    PROVISIONING = "provisioning", _("Provisioning")


class OfficialAccount(models.Model):
    """One account the company speaks through. ``next_review_on`` is kept by
    ``services.account_schedule`` from the last review (or the day it was registered)."""

    wagtail_reference_index_ignore = True

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=150, help_text=_("As shown on the platform, e.g. @northwind."))
    url = models.URLField(_("address"), max_length=500)
    department = models.CharField(_("owning department"), max_length=150)
    country = models.CharField(_("country"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=[(code, name) for code, name in settings.LANGUAGES]
    )
    purpose = models.TextField(_("purpose"), max_length=2000)
    sign_in_protection = models.CharField(
        _("how sign-in is protected"),
        max_length=16,
        choices=SignInProtection.choices,
        help_text=_("The second factor every holder must use. Only a passkey or security key resists phishing."),
    )
    credential_location = models.CharField(
        _("where the credentials are kept"),
        max_length=500,
        help_text=_(
            "Where the password and recovery codes are kept, e.g. the company password manager's vault. "
            "Never write the password itself here."
        ),
    )
    review_every_months = models.PositiveSmallIntegerField(
        _("review every (months)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    last_reviewed_on = models.DateField(_("last access review"), null=True, blank=True, editable=False)
    next_review_on = models.DateField(_("next review due"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("official account")
        verbose_name_plural = _("official accounts")
        ordering = ["platform", "handle"]
        constraints = [models.UniqueConstraint(fields=["platform", "handle"], name="official_account_unique_handle")]

    def __str__(self):
        return f"{self.get_platform_display()} {self.handle}"

    @property
    def phishing_resistant(self) -> bool:
        return self.sign_in_protection in PHISHING_RESISTANT


class AccountAccessQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class AccountAccess(models.Model):
    """Someone who can sign in to an official account, in a role. An agency holder may be an
    outside name and email instead of an employee; everyone else is an employee. A removed row
    stays, stamped with who removed it, when and why."""

    wagtail_reference_index_ignore = True

    account = models.ForeignKey(
        OfficialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="accesses"
    )
    employee = models.ForeignKey(
        "attest.Employee",
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_accesses",
    )
    external_name = models.CharField(_("agency contact"), max_length=200, blank=True)
    external_email = models.EmailField(_("agency email"), blank=True)
    role = models.CharField(_("role"), max_length=16, choices=AccessRole.choices)
    granted_at = models.DateTimeField(_("granted at"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removal_note = models.CharField(_("removal note"), max_length=500, blank=True)

    objects = AccountAccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("account access")
        verbose_name_plural = _("account access")
        ordering = ["account", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "employee"],
                condition=Q(removed_at__isnull=True, employee__isnull=False),
                name="one_active_access_per_account_and_employee",
            ),
            models.CheckConstraint(
                condition=(Q(employee__isnull=False) & Q(external_name=""))
                | (Q(employee__isnull=True) & Q(role="agency") & ~Q(external_name="")),
                name="account_access_employee_or_agency_contact",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_note=""), name="account_access_removal_has_note"
            ),
        ]

    def __str__(self):
        return f"{self.holder_name} — {self.account}"

    @property
    def holder_name(self) -> str:
        return self.employee.full_name if self.employee_id else self.external_name


class AccessRemovalTask(models.Model):
    """A leaver still holds access to an official account: someone must remove it at the platform
    and record that here. One per access row (so one per account and person), opened by
    ``services.leaver_tasks_open`` wherever someone is deactivated."""

    wagtail_reference_index_ignore = True

    access = models.ForeignKey(
        AccountAccess, verbose_name=_("access"), on_delete=models.PROTECT, related_name="removal_tasks"
    )
    account = models.ForeignKey(
        OfficialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="removal_tasks"
    )
    employee = models.ForeignKey(
        "attest.Employee", verbose_name=_("leaver"), on_delete=models.PROTECT, related_name="removal_tasks"
    )
    source = models.CharField(_("deactivated by"), max_length=16, choices=LeaverSource.choices)
    opened_at = models.DateTimeField(_("opened at"))
    done_at = models.DateTimeField(_("access removed at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("access-removal task")
        verbose_name_plural = _("access-removal tasks")
        ordering = ["done_at", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["access"], name="one_removal_task_per_access"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_by__isnull=False), name="removal_task_done_has_who"
            ),
        ]

    def __str__(self):
        return f"{self.employee.full_name} — {self.account}"


class AccessReview(models.Model):
    """Someone confirmed who still needs access to an account. ``kept`` and ``removed`` list the
    holders as they stood (access id, name, role), so the review reads the same after people leave."""

    wagtail_reference_index_ignore = True

    account = models.ForeignKey(
        OfficialAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    kept = models.JSONField(_("holders confirmed"), default=list)
    removed = models.JSONField(_("holders removed"), default=list)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self):
        return f"{self.account} — {self.reviewed_at:%Y-%m-%d}"
