from django.core.management.base import BaseCommand, CommandError

from training.models import PolicyVersion
from training.selectors import version_hash_problems


class Command(BaseCommand):
    help = (
        "Recompute every released version's hashes from its frozen text. Exit 0 with a count if all "
        "match; non-zero naming each version, language and chapter that does not."
    )

    def handle(self, *args, **options):
        versions = list(PolicyVersion.objects.select_related("policy__locale").order_by("pk"))
        problems = [problem for version in versions for problem in version_hash_problems(version=version)]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{len(problems)} problem(s) in {len(versions)} version(s): released text does not verify."
            )
        self.stdout.write(f"OK: {len(versions)} version(s) verified; every released text matches its hash.")
