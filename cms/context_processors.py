"""What every employee page's header and footer need, without a database query per page."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .models import CompanySettings

ADMIN_LINK_SESSION_KEY = "show_admin_link"
COMPANY_CACHE_VERSION_KEY = "company-chrome-version"


def company_chrome_forget() -> None:
    """Called when the company settings or sites change: every host's cached copy is dropped."""
    try:
        cache.incr(COMPANY_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(COMPANY_CACHE_VERSION_KEY, 1, None)


def _company(request) -> dict:
    version = cache.get_or_set(COMPANY_CACHE_VERSION_KEY, 1, None)
    key = f"company-chrome:{version}:{request.get_host()}"
    company = cache.get(key)
    if company is None:
        found = CompanySettings.for_request(request)
        company = {"name": found.company_name, "hr_contact_email": found.hr_contact_email}
        cache.set(key, company, 3600)
    return company


def show_admin_link(request) -> bool:
    """Remembered in the session: the link is a convenience, the admin checks access itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if ADMIN_LINK_SESSION_KEY not in request.session:
        request.session[ADMIN_LINK_SESSION_KEY] = user.has_perm("wagtailadmin.access_admin")
    return request.session[ADMIN_LINK_SESSION_KEY]


def site_chrome(request) -> dict:
    """Lazy: pages that show neither (the Wagtail admin) pay nothing."""
    return {
        "company": SimpleLazyObject(lambda: _company(request)),
        "show_admin_link": SimpleLazyObject(lambda: show_admin_link(request)),
    }
