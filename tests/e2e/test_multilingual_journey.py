"""A Danish and a Spanish employee, in a real browser: each is trained, signs and gets a certificate
in their own language, from one release that covers English, Danish and Spanish."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from attest.models import Attestation
from attest.services import attestation_statement
from tests import factories
from tests.e2e.helpers import assert_accessible, download_certificate_text, read_and_pass, sign_attestation, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Written out rather than looked up, so a missing catalogue or translation cannot go unnoticed.
PEOPLE = {
    "da": {
        "first": "Søren",
        "last": "Ødegård",
        "email": "soren.odegard@example.com",
        "my_training": "Min oplæring",
        "certificate": "Certifikat for gennemført oplæring",
        "policy": "Politik for sociale medier",
        "language": "dansk",
    },
    "es": {
        "first": "José",
        "last": "Núñez",
        "email": "jose.nunez@example.com",
        "my_training": "Mi formación",
        "certificate": "Certificado de finalización",
        "policy": "Política de redes sociales",
        "language": "español",
    },
}


def translated(language, message):
    with translation.override(language):
        text = translation.gettext(message)
    assert text != message, f"{message!r} is not translated into {language}"
    return text


def complete_training_in(page, employee, version, tmp_path):
    """Sign in, read and pass every chapter, sign, download the certificate: all in the employee's language."""
    language, expected = employee.language, PEOPLE[employee.language]
    chapter_titles = [chapter["title"] for chapter in factories.demo_spec(language, chapters=2)["chapters"]]

    sign_in(page, employee.email, factories.PASSWORD)
    assert page.get_attribute("html", "lang") == language
    expect(page.locator("h1")).to_have_text(expected["my_training"])
    assert page.locator(".card h2").inner_text() == expected["policy"]
    assert_accessible(page)
    page.click(".card a.button")
    for position, title in enumerate(chapter_titles):
        if position:
            page.click("main a.button")  # "Next: …" after the passed quiz
        expect(page.locator("h1")).to_have_text(title)
        assert page.locator("article").get_attribute("lang") == language
        assert page.locator(".notice").count() == 0, "no 'not in your language' note for a translated version"
        if position == 0:
            assert_accessible(page)
        read_and_pass(page, employee.user)
    page.click("main a.button")  # "Sign the attestation"
    statement = page.inner_text("#statement")
    assert statement == attestation_statement(name=employee.full_name, version=version, language=language)
    assert employee.full_name in statement and expected["policy"] in statement and "I, " not in statement
    sign_attestation(page, employee.full_name, factories.PASSWORD)
    assert translated(language, "Thank you. Your attestation is recorded.") in page.inner_text(".messages")

    attestation = Attestation.objects.get(employee=employee)
    assert attestation.locale_code == language
    assert attestation.policy_title == expected["policy"]
    assert attestation.content_sha256 == version.locales.get(locale__language_code=language).content_sha256
    assert attestation.content_sha256 != version.content_sha256  # not the English text's hash

    text = download_certificate_text(page, tmp_path)
    assert employee.full_name in text
    assert expected["certificate"] in text and "Certificate of completion" not in text
    assert expected["policy"] in text and attestation.verification_code in text
    return attestation


def test_danish_and_spanish_employees_train_sign_and_certify_in_their_language(browser, live_server, page, tmp_path):
    policy = factories.translated_policy(("da", "es"), chapters=2)
    version = factories.release(policy)
    assert version.locale_codes == ["da", "en", "es"]
    requirement = factories.requirement(policy)
    employees = [
        factories.employee(person["first"], person["last"], language=language, email=person["email"])
        for language, person in PEOPLE.items()
    ]
    for employee in employees:
        factories.assignment(employee, version, requirement)

    contexts = [browser.new_context(base_url=live_server.url, accept_downloads=True) for _ in range(2)]
    try:
        pages = [page, contexts[0].new_page()]
        attestations = [
            complete_training_in(person_page, employee, version, tmp_path)
            for person_page, employee in zip(pages, employees, strict=True)
        ]

        public = contexts[1].new_page()  # anyone, signed out, in English
        for attestation, employee in zip(attestations, employees, strict=True):
            public.goto(f"/verify/{attestation.verification_code}/")
            assert "This certificate is genuine." in public.inner_text("main")
            facts = dict(
                zip(
                    public.locator(".facts dt").all_inner_texts(),
                    public.locator(".facts dd").all_inner_texts(),
                    strict=True,
                )
            )
            assert facts["Name"] == employee.full_name
            assert facts["Policy"] == PEOPLE[employee.language]["policy"]
            assert facts["Language"] == PEOPLE[employee.language]["language"]
        assert_accessible(public)
    finally:
        for context in contexts:
            context.close()
