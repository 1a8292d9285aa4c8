"""The README's one command loads this demo: it must load, and show what it promises."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from attest.declines.models import Decline
from attest.models import Assignment
from cms.demo import DEMO_LOGINS, DEMO_PASSWORD
from training.models import PolicyVersion, PolicyVersionChapter
from training.questions.models import ChapterQuestion, FaqEntry

pytestmark = pytest.mark.django_db


def test_demo_loads_with_working_logins_and_translated_key_changes():
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    for email, role, _group in DEMO_LOGINS:
        assert authenticate(username=email, password=DEMO_PASSWORD) is not None, role
        assert email in output.getvalue()

    second = PolicyVersion.objects.get(number="2.0")
    assert second.requires_reattestation
    english = second.key_change_list_in("en")
    assert len(english) == 3
    for language in ("fr", "es", "da", "nb"):
        translated = second.key_change_list_in(language)
        assert len(translated) == 3 and translated != english, language

    emma = Assignment.objects.open().get(employee__email="emma.wilson@northwind.example", version=second)
    client = Client()
    client.force_login(emma.employee.user)
    page = client.get(reverse("assignment", args=[emma.pk])).content.decode()
    assert "What changed since version 1.0" in page
    assert english[0].split(",")[0] in page

    declines = Decline.objects.order_by("declined_at")
    assert [bool(decline.response) for decline in declines] == [False, True]  # one waits for HR, one answered
    waiting = Assignment.objects.with_status().get(pk=declines[0].assignment_id)
    assert waiting.status == "declined" and waiting.employee.manager.email == "marcus.berg@northwind.example"
    questions = ChapterQuestion.objects.order_by("asked_at")
    assert [q.status for q in questions] == ["published", "answered", "open", "open"]
    faq = FaqEntry.objects.get()
    assert sorted(faq.translations.values_list("language", flat=True)) == ["da", "en", "es", "fr", "nb"]
    chapter = reverse("chapter", args=[emma.pk, "personal-accounts"])
    assert "My LinkedIn headline" in page_of(client, chapter) and "Add a line saying" in page_of(client, chapter)
    camille = Assignment.objects.open().filter(employee__email="camille.moreau@northwind.example").first()
    if camille:
        client.force_login(camille.employee.user)
        french = PolicyVersionChapter.objects.get(
            version=second, locale__language_code="fr", chapter_key=faq.chapter_key
        )
        french_page = page_of(client, reverse("chapter", args=[camille.pk, french.slug]))
        assert "Puis-je garder mon poste" in french_page and "LinkedIn" not in french_page

    call_command("load_demo", stdout=io.StringIO())  # again: skipped, nothing doubled
    assert ChapterQuestion.objects.count() == 4


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()
    assert PolicyVersion.objects.filter(number="2.0").count() == 1
    assert Decline.objects.count() == 2
