"""Releases per language: which languages a version covers and the hash of each one's text, what
editors are told about the languages left out, and which text (and hash) an employee reads and signs."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attest.models import Assignment
from attest.selectors import assignment_progress
from attest.services import attestation_statement
from cms.roles import LEGAL_REVIEWERS
from tests import factories
from training.hashing import chapter_sha256, locale_sha256
from training.models import ChapterPage, PolicyVersionChapter, PolicyVersionLocale, QuizAttempt, ReadingProgress
from training.services import version_release_plan

pytestmark = pytest.mark.django_db

CHAPTER_FALLBACK = "This chapter is not yet available in your language. You are reading the English original."
VERSION_FALLBACK = "This version is not yet available in your language. You are reading the English original."
UNTRANSLATED_WARNING = "Not translated for this version (employees get the English text): %(languages)s"


def gettext_in(language, message):
    with translation.override(language):
        return translation.gettext(message)


def titles(language):
    return [chapter["title"] for chapter in factories.demo_spec(language, chapters=2)["chapters"]]


def sign_in(employee) -> Client:
    """Through the login form, so the session starts in the employee's language as in real use."""
    client = Client()
    response = client.post("/accounts/login/", {"login": employee.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def multilingual(db):
    """Version 1.0 of the demo policy (two chapters), released in English, Danish and Spanish."""
    return factories.release(factories.translated_policy(("da", "es")))


def test_release_records_each_language_and_the_hash_of_its_text(multilingual):
    version = multilingual
    assert version.locale_codes == ["da", "en", "es"]
    hashes = {}
    for row in PolicyVersionLocale.objects.filter(version=version).select_related("locale"):
        code = row.locale.language_code
        chapters = list(PolicyVersionChapter.objects.filter(version=version, locale=row.locale).order_by("position"))
        assert [chapter.title for chapter in chapters] == titles(code)
        for chapter in chapters:
            assert chapter.content_sha256 == chapter_sha256(chapter.page)
            assert chapter.page.locale.language_code == code
        assert row.content_sha256 == locale_sha256([(str(c.chapter_key), c.content_sha256) for c in chapters])
        hashes[code] = row.content_sha256
    assert len(set(hashes.values())) == 3, "each language's text has its own hash"
    assert hashes["en"] == version.content_sha256
    keys = {
        code: set(version.chapters.filter(locale__language_code=code).values_list("chapter_key", flat=True))
        for code in hashes
    }
    assert keys["da"] == keys["en"] == keys["es"], "the same chapters in every language"
    assert version.title_in("da") == "Politik for sociale medier"
    assert version.title_in("es") == "Política de redes sociales"
    assert version.title_in("nb") == "Social media policy"


def test_release_plan_lists_every_language_without_a_complete_translation(db):
    policy = factories.translated_policy(("da",))
    english = titles("en")

    plan = version_release_plan(policy=policy)
    assert not plan.problems
    assert sorted(plan.chapters) == ["da", "en"]
    assert plan.missing_locales == {"es": english, "fr": english, "nb": english}

    ChapterPage.objects.get(locale__language_code="da", slug="conflicts-and-crises").unpublish()
    plan = version_release_plan(policy=policy)
    assert sorted(plan.chapters) == ["en"]
    assert plan.missing_locales["da"] == [english[1]]
    assert factories.release(policy).locale_codes == ["en"]


def test_editor_is_told_which_languages_the_release_leaves_out(db):
    policy = factories.translated_policy(("da", "es"))
    client = Client()
    client.force_login(factories.user(groups=[LEGAL_REVIEWERS]))
    data = {
        "policy": policy.pk,
        "number": "1.0",
        "effective_date": "2026-12-01",
        "key_changes": "First release",
        "requires_reattestation": "on",
    }
    response = client.post("/admin/policy_versions/new/", data, follow=True)
    assert response.status_code == 200
    assert UNTRANSLATED_WARNING % {"languages": "Français, Norsk bokmål"} in response.content.decode()


def test_employee_reads_and_signs_in_their_language_and_the_record_names_it(multilingual):
    version = multilingual
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    assignment = factories.assignment(søren, version)
    progress = assignment_progress(assignment)
    assert progress.reading_locale == "da"
    assert [status.chapter.title for status in progress.chapters] == titles("da")
    assert progress.policy_title == "Politik for sociale medier"

    client = sign_in(søren)
    html = client.get(reverse("chapter", args=[assignment.pk, "who-may-speak"])).content.decode()
    assert '<html lang="da">' in html and '<article lang="da">' in html
    assert gettext_in("da", CHAPTER_FALLBACK) not in html
    assert (
        gettext_in("da", VERSION_FALLBACK)
        not in client.get(reverse("assignment", args=[assignment.pk])).content.decode()
    )

    attestation = factories.finished(assignment).attestation
    assert attestation.locale_code == "da"
    assert Assignment.objects.get(pk=assignment.pk).signed_locale == "da", "copied for the reports"
    assert (
        attestation.content_sha256
        == PolicyVersionLocale.objects.get(version=version, locale__language_code="da").content_sha256
    )
    assert attestation.content_sha256 != version.content_sha256
    assert attestation.policy_title == "Politik for sociale medier"
    assert attestation.statement == attestation_statement(name=søren.full_name, version=version, language="da")
    assert "Søren Ødegård" in attestation.statement and "I, Søren" not in attestation.statement
    assert set(ReadingProgress.objects.filter(user=søren.user).values_list("locale_code", flat=True)) == {"da"}
    assert set(QuizAttempt.objects.filter(user=søren.user).values_list("locale_code", flat=True)) == {"da"}


def test_language_not_in_the_release_reads_english_with_a_note_and_signs_the_english_text(multilingual):
    version = multilingual
    åse = factories.employee("Åse", "Bjørnstad", language="nb", email="ase@example.com")
    assignment = factories.assignment(åse, version)
    progress = assignment_progress(assignment)
    assert progress.reading_locale == "en"
    assert [status.chapter.title for status in progress.chapters] == titles("en")

    client = sign_in(åse)
    overview = client.get(reverse("assignment", args=[assignment.pk])).content.decode()
    assert '<html lang="nb">' in overview, "the interface stays in the employee's language"
    assert gettext_in("nb", VERSION_FALLBACK) in overview
    chapter = client.get(reverse("chapter", args=[assignment.pk, "who-may-speak"])).content.decode()
    assert '<article lang="en">' in chapter and gettext_in("nb", CHAPTER_FALLBACK) in chapter

    attestation = factories.finished(assignment).attestation
    assert attestation.locale_code == "en"
    assert Assignment.objects.get(pk=assignment.pk).signed_locale == "en", "the language read, not the employee's"
    assert attestation.content_sha256 == version.content_sha256
    assert (
        attestation.content_sha256
        == PolicyVersionLocale.objects.get(version=version, locale__language_code="en").content_sha256
    )
    assert attestation.statement == attestation_statement(name=åse.full_name, version=version, language="en")


def test_interface_follows_the_employee_and_the_person_can_switch_it(multilingual):
    josé = factories.employee("José", "Núñez", language="es", email="jose@example.com")
    factories.assignment(josé, multilingual)
    client = sign_in(josé)
    home = client.get("/").content.decode()
    assert '<html lang="es">' in home and f"<h1>{gettext_in('es', 'My training')}</h1>" in home

    client.post("/i18n/setlang/", {"language": "da", "next": "/"})
    home = client.get("/").content.decode()
    assert '<html lang="da">' in home and f"<h1>{gettext_in('da', 'My training')}</h1>" in home
    assert gettext_in("da", "My training") != gettext_in("es", "My training")


def test_unsupported_language_falls_back_to_english(multilingual):
    josé = factories.employee("José", "Núñez", language="es", email="jose@example.com")
    client = sign_in(josé)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert '<html lang="es">' in client.get("/").content.decode(), "an unknown choice is ignored"
    assert '<html lang="en">' in Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="xx").content.decode()


KEY_CHANGES_NOT_RELEASED = (
    "Key changes in %(language)s would never be shown: this version is not released in %(language)s "
    "because chapters are not translated yet (%(chapters)s)."
)


def release_form(policy, **fields):
    return {
        "policy": policy.pk,
        "number": "2.0",
        "effective_date": "2026-12-01",
        "key_changes": "Filming in stores needs the site manager's approval\nPasskeys for official accounts",
        "requires_reattestation": "on",
        **fields,
    }


def test_key_changes_reach_each_reader_in_their_language(multilingual):
    policy = multilingual.policy.specific
    readers = {
        code: factories.finished(factories.assignment(factories.employee(language=code), multilingual)).employee
        for code in ("da", "en", "nb")
    }
    factories.edit_chapter(
        ChapterPage.objects.get(locale__language_code="en", slug="who-may-speak"),
        body=[{"type": "text", "value": "<p>Filming in stores needs approval.</p>"}],
    )
    legal = Client()
    legal.force_login(factories.user(groups=[LEGAL_REVIEWERS]))
    danish = "Optagelse i butikker kræver stedets leders godkendelse\nAdgangsnøgler til officielle konti"

    refused = legal.post(
        "/admin/policy_versions/new/", release_form(policy, key_changes_da=danish, key_changes_fr="Filmer")
    )
    assert refused.status_code == 200
    assert (
        KEY_CHANGES_NOT_RELEASED % {"language": "Français", "chapters": ", ".join(titles("en"))}
        in refused.content.decode()
    )
    assert not PolicyVersionLocale.objects.filter(version__number="2.0").exists()

    # The change is in English only: legal confirms the Danish and Spanish texts go out as they are.
    released = legal.post(
        "/admin/policy_versions/new/",
        release_form(policy, key_changes_da=danish, lagging_da="confirm", lagging_es="confirm"),
    )
    assert released.status_code == 302
    second = multilingual.policy.versions.get(number="2.0")
    assert second.key_change_list_in("da") == danish.splitlines()
    assert second.key_change_list_in("es") == second.key_change_list_in("nb") == second.key_change_list
    inspected = legal.get(f"/admin/policy_versions/inspect/{second.pk}/").content.decode()
    assert "Key changes in other languages" in inspected
    assert "<strong>Dansk</strong>: Optagelse i butikker kræver stedets leders godkendelse; Adgangsnøgler" in inspected

    shown = {}
    for code, reader in readers.items():
        again = factories.assignment(reader, second)
        shown[code] = sign_in(reader).get(reverse("assignment", args=[again.pk])).content.decode()
    assert "Optagelse i butikker kræver stedets leders godkendelse" in shown["da"]
    assert "Filming in stores needs the site manager&#x27;s approval" not in shown["da"]
    for code in ("en", "nb"):
        assert "Filming in stores needs the site manager&#x27;s approval" in shown[code]
        assert "Passkeys for official accounts" in shown[code]
