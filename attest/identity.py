"""Changes of someone's sign-in email (DESIGN §3.9): four-eyes and visible.

Whoever controls an account's email can reset its password and sign as that person. So once an
account was used (signed in, has a password or a single sign-on link), a new address takes effect
only when a second HR person approves it; when it does, the old address is told, the account's
sessions end and the audit log shows old → new. Signatures in the ``IDENTITY_FLAG_DAYS`` after a
change carry it in HR's views and exports, computed from these records (attestations stay as signed).
"""

import json
import uuid
import zlib
from collections.abc import Iterable
from functools import partial
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from .models import Employee, IdentityChange, IdentityChangeOutcome, IdentityChangeSource, ReminderKind

LOG_REQUESTED = "attest.identity_change_request"
LOG_APPLIED = "attest.identity_change"
LOG_REJECTED = "attest.identity_change_reject"
DB_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")

ERROR_OWN_CHANGE = _("You asked for this change yourself: a second HR person must approve it.")
ERROR_NOT_PENDING = _("This change was already decided.")
ERROR_STALE = _("The email of %(name)s is no longer %(email)s, so this change is out of date: reject it.")
ERROR_ADDRESS_TAKEN = _("%(email)s now belongs to another account, so this change cannot be applied: reject it.")

_CHUNK = 900


class IdentityChangeError(Exception):
    pass


def accounts_used(user_ids: Iterable[int]) -> set[int]:
    """Which of these accounts were ever used: signed in, hold a usable password, or are linked
    to a single sign-on account. Only those need a second person to change their address."""
    user_ids = list(user_ids)
    used = set()
    for start in range(0, len(user_ids), _CHUNK):
        chunk = user_ids[start : start + _CHUNK]
        for pk, last_login, password in (
            get_user_model().objects.filter(pk__in=chunk).values_list("pk", "last_login", "password")
        ):
            if last_login or (password and is_password_usable(password)):
                used.add(pk)
        used.update(SocialAccount.objects.filter(user_id__in=chunk).values_list("user_id", flat=True))
    return used


def identity_change_log_data(change: IdentityChange) -> dict:
    return {
        "reference": change.reference,
        "old_email": change.old_email,
        "new_email": change.new_email,
        "source": change.source,
        "file_name": change.file_name,
    }


@transaction.atomic
def identity_change_request(
    *,
    employee: Employee,
    new_email: str,
    by,
    source: str = IdentityChangeSource.EDIT,
    file_name: str = "",
    batch: uuid.UUID | None = None,
) -> IdentityChange:
    """Ask for ``employee``'s sign-in email to become ``new_email``. A never-used account changes
    at once (still recorded and audited); otherwise the change waits for a second HR person. A
    new request replaces the person's pending one; asking again for the same address changes nothing."""
    new_email = new_email.strip().lower()
    now = timezone.now()
    pending = IdentityChange.objects.select_for_update().filter(
        employee=employee, outcome=IdentityChangeOutcome.PENDING
    )
    current = pending.first()
    if current is not None and current.new_email == new_email:
        return current
    pending.update(outcome=IdentityChangeOutcome.SUPERSEDED, decided_by=by, decided_at=now)
    change = IdentityChange(
        employee=employee,
        old_email=employee.email,
        new_email=new_email,
        requested_by=by,
        requested_at=now,
        source=source,
        file_name=file_name,
        batch=batch or uuid.uuid4(),
    )
    if employee.user_id in accounts_used([employee.user_id]):
        change.full_clean()
        change.save()
        log(instance=employee, action=LOG_REQUESTED, user=by, data=identity_change_log_data(change))
        return change
    change.outcome, change.decided_by, change.decided_at = IdentityChangeOutcome.DIRECT, by, now
    change.full_clean()
    change.save()
    _apply(change, by=by, notify=False)
    sessions_end(user_ids=[employee.user_id])
    return change


def _batch(change: IdentityChange) -> list[IdentityChange]:
    return list(
        IdentityChange.objects.select_for_update()
        .filter(batch=change.batch, outcome=IdentityChangeOutcome.PENDING)
        .select_related("employee__user")
        .order_by("pk")
    )


def _address_taken(change: IdentityChange) -> bool:
    user_id = change.employee.user_id
    address = change.new_email
    return (
        Employee.objects.filter(email__iexact=address).exclude(pk=change.employee_id).exists()
        or get_user_model()
        .objects.filter(Q(email__iexact=address) | Q(username__iexact=address))
        .exclude(pk=user_id)
        .exists()
        or EmailAddress.objects.filter(email__iexact=address).exclude(user_id=user_id).exists()
    )


@transaction.atomic
def identity_change_approve(*, change: IdentityChange, by) -> list[IdentityChange]:
    """A second HR person approves ``change`` and every other pending change of the same request
    (one roster file is one approval). The requester cannot approve their own request."""
    from .roster import lock_roster  # the roster import applies addresses too: one writer at a time

    lock_roster()
    changes = _batch(change)
    if not changes:
        raise IdentityChangeError(ERROR_NOT_PENDING)
    if any(item.requested_by_id == by.pk for item in changes):
        raise IdentityChangeError(ERROR_OWN_CHANGE)
    for item in changes:
        if item.employee.email.lower() != item.old_email.lower():
            raise IdentityChangeError(ERROR_STALE % {"name": item.employee.full_name, "email": item.old_email})
        if _address_taken(item):
            raise IdentityChangeError(ERROR_ADDRESS_TAKEN % {"email": item.new_email})
    now = timezone.now()
    for item in changes:
        item.outcome, item.decided_by, item.decided_at = IdentityChangeOutcome.APPROVED, by, now
        item.save(update_fields=["outcome", "decided_by", "decided_at"])
        _apply(item, by=by, notify=True)
    sessions_end(user_ids=[item.employee.user_id for item in changes])
    return changes


@transaction.atomic
def identity_change_reject(*, change: IdentityChange, by) -> list[IdentityChange]:
    """Refuse ``change`` and the rest of its request. Anyone in HR may, the requester included
    (withdrawing a mistake needs no second person)."""
    changes = _batch(change)
    if not changes:
        raise IdentityChangeError(ERROR_NOT_PENDING)
    now = timezone.now()
    for item in changes:
        item.outcome, item.decided_by, item.decided_at = IdentityChangeOutcome.REJECTED, by, now
        item.save(update_fields=["outcome", "decided_by", "decided_at"])
        log(instance=item.employee, action=LOG_REJECTED, user=by, data=identity_change_log_data(item))
    return changes


def _apply(change: IdentityChange, *, by, notify: bool) -> None:
    """Make the new address the person's sign-in: record, login and allauth's copy. The caller
    ends the sessions (once for a whole roster file's changes)."""
    employee = change.employee
    user = employee.user
    employee.email = change.new_email
    employee.save(update_fields=["email", "updated_at"])
    user.username = user.email = change.new_email
    user.save(update_fields=["username", "email"])
    addresses = EmailAddress.objects.filter(user=user)
    addresses.filter(primary=False).delete()
    addresses.update(email=change.new_email)
    log(instance=employee, action=LOG_APPLIED, user=by, data=identity_change_log_data(change))
    if notify:
        transaction.on_commit(partial(_notify_old_address, change.pk))


def identity_change_announce(change_pk: int) -> None:
    """Tell the old address of an applied change, once the transaction commits."""
    transaction.on_commit(partial(_notify_old_address, change_pk))


def _session_user_id(data: str) -> str | None:
    """The user id a stored session claims, read without checking its signature (a third of
    the cost): used only to pick sessions to delete, where a forged claim does no harm."""
    payload = data.split(":", 1)[0]
    try:
        raw = signing.b64_decode(payload.removeprefix(".").encode())
        if payload.startswith("."):
            raw = zlib.decompress(raw)
        return json.loads(raw).get(SESSION_KEY)
    except (ValueError, zlib.error, AttributeError):
        return None


def sessions_end(*, user_ids: list[int]) -> int:
    """Sign these people out everywhere: delete their stored sessions (and, with ``cached_db``,
    the cached copies). Sessions are not indexed by user, so every live row's key and data are
    read once, in chunks, and decoded cheaply; an approval is rare, a login index would cost
    every sign-in."""
    if settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    wanted = {str(pk) for pk in user_ids}
    keys = [
        key
        for key, data in Session.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator(chunk_size=2000)
        if _session_user_id(data) in wanted
    ]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def _notify_old_address(change_pk: int) -> None:
    from .reminders import Email, deliver

    change = IdentityChange.objects.select_related("employee").get(pk=change_pk)
    deliver(
        [
            Email(
                kind=ReminderKind.IDENTITY_CHANGE,
                dedupe_key=f"identity_change:{change.pk}",
                recipient=change.old_email,
                template="identity_change",
                language=change.employee.language,
                context={"employee": change.employee, "change": change},
                employee_id=change.employee_id,
            )
        ]
    )
