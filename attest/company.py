"""The company running the product, as attest's pages, emails and certificates need it.

Its details are kept by ``cms`` (site settings, crisis contacts), the layer that wires the apps
together and sits above attest. cms answers through two Wagtail hooks, ``company_details`` and
``crisis_contacts``; attest asks through them and never imports cms."""

from dataclasses import dataclass, field

from wagtail import hooks


@dataclass(frozen=True)
class CompanyDetails:
    name: str = ""
    hr_contact_email: str = ""
    signatories: dict[str, str] = field(default_factory=dict)
    default_signatory: str = ""

    def signatory_in(self, language: str) -> str:
        """The signatory's name and title as printed on a certificate in ``language``."""
        return self.signatories.get(language) or self.default_signatory


def company_details(site) -> CompanyDetails:
    """The details for ``site`` (the default site's when ``site`` is None)."""
    for provider in hooks.get_hooks("company_details"):
        return provider(site)
    return CompanyDetails()


def crisis_contacts():
    """Who employees call when a post turns into a problem, in display order."""
    for provider in hooks.get_hooks("crisis_contacts"):
        return provider()
    return []
