"""Signed checkpoints of the attestation chain, kept outside the database (DESIGN §3.9).

The hash chain alone cannot stop whoever controls the database: they can change a record and
recompute the rest of its lane with ``attest/chain.py``. A checkpoint is a small canonical JSON
document (every lane's head, the record count and the content hash of every released version
and language) signed with an Ed25519 key the database never sees, and written through the
``checkpoints`` storage (an append-only directory or an object-locked bucket). Verification needs
only the public key, the checkpoint files and the database: a record that no longer hashes to
what a checkpoint signed was rewritten after it was signed.
"""

import base64
import datetime
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

from training.hashing import canonical_json
from training.models import PolicyVersionLocale

from .models import AttestationChainHead

logger = logging.getLogger(__name__)

FORMAT = "attest-checkpoint/1"
STORAGE_ALIAS = "checkpoints"
NAME_PREFIX = "checkpoint-"

ERROR_NO_PRIVATE_KEY = (
    "No checkpoint signing key: set ATTEST_CHECKPOINT_KEY_FILE (a PEM file) or ATTEST_CHECKPOINT_PRIVATE_KEY."
)
ERROR_BAD_PRIVATE_KEY = "The checkpoint signing key is not an Ed25519 private key in PEM form."
ERROR_BAD_PUBLIC_KEY = "%(path)s is not an Ed25519 public key in PEM form."
ERROR_NAME_TAKEN = "Checkpoint %(name)s already exists; checkpoints are never overwritten."


def key_id(public_key: Ed25519PublicKey) -> str:
    """Names a key in each checkpoint, so old checkpoints stay verifiable after a rotation."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_pair_generate() -> tuple[bytes, bytes, str]:
    """A new key pair as (private PEM, public PEM, key id)."""
    private_key = Ed25519PrivateKey.generate()
    private = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private, public_pem(private_key.public_key()), key_id(private_key.public_key())


def private_key_load() -> Ed25519PrivateKey | None:
    """The signing key from ``ATTEST_CHECKPOINT_PRIVATE_KEY`` (PEM text) or the file named by
    ``ATTEST_CHECKPOINT_KEY_FILE``; None when neither is set."""
    pem = settings.ATTEST_CHECKPOINT_PRIVATE_KEY
    if not pem and settings.ATTEST_CHECKPOINT_KEY_FILE:
        pem = Path(settings.ATTEST_CHECKPOINT_KEY_FILE).read_text(encoding="ascii")
    if not pem:
        return None
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except ValueError as error:
        raise ImproperlyConfigured(ERROR_BAD_PRIVATE_KEY) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(ERROR_BAD_PRIVATE_KEY)
    return key


def public_key_load(path: str | Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(ERROR_BAD_PUBLIC_KEY % {"path": path}) from error
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured(ERROR_BAD_PUBLIC_KEY % {"path": path})
    return key


def public_keys_load(paths: list[str] | None = None) -> dict[str, Ed25519PublicKey]:
    """The keys checkpoints may be signed with, by key id: ``paths`` when given (an auditor's
    copy), else ``ATTEST_CHECKPOINT_PUBLIC_KEYS`` (old keys kept after a rotation) plus the public
    half of the configured signing key."""
    keys = [public_key_load(path) for path in (paths if paths is not None else settings.ATTEST_CHECKPOINT_PUBLIC_KEYS)]
    if paths is None and (private := private_key_load()) is not None:
        keys.append(private.public_key())
    return {key_id(key): key for key in keys}


def checkpoint_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def directory_storage(path: str | Path) -> Storage:
    """An auditor's local copy of the checkpoints."""
    return FileSystemStorage(location=path)


def chain_state() -> dict:
    """What a checkpoint signs. The record count is the sum of the lane heads (each lane is
    numbered 1..n without gaps), so heads and count come from one consistent query."""
    lanes = [
        {"lane": lane, "seq": seq, "hash": digest}
        for lane, seq, digest in AttestationChainHead.objects.order_by("lane").values_list("lane", "seq", "record_hash")
    ]
    versions = [
        {"version": version, "number": number, "policy": policy, "language": language, "content_sha256": digest}
        for version, number, policy, language, digest in PolicyVersionLocale.objects.order_by(
            "version_id", "locale__language_code"
        ).values_list("version_id", "version__number", "version__policy_id", "locale__language_code", "content_sha256")
    ]
    return {"records": sum(lane["seq"] for lane in lanes), "lanes": lanes, "versions": versions}


def checkpoint_write(*, storage: Storage | None = None, now: datetime.datetime | None = None) -> str | None:
    """Sign the chain's current state and store it under a new name. Returns the name, or None
    (with a warning in the log) when no signing key is configured. Writing twice in a row is
    harmless: each checkpoint is a new file."""
    private_key = private_key_load()
    if private_key is None:
        logger.warning(ERROR_NO_PRIVATE_KEY)
        return None
    storage = storage or checkpoint_storage()
    now = now or timezone.now()
    document = {
        "format": FORMAT,
        "created_at": now.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "key_id": key_id(private_key.public_key()),
        **chain_state(),
    }
    signature = base64.b64encode(private_key.sign(canonical_json(document))).decode("ascii")
    body = json.dumps({"checkpoint": document, "signature": signature}, sort_keys=True, indent=1, ensure_ascii=False)
    name = f"{NAME_PREFIX}{now.astimezone(datetime.UTC):%Y%m%dT%H%M%S%fZ}-{document['records']:012d}-{secrets.token_hex(4)}.json"
    if storage.exists(name):
        raise FileExistsError(ERROR_NAME_TAKEN % {"name": name})
    return storage.save(name, ContentFile(body.encode("utf-8")))


@dataclass
class Checkpoint:
    name: str
    document: dict = field(default_factory=dict)
    problem: str = ""

    @property
    def created_at(self) -> str:
        return self.document.get("created_at", "")


def checkpoints_read(storage: Storage, public_keys: dict[str, Ed25519PublicKey]) -> list[Checkpoint]:
    """Every checkpoint in ``storage``, oldest first; one whose signature does not verify, whose
    key is unknown or that cannot be read carries a ``problem`` and is not trusted."""
    try:
        _dirs, files = storage.listdir("")
    except FileNotFoundError:  # nothing written yet
        files = []
    found = []
    for name in sorted(files):
        if not (name.startswith(NAME_PREFIX) and name.endswith(".json")):
            continue
        checkpoint = Checkpoint(name=name)
        try:
            with storage.open(name, "rb") as handle:
                wrapper = json.loads(handle.read().decode("utf-8"))
            document, signature = wrapper["checkpoint"], base64.b64decode(wrapper["signature"], validate=True)
            key = public_keys.get(document.get("key_id"))
            if key is None:
                checkpoint.problem = (
                    f"signed with key {document.get('key_id')!r}, which is not among the public keys given"
                )
            else:
                key.verify(signature, canonical_json(document))
                if document.get("format") != FORMAT:
                    checkpoint.problem = f"unknown format {document.get('format')!r}"
                else:
                    checkpoint.document = document
        except InvalidSignature:
            checkpoint.problem = "its signature does not verify (altered or forged)"
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            checkpoint.problem = "cannot be read as a signed checkpoint"
        found.append(checkpoint)
    return found
