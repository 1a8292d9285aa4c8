"""Demo questions about the policy: some open, some answered, one published as an FAQ entry in
every language. Written for the demo, asked on the latest version in each person's language."""

import datetime

from django.utils import timezone

from attest.models import Employee
from training.models import PolicyVersion, PolicyVersionChapter
from training.questions.services import faq_publish, question_answer, question_ask

FAQ_TEXTS = {
    "en": (
        "Can I keep my job title in my profile on a personal account?",
        "Yes. Naming your employer is fine; add that your posts are your own views, and do not use the "
        "company logo as your picture.",
    ),
    "fr": (
        "Puis-je garder mon poste dans la description d'un compte personnel ?",
        "Oui. Vous pouvez citer votre employeur ; précisez que vos publications n'engagent que vous et "
        "n'utilisez pas le logo de l'entreprise comme photo.",
    ),
    "es": (
        "¿Puedo mantener mi cargo en el perfil de una cuenta personal?",
        "Sí. Puedes mencionar a tu empresa; añade que tus publicaciones son opiniones personales y no uses "
        "el logotipo de la empresa como foto.",
    ),
    "da": (
        "Må jeg have min stillingsbetegnelse i profilen på en privat konto?",
        "Ja. Du må gerne nævne din arbejdsgiver; skriv, at opslagene er dine egne holdninger, og brug ikke "
        "firmaets logo som profilbillede.",
    ),
    "nb": (
        "Kan jeg ha stillingstittelen min i profilen på en privat konto?",
        "Ja. Du kan gjerne nevne arbeidsgiveren din; skriv at innleggene er dine egne meninger, og ikke bruk "
        "firmaets logo som profilbilde.",
    ),
}

QUESTIONS = [
    # (email, chapter slug in English, question, answer or None, publish as FAQ)
    (
        "emma.wilson@northwind.example",
        "personal-accounts",
        "My LinkedIn headline says I work at Northwind. Do I have to remove it now?",
        "No need to remove it. Add a line saying your posts are your own opinions, and keep the company logo "
        "out of your profile picture.",
        True,
    ),
    (
        "julien.rousseau@northwind.example",
        "advocacy",
        "Si je partage une offre d'emploi de Northwind sur mon compte, dois-je ajouter une mention particulière ?",
        "Non : partager une offre publiée par l'entreprise ne demande aucune mention. Ajoutez seulement que "
        "vous y travaillez si vous la commentez.",
        False,
    ),
    (
        "marta.gil@northwind.example",
        "security",
        "¿Puedo usar el mismo gestor de contraseñas para mis cuentas personales y las del trabajo?",
        None,
        False,
    ),
    (
        "sofia.lind@northwind.example",
        "official-crisis-plan",
        "Hvem godkender et svar i weekenden, hvis den ansvarlige for vagten ikke kan nås?",
        None,
        False,
    ),
]


def demo_questions_load(*, policy, owner) -> None:
    version = PolicyVersion.objects.filter(policy=policy).latest()
    keys = dict(
        PolicyVersionChapter.objects.filter(version=version, locale__language_code="en").values_list(
            "slug", "chapter_key"
        )
    )
    asked_at = timezone.now() - datetime.timedelta(days=6)
    for email, slug, text, answer, publish in QUESTIONS:
        employee = Employee.objects.select_related("user").filter(email=email).first()
        if employee is None:
            continue
        found = {
            row.locale.language_code: row
            for row in PolicyVersionChapter.objects.select_related("locale").filter(
                version=version, chapter_key=keys[slug], locale__language_code__in=[employee.language, "en"]
            )
        }
        chapter = found.get(employee.language) or found["en"]
        question = question_ask(user=employee.user, chapter=chapter, text=text, at=asked_at)
        asked_at += datetime.timedelta(days=1)
        if answer:
            question_answer(question=question, answer=answer, by=owner)
        if publish:
            faq_publish(question=question, texts=FAQ_TEXTS, by=owner)
