"""``checkpoint_key``: make or show the Ed25519 key pair that signs checkpoints (README, "Checkpoints").

``generate --private-key PATH --public-key PATH`` writes a new pair (the private file readable by
its owner only) and never overwrites a file; ``public`` prints the public half of the configured
signing key and its id, for publishing.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from attest.checkpoints import ERROR_NO_PRIVATE_KEY, key_id, key_pair_generate, private_key_load, public_pem

ERROR_EXISTS = "%(path)s already exists; keys are never overwritten (keep old public keys to verify old checkpoints)."


class Command(BaseCommand):
    help = "Generate the checkpoint signing key pair, or print the configured key's public half."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        generate = actions.add_parser("generate", help="Write a new key pair.")
        generate.add_argument("--private-key", required=True, metavar="PATH")
        generate.add_argument("--public-key", required=True, metavar="PATH")
        actions.add_parser("public", help="Print the configured signing key's public key and id.")

    def handle(self, *args, action, **options):
        if action == "public":
            try:
                key = private_key_load()
            except (ImproperlyConfigured, OSError) as error:
                raise CommandError(str(error)) from error
            if key is None:
                raise CommandError(ERROR_NO_PRIVATE_KEY)
            self.stdout.write(f"key id {key_id(key.public_key())}")
            self.stdout.write(public_pem(key.public_key()).decode("ascii"), ending="")
            return
        private_path, public_path = Path(options["private_key"]), Path(options["public_key"])
        for path in (private_path, public_path):
            if path.exists():
                raise CommandError(ERROR_EXISTS % {"path": path})
        private, public, ident = key_pair_generate()
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private)
        public_path.write_bytes(public)
        self.stdout.write(
            f"Wrote key {ident}: private key {private_path} (keep it off the database server), "
            f"public key {public_path} (publish it)."
        )
