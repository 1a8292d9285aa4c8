"""Writes and look-ups for API tokens: create (the secret is returned once), revoke, find by
secret, and note the last use. Every creation and revocation goes to the audit log."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..models import Employee, EmployeeStatus
from .models import ApiScope, ApiToken

SECRET_PREFIX = "pta_"  # noqa: S105 - not a secret; recognisable in logs and secret scanners: a policy-training API token
LOG_CREATED = "attest.api_token_create"
LOG_REVOKED = "attest.api_token_revoke"
# Recording every use would write a row per request; a minute is precise enough to see which
# tokens are alive.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)

ERROR_NO_SCOPE = _("Choose at least one scope.")
ERROR_UNKNOWN_SCOPE = _("Unknown scope: %(scope)s. Scopes: %(scopes)s.")
ERROR_NOT_A_MANAGER = _("Nobody reports to %(employee)s: a token limited to their line would see nobody.")
ERROR_MANAGER_LEFT = _("%(employee)s has left: a token cannot be limited to their line.")


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _check(scopes: list[str], manager: Employee | None) -> list[str]:
    if not scopes:
        raise ValidationError(ERROR_NO_SCOPE)
    for scope in scopes:
        if scope not in ApiScope.values:
            raise ValidationError(ERROR_UNKNOWN_SCOPE % {"scope": scope, "scopes": ", ".join(ApiScope.values)})
    if manager is not None:
        if manager.status == EmployeeStatus.TERMINATED:
            raise ValidationError(ERROR_MANAGER_LEFT % {"employee": manager})
        if not Employee.objects.filter(manager=manager).exists():
            raise ValidationError(ERROR_NOT_A_MANAGER % {"employee": manager})
    return sorted(set(scopes))


@transaction.atomic
def api_token_create(*, name: str, scopes: list[str], manager: Employee | None = None, by=None) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is stored only as a hash: whoever
    creates it must copy it now. ``manager`` limits it to that manager's reporting line."""
    scopes = _check(list(scopes), manager)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        prefix=secret[:12],
        key_hash=secret_hash(secret),
        scopes=scopes,
        manager=manager,
        created_by=by,
        created_at=timezone.now(),
    )
    token.full_clean()
    token.save()
    log(
        instance=token,
        action=LOG_CREATED,
        user=by,
        data={"name": name, "scopes": scopes, "manager": manager.employee_id if manager else ""},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by=None) -> bool:
    """Revoke ``token`` from now on; False if it already was."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    if changed:
        token.revoked_at, token.revoked_by = now, by
        log(instance=token, action=LOG_REVOKED, user=by, data={"name": token.name})
    return bool(changed)


def api_token_for(secret: str) -> ApiToken | None:
    """The token with this secret (revoked or not), with its manager: one indexed query."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    return ApiToken.objects.select_related("manager").filter(key_hash=secret_hash(secret)).first()


def api_token_touch(token: ApiToken) -> None:
    """Note that the token was used now (at most one write a minute per token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
