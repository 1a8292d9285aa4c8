"""A new hire, in a real browser: sign in, read, pass the quizzes, sign, download the certificate;
and an employee re-attesting after a material change."""

import pytest

from attest.models import Attestation
from tests import factories
from tests.e2e.helpers import (
    answer_quiz,
    assert_accessible,
    download_certificate_text,
    read_and_pass,
    sign_attestation,
    sign_in,
)
from training.models import ChapterPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_new_hire_completes_training_and_downloads_certificate(page, tmp_path):
    version = factories.release(factories.published_policy())
    noah = factories.employee("Noah", "Clarke", hire_date="2026-11-16")
    factories.assignment(noah, version)

    sign_in(page, noah.email, factories.PASSWORD)
    assert page.locator("h1").inner_text() == "My training"
    assert_accessible(page)
    page.click("text=Start: Chapter one")
    assert page.locator("h1").inner_text() == "Chapter one"
    assert_accessible(page)
    page.click("text=I have read this chapter")
    assert_accessible(page)
    answer_quiz(page, noah.user, correct=False)
    assert "Not passed" in page.inner_text(".result")
    assert_accessible(page)
    page.click("text=Try the quiz again")
    answer_quiz(page, noah.user)
    page.click("text=Next: Chapter two")
    read_and_pass(page, noah.user)
    page.click("text=Sign the attestation")
    assert "I, Noah Clarke, confirm" in page.inner_text("#statement")
    assert_accessible(page)
    sign_attestation(page, "Noah Clarke", factories.PASSWORD)
    assert "Your attestation is recorded" in page.inner_text(".messages")
    assert Attestation.objects.filter(employee=noah).count() == 1

    text = download_certificate_text(page, tmp_path)
    attestation = Attestation.objects.get(employee=noah)
    assert "Noah Clarke" in text and attestation.verification_code in text

    page.goto(f"/verify/{attestation.verification_code}/")
    assert "This certificate is genuine." in page.inner_text("main")
    assert_accessible(page)


def test_employee_reattests_after_a_material_change(page):
    policy = factories.published_policy()
    first = factories.release(policy)
    emma = factories.employee("Emma", "Wilson")
    factories.finished(factories.assignment(emma, first))
    factories.edit_chapter(
        ChapterPage.objects.get(slug="two"), body=[{"type": "text", "value": "<p>Passkeys now.</p>"}]
    )
    second = factories.release(policy, number="2.0", key_changes="Passkeys are required for official accounts")
    factories.assignment(emma, second)

    sign_in(page, emma.email, factories.PASSWORD)
    page.click("text=Social media policy >> nth=0")
    assert "What changed since version 1.0" in page.inner_text("main")
    assert "Passkeys are required for official accounts" in page.inner_text("main")
    assert_accessible(page)
    page.click("text=Next: Chapter one")
    read_and_pass(page, emma.user)
    page.click("text=Next: Chapter two")
    assert "Passkeys now." in page.inner_text("article")
    read_and_pass(page, emma.user)
    page.click("text=Sign the attestation")
    sign_attestation(page, "Emma Wilson", factories.PASSWORD)
    assert Attestation.objects.filter(employee=emma, version=second).count() == 1
