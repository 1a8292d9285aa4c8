"""Site-wide pages and settings: the employee's home ("My training"), company settings, crisis contacts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page
from wagtail.snippets.models import register_snippet


class HomePage(Page):
    """The site root. For a signed-in employee it is "My training"."""

    welcome = models.TextField(_("welcome text"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("welcome")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["training.PolicyPage"]
    max_count = 1
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

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
    hr_contact_email = models.EmailField(_("HR contact email"), blank=True)

    panels = [FieldPanel("company_name"), FieldPanel("certificate_signatory"), FieldPanel("hr_contact_email")]

    class Meta:
        verbose_name = _("company settings")


@register_snippet
class CrisisContact(models.Model):
    """Who to call when a post turns into a crisis; shown to employees in the training."""

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("email"), FieldPanel("phone"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("crisis contact")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return f"{self.name} ({self.role})"
