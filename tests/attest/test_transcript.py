"""The transcript: every completion with its certificate and the text as signed, readable any
time; an employee sees only their own, HR anyone's from the employee record."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.roles import HR
from tests import factories
from tests.attest.steps import login
from training.models import ReadingProgress

pytestmark = pytest.mark.django_db


def transcript_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("transcript"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_transcript_lists_completions_with_certificates_in_constant_queries(version, emma):
    first = factories.finished(factories.assignment(emma, version))
    client = login(emma)
    assert reverse("transcript") in client.get("/").content.decode()
    transcript_queries(client)  # per-process caches (site, settings) filled
    one, html = transcript_queries(client)
    assert "Version 1.0" in html and first.requirement.name in html
    assert reverse("certificate", args=[first.attestation.verification_code]) in html
    for _ in range(3):
        factories.finished(factories.assignment(emma, version))
    four, html = transcript_queries(client)
    assert four == one
    assert html.count("Download certificate (PDF)") == 4


def test_signed_chapters_stay_readable_read_only(version, emma):
    done = factories.finished(factories.assignment(emma, version))
    client = login(emma)
    overview = client.get(reverse("assignment", args=[done.pk])).content.decode()
    url = reverse("chapter", args=[done.pk, "one"])
    assert url in overview and "The text you signed" in overview
    read_before = ReadingProgress.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Text of one." in html and "exactly as you signed it" in html
    assert "I have read this chapter" not in html
    assert client.post(url).status_code == 302
    assert ReadingProgress.objects.count() == read_before
    assert client.get(reverse("chapter", args=[done.pk, "team"])).status_code == 404  # not their track
    assert client.get(reverse("quiz", args=[done.pk, "one"])).status_code == 302


def test_an_employee_only_ever_sees_their_own(version, emma):
    done = factories.finished(factories.assignment(emma, version))
    other = factories.employee("Omar", "Other")
    client = login(other)
    _queries, html = transcript_queries(client)
    assert "Nothing has been signed yet." in html
    assert done.attestation.verification_code not in html
    assert client.get(reverse("transcript_of", args=[emma.pk])).status_code == 404
    assert client.get(reverse("chapter", args=[done.pk, "one"])).status_code == 404


def test_hr_opens_a_transcript_from_the_employee_record(version, emma):
    done = factories.finished(factories.assignment(emma, version))
    hr = Client()
    hr.force_login(factories.user(email="ingrid@example.com", groups=[HR]))
    url = reverse("transcript_of", args=[emma.pk])
    assert url in hr.get(reverse("employees:edit", args=[emma.pk])).content.decode()
    html = hr.get(url).content.decode()
    assert "Transcript of Emma Wilson" in html
    assert reverse("certificate", args=[done.attestation.verification_code]) in html
    assert done.attestation.statement.splitlines()[0] in html
