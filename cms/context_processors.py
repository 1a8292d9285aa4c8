"""What every employee page's header and footer need, without a database query per page."""

import secrets

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from attest.selectors import manages_anyone

from .models import CompanySettings

ADMIN_LINK_SESSION_KEY = "show_admin_link"
TEAM_LINK_SESSION_KEY = "show_team_link"
COMPANY_CACHE_VERSION_KEY = "company-chrome-version"


def company_chrome_forget() -> None:
    """Called when the company settings or sites change: every process's copy is dropped."""
    cache.set(COMPANY_CACHE_VERSION_KEY, _new_version(), None)


def _new_version() -> str:
    """Never reused, so no copy taken under an earlier value (even before the cache was
    emptied or restarted) can match again."""
    return secrets.token_hex(8)


# Per process: {host: (version, chrome)}, for the hosts ALLOWED_HOSTS lets through.
_chrome_by_host: dict[str, tuple[str, dict]] = {}
_CHROME_HOSTS_MAX = 64  # a wildcard such as ".example.com" admits any number of names


def _company(request) -> dict:
    """One cache read per page (the shared version); the chrome itself is kept in each process
    until a change anywhere replaces that version."""
    version = cache.get_or_set(COMPANY_CACHE_VERSION_KEY, _new_version, None)
    host = request.get_host()
    known = _chrome_by_host.get(host)
    if known is None or known[0] != version:
        found = CompanySettings.for_request(request)
        known = (version, {"name": found.company_name, "hr_contact_email": found.hr_contact_email})
        if len(_chrome_by_host) >= _CHROME_HOSTS_MAX:
            _chrome_by_host.clear()
        _chrome_by_host[host] = known
    return known[1]


def show_admin_link(request) -> bool:
    """Remembered in the session: the link is a convenience, the admin checks access itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if ADMIN_LINK_SESSION_KEY not in request.session:
        request.session[ADMIN_LINK_SESSION_KEY] = user.has_perm("wagtailadmin.access_admin")
    return request.session[ADMIN_LINK_SESSION_KEY]


def show_team_link(request) -> bool:
    """Whether the header links to /team/ (the user manages someone); remembered like the admin link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if TEAM_LINK_SESSION_KEY not in request.session:
        request.session[TEAM_LINK_SESSION_KEY] = manages_anyone(user=user)
    return request.session[TEAM_LINK_SESSION_KEY]


def site_chrome(request) -> dict:
    """Lazy: pages that show neither (the Wagtail admin) pay nothing."""
    return {
        "company": SimpleLazyObject(lambda: _company(request)),
        "show_admin_link": SimpleLazyObject(lambda: show_admin_link(request)),
        "show_team_link": SimpleLazyObject(lambda: show_team_link(request)),
    }
