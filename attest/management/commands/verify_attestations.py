"""``verify_attestations`` (DESIGN §4): the chain, the chain against the signed checkpoints, and
the assignments against the attestations and the audit log.

An auditor needs only the public key(s), a copy of the checkpoints and a database dump:
``verify_attestations --public-key KEY.pem --checkpoints DIR`` (README, "Checkpoints").
"""

import datetime
import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from attest.checkpoints import checkpoint_storage, directory_storage, public_keys_load
from attest.integrity import integrity_verify

ERROR_AS_OF = "--as-of takes an ISO date and time with its offset, e.g. 2026-12-06T18:00:00+00:00."
ERROR_NO_DIR = "%(path)s is not a directory."
ERROR_DIR_NEEDS_KEY = "--checkpoints needs --public-key: a copy of the checkpoints proves nothing without the key."
NO_KEY_NOTICE = (
    "Checkpoints not checked: no public key is configured (ATTEST_CHECKPOINT_PUBLIC_KEYS or a signing key) "
    "and none was given with --public-key."
)


class Command(BaseCommand):
    help = "Re-verify the attestations. Exit 0 with a count if intact; non-zero naming each broken record."

    def add_arguments(self, parser):
        parser.add_argument(
            "--public-key",
            action="append",
            dest="public_keys",
            metavar="PATH",
            help="An Ed25519 public key (PEM) checkpoints may be signed with; repeat for old keys.",
        )
        parser.add_argument("--checkpoints", metavar="DIR", help="A directory holding a copy of the checkpoints.")
        parser.add_argument(
            "--as-of",
            help="When the dump was taken (ISO, with offset): records older than this minus the grace period "
            "must be covered by a checkpoint. Default: now.",
        )

    def handle(self, *args, public_keys, checkpoints, as_of, **options):
        started = time.monotonic()
        if checkpoints and not public_keys:
            raise CommandError(ERROR_DIR_NEEDS_KEY)
        if checkpoints and not Path(checkpoints).is_dir():
            raise CommandError(ERROR_NO_DIR % {"path": checkpoints})
        try:
            moment = datetime.datetime.fromisoformat(as_of) if as_of else timezone.now()
        except ValueError as error:
            raise CommandError(ERROR_AS_OF) from error
        if timezone.is_naive(moment):
            raise CommandError(ERROR_AS_OF)
        try:
            keys = public_keys_load(public_keys)
        except (ImproperlyConfigured, OSError) as error:
            raise CommandError(str(error)) from error
        storage = directory_storage(checkpoints) if checkpoints else checkpoint_storage()
        report = integrity_verify(public_keys=keys, storage=storage if keys else None, as_of=moment)
        if not keys:
            self.stdout.write(NO_KEY_NOTICE)
        elapsed = time.monotonic() - started
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(report.problems)} problem(s) in {report.attestations} attestation(s): the chain does not verify "
                f"({elapsed:.1f} s)."
            )
        anchored = (
            f" against {report.checkpoints} signed checkpoint(s), the latest of {report.latest_checkpoint}"
            if keys
            else ""
        )
        self.stdout.write(
            f"OK: {report.attestations} attestation(s) verified{anchored}; the chain is intact "
            f"and every completion and exemption is backed ({elapsed:.1f} s)."
        )
