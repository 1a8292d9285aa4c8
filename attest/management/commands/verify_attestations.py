from django.core.management.base import BaseCommand, CommandError

from attest.chain import verify_chain


class Command(BaseCommand):
    help = "Re-verify the attestation hash chain. Exit 0 with a count if intact; non-zero naming each broken record."

    def handle(self, *args, **options):
        checked, problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(problems)} problem(s) in {checked} attestation(s): the chain does not verify.")
        self.stdout.write(f"OK: {checked} attestation(s) verified; the chain is intact.")
