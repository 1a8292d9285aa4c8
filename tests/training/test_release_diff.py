"""Editors in the admin: the release form shows what a release changes (per chapter and language,
in a fixed number of queries), chapters are listed in reading order, and the page explorer opens
on the policy in the editor's language."""

import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.roles import LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from training.models import ChapterPage, PolicyPage
from training.release_diff import release_changes

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/policy_versions/new/"
NEW_TEXT = "<p>Never share a customer's photo without written consent.</p>"


def staff_client(group):
    client = Client()
    client.force_login(factories.user(groups=[group]))
    return client


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


def page_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_release_form_shows_each_changed_chapter_per_language_and_lists_the_unchanged(policy):
    factories.release(policy)
    chapter = ChapterPage.objects.get(slug="two")
    factories.edit_chapter(chapter, body=[{"type": "text", "value": NEW_TEXT}])

    page = page_of(staff_client(LEGAL_REVIEWERS).get(ADD_URL))
    section = page.select_one("[data-release-changes]")
    changed = section.select("details.release-chapter")
    assert [words(details.summary) for details in changed] == ["Chapter two : English (changed)"]
    diff = changed[0].select_one("pre.release-diff").get_text()
    assert "-Text of two." in diff and "+Never share a customer's photo without written consent." in diff
    assert "released in version 1.0" in diff
    assert [li.get_text(strip=True) for li in section.select("[data-unchanged-chapters] li")] == [
        "Chapter one",
        "Chapter team",
    ]
    assert page.select_one("select[name=policy] option[selected]")["value"] == str(policy.pk)


def test_before_the_first_release_every_chapter_is_new(policy):
    page = page_of(staff_client(LEGAL_REVIEWERS).get(ADD_URL))
    summaries = [words(s) for s in page.select("[data-release-changes] details summary")]
    assert summaries == ["Chapter one : English (new)", "Chapter two : English (new)", "Chapter team : English (new)"]


def test_the_form_shows_the_changes_again_when_a_release_is_refused(policy):
    factories.release(policy)
    factories.edit_chapter(ChapterPage.objects.get(slug="one"), intro="A new introduction.")
    response = staff_client(LEGAL_REVIEWERS).post(ADD_URL, {"policy": policy.pk, "number": "1.0"})
    diff = page_of(response).select_one("[data-release-changes] pre.release-diff").get_text()
    assert "+A new introduction." in diff


def test_translations_are_compared_with_their_own_last_release():
    policy = factories.translated_policy(languages=("da", "es"), chapters=2)
    factories.release(policy)
    danish = ChapterPage.objects.filter(locale__language_code="da").order_by("path").first()
    factories.edit_chapter(danish, intro="En ny indledning.")
    changes = release_changes(policy=policy)
    [changed] = changes.changed
    assert [(c.code, c.status) for c in changed.languages] == [
        ("en", "unchanged"),
        ("da", "changed"),
        ("es", "unchanged"),
    ]
    assert "+En ny indledning." in changed.changed_languages[0].diff
    assert len(changes.unchanged) == 1


def test_the_comparison_costs_the_same_queries_for_more_chapters_and_languages():
    def measured(policy, chapters):
        factories.release(policy, number=f"1.{policy.pk}")
        for page in ChapterPage.objects.child_of(policy):
            factories.edit_chapter(page, intro="Changed for the test.")
        with CaptureQueriesContext(connection) as queries:
            changes = release_changes(policy=policy)
        assert len(changes.changed) == chapters
        return len(queries.captured_queries)

    one = factories.published_policy(factories.policy_spec([factories.chapter_spec("solo")], slug="small"))
    small = measured(one, 1)
    large = measured(factories.translated_policy(languages=("da", "es", "fr"), chapters=3), 3)
    assert small == large <= 6


def test_chapters_are_listed_in_reading_order_not_by_last_edit(policy):
    factories.edit_chapter(ChapterPage.objects.get(slug="one"), intro="Edited last.")
    page = page_of(staff_client(POLICY_EDITORS).get(f"/admin/pages/{policy.pk}/"))
    titles = [a.get_text(strip=True) for a in page.select("table.listing tbody .title-wrapper a, .w-title a")]
    order = [t for t in titles if t.startswith("Chapter")]
    assert order[:3] == ["Chapter one", "Chapter two", "Chapter team"]


def explorer_start(client) -> int:
    """The page id the sidebar's *Pages* item starts at (from the props the sidebar is built from)."""
    raw = BeautifulSoup(client.get("/admin/").content, "html.parser").select_one("#wagtail-sidebar-props").string
    data = json.loads(raw)

    def find(node):
        if isinstance(node, dict):
            if node.get("_type") == "wagtail.sidebar.PageExplorerMenuItem":
                return node["_args"]
            for value in node.values():
                if (found := find(value)) is not None:
                    return found
        elif isinstance(node, list):
            for value in node:
                if (found := find(value)) is not None:
                    return found
        return None

    args = find(data)
    return args[-1], args[0]["url"]


def test_the_page_explorer_opens_on_the_policy_in_the_editors_language():
    policy = factories.translated_policy(languages=("da",), chapters=1)
    danish = PolicyPage.objects.get(locale__language_code="da")
    editor = factories.user(groups=[POLICY_EDITORS])
    client = Client()
    client.force_login(editor)
    start, url = explorer_start(client)
    assert start == policy.pk and url == f"/admin/pages/{policy.pk}/"

    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "da"
    profile.save()
    start, url = explorer_start(client)
    assert start == danish.pk
    assert client.get(url).status_code == 200
