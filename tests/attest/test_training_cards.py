"""My training shows one card per policy version: the requirements one signature meets share it,
with the earliest due date and every requirement's name; reports still count each requirement."""

import datetime
import re

import pytest
from django.urls import reverse

from attest import reports
from attest.models import Assignment, RequirementKind
from tests import factories
from tests.attest.steps import do_chapter, finish_and_sign, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_for_one_version(version, emma):
    onboarding = factories.requirement(version.policy, kind=RequirementKind.ONBOARDING, name="Onboarding")
    annual = factories.requirement(version.policy, kind=RequirementKind.ANNUAL, name="Annual refresher")
    first = factories.assignment(emma, version, onboarding, due_on=datetime.date(2030, 1, 10))
    second = factories.assignment(emma, version, annual, due_on=datetime.date(2030, 3, 1))
    return first, second


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="card">(.*?)</li>\s*(?=<li class="card">|</ul>)', html, re.S)


def test_one_card_for_both_requirements_with_the_earliest_due_date(two_for_one_version, emma):
    first, _second = two_for_one_version
    html = login(emma).get("/").content.decode()
    [card] = cards(html)
    assert "Onboarding, Annual refresher" in card or "Annual refresher, Onboarding" in card
    assert "Jan. 10, 2030" in card or "10 January 2030" in card or "January 10, 2030" in card
    assert reverse("assignment", args=[first.pk]) in card
    assert "Assigned" in card and "Start: Chapter one" in card


def test_progress_is_shared_and_labels_follow_it(two_for_one_version, emma):
    first, second = two_for_one_version
    client = login(emma)
    do_chapter(client, second, "one")  # done through the other requirement's link
    [card] = cards(client.get("/").content.decode())
    assert "1 of 2 chapters done" in card
    assert "In progress" in card and "Continue: Chapter two" in card and "Start:" not in card


def test_one_signature_completes_both_and_reports_count_each(two_for_one_version, emma):
    first, _second = two_for_one_version
    finish_and_sign(first)
    assert Assignment.objects.filter(employee=emma, completed_at__isnull=False).count() == 2
    rows = list(reports.detail_queryset(reports.ReportFilters()))
    assert len(rows) == 2
    assert {row[reports.COLUMNS.index("status")] for row in rows} == {"completed"}
