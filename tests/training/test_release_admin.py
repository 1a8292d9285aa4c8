"""Releasing from the admin: refused with a clear message when it must be, nothing half-saved."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from wagtail.models import Locale, ModelLogEntry

from attest.models import Assignment, RequirementKind
from attest.selectors import assignment_progress
from attest.services import assignments_sync
from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from training.models import ChapterPage, PolicyVersion, PolicyVersionChapter, PolicyVersionLocale
from training.services import ERROR_RELEASE_LAGGING, ERROR_RELEASE_NO_CHAPTERS, version_release_plan

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/policy_versions/new/"


def staff_client(group):
    client = Client()
    client.force_login(factories.user(groups=[group]))
    return client


def release_data(policy, number="1.0"):
    return {
        "policy": policy.pk,
        "number": number,
        "effective_date": "2026-12-01",
        "key_changes": "First release",
        "requires_reattestation": "on",
    }


def test_legal_reviewer_releases_a_version_from_the_admin(policy):
    response = staff_client(LEGAL_REVIEWERS).post(ADD_URL, release_data(policy))
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert version.number == "1.0" and version.requires_reattestation
    assert PolicyVersionChapter.objects.filter(version=version).count() == 3


def test_release_with_no_chapters_is_refused_in_the_admin(db):
    policy = factories.published_policy(factories.policy_spec(chapters=[]))
    response = staff_client(LEGAL_REVIEWERS).post(ADD_URL, release_data(policy))
    assert response.status_code == 200
    assert str(ERROR_RELEASE_NO_CHAPTERS) in response.content.decode()
    assert not PolicyVersion.objects.exists()


def test_release_of_unapproved_text_is_refused_in_the_admin(policy):
    chapter = ChapterPage.objects.get(slug="one")
    chapter.save_revision().publish()
    response = staff_client(LEGAL_REVIEWERS).post(ADD_URL, release_data(policy))
    assert "has not been approved in legal review" in response.content.decode()
    assert not PolicyVersion.objects.exists() and not PolicyVersionChapter.objects.exists()


def test_released_version_cannot_be_edited_or_deleted_even_by_a_superuser(version):
    admin = Client()
    admin.force_login(factories.user(is_superuser=True, is_staff=True))
    for url in [f"/admin/policy_versions/edit/{version.pk}/", f"/admin/policy_versions/delete/{version.pk}/"]:
        response = admin.get(url)
        assert response.status_code in (302, 403), url
        admin.post(url, {"number": "9.9"})
    version.refresh_from_db()
    assert version.number == "1.0"
    assert admin.get(f"/admin/policy_versions/inspect/{version.pk}/").status_code == 200


@pytest.mark.parametrize("group", [POLICY_EDITORS, HR])
def test_only_reviewers_may_release(policy, group):
    response = staff_client(group).post(ADD_URL, release_data(policy))
    assert response.status_code in (302, 403)
    assert not PolicyVersion.objects.exists()


# --- A translation that lags the original -----------------------------------------------------


def gettext_in(language, message):
    with translation.override(language):
        return translation.gettext(message)


NEW_RULE = "Filming in stores needs the site manager's written approval."


@pytest.fixture
def lagging(db, django_capture_on_commit_callbacks):
    """Version 1.0 in English and Danish, signed by a Danish and an English reader (a Danish
    newcomer has not signed yet); then the editor changes only the English text of a chapter."""
    policy = factories.translated_policy(("da",))
    first = factories.release(policy, "1.0")
    campaign = factories.requirement(policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    factories.requirement(policy, kind=RequirementKind.REATTESTATION, due_days=21)
    readers = {
        name: factories.employee(name, "Reader", language=language)
        for name, language in (("Dansk", "da"), ("English", "en"), ("Nyansat", "da"))
    }
    assignments_sync()
    for name in ("Dansk", "English"):
        factories.finished(Assignment.objects.get(employee=readers[name], requirement=campaign))
    english = ChapterPage.objects.get(locale__language_code="en", slug="who-may-speak")
    factories.edit_chapter(english, body=[*english.body.raw_data, {"type": "text", "value": f"<p>{NEW_RULE}</p>"}])
    danish = english.get_translation(Locale.objects.get(language_code="da"))
    return SimpleNamespace(
        policy=policy,
        first=first,
        readers=readers,
        english=english,
        danish=danish,
        on_commit=django_capture_on_commit_callbacks,
    )


def release_lagging(lagging, **choices):
    """Release 2.0 as legal, running what the release queues when it commits (tasks run at once here)."""
    with lagging.on_commit(execute=True):
        return staff_client(LEGAL_REVIEWERS).post(ADD_URL, {**release_data(lagging.policy, "2.0"), **choices})


def signed_in(reader) -> Client:
    """Through the login form, so the session is in the reader's language."""
    client = Client()
    assert client.post("/accounts/login/", {"login": reader.email, "password": factories.PASSWORD}).status_code == 302
    return client


def what_the_reader_is_asked_to_sign(reader):
    assignment = Assignment.objects.open().get(employee=reader)
    return assignment, signed_in(reader).get(reverse("assignment", args=[assignment.pk])).content.decode()


def changes_panel(page):
    return page.split('id="changes-heading"')[1].split("</section>")[0]


def release_entry(version):
    return ModelLogEntry.objects.get(action="training.version_release", object_id=str(version.pk))


def test_an_english_only_change_is_refused_until_legal_chooses_naming_language_and_chapter(lagging):
    response = staff_client(LEGAL_REVIEWERS).post(ADD_URL, release_data(lagging.policy, "2.0"))
    assert response.status_code == 200
    assert not PolicyVersion.objects.filter(number="2.0").exists()
    page = response.content.decode()
    message = ERROR_RELEASE_LAGGING % {"language": "Dansk", "chapters": f"“{lagging.english.title}”"}
    assert escape(message) in page
    assert escape(f"+{NEW_RULE}") in page, "the diff of the English text is shown"
    assert 'name="lagging_da"' in page and 'value="hold_back"' in page and 'value="confirm"' in page


def test_holding_a_lagging_language_back_keeps_its_readers_on_the_version_they_have(lagging):
    response = release_lagging(lagging, lagging_da="hold_back")
    assert response.status_code == 302
    second = PolicyVersion.objects.get(number="2.0")
    assert second.held_back_languages == ["da"] and second.locale_codes == ["en"]
    entry = release_entry(second)
    assert entry.data["held_back"] == {"da": [lagging.english.title]} and entry.data["lag_confirmed"] == {}
    inspected = staff_client(LEGAL_REVIEWERS).get(f"/admin/policy_versions/inspect/{second.pk}/").content.decode()
    assert "<strong>Dansk</strong>: held back" in inspected

    # The Danish signer is not asked to sign 2.0; the Danish newcomer still signs 1.0, in Danish.
    assert not Assignment.objects.open().filter(employee=lagging.readers["Dansk"]).exists()
    assignment, page = what_the_reader_is_asked_to_sign(lagging.readers["Nyansat"])
    assert assignment.version == lagging.first and assignment_progress(assignment).reading_locale == "da"
    assert "Version 1.0" in page
    assert Assignment.objects.open().get(employee=lagging.readers["English"]).version == second
    # The policy's own pages, too, show Danish readers the version released in Danish.
    for name, number in (("Nyansat", "1.0"), ("English", "2.0")):
        page = signed_in(lagging.readers[name]).get(lagging.policy.url).content.decode()
        assert f"Version {number}," in page, name


def test_confirming_a_lagging_language_releases_it_and_records_the_confirmation(lagging):
    response = release_lagging(lagging, lagging_da="confirm")
    assert response.status_code == 302
    second = PolicyVersion.objects.get(number="2.0")
    assert second.held_back_languages == [] and second.locale_codes == ["da", "en"]
    row = PolicyVersionLocale.objects.get(version=second, locale__language_code="da")
    assert row.lagging_chapters == [str(lagging.english.translation_key)]
    entry = release_entry(second)
    assert entry.data["lag_confirmed"] == {"da": [lagging.english.title]} and entry.data["held_back"] == {}
    inspected = staff_client(LEGAL_REVIEWERS).get(f"/admin/policy_versions/inspect/{second.pk}/").content.decode()
    assert "<strong>Dansk</strong>: released as it was, confirmed" in inspected

    assignment, page = what_the_reader_is_asked_to_sign(lagging.readers["Dansk"])
    assert assignment.version == second
    changes = changes_panel(page)
    assert lagging.danish.title in changes.split("data-untranslated-changes")[1]
    assert escape(gettext_in("da", "None of the chapters changed in your language.")) in changes
    _, english_page = what_the_reader_is_asked_to_sign(lagging.readers["English"])
    english_changes = changes_panel(english_page)
    assert lagging.english.title in english_changes and "data-untranslated-changes" not in english_changes


def test_a_language_released_lagging_still_lags_at_the_next_release_until_it_is_translated(lagging):
    assert release_lagging(lagging, lagging_da="confirm").status_code == 302
    plan = version_release_plan(policy=lagging.policy)
    assert plan.lagging_titles("da") == [lagging.english.title]
    factories.edit_chapter(
        lagging.danish, body=[*lagging.danish.body.raw_data, {"type": "text", "value": "<p>Ny regel.</p>"}]
    )
    assert version_release_plan(policy=lagging.policy).lagging == {}


def test_release_offers_to_view_the_frozen_version_and_says_the_time_zone(policy, settings):
    settings.TIME_ZONE = "Europe/Oslo"
    client = staff_client(LEGAL_REVIEWERS)
    response = client.post(ADD_URL, release_data(policy), follow=True)
    version = PolicyVersion.objects.get()
    html = response.content.decode()
    inspect_url = f"/admin/policy_versions/inspect/{version.pk}/"
    assert f'href="{inspect_url}"' in html and f'href="/admin/policy_versions/edit/{version.pk}/"' not in html
    local = timezone.localtime(version.released_at)
    shown = f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"
    assert local.tzname() in ("CET", "CEST")
    assert shown in client.get(inspect_url).content.decode()
    assert shown in client.get("/admin/policy_versions/").content.decode()
