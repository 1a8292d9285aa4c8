"""Create a synthetic organisation for benchmarks and demos.

Builds N employees in realistic departments, locations, languages and tracks, with a manager
hierarchy, user accounts (unusable passwords: nobody can log in as them), about three
assignments each (onboarding, the annual refresher, re-attestation after a material version),
valid attestations (hash chain included), the quiz attempts behind them, reminders and
overdue cases in realistic proportions.

Speed is the point, so rows are written with pre-assigned primary keys in large batches
(``COPY`` on PostgreSQL) inside one transaction, instead of through the per-person services.
The data still satisfies every database constraint and the attestation chain verifies:
each lane continues from its last record.
"""

import datetime
import ipaddress
import json
import queue
import random
import threading
import time
import unicodedata
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry, Page

from attest import chain
from attest.bulk import analyze_tables
from attest.checkpoints import checkpoint_write
from attest.hierarchy import reporting_paths_refresh
from attest.integrity import EXEMPT_ACTION
from attest.models import (
    Assignment,
    Attestation,
    AttestationChainHead,
    AuthMethod,
    Employee,
    EmployeeStatus,
    Language,
    ReminderLog,
    Requirement,
    RequirementKind,
)
from attest.reminders import employee_reminder
from attest.services import attestation_statement
from training.content import policy_create, review_and_publish
from training.models import PolicyVersion, PolicyVersionChapter, PolicyVersionLocale, QuizAttempt, Track
from training.services import version_release

ERROR_EMPLOYEES = _("--employees must be a positive number.")
ERROR_NO_POLICY_FIXTURE = _("No released policy version exists and %(path)s is missing: run load_demo first.")

# (department, share of the workforce)
DEPARTMENTS = [
    ("Retail", 0.34),
    ("Customer Service", 0.14),
    ("Logistics", 0.12),
    ("Sales", 0.09),
    ("Operations", 0.06),
    ("Marketing", 0.05),
    ("IT", 0.05),
    ("Product", 0.04),
    ("Finance", 0.03),
    ("Communications", 0.03),
    ("HR", 0.03),
    ("Legal", 0.02),
]
OFFICIAL_TEAM_DEPARTMENTS = {"Marketing", "Communications"}
# (location, language, share)
LOCATIONS = [
    ("Oslo", Language.NB, 0.18),
    ("Bergen", Language.NB, 0.07),
    ("Copenhagen", Language.DA, 0.13),
    ("Aarhus", Language.DA, 0.05),
    ("Stockholm", Language.EN, 0.08),
    ("London", Language.EN, 0.14),
    ("Manchester", Language.EN, 0.06),
    ("Paris", Language.FR, 0.09),
    ("Lyon", Language.FR, 0.04),
    ("Madrid", Language.ES, 0.07),
    ("Barcelona", Language.ES, 0.04),
    ("Remote", Language.EN, 0.03),
]
FIRST_NAMES = {
    Language.NB: [
        "Ingrid",
        "Ola",
        "Kari",
        "Lars",
        "Sigrid",
        "Håkon",
        "Solveig",
        "Øystein",
        "Marit",
        "Jørgen",
        "Åse",
        "Eirik",
    ],
    Language.DA: [
        "Søren",
        "Mette",
        "Anders",
        "Freja",
        "Mads",
        "Karen",
        "Jens",
        "Ida",
        "Niels",
        "Astrid",
        "Rasmus",
        "Signe",
    ],
    Language.EN: ["Emma", "Oliver", "Amelia", "Noah", "Olivia", "George", "Isla", "Harry", "Ava", "Jack", "Mia", "Leo"],
    Language.FR: [
        "Claire",
        "Hugo",
        "Léa",
        "Louis",
        "Chloé",
        "Gabriel",
        "Manon",
        "Théo",
        "Inès",
        "Jules",
        "Zoé",
        "Raphaël",
    ],
    Language.ES: [
        "José",
        "Lucía",
        "Martín",
        "Sofía",
        "Álvaro",
        "Carmen",
        "Javier",
        "Elena",
        "Sergio",
        "Nuria",
        "Íñigo",
        "Paula",
    ],
}
LAST_NAMES = {
    Language.NB: ["Hansen", "Johansen", "Olsen", "Larsen", "Ødegård", "Berg", "Haugen", "Bakken", "Strøm", "Dahl"],
    Language.DA: [
        "Nielsen",
        "Jensen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Sørensen",
        "Rasmussen",
        "Møller",
        "Lund",
    ],
    Language.EN: ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Clarke", "Walker", "Wright", "Grant"],
    Language.FR: ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Lefèvre", "Moreau"],
    Language.ES: ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Núñez"],
}
EXTRA_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d"})
USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
]
SPAN_OF_CONTROL = 8
BATCH = 20_000
PEOPLE_PER_BATCH = 5_000
WORK_START = datetime.time(8)
ANSWERING_TIME = datetime.timedelta(minutes=2)
CLOSED_OUTCOMES = ["done", "late", "overdue", "exempt"]
OPEN_OUTCOMES = ["done", "started", "assigned"]
EXEMPTION_REASON = "Long-term leave"
GENERATOR_EMAIL = "organisation-generator@synthetic.invalid"
DOMAIN = "synthetic.example"


def _ascii(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.translate(EXTRA_LETTERS))
    return "".join(c for c in name if c.isascii() and c.isalnum()).lower()


def _pick(rng: random.Random, weighted: list[tuple]) -> tuple:
    return rng.choices(weighted, weights=[item[-1] for item in weighted])[0]


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class Writer:
    """Insert plain rows fast: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

    Rows are tuples in ``columns`` order; JSON columns receive JSON text, UUIDs 32 hex digits.
    ``plain`` rows (no None, no text needing escapes) skip the per-value formatting. On
    PostgreSQL the ``COPY`` runs on a background thread over the same connection and
    transaction, so the database ingests one batch while Python generates the next.
    """

    def __init__(self, model, columns: list[str], *, pipe: "CopyPipe | None", plain: bool = False):
        self.model = model
        self.fields = [model._meta.get_field(name) for name in columns]
        self.json = {i for i, f in enumerate(self.fields) if f.get_internal_type() == "JSONField"}
        self.pipe = pipe
        self.plain = plain
        self.count = 0
        quote = connection.ops.quote_name
        self.names = ", ".join(quote(f.column) for f in self.fields)
        self.table = quote(model._meta.db_table)

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pipe is not None:
            if self.plain:
                text = "".join("\t".join(map(str, row)) + "\n" for row in rows)
            else:
                text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
            self.pipe.put(f"COPY {self.table} ({self.names}) FROM STDIN", text.encode())
        else:
            marks = ", ".join(["%s"] * len(self.fields))
            prepared = [
                [
                    value if i in self.json else field.get_db_prep_save(value, connection)
                    for i, (field, value) in enumerate(zip(self.fields, row, strict=True))
                ]
                for row in rows
            ]
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self.table} ({self.names}) VALUES ({marks})", prepared)  # noqa: S608 - names come from the model
        self.count += len(rows)


class CopyPipe:
    """Runs ``COPY ... FROM STDIN`` statements one after another on a background thread."""

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-pipe", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue
            statement, data = item
            try:
                with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
                    copy.write(data)
            except BaseException as error:  # noqa: BLE001 - handed to the main thread in close()
                self.error = error

    def put(self, statement: str, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((statement, data))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class Command(BaseCommand):
    help = "Create a synthetic organisation (employees, hierarchy, assignments, attestations, quiz attempts) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, required=True, help="How many employees to create.")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed: the same seed gives the same organisation."
        )

    def handle(self, *args, employees, seed, **options):
        if employees <= 0:
            raise CommandError(ERROR_EMPLOYEES)
        started = time.monotonic()
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.onboarding_start = self.today - datetime.timedelta(days=3 * 365)
        self.latest = timezone.now() - datetime.timedelta(seconds=1)
        with transaction.atomic():
            # Hold every lane's head for the whole run: signers wait rather than fork a lane.
            self.heads = {lane: chain.head_for_update(lane) for lane in range(settings.ATTEST_CHAIN_LANES)}
            self.generator_user = self._generator_user()
            self.assignment_type = ContentType.objects.get_for_model(Assignment)
            self.versions = self._versions()
            self.requirements = self._requirements()
            self._prepare_content()
            self.pipe = CopyPipe() if connection.vendor == "postgresql" else None
            try:
                self._employees(employees)
                self._assignments()
            finally:
                if self.pipe is not None:
                    self.pipe.close()
            self._exemption_log()
            for lane, (seq, digest) in self.lanes.items():
                AttestationChainHead.objects.filter(lane=lane).update(seq=seq, record_hash=digest)
            self._reset_sequences()
            reporting_paths_refresh()
        analyze_tables(get_user_model(), Employee, Assignment, Attestation, QuizAttempt, ReminderLog)
        checkpoint_write()  # anchor the generated records, as the task worker does after signatures
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Created %(employees)s employees, %(assignments)s assignments, %(attestations)s attestations, "
                    "%(attempts)s quiz attempts and %(reminders)s reminders in %(seconds).1f s."
                )
                % {
                    "employees": f"{employees:,}",
                    "assignments": f"{self.counts['assignments']:,}",
                    "attestations": f"{self.counts['attestations']:,}",
                    "attempts": f"{self.counts['attempts']:,}",
                    "reminders": f"{self.counts['reminders']:,}",
                    "seconds": time.monotonic() - started,
                }
            )
        )

    # --- progress ---------------------------------------------------------------------------

    def _progress(self, label: str, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        self.stdout.write(f"  {label}: {done:,}/{total:,} ({percent}%)")
        self.stdout.flush()

    # --- content and rules -------------------------------------------------------------------

    def _generator_user(self):
        user_model = get_user_model()
        user = user_model.objects.filter(email=GENERATOR_EMAIL).first()
        if user is None:
            user = user_model.objects.create_user(username=GENERATOR_EMAIL, email=GENERATOR_EMAIL, password=None)
        return user

    def _versions(self) -> list[PolicyVersion]:
        """The released versions of the newest policy; a policy is written and released if none is."""
        latest = PolicyVersion.objects.order_by("-released_at").first()
        if latest is None:
            self.stdout.write(_("No released policy: writing one, sending it through review and releasing it…"))
            path = Path(settings.BASE_DIR) / "fixtures" / "policy" / "en.json"
            if not path.exists():
                raise CommandError(ERROR_NO_POLICY_FIXTURE % {"path": path})
            spec = json.loads(path.read_text(encoding="utf-8"))
            home = Page.get_first_root_node().get_children().first()
            self._may_approve(home)
            policy = policy_create(parent=home, spec=spec, owner=self.generator_user)
            review_and_publish(policy, editor=self.generator_user, reviewer=self.generator_user)
            for chapter in policy.get_children().specific():
                review_and_publish(chapter, editor=self.generator_user, reviewer=self.generator_user)
            for number, days_ago in (("1.0", 400), ("2.0", 45)):
                version_release(
                    policy=policy,
                    number=number,
                    effective_date=self.today - datetime.timedelta(days=days_ago),
                    key_changes=_("Synthetic release %(number)s.") % {"number": number},
                    requires_reattestation=True,
                    released_by=self.generator_user,
                )
            latest = PolicyVersion.objects.order_by("-released_at").first()
        return list(
            PolicyVersion.objects.filter(policy_id=latest.policy_id).select_related("policy").order_by("released_at")
        )

    def _may_approve(self, page: Page) -> None:
        """Put the generator account in the groups that approve ``page``'s review workflow, so
        the synthetic policy is released exactly as a real one is (reviewed, then published)."""
        workflow = page.get_workflow()
        if workflow is None:
            return
        for task in workflow.tasks.specific():
            for group in getattr(task, "groups", Group.objects.none()).all():
                self.generator_user.groups.add(group)

    def _requirements(self) -> dict[str, Requirement]:
        policy = self.versions[-1].policy
        wanted = {
            RequirementKind.ONBOARDING: {
                "name": "Onboarding: social-media policy",
                "due_days": 14,
                "starts_on": datetime.date(2010, 1, 1),
            },
            RequirementKind.ANNUAL: {
                "name": "Annual refresher",
                "due_days": 30,
                "starts_on": datetime.date(2010, 1, 1),
            },
            RequirementKind.REATTESTATION: {
                "name": "Re-attestation after material changes",
                "due_days": 21,
                "starts_on": datetime.date(2010, 1, 1),
            },
        }
        found = {}
        for kind, fields in wanted.items():
            requirement = Requirement.objects.filter(policy=policy, kind=kind).order_by("pk").first()
            found[kind] = requirement or Requirement.objects.create(policy=policy, kind=kind, **fields)
        return found

    def _prepare_content(self) -> None:
        """Per version: the quiz chapters by track and language, their questions, and the
        statement text and content hash per language, so no row needs a query."""
        self.content = {}
        for version in self.versions:
            locales = dict(
                PolicyVersionLocale.objects.filter(version=version).values_list(
                    "locale__language_code", "content_sha256"
                )
            )
            chapters = list(
                PolicyVersionChapter.objects.filter(version=version, has_quiz=True)
                .select_related("locale")
                .order_by("position")
            )
            quiz: dict[str, list[SimpleNamespace]] = {}
            for chapter in chapters:
                page = chapter.page
                questions = []
                for block in page.questions:
                    options = block.value["options"]
                    correct = [i for i, option in enumerate(options) if option["is_correct"]]
                    questions.append(
                        SimpleNamespace(
                            id=block.id,
                            options=len(options),
                            correct=correct,
                            wrong=[i for i in range(len(options)) if i not in correct] or correct,
                            # A few questions are hard: they make the quiz insight worth reading.
                            difficulty=self.rng.choice([0.03, 0.05, 0.08, 0.12, 0.3]),
                        )
                    )
                if not questions:
                    continue
                correct_answers = {q.id: q.correct for q in questions}
                may_miss = sum(
                    1
                    for n in range(len(questions))
                    if round(100 * (len(questions) - n - 1) / len(questions)) >= page.pass_mark
                )
                quiz.setdefault(chapter.locale.language_code, []).append(
                    SimpleNamespace(
                        key=str(chapter.chapter_key),
                        official=chapter.track == Track.OFFICIAL,
                        pass_mark=page.pass_mark,
                        questions=questions,
                        may_miss=may_miss,
                        correct=correct_answers,
                        correct_json=json.dumps(correct_answers),
                        presented_json=json.dumps(
                            [{"question": q.id, "options": list(range(q.options))} for q in questions]
                        ),
                    )
                )
            self.content[version.pk] = SimpleNamespace(locales=locales, quiz=quiz)

    # --- people --------------------------------------------------------------------------------

    def _employees(self, count: int) -> None:
        rng = self.rng
        user_model = get_user_model()
        next_user = (user_model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        next_employee = (Employee.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.stdout.write(_("Creating %(count)s employees…") % {"count": f"{count:,}"})
        by_department: dict[str, list[int]] = {}
        people = []
        ceo_pk = next_employee
        for index in range(count):
            pk, user_pk = next_employee + index, next_user + index
            department = "Executive" if index == 0 else _pick(rng, DEPARTMENTS)[0]
            location, language, _share = _pick(rng, LOCATIONS)
            first = rng.choice(FIRST_NAMES[language])
            last = rng.choice(LAST_NAMES[language])
            members = by_department.setdefault(department, [])
            if index == 0:
                manager = None
            elif not members:
                manager = ceo_pk
            else:
                manager = members[(len(members) - 1) // SPAN_OF_CONTROL]
            members.append(pk)
            roll = rng.random()
            if roll < 0.015:
                hired = self.today - datetime.timedelta(days=rng.randint(0, 30))
            else:
                hired = self.today - datetime.timedelta(days=min(int(rng.expovariate(1 / 1500)), 30 * 365) + 31)
            status_roll = rng.random()
            status = (
                EmployeeStatus.ACTIVE
                if status_roll < 0.94 or index == 0
                else EmployeeStatus.LEAVE
                if status_roll < 0.98
                else EmployeeStatus.TERMINATED
            )
            official = department in OFFICIAL_TEAM_DEPARTMENTS and rng.random() < 0.3
            email = f"{_ascii(first)}.{_ascii(last)}.{pk}@{DOMAIN}"
            people.append(
                SimpleNamespace(
                    pk=pk,
                    user_pk=user_pk,
                    employee_id=f"SYN{pk:08d}",
                    email=email,
                    first=first,
                    last=last,
                    department=department,
                    location=location,
                    manager=manager,
                    hired=hired,
                    language=language,
                    track=Track.OFFICIAL if official else Track.ALL,
                    status=status,
                )
            )
        now = timezone.now()
        users = Writer(
            user_model,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            pipe=self.pipe,
        )
        employees = Writer(
            Employee,
            [
                "id",
                "user",
                "employee_id",
                "email",
                "first_name",
                "last_name",
                "department",
                "location",
                "manager",
                "hire_date",
                "language",
                "track",
                "status",
                "updated_at",
            ],
            pipe=self.pipe,
        )
        unusable = make_password(None)
        for start in range(0, count, BATCH):
            batch = people[start : start + BATCH]
            users.write(
                [
                    (
                        p.user_pk,
                        unusable,
                        False,
                        p.email,
                        p.first,
                        p.last,
                        p.email,
                        False,
                        p.status != EmployeeStatus.TERMINATED,
                        now,
                    )
                    for p in batch
                ]
            )
            employees.write(
                [
                    (
                        p.pk,
                        p.user_pk,
                        p.employee_id,
                        p.email,
                        p.first,
                        p.last,
                        p.department,
                        p.location,
                        p.manager,
                        p.hired,
                        p.language,
                        p.track,
                        p.status,
                        now,
                    )
                    for p in batch
                ]
            )
            self._progress(_("employees"), start + len(batch), count)
        self.people = people

    # --- assignments, attestations, attempts, reminders ---------------------------------------

    def _moment(self, day: datetime.date) -> datetime.datetime:
        """A plausible working-hours instant on ``day``, never in the future, in UTC (as the
        database returns it: the attestation hash covers ``signed_at``'s ISO text)."""
        moment = datetime.datetime.combine(day, WORK_START, tzinfo=self.tz) + datetime.timedelta(
            seconds=self.rng.randrange(10 * 3600)
        )
        return min(moment.astimezone(datetime.UTC), self.latest)

    def _plans(self, person) -> list[tuple]:
        """The assignments one person has: (requirement kind, version, assigned on, due on, outcome).

        Recent hires have their onboarding; people hired before the onboarding rule started had
        last year's refresher instead. Everyone hired more than two months ago has this year's
        refresher, and those who signed an older material version must re-attest the newest."""
        rng, today = self.rng, self.today
        old, new = self.versions[0], self.versions[-1]
        plans = []
        if person.hired >= self.onboarding_start:
            due = person.hired + datetime.timedelta(days=14)
            if due < today - datetime.timedelta(days=60):
                outcome = "late" if rng.random() < 0.06 else "done"
            elif due < today:
                outcome = rng.choices(CLOSED_OUTCOMES, [0.62, 0.1, 0.25, 0.03])[0]
            else:
                outcome = rng.choices(OPEN_OUTCOMES, [0.25, 0.35, 0.4])[0]
            first_version = old if person.hired < new.effective_date else new
            plans.append((RequirementKind.ONBOARDING, first_version, person.hired, due, outcome))
        else:
            due = today - datetime.timedelta(days=365 + rng.randint(-60, 60))
            outcome = rng.choices(["done", "late", "exempt"], [0.9, 0.08, 0.02])[0]
            first_version = old
            plans.append((RequirementKind.ANNUAL, old, due - datetime.timedelta(days=30), due, outcome))
        if person.hired > today - datetime.timedelta(days=60):
            return plans
        # This year's refresher fell due within the last four months or falls due in the next two.
        due = today + datetime.timedelta(days=rng.randint(-120, 60))
        if due < today:
            outcome = rng.choices(CLOSED_OUTCOMES, [0.74, 0.1, 0.13, 0.03])[0]
        else:
            outcome = rng.choices(OPEN_OUTCOMES, [0.3, 0.3, 0.4])[0]
        plans.append((RequirementKind.ANNUAL, new, max(due - datetime.timedelta(days=30), person.hired), due, outcome))
        if first_version is not new and plans[0][4] in ("done", "late"):
            assigned = max(new.effective_date, person.hired)
            due = assigned + datetime.timedelta(days=21)
            if due < today:
                outcome = rng.choices(CLOSED_OUTCOMES, [0.68, 0.1, 0.19, 0.03])[0]
            else:
                outcome = rng.choices(OPEN_OUTCOMES, [0.35, 0.35, 0.3])[0]
            plans.append((RequirementKind.REATTESTATION, new, assigned, due, outcome))
        return plans

    def _attempts(self, person, version, locale, start, finished, numbers: dict, must_pass: bool, out: list) -> list:
        """Append quiz attempts for each quiz chapter of the person's track to ``out``; return the
        passing results, as recorded on an attestation."""
        rng = self.rng
        content = self.content[version.pk]
        results = []
        for chapter in content.quiz.get(locale) or content.quiz[settings.LANGUAGE_CODE]:
            if chapter.official and person.track != Track.OFFICIAL:
                continue
            if not must_pass and rng.random() < 0.5:
                continue
            roll = rng.random()
            tries = 1 if roll < 0.78 else 2 if roll < 0.96 else 3
            moment = start
            for attempt in range(1, tries + 1):
                last = attempt == tries
                wrong = [q for q in chapter.questions if rng.random() < q.difficulty * (1 if last else 2.5)]
                if last and must_pass:
                    wrong = wrong[: chapter.may_miss]
                if wrong:
                    answers = dict(chapter.correct)
                    for question in wrong:
                        answers[question.id] = [rng.choice(question.wrong)]
                    answers_json = json.dumps(answers)
                else:
                    answers_json = chapter.correct_json
                score = round(100 * (len(chapter.questions) - len(wrong)) / len(chapter.questions))
                passed = score >= chapter.pass_mark
                moment = min(moment + datetime.timedelta(seconds=rng.randrange(180, 2400)), finished)
                ident = (person.user_pk, version.pk, chapter.key)
                number = numbers[ident] = numbers.get(ident, 0) + 1
                out.append(
                    (
                        f"{rng.getrandbits(128):032x}",
                        person.user_pk,
                        version.pk,
                        chapter.key,
                        locale,
                        number,
                        chapter.presented_json,
                        answers_json,
                        score,
                        passed,
                        moment - ANSWERING_TIME,
                        moment,
                    )
                )
                if passed:
                    results.append(
                        {
                            "chapter": chapter.key,
                            "attempt": number,
                            "score": score,
                            "passed": True,
                            "submitted_at": moment.isoformat(),
                        }
                    )
                    break
        results.sort(key=lambda result: result["chapter"])
        return results

    def _assignments(self) -> None:
        """Plan and write everything per batch of people, so memory stays bounded."""
        self.next_pk = {
            model: (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
            for model in (Assignment, Attestation, ReminderLog)
        }
        self.lanes = {lane: (head.seq, head.record_hash) for lane, head in self.heads.items()}
        self.exemptions: list[ModelLogEntry] = []
        writers = {
            "assignments": Writer(Assignment, ASSIGNMENT_COLUMNS, pipe=self.pipe),
            "attestations": Writer(Attestation, ATTESTATION_COLUMNS, pipe=self.pipe),
            "attempts": Writer(QuizAttempt, ATTEMPT_COLUMNS, pipe=self.pipe, plain=True),
            "reminders": Writer(ReminderLog, REMINDER_COLUMNS, pipe=self.pipe),
        }
        total = len(self.people)
        self.stdout.write(_("Creating assignments, quiz attempts, attestations and reminders…"))
        for start in range(0, total, PEOPLE_PER_BATCH):
            rows = self._batch(self.people[start : start + PEOPLE_PER_BATCH])
            for name, writer in writers.items():
                writer.write(rows[name])
            self._progress(_("people done"), min(start + PEOPLE_PER_BATCH, total), total)
        self.counts = {name: writer.count for name, writer in writers.items()}

    def _exemption_log(self) -> None:
        """The audit entry ``assignment_exempt`` writes, so ``verify_attestations`` finds each exemption backed."""
        ModelLogEntry.objects.bulk_create(self.exemptions, batch_size=2000)

    def _take_pk(self, model) -> int:
        pk = self.next_pk[model]
        self.next_pk[model] = pk + 1
        return pk

    def _batch(self, people) -> dict[str, list[tuple]]:
        rng = self.rng
        assignments, attestations, attempts, reminders = [], [], [], []
        numbers: dict = {}
        for person in people:
            for kind, version, assigned, due, outcome in self._plans(person):
                pk = self._take_pk(Assignment)
                assigned = min(assigned, self.today)
                content = self.content[version.pk]
                locale = person.language if person.language in content.locales else settings.LANGUAGE_CODE
                window_start = self._moment(assigned)
                started_at = completed_at = exempted_at = cancelled_at = attestation_pk = None
                if outcome in ("done", "late"):
                    if outcome == "done":
                        finished_on = assigned + datetime.timedelta(
                            days=rng.randint(0, max(0, (min(due, self.today) - assigned).days))
                        )
                    else:
                        finished_on = due + datetime.timedelta(days=rng.randint(1, 30))
                    completed_at = min(
                        max(self._moment(min(finished_on, self.today)), window_start + datetime.timedelta(hours=1)),
                        self.latest,
                    )
                    started_at = window_start
                    results = self._attempts(
                        person, version, locale, window_start, completed_at, numbers, True, attempts
                    )
                    attestation_pk = self._take_pk(Attestation)
                    name = f"{person.first} {person.last}"
                    attestations.append(
                        SimpleNamespace(
                            id=attestation_pk,
                            verification_code=f"{rng.getrandbits(64):016X}",
                            user_id=person.user_pk,
                            employee_id=person.pk,
                            employee_number=person.employee_id,
                            typed_name=name,
                            policy_id=version.policy_id,
                            policy_title=version.policy.title,
                            version_id=version.pk,
                            version_number=version.number,
                            assignment_id=pk,
                            locale_code=locale,
                            content_sha256=content.locales[locale],
                            statement=attestation_statement(name=name, version=version, language=locale),
                            signed_at=completed_at,
                            auth_method=AuthMethod.PASSWORD.value,
                            ip_address=str(ipaddress.IPv4Address(0x0A000000 + rng.getrandbits(24))),
                            user_agent=rng.choice(USER_AGENTS),
                            quiz_results=results,
                            corrects_id=None,
                        )
                    )
                elif outcome in ("started", "overdue") and rng.random() < 0.6:
                    started_at = window_start
                    self._attempts(person, version, locale, window_start, self.latest, numbers, False, attempts)
                elif outcome == "exempt":
                    exempted_at = self._moment(min(due, self.today))
                    self.exemptions.append(
                        ModelLogEntry(
                            content_type=self.assignment_type,
                            object_id=str(pk),
                            label=f"{person.first} {person.last} ({person.employee_id}) — {version.policy.title} {version.number}",
                            action=EXEMPT_ACTION,
                            data={"reason": EXEMPTION_REASON},
                            timestamp=exempted_at,
                            user_id=self.generator_user.pk,
                        )
                    )
                if person.status == EmployeeStatus.TERMINATED and outcome in ("overdue", "started", "assigned"):
                    cancelled_at = self._moment(self.today)
                elif outcome in ("overdue", "started", "assigned"):
                    self._reminders(person, pk, due, reminders)
                assignments.append(
                    (
                        pk,
                        person.pk,
                        self.requirements[kind].pk,
                        version.pk,
                        assigned,
                        due,
                        started_at,
                        completed_at,
                        timezone.localdate(completed_at, self.tz) if completed_at else None,
                        attestation_pk,
                        locale if attestation_pk else "",
                        exempted_at,
                        self.generator_user.pk if exempted_at else None,
                        EXEMPTION_REASON if exempted_at else "",
                        cancelled_at,
                        "left" if cancelled_at else "",
                    )
                )
        return {
            "assignments": assignments,
            "attestations": self._chained(attestations),
            "attempts": attempts,
            "reminders": reminders,
        }

    def _chained(self, records: list) -> list[tuple]:
        """Give each attestation its place in its lane (in signing order within the batch) and its hash."""
        records.sort(key=lambda record: (record.signed_at, record.id))
        rows = []
        for record in records:
            record.chain_lane = chain.lane_for(record.employee_id)
            seq, previous = self.lanes[record.chain_lane]
            record.chain_seq, record.previous_hash = seq + 1, previous
            record.record_hash = chain.record_hash(record)
            self.lanes[record.chain_lane] = (record.chain_seq, record.record_hash)
            row = [getattr(record, name) for name in ATTESTATION_COLUMNS]
            row[ATTESTATION_COLUMNS.index("quiz_results")] = json.dumps(record.quiz_results)
            rows.append(tuple(row))
        return rows

    def _reminders(self, person, assignment_pk: int, due: datetime.date, out: list) -> None:
        """What ``send_reminders`` would have logged by now, with its dedupe keys."""
        if person.status != EmployeeStatus.ACTIVE:
            return
        days = []
        soon = due - datetime.timedelta(days=settings.ATTEST_REMIND_DAYS_BEFORE)
        if soon <= self.today:
            days.append(soon)
        if due < self.today:
            days.append(due)
            day = due + datetime.timedelta(days=1)
            while day < self.today:
                days.append(day)
                day += datetime.timedelta(days=7)
        for day in days:
            kind, key = employee_reminder(assignment_pk=assignment_pk, due_on=due, today=day)
            out.append(
                (self._take_pk(ReminderLog), str(kind), key, person.email, person.pk, assignment_pk, self._moment(day))
            )

    def _reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(
            no_style(), [get_user_model(), Employee, Assignment, Attestation, ReminderLog]
        )
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


ASSIGNMENT_COLUMNS = [
    "id",
    "employee",
    "requirement",
    "version",
    "assigned_on",
    "due_on",
    "started_at",
    "completed_at",
    "completed_on",
    "attestation",
    "signed_locale",
    "exempted_at",
    "exempted_by",
    "exemption_reason",
    "cancelled_at",
    "cancel_reason",
]
# Every column the chain's hash covers, plus the record's id and hash; the records built here
# carry them under these names (``user_id`` and the like name a foreign key's column).
ATTESTATION_COLUMNS = ["id", *chain.HASHED_FIELDS, "record_hash"]
ATTEMPT_COLUMNS = [
    "id",
    "user",
    "version",
    "chapter_key",
    "locale_code",
    "number",
    "presented",
    "answers",
    "score",
    "passed",
    "started_at",
    "submitted_at",
]
REMINDER_COLUMNS = ["id", "kind", "dedupe_key", "recipient", "employee", "assignment", "sent_at"]
