"""Single sign-on through the organisation's OpenID Connect provider (see the settings)."""

from urllib.parse import urlsplit

from django.conf import settings


def _apps() -> list[dict]:
    return settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])


def sso_provider_id() -> str | None:
    """The provider to sign in and to confirm a signature with, when one is configured."""
    return settings.SSO_PROVIDER_ID if any(app["provider_id"] == settings.SSO_PROVIDER_ID for app in _apps()) else None


def provider_origins() -> tuple[str, ...]:
    """Where the sign-in form may be redirected to (the Content Security Policy's form-action)."""
    return tuple(f"{url.scheme}://{url.netloc}" for url in (urlsplit(app["settings"]["server_url"]) for app in _apps()))
