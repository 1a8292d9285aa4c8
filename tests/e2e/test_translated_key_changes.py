"""In a real browser: legal releases a material version with key changes written in English and
Danish; a Danish employee who signed the last version reads them in Danish before signing again."""

import pytest

from cms.roles import LEGAL_REVIEWERS
from tests import factories
from tests.e2e.helpers import assert_accessible, sign_in
from training.models import ChapterPage, PolicyVersion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DANISH_CHANGES = "Optagelse i butikker kræver stedets leders godkendelse\nAdgangsnøgler til officielle konti"
ENGLISH_CHANGES = "Filming in stores needs the site manager's approval\nPasskeys for official accounts"


def test_danish_reader_sees_the_key_changes_written_for_them(page):
    policy = factories.translated_policy(("da",))
    first = factories.release(policy)
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    factories.finished(factories.assignment(søren, first))
    factories.edit_chapter(
        ChapterPage.objects.get(locale__language_code="en", slug="who-may-speak"),
        body=[{"type": "text", "value": "<p>Filming in stores needs approval.</p>"}],
    )
    legal = factories.user(groups=[LEGAL_REVIEWERS])

    sign_in(page, legal.email, factories.PASSWORD)
    page.goto("/admin/policy_versions/new/")
    page.select_option("#id_policy", str(policy.pk))
    page.fill("#id_number", "2.0")
    page.fill("#id_effective_date", "2026-12-01")
    page.fill("#id_key_changes", ENGLISH_CHANGES)
    page.fill("#id_key_changes_da", DANISH_CHANGES)
    page.fill("#id_key_changes_fr", "Filmer en magasin")
    page.check("#id_requires_reattestation")
    page.click("button[type=submit]:has-text('Create'), button[type=submit]:has-text('Save')")
    page.wait_for_load_state()
    assert "would never be shown" in page.inner_text("main")
    assert not PolicyVersion.objects.filter(number="2.0").exists()

    page.fill("#id_key_changes_fr", "")
    # Only the English text changed: legal confirms the Danish text goes out as it is.
    page.check("input[name=lagging_da][value=confirm]")
    page.click("button[type=submit]:has-text('Create'), button[type=submit]:has-text('Save')")
    page.wait_for_load_state()
    second = PolicyVersion.objects.get(number="2.0")
    assert second.key_change_list_in("da") == DANISH_CHANGES.splitlines()

    page.context.clear_cookies()
    again = factories.assignment(søren, second)
    sign_in(page, søren.email, factories.PASSWORD)
    page.goto(f"/training/{again.pk}/")
    main = page.inner_text("main")
    assert "Optagelse i butikker kræver stedets leders godkendelse" in main
    assert "Adgangsnøgler til officielle konti" in main
    assert "Passkeys for official accounts" not in main
    assert_accessible(page)
