"""Site-wide pages and settings: the employee's home ("My training"), company settings, crisis contacts."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page
from wagtail.snippets.models import register_snippet


class HomePage(Page):
    """The site root. For a signed-in employee it is "My training"."""

    welcome = models.TextField(_("welcome text"), blank=True)
    welcome_fr = models.TextField(_("welcome text in French"), blank=True)
    welcome_es = models.TextField(_("welcome text in Spanish"), blank=True)
    welcome_da = models.TextField(_("welcome text in Danish"), blank=True)
    welcome_nb = models.TextField(_("welcome text in Norwegian"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("welcome"),
        FieldPanel("welcome_fr"),
        FieldPanel("welcome_es"),
        FieldPanel("welcome_da"),
        FieldPanel("welcome_nb"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["training.PolicyPage"]
    max_count = 1
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    @property
    def welcome_text(self) -> str:
        """The welcome in the language the page is shown in; the default text where none is written."""
        return getattr(self, f"welcome_{get_language()}", "") or self.welcome

    def get_context(self, request, *args, **kwargs):
        from attest.selectors import my_training

        context = super().get_context(request, *args, **kwargs)
        context["training"] = my_training(user=request.user)
        return context


@register_setting(icon="cog")
class CompanySettings(BaseSiteSetting):
    company_name = models.CharField(_("company name"), max_length=200, default="Northwind Outfitters")
    certificate_signatory = models.CharField(
        _("certificate signatory"), max_length=200, blank=True, help_text=_("Name and title printed on certificates.")
    )
    certificate_signatory_fr = models.CharField(_("certificate signatory in French"), max_length=200, blank=True)
    certificate_signatory_es = models.CharField(_("certificate signatory in Spanish"), max_length=200, blank=True)
    certificate_signatory_da = models.CharField(_("certificate signatory in Danish"), max_length=200, blank=True)
    certificate_signatory_nb = models.CharField(_("certificate signatory in Norwegian"), max_length=200, blank=True)
    hr_contact_email = models.EmailField(_("HR contact email"), blank=True)

    panels = [
        FieldPanel("company_name"),
        FieldPanel("certificate_signatory"),
        FieldPanel("certificate_signatory_fr"),
        FieldPanel("certificate_signatory_es"),
        FieldPanel("certificate_signatory_da"),
        FieldPanel("certificate_signatory_nb"),
        FieldPanel("hr_contact_email"),
    ]

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")


@register_snippet
class CrisisContact(models.Model):
    """Who to call when a post turns into a crisis; shown to employees in the training."""

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200)
    role_fr = models.CharField(_("role in French"), max_length=200, blank=True)
    role_es = models.CharField(_("role in Spanish"), max_length=200, blank=True)
    role_da = models.CharField(_("role in Danish"), max_length=200, blank=True)
    role_nb = models.CharField(_("role in Norwegian"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("role_fr"),
        FieldPanel("role_es"),
        FieldPanel("role_da"),
        FieldPanel("role_nb"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = _("crisis contact")
        verbose_name_plural = _("crisis contacts")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return f"{self.name} ({self.role})"

    @property
    def display_role(self) -> str:
        """The role in the language the page is shown in; the default role where none is written."""
        return getattr(self, f"role_{get_language()}", "") or self.role
