"""Releasing from the admin: refused with a clear message when it must be, nothing half-saved."""

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from training.models import ChapterPage, PolicyVersion, PolicyVersionChapter
from training.services import ERROR_RELEASE_NO_CHAPTERS

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
