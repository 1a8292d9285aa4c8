"""A failed last quiz attempt is no dead end: the learner is warned before it and told what
happens after it, HR sees who needs them and gives more attempts (with a reason, audited)."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, Site

from attest import exports, reports
from attest.services import ERROR_GRANT_NOTHING_TO_RESET, ERROR_GRANT_REASON
from cms.models import CompanySettings
from cms.roles import HR
from tests import factories
from tests.attest.steps import do_chapter, login
from training.models import QuizAttempt, QuizAttemptGrant, QuizLockout

pytestmark = pytest.mark.django_db

LAST_ATTEMPT_WARNING = "This is your last attempt at this quiz."
LOCKED_OUT = "You have used all your attempts at this quiz. HR has been told"


@pytest.fixture
def limited():
    spec = factories.policy_spec(
        chapters=[factories.chapter_spec("limited", questions=2, attempt_limit=2, pass_mark=100)]
    )
    version = factories.release(factories.published_policy(spec))
    emma = factories.employee()
    return factories.assignment(emma, version)


@pytest.fixture
def hr(db):
    client = Client()
    client.force_login(factories.user(email="ingrid@example.com", groups=[HR]))
    return client


def chapter_key(assignment):
    return str(assignment.version.chapters.get(slug="limited").chapter_key)


def lock_out(client, assignment):
    do_chapter(client, assignment, "limited", correct=False)
    return do_chapter(client, assignment, "limited", correct=False)


def test_learner_is_warned_before_the_last_attempt_and_not_offered_another(limited):
    client = login(limited.employee)
    first = client.get(reverse("quiz", args=[limited.pk, "limited"])).content.decode()
    assert LAST_ATTEMPT_WARNING not in first
    QuizAttempt.objects.all().delete()
    result = do_chapter(client, limited, "limited", correct=False).content.decode()
    assert "Try the quiz again (last attempt)" in result
    second = client.get(reverse("quiz", args=[limited.pk, "limited"])).content.decode()
    assert LAST_ATTEMPT_WARNING in second


def test_after_the_last_failed_attempt_no_try_again_and_hr_is_named(limited):
    site_settings = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.hr_contact_email = "people@northwind.example"
    site_settings.save()
    client = login(limited.employee)
    html = lock_out(client, limited).content.decode()
    assert LOCKED_OUT in html
    assert "Try the quiz again" not in html
    assert f'href="{reverse("quiz", args=[limited.pk, "limited"])}"' not in html
    assert "mailto:people@northwind.example" in html
    assert QuizLockout.objects.filter(user=limited.employee.user, cleared_at__isnull=True).count() == 1


def test_a_locked_out_person_shows_as_needs_hr_in_people_list_and_exports(limited, hr):
    lock_out(login(limited.employee), limited)
    people = hr.get(reverse("attest_compliance_people"), {"status": "open"}).content.decode()
    assert "Emma Wilson" in people and "needs HR" in people
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(exports.csv_stream(exports.ExportRequest(filters=reports.ReportFilters()))).decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == list(reports.COLUMNS)
    assert rows[1][rows[0].index("needs_hr")] == "yes"


def test_hr_resets_attempts_with_a_reason_and_the_learner_can_try_again(limited, hr):
    client = login(limited.employee)
    lock_out(client, limited)
    url = reverse("quiz_attempts", args=[limited.pk])
    assert url in hr.get(reverse("assignments:index")).content.decode()
    page = hr.get(url).content.decode()
    assert "Needs HR" in page

    response = hr.post(url, {"chapter": chapter_key(limited), "action": "reset", "reason": "  "})
    assert response.status_code == 200 and not QuizAttemptGrant.objects.exists()

    response = hr.post(url, {"chapter": chapter_key(limited), "action": "reset", "reason": "Asked by phone"})
    assert response.status_code == 302
    grant = QuizAttemptGrant.objects.get()
    assert grant.attempts == 2 and grant.granted_by.email == "ingrid@example.com"
    assert not QuizLockout.objects.filter(cleared_at__isnull=True).exists()
    entry = ModelLogEntry.objects.get(action="attest.quiz_attempts_give")
    assert entry.object_id == str(limited.pk) and entry.data["reason"] == "Asked by phone"
    assert "Asked by phone" in hr.get(reverse("assignments:history", args=[limited.pk])).content.decode()

    quiz = client.get(reverse("quiz", args=[limited.pk, "limited"]))
    assert quiz.status_code == 200 and "Attempt 3 of 4" in quiz.content.decode()
    assert do_chapter(client, limited, "limited").status_code == 200
    assert QuizAttempt.objects.filter(passed=True).count() == 1
    people = hr.get(reverse("attest_compliance_people")).content.decode()
    assert "needs HR" not in people


def test_hr_adds_attempts_and_errors_are_messages(limited, hr):
    url = reverse("quiz_attempts", args=[limited.pk])
    response = hr.post(url, {"chapter": chapter_key(limited), "action": "reset", "reason": "Nothing used"})
    assert str(ERROR_GRANT_NOTHING_TO_RESET) in response.content.decode()
    response = hr.post(url, {"chapter": chapter_key(limited), "action": "add", "attempts": "1", "reason": "One more"})
    assert response.status_code == 302
    assert QuizAttemptGrant.objects.get().attempts == 1
    response = hr.post(url, {"chapter": "not-a-chapter", "action": "add", "attempts": "1", "reason": "x"})
    assert response.status_code == 200 and QuizAttemptGrant.objects.count() == 1
    assert str(ERROR_GRANT_REASON)  # the constant tests reuse


def test_only_hr_reaches_the_quiz_attempts_page(limited):
    response = login(limited.employee).get(reverse("quiz_attempts", args=[limited.pk]))
    assert response.status_code in (302, 403)
    assert not QuizAttemptGrant.objects.exists()
