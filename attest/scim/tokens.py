"""Provisioning tokens: created and revoked by HR (admin or ``scim_token``), checked on every
SCIM request, each with its own rate limit."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from .models import ScimToken

PREFIX = "scim_"
LOG_CREATED = "scim.token_create"
LOG_REVOKED = "scim.token_revoke"
LAST_USED_EVERY = datetime.timedelta(minutes=1)  # how stale "last used" may be: not a write per request

ERROR_NAME_TAKEN = _("A token named “%(name)s” already exists.")
ERROR_NO_TOKEN = _("No active token is named “%(name)s”.")


class TokenError(Exception):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, name: str, by=None) -> tuple[ScimToken, str]:
    """A new token for an identity provider: the record, and the token itself, to show once."""
    name = name.strip()
    if not name:
        raise TokenError(_("A token needs a name."))
    if ScimToken.objects.filter(name__iexact=name).exists():
        raise TokenError(ERROR_NAME_TAKEN % {"name": name})
    token = PREFIX + secrets.token_urlsafe(32)
    record = ScimToken.objects.create(
        name=name, token_sha256=_digest(token), prefix=token[: len(PREFIX) + 4], created_by=by
    )
    log(instance=record, action=LOG_CREATED, user=by, data={"name": name})
    return record, token


@transaction.atomic
def token_revoke(*, token: ScimToken | None = None, name: str = "", by=None) -> ScimToken:
    """Revoke a token (kept, with who and when): the provider using it gets 401 from now on."""
    query = ScimToken.objects.select_for_update().filter(revoked_at__isnull=True)
    record = query.filter(pk=token.pk).first() if token else query.filter(name__iexact=name.strip()).first()
    if record is None:
        raise TokenError(ERROR_NO_TOKEN % {"name": token.name if token else name})
    record.revoked_at, record.revoked_by = timezone.now(), by
    record.save(update_fields=["revoked_at", "revoked_by"])
    log(instance=record, action=LOG_REVOKED, user=by, data={"name": record.name})
    return record


def token_authenticate(raw: str) -> ScimToken | None:
    """The active token ``raw`` is, or ``None``. Its last use is recorded at most once a minute."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    record = ScimToken.objects.filter(token_sha256=_digest(raw), revoked_at__isnull=True).first()
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_EVERY:
        ScimToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record


def rate_limited(record: ScimToken) -> int:
    """Count this request against the token's ``ATTEST_SCIM_RATE_LIMIT`` requests a minute (in
    the shared cache, so across app servers); the seconds to wait when over it, else 0."""
    limit = settings.ATTEST_SCIM_RATE_LIMIT
    if not limit:
        return 0
    now = int(timezone.now().timestamp())
    window = now // 60
    key = f"scim-rate:{record.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return 60 - now % 60 if count > limit else 0
