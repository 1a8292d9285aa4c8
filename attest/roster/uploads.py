"""A roster file staged in the database between HR's preview and confirmation, so the confirmation may reach any app server."""

import datetime
import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..models import RosterUpload
from .parse import _name_and_bytes


def _upload_max_age() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS", 24))


def roster_upload_stage(*, upload, by, deactivate_missing: bool, send_invitations: bool) -> RosterUpload:
    """Keep a checked file in the database under a random token until its uploader confirms it,
    so that the confirmation may reach any app server. Abandoned uploads are purged first."""
    name, data = _name_and_bytes(upload)
    roster_uploads_purge()
    staged = RosterUpload(
        token=secrets.token_urlsafe(24),
        uploaded_by=by,
        file_name=Path(name.replace("\\", "/")).name[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        deactivate_missing=deactivate_missing,
        send_invitations=send_invitations,
        created_at=timezone.now(),
    )
    staged.full_clean()
    staged.save()
    return staged


def roster_upload_take(*, token: str, by) -> RosterUpload | None:
    """The staged upload ``by`` confirms, removed from staging so it is applied at most once
    (two confirmations at once, on two servers, get it once). ``None`` when it is someone
    else's, expired, already taken, or no longer matches its checksum."""
    staged = RosterUpload.objects.filter(
        token=token, uploaded_by=by, created_at__gte=timezone.now() - _upload_max_age()
    ).first()
    if staged is None or not RosterUpload.objects.filter(pk=staged.pk).delete()[0]:
        return None
    staged.content = bytes(staged.content)
    if not secrets.compare_digest(hashlib.sha256(staged.content).hexdigest(), staged.sha256):
        return None
    return staged


def roster_upload_discard(*, token: str, by) -> None:
    RosterUpload.objects.filter(token=token, uploaded_by=by).delete()


def roster_uploads_purge(*, at: datetime.datetime | None = None) -> int:
    """Delete uploads older than ``ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS``; returns how many."""
    cutoff = (at or timezone.now()) - _upload_max_age()
    return RosterUpload.objects.filter(created_at__lt=cutoff).delete()[0]
