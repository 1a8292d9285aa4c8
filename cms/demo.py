"""The demo organisation: staff accounts, the roster, the social-media policy in every language
written for the demo, two released versions, requirements, and a realistic share of people who
have already completed their training. Everything goes through the same services as real use."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from wagtail.models import Locale, Site

from attest.models import Assignment, Requirement, RequirementKind
from attest.roster import roster_import
from attest.services import assignments_sync
from cms.simulation import complete_training
from training.content import policy_create, policy_translate, review_and_publish
from training.models import ChapterPage, PolicyPage
from training.services import version_release

from .demo_accounts import load_official_accounts
from .demo_declines import declines_load
from .demo_questions import demo_questions_load
from .models import CompanySettings, CrisisContact, HomePage
from .roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_PASSWORD = "northwind-demo-2026"  # noqa: S105 - published in the README on purpose

DEMO_LOGINS = [
    ("emma.wilson@northwind.example", "Employee (due for re-attestation)", None),
    ("noah.clarke@northwind.example", "New hire (onboarding)", None),
    ("sofia.lind@northwind.example", "Official social-media team, Danish", None),
    ("marcus.berg@northwind.example", "Manager (Retail, Oslo)", None),
    ("ingrid.hansen@northwind.example", "HR", HR),
    ("henrik.dahl@northwind.example", "HR, second person (approves sign-in email changes)", HR),
    ("oliver.grant@northwind.example", "Policy editor", POLICY_EDITORS),
    ("claire.dubois@northwind.example", "Legal reviewer", LEGAL_REVIEWERS),
    ("admin@northwind.example", "Superuser", None),
]


def _staff_user(email: str, group: str | None):
    user = get_user_model().objects.get(email=email)
    user.set_password(DEMO_PASSWORD)
    if group:
        user.groups.add(Group.objects.get(name=group))
    user.save()
    return user


def load_demo(*, stdout=None) -> None:
    """Wagtail notifies reviewers and editors of every workflow step; nobody needs those for the demo."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _load_demo(stdout=stdout)


DEMO_ROLE_TRANSLATIONS = {
    "First line for anything posted about Northwind": {
        "role_fr": "Premier recours pour tout ce qui est publié sur Northwind",
        "role_es": "Primer contacto para todo lo que se publique sobre Northwind",
        "role_da": "Første kontakt for alt, der skrives om Northwind",
        "role_nb": "Første kontakt for alt som publiseres om Northwind",
    },
    "Head of Social Media": {
        "role_fr": "Responsable des réseaux sociaux",
        "role_es": "Responsable de redes sociales",
        "role_da": "Leder af sociale medier",
        "role_nb": "Leder for sosiale medier",
    },
    "Legal counsel": {
        "role_fr": "Juriste",
        "role_es": "Asesora jurídica",
        "role_da": "Juridisk rådgiver",
        "role_nb": "Juridisk rådgiver",
    },
    "Phishing, hacked accounts, lost devices": {
        "role_fr": "Hameçonnage, comptes piratés, appareils perdus",
        "role_es": "Phishing, cuentas hackeadas, dispositivos perdidos",
        "role_da": "Phishing, hackede konti, mistede enheder",
        "role_nb": "Phishing, hackede kontoer, mistede enheter",
    },
}
DEMO_REQUIREMENT_NAMES = {
    "Onboarding: social-media policy": (
        "Intégration : politique des réseaux sociaux",
        "Incorporación: política de redes sociales",
        "Introduktion: politik for sociale medier",
        "Introduksjon: retningslinjer for sosiale medier",
    ),
    "Annual refresher": ("Rappel annuel", "Repaso anual", "Årlig genopfriskning", "Årlig oppfriskning"),
    "Official team: crisis plan briefing": (
        "Équipe officielle : présentation du plan de crise",
        "Equipo oficial: sesión sobre el plan de crisis",
        "Officielt team: gennemgang af kriseplanen",
        "Offisielt team: gjennomgang av kriseplanen",
    ),
    "Re-attestation after material changes": (
        "Nouvelle attestation après des changements importants",
        "Nueva declaración tras cambios importantes",
        "Ny bekræftelse efter væsentlige ændringer",
        "Ny bekreftelse etter vesentlige endringer",
    ),
}


def _names(name: str) -> dict[str, str]:
    """A demo requirement's name in each other language, as its fields."""
    return dict(zip(("name_fr", "name_es", "name_da", "name_nb"), DEMO_REQUIREMENT_NAMES[name], strict=True))


@transaction.atomic
def _load_demo(*, stdout=None) -> None:
    say = stdout.write if stdout else (lambda message: None)
    if PolicyPage.objects.exists():
        say("Demo data already loaded.")
        return
    home = HomePage.objects.get()
    home.welcome = "Your social-media policy training: read each chapter, pass its quiz, then sign."
    home.welcome_fr = (
        "Votre formation à la politique des réseaux sociaux : lisez chaque chapitre, réussissez son quiz, puis signez."
    )
    home.welcome_es = (
        "Tu formación sobre la política de redes sociales: lee cada capítulo, supera su cuestionario y firma."
    )
    home.welcome_da = (
        "Din uddannelse i politikken for sociale medier: læs hvert kapitel, bestå quizzen, og underskriv så."
    )
    home.welcome_nb = (
        "Opplæringen din i retningslinjene for sosiale medier: les hvert kapittel, bestå quizen, og signer deretter."
    )
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port, site.site_name = "127.0.0.1", 8000, "Northwind Outfitters"
    site.save()
    company = CompanySettings.for_site(site)
    company.company_name = "Northwind Outfitters"
    company.certificate_signatory = "Ingrid Hansen, Head of People & HR"
    company.certificate_signatory_fr = "Ingrid Hansen, directrice des ressources humaines"
    company.certificate_signatory_es = "Ingrid Hansen, directora de Personas y RR. HH."
    company.certificate_signatory_da = "Ingrid Hansen, HR-direktør"
    company.certificate_signatory_nb = "Ingrid Hansen, HR-direktør"
    company.hr_contact_email = "hr@northwind.example"
    company.save()
    for order, (name, role, email, phone) in enumerate(
        [
            (
                "Social Desk on duty",
                "First line for anything posted about Northwind",
                "social@northwind.example",
                "+47 22 00 10 00",
            ),
            ("Sofia Lind", "Head of Social Media", "sofia.lind@northwind.example", "+45 33 00 20 00"),
            ("Claire Dubois", "Legal counsel", "claire.dubois@northwind.example", "+33 1 00 30 00 00"),
            (
                "IT security hotline",
                "Phishing, hacked accounts, lost devices",
                "security@northwind.example",
                "+47 22 00 99 99",
            ),
        ]
    ):
        CrisisContact.objects.create(
            name=name, role=role, email=email, phone=phone, sort_order=order, **DEMO_ROLE_TRANSLATIONS[role]
        )

    say("Importing the roster…")
    result = roster_import(source=FIXTURES / "roster.csv", send_invitations=False)
    if result.errors:
        raise RuntimeError(f"The demo roster is invalid: {result.errors}")
    admin = get_user_model().objects.create_superuser(
        username="admin", email="admin@northwind.example", password=DEMO_PASSWORD
    )
    staff = {email: _staff_user(email, group) for email, _role, group in DEMO_LOGINS if email != admin.email}
    editor = staff["oliver.grant@northwind.example"]
    reviewer = staff["claire.dubois@northwind.example"]
    hr = staff["ingrid.hansen@northwind.example"]

    say("Writing the policy and sending it through legal review…")
    spec = json.loads((FIXTURES / "policy" / "en.json").read_text(encoding="utf-8"))
    policy = policy_create(parent=home, spec=spec, owner=hr)
    policy.last_reviewed_on = timezone.localdate() - datetime.timedelta(days=170)
    review_and_publish(policy, editor=editor, reviewer=reviewer)
    for chapter in policy.get_children().specific():
        review_and_publish(chapter, editor=editor, reviewer=reviewer)
    for language in [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]:
        path = FIXTURES / "policy" / f"{language}.json"
        if path.exists():
            translated = policy_translate(
                policy=policy, spec=json.loads(path.read_text(encoding="utf-8")), language=language
            )
            review_and_publish(translated, editor=editor, reviewer=reviewer)
            for chapter in translated.get_children().specific():
                review_and_publish(chapter, editor=editor, reviewer=reviewer)
    first = version_release(
        policy=policy,
        number="1.0",
        effective_date=timezone.localdate() - datetime.timedelta(days=60),
        key_changes="First release of the social-media policy.",
        requires_reattestation=True,
        released_by=reviewer,
    )

    say("Creating requirements and assignments…")
    today = timezone.localdate()
    Requirement.objects.create(
        name="Onboarding: social-media policy",
        **_names("Onboarding: social-media policy"),
        policy=policy,
        kind=RequirementKind.ONBOARDING,
        due_days=14,
        starts_on=today - datetime.timedelta(days=60),
    )
    Requirement.objects.create(
        name="Annual refresher",
        **_names("Annual refresher"),
        policy=policy,
        kind=RequirementKind.ANNUAL,
        due_days=30,
        starts_on=today - datetime.timedelta(days=20),
    )
    Requirement.objects.create(
        name="Official team: crisis plan briefing",
        **_names("Official team: crisis plan briefing"),
        policy=policy,
        kind=RequirementKind.AD_HOC,
        due_date=today - datetime.timedelta(days=5),
        tracks=["official"],
    )
    Requirement.objects.create(
        name="Re-attestation after material changes",
        **_names("Re-attestation after material changes"),
        policy=policy,
        kind=RequirementKind.REATTESTATION,
        due_days=21,
        starts_on=first.effective_date,
    )
    assignments_sync()
    say("Simulating the people who already completed version 1.0…")
    for assignment in (
        Assignment.objects.open().filter(version=first).select_related("employee__user", "version__policy")
    ):
        employee = assignment.employee
        procrastinator = employee.employee_id[-1] in "37" and employee.email not in dict(
            (e, r) for e, r, _g in DEMO_LOGINS
        )
        recent_hire = employee.hire_date >= today - datetime.timedelta(days=30)
        if procrastinator or recent_hire or employee.status != "active":
            continue
        assignment.refresh_from_db()
        if assignment.completed_at is None:
            complete_training(assignment)

    say("Releasing version 2.0 with material changes…")
    changes = spec["next_version"]
    for edit in changes["chapter_edits"]:
        chapter = ChapterPage.objects.child_of(policy).get(slug=edit["slug"])
        chapter.body = list(chapter.body.raw_data) + edit["append_blocks"]
        review_and_publish(chapter, editor=editor, reviewer=reviewer)
    translated_key_changes = {}
    for language in [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]:
        path = FIXTURES / "policy" / f"{language}.json"
        translated_policy = policy.get_translation_or_none(Locale.objects.get(language_code=language))
        if path.exists() and translated_policy:
            translated_changes = json.loads(path.read_text(encoding="utf-8"))["next_version"]
            translated_key_changes[language] = "\n".join(translated_changes["key_changes"])
            for edit in translated_changes["chapter_edits"]:
                chapter = ChapterPage.objects.child_of(translated_policy).get(slug=edit["slug"])
                chapter.body = list(chapter.body.raw_data) + edit["append_blocks"]
                review_and_publish(chapter, editor=editor, reviewer=reviewer)
    version_release(
        policy=policy,
        number="2.0",
        effective_date=timezone.localdate() - datetime.timedelta(days=7),
        key_changes="\n".join(changes["key_changes"]),
        requires_reattestation=True,
        released_by=reviewer,
        translated_key_changes=translated_key_changes,
    )
    assignments_sync()
    say("Registering the official social-media accounts…")
    load_official_accounts(hr_user=get_user_model().objects.get(email="ingrid.hansen@northwind.example"))
    declines_load(exclude_emails={email for email, _role, _group in DEMO_LOGINS}, say=say)
    say("Adding employees' questions and an FAQ entry…")
    demo_questions_load(policy=policy, owner=hr)
    say("Demo data loaded.")
