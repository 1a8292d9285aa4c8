"""A question one employee asked about one chapter of a released version, and FAQ entries.

Neither touches the frozen chapter (``PolicyVersionChapter``): the chapter's text and hash stay
exactly as released; FAQ entries are shown next to it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

QUESTION_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 5000


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published as FAQ")


class ChapterQuestion(models.Model):
    """What someone asked while reading a chapter, with the chapter as they read it (version,
    translation key, slug and title in their language) and, once answered, the answer."""

    wagtail_reference_index_ignore = True

    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        "training.PolicyVersion", verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="+"
    )
    chapter_key = models.UUIDField(_("chapter key"))
    chapter_slug = models.SlugField(_("chapter slug"), max_length=255, allow_unicode=True)
    chapter_title = models.CharField(_("chapter"), max_length=255)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.OPEN)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-asked_at"]
        indexes = [
            models.Index(fields=["asked_by", "chapter_key"], name="question_asker_chapter"),
            models.Index(fields=["status", "asked_at"], name="question_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=QuestionStatus.OPEN, answered_at__isnull=True)
                | (~models.Q(status=QuestionStatus.OPEN) & models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="question_answered_has_answer",
            ),
        ]

    def __str__(self):
        return self.text[:80]


class FaqEntry(models.Model):
    """A question and answer the policy owner rewrote (anonymously) for every reader of a chapter.
    Belongs to the chapter (policy and translation key), so it stays with it in later versions.
    Its text per language is in ``FaqTranslation``; a language without one is not available."""

    wagtail_reference_index_ignore = True

    policy = models.ForeignKey(
        "training.PolicyPage", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    chapter_key = models.UUIDField(_("chapter key"))
    source = models.OneToOneField(
        ChapterQuestion,
        verbose_name=_("question it came from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faq_entry",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        indexes = [models.Index(fields=["policy", "chapter_key"], name="faq_chapter")]

    def __str__(self):
        return f"FAQ {self.pk} of {self.chapter_key}"


class FaqTranslation(models.Model):
    wagtail_reference_index_ignore = True

    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    question = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    answer = models.TextField(_("answer"), max_length=ANSWER_MAX_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "language"], name="faq_one_text_per_language")]

    def __str__(self):
        return self.question[:80]
