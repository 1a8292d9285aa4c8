"""attest's view of the company (``attest.company``), answered from the site settings and the
crisis-contact snippets kept here; registered as Wagtail hooks in ``wagtail_hooks.py``."""

from wagtail.models import Site

from attest.company import CompanyDetails

from .models import CompanySettings, CrisisContact


def company_details(site) -> CompanyDetails:
    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        return CompanyDetails()
    settings = CompanySettings.for_site(site)
    return CompanyDetails(
        name=settings.company_name,
        hr_contact_email=settings.hr_contact_email,
        signatories={
            language: getattr(settings, f"certificate_signatory_{language}") for language in ("fr", "es", "da", "nb")
        },
        default_signatory=settings.certificate_signatory,
    )


def crisis_contacts():
    return CrisisContact.objects.all()
