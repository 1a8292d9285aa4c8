"""A manager's /team/: linked in the header, a short trend, and reminders to the overdue of
their own line only (once per person per day, rate limited, logged)."""

import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from attest.models import ReminderLog
from attest.views import employee as views
from tests import factories
from tests.attest.steps import login

pytestmark = pytest.mark.django_db

PAST = datetime.date(2026, 1, 15)


def overdue_mail() -> list[str]:
    return [message.to[0] for message in mail.outbox if message.subject.startswith("Overdue")]


@pytest.fixture
def line(version):
    """Mia manages Rita, who manages Tom; Olga is in another line. Tom and Olga are overdue."""
    cache.clear()
    mia = factories.employee("Mia", "Manager")
    rita = factories.employee("Rita", "Lead", manager=mia)
    tom = factories.employee("Tom", "Trainee", manager=rita)
    boss = factories.employee("Bo", "Boss")
    olga = factories.employee("Olga", "Outside", manager=boss)
    return {
        "mia": mia,
        "tom": tom,
        "olga": olga,
        "tom_late": factories.assignment(tom, version, due_on=PAST),
        "olga_late": factories.assignment(olga, version, due_on=PAST),
        "rita_fine": factories.assignment(rita, version),
    }


def test_header_links_team_only_for_managers(line):
    assert reverse("team_dashboard") in login(line["mia"]).get("/").content.decode()
    assert reverse("team_dashboard") not in login(line["tom"]).get("/").content.decode()


def test_manager_reminds_one_person_once_a_day(line):
    client = login(line["mia"])
    response = client.post(reverse("team_remind"), {"assignment": line["tom_late"].pk}, follow=True)
    assert "Reminder sent to 1 person." in response.content.decode()
    log = ReminderLog.objects.get()
    assert log.employee == line["tom"] and log.dedupe_key == f"nudge:{line['tom'].pk}:{datetime.date.today()}"
    assert overdue_mail() == [line["tom"].email]
    again = client.post(reverse("team_remind"), {"assignment": line["tom_late"].pk}, follow=True)
    assert str(views.MESSAGE_NUDGE_NONE) in again.content.decode()
    assert ReminderLog.objects.count() == 1 and overdue_mail() == [line["tom"].email]


def test_manager_cannot_remind_someone_outside_their_line(line):
    client = login(line["mia"])
    client.post(reverse("team_remind"), {"assignment": line["olga_late"].pk})
    assert not ReminderLog.objects.filter(employee=line["olga"]).exists()
    client.post(reverse("team_remind"))  # everyone overdue: in Mia's line, that is Tom only
    assert list(ReminderLog.objects.values_list("employee__first_name", flat=True)) == ["Tom"]
    assert login(line["tom"]).post(reverse("team_remind")).status_code == 403
    assert client.post(reverse("team_remind"), {"assignment": "1 OR 1=1"}).status_code == 404


def test_reminders_are_rate_limited(line):
    client = login(line["mia"])
    for _ in range(views.NUDGE_LIMIT):
        client.post(reverse("team_remind"))
    response = client.post(reverse("team_remind"), follow=True)
    assert str(views.ERROR_NUDGE_TOO_MANY) in response.content.decode()


def test_team_page_offers_reminders_and_a_short_trend(line):
    html = login(line["mia"]).get(reverse("team_dashboard")).content.decode()
    assert "Remind everyone overdue" in html and "Remind Tom Trainee" in html
    assert "Olga" not in html
    trend = html.split('id="trend-heading"')[1].split("</table>")[0]
    assert 0 < trend.count("<tr>") - 1 <= 10
