"""What HR enforces: people, requirements, assignments, attestations and the reminder log.

Personal records set ``wagtail_reference_index_ignore``: they are not "usages" of a page that an
editor needs to see, and indexing them would cost a background task on every save.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q, Value
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from training.models import PolicyPage, PolicyVersion, Track

from .declines.models import Decline  # noqa: F401 - registers the model with this app
from .status import status_expression


class Language(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"
    ES = "es", "Español"
    DA = "da", "Dansk"
    NB = "nb", "Norsk bokmål"


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEAVE = "leave", _("On leave")
    TERMINATED = "terminated", _("Terminated")


class Employee(models.Model):
    wagtail_reference_index_ignore = True
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT, related_name="employee"
    )
    employee_id = models.CharField(_("employee id"), max_length=64, unique=True)
    email = models.EmailField(_("email"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    department = models.CharField(_("department"), max_length=150, db_index=True)
    location = models.CharField(_("location"), max_length=150, db_index=True)
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    managers_path = models.CharField(
        max_length=2000,
        db_default="/",
        editable=False,
        db_index=True,
        help_text="Primary keys of the managers above, top first: /1/17/342/. Kept by attest.hierarchy.",
    )
    hire_date = models.DateField(_("hire date"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.EN)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, default=Track.ALL)
    status = models.CharField(_("status"), max_length=16, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.full_name} ({self.employee_id})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RequirementKind(models.TextChoices):
    ONBOARDING = "onboarding", _("Onboarding (due N days after hire date)")
    ANNUAL = "annual", _("Annual refresher")
    REATTESTATION = "reattestation", _("Re-attestation (due N days after a material version)")
    AD_HOC = "adhoc", _("Ad hoc campaign")


class Requirement(models.Model):
    """A rule saying who must complete which policy by when. Assignments are generated from it."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Shown to employees in every language with no name of its own.")
    )
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    name_es = models.CharField(_("name in Spanish"), max_length=200, blank=True)
    name_da = models.CharField(_("name in Danish"), max_length=200, blank=True)
    name_nb = models.CharField(_("name in Norwegian"), max_length=200, blank=True)
    policy = models.ForeignKey(PolicyPage, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=RequirementKind.choices)
    due_days = models.PositiveSmallIntegerField(
        _("days to complete"), default=30, help_text=_("For onboarding, re-attestation and annual refreshers.")
    )
    annual_fixed_date = models.DateField(
        _("fixed yearly due date"),
        null=True,
        blank=True,
        help_text=_(
            "Annual refresher only: everyone is due on this day each year. Leave empty for 12 months after each person's last completion."
        ),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, help_text=_("Ad hoc campaigns only."))
    starts_on = models.DateField(
        _("starts on"),
        default=datetime.date.today,
        help_text=_("Onboarding applies to people hired on or after this date; nothing is due before it."),
    )
    departments = models.JSONField(_("departments"), default=list, blank=True)
    locations = models.JSONField(_("locations"), default=list, blank=True)
    tracks = models.JSONField(_("tracks"), default=list, blank=True)
    official_account_holders = models.BooleanField(
        _("holders of official accounts"),
        default=False,
        help_text=_("People who can sign in to an official social-media account, whatever their track."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def name_in(self, language: str) -> str:
        """The name employees reading in ``language`` see: the default name where none is written."""
        return getattr(self, f"name_{language}", "") or self.name

    @property
    def display_name(self) -> str:
        """The name in the language the page or email is being shown in."""
        return self.name_in(get_language())


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True, exempted_at__isnull=True, cancelled_at__isnull=True)

    def with_status(self, at: datetime.date | None = None):
        """Annotate ``status`` as it stood at the end of ``at`` (today by default)."""
        return self.annotate(status=status_expression(at or timezone.localdate()))


class Assignment(models.Model):
    """One employee must complete one policy version for one requirement by a due date."""

    wagtail_reference_index_ignore = True

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="assignments"
    )
    requirement = models.ForeignKey(
        Requirement, verbose_name=_("requirement"), on_delete=models.PROTECT, related_name="assignments"
    )
    version = models.ForeignKey(PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due on"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, help_text="Local date of completed_at, for reports."
    )
    attestation = models.ForeignKey(
        "Attestation", verbose_name=_("attestation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_locale = models.CharField(
        _("language signed in"),
        max_length=8,
        blank=True,
        help_text="The attestation's language, copied so reports need not read attestations.",
    )
    exempted_at = models.DateTimeField(_("exempted at"), null=True, blank=True)
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exempted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exemption_reason = models.CharField(_("exemption reason"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "requirement"],
                condition=Q(completed_at__isnull=True, exempted_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_assignment_per_requirement",
            ),
            models.CheckConstraint(
                condition=Q(exempted_at__isnull=True) | ~Q(exemption_reason=""), name="exemption_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["due_on"]), models.Index(fields=["employee", "version"])]

    def __str__(self):
        return f"{self.employee} — {self.version}"


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Password entered on the signing form")
    REAUTHENTICATION = "reauthentication", _("Re-authentication (password, MFA or SSO)")


class Attestation(models.Model):
    """The signed record. Written once by ``services.attestation_create``; never updated or deleted.

    ``record_hash`` covers every field and ``previous_hash`` (the record before it in the same
    chain lane), so any change, insertion or deletion made behind the application's back shows.
    """

    wagtail_reference_index_ignore = True

    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="attestations"
    )
    employee_number = models.CharField(_("employee id"), max_length=64)
    typed_name = models.CharField(_("typed name"), max_length=300)
    policy = models.ForeignKey(PolicyPage, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    policy_title = models.CharField(_("policy title"), max_length=255)
    version = models.ForeignKey(PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+")
    version_number = models.CharField(_("version number"), max_length=20)
    assignment = models.ForeignKey(
        "Assignment", verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="+"
    )
    locale_code = models.CharField(_("language"), max_length=8)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    statement = models.TextField(_("statement"))
    signed_at = models.DateTimeField(_("signed at"))
    auth_method = models.CharField(_("identity confirmed by"), max_length=32, choices=AuthMethod.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    user_agent = models.CharField(_("browser"), max_length=500)
    quiz_results = models.JSONField(_("quiz results"))
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    chain_lane = models.PositiveSmallIntegerField(_("chain lane"))
    chain_seq = models.PositiveBigIntegerField(_("position in chain"))
    previous_hash = models.CharField(_("previous record hash"), max_length=64)
    record_hash = models.CharField(_("record hash"), max_length=64)

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(corrects__isnull=True), name="one_attestation_per_assignment"
            ),
            models.UniqueConstraint(fields=["chain_lane", "chain_seq"], name="attestation_chain_position"),
        ]

    def __str__(self):
        return f"{self.typed_name} — {self.policy_title} {self.version_number}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue (weekly)")
    ESCALATION = "escalation", _("Manager escalation")
    HR_DIGEST = "hr_digest", _("HR weekly digest")
    REVIEW_DUE = "review_due", _("Policy review due")
    INVITATION = "invitation", _("Invitation")
    IDENTITY_CHANGE = "identity_change", _("Sign-in email changed")
    ACCOUNT_LEAVER = "account_leaver", _("Leaver's access to an official account")
    ACCOUNT_REVIEW = "account_review", _("Official account access review due")
    DECLINE = "decline", _("Declined signature")
    DECLINE_RESPONSE = "decline_response", _("Response to a declined signature")
    QUESTION = "question", _("Question from an employee")
    ANSWER = "answer", _("Answer to a question")


class ReminderLog(models.Model):
    """One email sent. ``dedupe_key`` is unique, so the same reminder is never sent twice."""

    wagtail_reference_index_ignore = True

    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    recipient = models.EmailField(_("recipient"))
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), null=True, on_delete=models.PROTECT, related_name="reminders"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), null=True, on_delete=models.PROTECT, related_name="reminders"
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("email sent")
        verbose_name_plural = _("emails sent")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["assignment", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.recipient} at {self.sent_at:%Y-%m-%d %H:%M}"


class AttestationChainHead(models.Model):
    """The last record of each chain lane. Locking this row serialises appends to one lane only,
    and comparing it with the lane's last record reveals a deleted tail."""

    wagtail_reference_index_ignore = True

    lane = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.PositiveBigIntegerField(_("position"), default=0)
    record_hash = models.CharField(_("record hash"), max_length=64)

    def __str__(self):
        return f"lane {self.lane} at {self.seq}"


class RosterUpload(models.Model):
    """A roster file waiting between preview and confirmation. It lives in the database, not on
    one app server's disk, so the confirmation may land on any server; only its uploader may
    confirm it, and it is deleted on confirmation or once older than
    ``ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS`` (``purge_roster_uploads``)."""

    wagtail_reference_index_ignore = True

    token = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    deactivate_missing = models.BooleanField(default=False)
    send_invitations = models.BooleanField(default=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class IdentityChangeSource(models.TextChoices):
    EDIT = "edit", _("Edit in the admin")
    ROSTER = "roster", _("Roster import")
    PROVISIONING = "provisioning", _("Provisioning (SCIM)")


class IdentityChangeOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for a second HR person")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a later request")
    DIRECT = "direct", _("Applied at once (account never used)")


IDENTITY_FLAG_DAYS = 30


class IdentityChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(outcome=IdentityChangeOutcome.PENDING)

    def applied_before(self, *, employee_id, signed_at):
        """Applied changes of this person's sign-in email in the ``IDENTITY_FLAG_DAYS`` up to a
        signature, latest first: that signature may not be theirs. Takes expressions (``OuterRef``),
        so reports ask it once per row in SQL."""
        since = ExpressionWrapper(
            signed_at - Value(datetime.timedelta(days=IDENTITY_FLAG_DAYS)), output_field=models.DateTimeField()
        )
        return self.filter(
            employee_id=employee_id,
            outcome__in=(IdentityChangeOutcome.APPROVED, IdentityChangeOutcome.DIRECT),
            decided_at__lte=signed_at,
            decided_at__gt=since,
        ).order_by("-decided_at", "-pk")


class IdentityChange(models.Model):
    """A change of someone's sign-in email (DESIGN §3.9). On an account that was ever used it
    waits for a second HR person (``outcome`` pending); changes from one roster file share a
    ``batch`` and are approved together. Applied changes stay: signatures in the following days
    are flagged from these rows, never by touching the attestations."""

    wagtail_reference_index_ignore = True

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="identity_changes"
    )
    old_email = models.EmailField(_("old email"))
    new_email = models.EmailField(_("new email"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    source = models.CharField(_("source"), max_length=16, choices=IdentityChangeSource.choices)
    file_name = models.CharField(_("roster file"), max_length=255, blank=True)
    batch = models.UUIDField(_("batch"), db_index=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=IdentityChangeOutcome.choices, default=IdentityChangeOutcome.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = IdentityChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("identity change")
        verbose_name_plural = _("identity changes")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"], condition=Q(outcome="pending"), name="one_pending_identity_change_per_employee"
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(decided_at__isnull=False), name="identity_change_decided_has_time"
            ),
        ]
        indexes = [models.Index(fields=["employee", "decided_at"])]

    def __str__(self):
        return f"{self.old_email} → {self.new_email}"

    @property
    def reference(self) -> str:
        """How records and exports cite this change; the audit log entries carry the same number."""
        return f"IC-{self.pk}"


# Models of this app kept in their own module (the official-accounts register).
from .api.models import ApiScope, ApiToken  # noqa: E402, F401 - registers the API tokens with this app
from .official_accounts.models import (  # noqa: E402, F401
    AccessRemovalTask,
    AccessReview,
    AccountAccess,
    OfficialAccount,
)
