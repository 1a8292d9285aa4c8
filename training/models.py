"""What people read and answer: the policy, its chapters and quizzes, released versions,
and each learner's reading progress and quiz attempts.

This app knows nothing of HR (``attest``): learners are plain users here. Reading progress and
quiz attempts stay out of Wagtail's reference index (``wagtail_reference_index_ignore``): they are
personal records, not "usages" of a page, and indexing them would cost a task on every save.
"""

import datetime
import uuid

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page, Revision, TaskState
from wagtail.search import index

from .blocks import RICH_TEXT_FEATURES, ChapterBodyBlock, QuizBlock

ERROR_PASS_MARK_RANGE = _("The pass mark is a percentage between 0 and 100.")
ERROR_POOL_TOO_LARGE = _("The question pool cannot draw more questions (%(pool)s) than the quiz has (%(count)s).")
ERROR_REVISION_PROTECTED = _(
    "This revision was approved in legal review or released in a policy version, so it cannot be "
    "overwritten. Nothing was saved: save your changes again to keep them as a new draft."
)


def revision_is_protected(revision: Revision) -> bool:
    """Approved or released text is evidence: it may be followed by new revisions, never rewritten."""
    return (
        PolicyVersionChapter.objects.filter(revision=revision).exists()
        or TaskState.objects.filter(revision=revision, status=TaskState.STATUS_APPROVED).exists()
    )


class ProtectedRevisionsMixin:
    """Refuse Wagtail's overwrite of an approved or released revision (the edit form's
    ``overwrite_revision_id``, autosave, a revert posted over it): the edit view turns the
    ``PermissionDenied`` into an admin message."""

    def save_revision(self, *args, overwrite_revision=None, **kwargs):
        if overwrite_revision is not None and revision_is_protected(overwrite_revision):
            raise PermissionDenied(ERROR_REVISION_PROTECTED)
        return super().save_revision(*args, overwrite_revision=overwrite_revision, **kwargs)


class Track(models.TextChoices):
    """Who a chapter applies to. The official team reads everything; everyone else reads ``ALL``."""

    ALL = "all", _("Everyone")
    OFFICIAL = "official", _("Official social-media team")

    @classmethod
    def chapters_for(cls, track: str) -> list[str]:
        """The chapter tracks a learner of ``track`` reads."""
        return [cls.ALL, cls.OFFICIAL] if track == cls.OFFICIAL else [cls.ALL]


class PolicyPage(ProtectedRevisionsMixin, RoutablePageMixin, Page):
    summary = RichTextField(features=RICH_TEXT_FEATURES, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("policy owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_policies",
        help_text=_("Reminded when the policy is due for review."),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval"),
        choices=[(3, _("Every 3 months")), (6, _("Every 6 months")), (12, _("Every 12 months"))],
        default=6,
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    governance_panels = [
        MultiFieldPanel(
            [FieldPanel("owner_user"), FieldPanel("review_interval_months"), FieldPanel("last_reviewed_on")],
            heading=_("Ownership and review"),
        )
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(governance_panels, heading=_("Governance")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )
    search_fields = Page.search_fields + [index.SearchField("summary")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["training.ChapterPage"]
    # Editors see the chapters in reading order (the tree's), not by last edit (Wagtail's default).
    admin_default_ordering = "ord"
    template = "training/policy_page.html"

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    @property
    def next_review_due(self) -> datetime.date | None:
        start = self.last_reviewed_on or (self.first_published_at and self.first_published_at.date())
        if start is None:
            return None
        return start + relativedelta(months=self.review_interval_months)

    def chapters(self):
        return ChapterPage.objects.child_of(self).order_by("path")

    @path("")
    def index_route(self, request):
        version = PolicyVersion.objects.current(policy=self, language=request.LANGUAGE_CODE)
        chapters = (
            PolicyVersionChapter.objects.to_read(version=version, track=Track.OFFICIAL, language=request.LANGUAGE_CODE)
            if version
            else []
        )
        return self.render(request, context_overrides={"version": version, "chapters": chapters})

    @path("<slug:chapter_slug>/")
    def chapter_route(self, request, chapter_slug):
        version = PolicyVersion.objects.current(policy=self, language=request.LANGUAGE_CODE)
        if version is None:
            raise Http404
        reading = PolicyVersionChapter.objects.for_reading(
            version=version, slug=chapter_slug, language=request.LANGUAGE_CODE
        )
        if reading is None:
            raise Http404
        return self.render(
            request,
            template="training/chapter_read.html",
            context_overrides={"version": version, "reading": reading},
        )


class ChapterPage(ProtectedRevisionsMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    track = models.CharField(_("applies to"), max_length=16, choices=Track.choices, default=Track.ALL)
    reading_minutes = models.PositiveSmallIntegerField(_("estimated reading time (minutes)"), default=5)
    body = StreamField(ChapterBodyBlock(), verbose_name=_("content"))
    questions = StreamField(QuizBlock(), blank=True, verbose_name=_("quiz questions"))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[
            MinValueValidator(0, message=ERROR_PASS_MARK_RANGE),
            MaxValueValidator(100, message=ERROR_PASS_MARK_RANGE),
        ],
    )
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempt limit"), null=True, blank=True, help_text=_("Leave empty for unlimited attempts.")
    )
    pool_size = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        null=True,
        blank=True,
        help_text=_("Draw this many questions at random for each attempt. Leave empty to ask them all."),
    )
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("track"),
        FieldPanel("reading_minutes"),
        FieldPanel("body"),
    ]
    quiz_panels = [
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("attempt_limit"),
                FieldPanel("pool_size"),
                FieldPanel("shuffle_options"),
            ],
            heading=_("Rules"),
        ),
        FieldPanel("questions"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(quiz_panels, heading=_("Quiz")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["training.PolicyPage"]
    subpage_types = []
    template = "training/chapter_page.html"

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=0, pass_mark__lte=100), name="chapter_pass_mark_percentage"
            )
        ]

    def clean(self):
        super().clean()
        count = len(self.questions)
        if self.pool_size and self.pool_size > count:
            raise ValidationError({"pool_size": ERROR_POOL_TOO_LARGE % {"pool": self.pool_size, "count": count}})

    def serve(self, request, *args, **kwargs):
        """Employees read the released text, never the live draft-in-progress: send them there."""
        policy = self.get_parent().specific
        return redirect(policy.url + policy.reverse_subpage("chapter_route", args=[self.slug]))


_RELEASED_LOCALES: dict[tuple, dict[str, tuple[str, str, str]]] = {}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class HashScheme(models.IntegerChoices):
    """How a version's hashes were computed. Legacy hashes cover the frozen content as stored,
    block ids included; canonical ones leave ids out, so re-saving or rendering never moves them."""

    LEGACY = 1, _("legacy (with block ids)")
    CANONICAL = 2, _("canonical")


class PolicyVersionQuerySet(models.QuerySet):
    def current(self, *, policy: "PolicyPage", language: str | None = None) -> "PolicyVersion | None":
        """The newest released version, whichever language ``policy`` is (versions live on the source
        page); for readers of ``language``, the newest that did not hold their language back."""
        source = policy.get_translation_or_none(Locale.get_default()) or policy
        versions = self.filter(policy=source).order_by("-released_at")
        if language is None:
            return versions.first()
        return next((version for version in versions if language not in version.held_back_languages), None)


class PolicyVersion(models.Model):
    """A frozen release of a policy. Created once by ``services.version_release``; never updated."""

    policy = models.ForeignKey(PolicyPage, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="versions")
    number = models.CharField(_("version"), max_length=20)
    effective_date = models.DateField(_("effective date"))
    key_changes = models.TextField(_("key changes"), help_text=_("One change per line."))
    requires_reattestation = models.BooleanField(
        _("requires re-attestation"), help_text=_("Material change: everyone must read and sign again.")
    )
    released_at = models.DateTimeField(_("released at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("released by"), on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    held_back_languages = models.JSONField(
        _("languages held back"),
        default=list,
        blank=True,
        help_text=_(
            "Languages left out because their text lagged the original: their readers keep the version they have."
        ),
    )
    hash_scheme = models.PositiveSmallIntegerField(
        _("hashing scheme"), choices=HashScheme.choices, default=HashScheme.CANONICAL
    )

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy", "-released_at"]
        get_latest_by = "released_at"
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="version_number_unique_per_policy")]

    def __str__(self):
        return f"{self.policy.title} {self.number}"

    @property
    def key_change_list(self) -> list[str]:
        return _lines(self.key_changes)

    def key_change_list_in(self, language: str) -> list[str]:
        """The key changes as written for readers of ``language``, else as written at release."""
        translated = self.released_locales.get(language, ("", "", ""))[2]
        return _lines(translated) or self.key_change_list

    @cached_property
    def released_locales(self) -> dict[str, tuple[str, str, str]]:
        """``{language: (title, content SHA-256, key changes)}`` for each language this version was
        released in (key changes empty where only the release's own list exists).

        Written once at release and never changed, so each process reads it once: signing and
        the employee pages then cost no query for it."""
        key = (self.pk, self.released_at)
        if key not in _RELEASED_LOCALES:
            rows = self.locales.values_list("locale__language_code", "title", "content_sha256", "key_changes")
            found = {code: (title, digest, changes) for code, title, digest, changes in rows}
            if not found:  # mid-release: not frozen yet, so nothing to remember
                return found
            if len(_RELEASED_LOCALES) >= 1024:
                _RELEASED_LOCALES.clear()
            _RELEASED_LOCALES[key] = found
        return _RELEASED_LOCALES[key]

    @property
    def locale_titles(self) -> dict[str, str]:
        """The policy's title in each language this version was released in."""
        return {code: title for code, (title, _digest, _changes) in self.released_locales.items()}

    def content_sha256_in(self, language: str) -> str:
        return self.released_locales[language][1]

    @property
    def locale_codes(self) -> list[str]:
        return sorted(self.locale_titles)

    def title_in(self, language: str) -> str:
        return self.locale_titles.get(language) or self.policy.title

    def reading_locale(self, language: str) -> str:
        """The language a learner reads in: theirs if the version covers it, else the default language."""
        codes = self.locale_codes
        if language in codes:
            return language
        default = settings.LANGUAGE_CODE
        return default if default in codes else codes[0]


class PolicyVersionLocale(models.Model):
    """One language a version was released in, with the hash of that language's text and the
    key changes written for its readers."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="locales")
    locale = models.ForeignKey(Locale, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=255, default="", help_text=_("The policy's title in this language."))
    content_sha256 = models.CharField(max_length=64)
    key_changes = models.TextField(
        _("key changes"), blank=True, default="", help_text=_("One change per line, in this language.")
    )
    lagging_chapters = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Keys of the chapters whose original changed while this language's text did not, released as it "
            "is with legal's explicit confirmation."
        ),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "locale"], name="version_locale_unique")]

    def __str__(self):
        return f"{self.version} ({self.locale_id})"


class PolicyVersionChapterQuerySet(models.QuerySet):
    def to_read(self, *, version: PolicyVersion, track: str, language: str) -> "PolicyVersionChapterQuerySet":
        """The chapters a learner of ``track`` must read, in their reading language, in order."""
        return (
            self.filter(
                version=version,
                locale__language_code=version.reading_locale(language),
                track__in=Track.chapters_for(track),
            )
            .select_related("locale")
            .order_by("position")
        )

    def for_reading(self, *, version: PolicyVersion, slug: str, language: str) -> "PolicyVersionChapter | None":
        return (
            self.filter(version=version, locale__language_code=version.reading_locale(language), slug=slug)
            .select_related("locale")
            .first()
        )


class PolicyVersionChapter(models.Model):
    """One chapter, in one language, exactly as a version released it.

    ``content`` is the copy employees read and answer (title, intro, body, quiz, rules), with its
    block ids fixed at release; ``revision`` only records which approved revision it came from.
    Nothing reads text from the revision: revisions belong to the CMS and can be rewritten."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="chapters")
    locale = models.ForeignKey(Locale, on_delete=models.PROTECT, related_name="+")
    chapter = models.ForeignKey(ChapterPage, on_delete=models.PROTECT, related_name="+")
    chapter_key = models.UUIDField(help_text=_("The chapter's translation key: the same in every language."))
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    track = models.CharField(max_length=16, choices=Track.choices)
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, allow_unicode=True)
    has_quiz = models.BooleanField()
    content = models.JSONField(help_text=_("The released text and quiz, as employees read and answer it."))
    content_sha256 = models.CharField(max_length=64)
    text_sha256 = models.CharField(
        max_length=64,
        help_text=_(
            "Canonical hash (block ids left out) of the frozen copy: compares text across versions, "
            "whatever their hashing scheme."
        ),
    )

    objects = PolicyVersionChapterQuerySet.as_manager()

    class Meta:
        ordering = ["version", "locale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "locale", "chapter_key"], name="version_chapter_unique")
        ]

    def __str__(self):
        return self.title

    @property
    def page(self) -> ChapterPage:
        """The chapter exactly as released, rebuilt from the frozen copy (an unsaved page)."""
        return frozen_chapter(self)


_FROZEN_CHAPTERS: dict[tuple, ChapterPage] = {}


def frozen_chapter(chapter: PolicyVersionChapter) -> ChapterPage:
    """The frozen copy never changes, so each process builds a released chapter once, not per
    request. The hash and the question ids are part of the key so a reused id (a restored or
    rebuilt database) cannot serve another text or quiz. The result is shared between requests:
    treat it as read-only."""
    content = chapter.content
    key = (chapter.pk, chapter.content_sha256, tuple(question.get("id") for question in content["questions"]))
    page = _FROZEN_CHAPTERS.get(key)
    if page is None:
        page = ChapterPage(
            title=content["title"],
            slug=chapter.slug,
            intro=content["intro"],
            track=content["track"],
            reading_minutes=content["reading_minutes"],
            body=content["body"],
            questions=content["questions"],
            pass_mark=content["pass_mark"],
            attempt_limit=content["attempt_limit"],
            pool_size=content["pool_size"],
            shuffle_options=content["shuffle_options"],
            locale_id=chapter.locale_id,
            translation_key=chapter.chapter_key,
        )
        if len(_FROZEN_CHAPTERS) >= 1024:
            _FROZEN_CHAPTERS.clear()
        _FROZEN_CHAPTERS[key] = page
    return page


class ReadingProgress(models.Model):
    wagtail_reference_index_ignore = True
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    chapter_key = models.UUIDField()
    locale_code = models.CharField(max_length=8)
    first_read_at = models.DateTimeField()
    last_read_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = _("reading progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "version", "chapter_key"], name="reading_once_per_chapter")
        ]

    def __str__(self):
        return f"{self.user_id} read {self.chapter_key} of {self.version_id}"


class QuizAttempt(models.Model):
    """One attempt at a chapter quiz. ``presented`` records which questions (and option order) were
    drawn, so grading can refuse answers to anything that was not asked."""

    wagtail_reference_index_ignore = True

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    chapter_key = models.UUIDField()
    locale_code = models.CharField(max_length=8)
    number = models.PositiveSmallIntegerField()
    presented = models.JSONField()
    answers = models.JSONField(null=True)
    score = models.PositiveSmallIntegerField(null=True)
    passed = models.BooleanField(null=True)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["user", "version", "chapter_key", "number"], name="quiz_attempt_number"),
            models.UniqueConstraint(
                fields=["user", "version", "chapter_key"],
                condition=models.Q(submitted_at__isnull=True),
                name="quiz_one_open_attempt",
            ),
        ]

    def __str__(self):
        return f"Attempt {self.number} by {self.user_id} on {self.chapter_key}"


class QuizAttemptGrant(models.Model):
    """Extra attempts at one chapter quiz of one version for one person, added to the chapter's
    attempt limit. HR grants them (a reset is a grant of the attempts used); who and why is in
    the audit log, so ``training`` needs to know nothing of HR to count them."""

    wagtail_reference_index_ignore = True

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    chapter_key = models.UUIDField()
    attempts = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    reason = models.CharField(max_length=500)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "version", "chapter_key"])]
        constraints = [models.CheckConstraint(condition=models.Q(attempts__gte=1), name="quiz_grant_positive")]

    def __str__(self):
        return f"{self.attempts} more attempts for {self.user_id} on {self.chapter_key}"


class QuizLockout(models.Model):
    """Someone failed the last attempt they were allowed at a chapter quiz: they cannot go on
    until attempts are granted (which clears it). Kept as a row so reports can find them in SQL."""

    wagtail_reference_index_ignore = True

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    chapter_key = models.UUIDField()
    locked_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "version"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version", "chapter_key"],
                condition=models.Q(cleared_at__isnull=True),
                name="quiz_one_open_lockout",
            )
        ]

    def __str__(self):
        return f"{self.user_id} locked out of {self.chapter_key}"


from .questions.models import ChapterQuestion, FaqEntry, FaqTranslation  # noqa: E402, F401  (registered with the app)
from .xapi.models import XapiStatement, XapiStatementStatus  # noqa: E402, F401  (the xAPI outbox)
