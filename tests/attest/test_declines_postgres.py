"""On PostgreSQL the database keeps a decline as evidence: no delete, no edit of what was
declined, and a response written once (a DBA or a script going around the application)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from attest.declines.models import Decline, DeclineReason
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def row(emma_assignment):
    if connection.vendor != "postgresql":
        pytest.skip("database trigger exists on PostgreSQL only")
    version = emma_assignment.version
    return Decline.objects.create(
        assignment=emma_assignment,
        employee=emma_assignment.employee,
        user=emma_assignment.employee.user,
        version=version,
        locale_code="en",
        content_sha256=version.content_sha256_in("en"),
        declined_at=timezone.now(),
        reason=DeclineReason.OTHER,
        text="Original words",
    )


def refused(sql, params, match):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_decision_fields_cannot_change_and_rows_cannot_go(row):
    for sql in (
        "UPDATE attest_decline SET text = 'Other words' WHERE id = %s",
        "UPDATE attest_decline SET reason = 'unclear' WHERE id = %s",
        "UPDATE attest_decline SET declined_at = declined_at - interval '1 day' WHERE id = %s",
        "UPDATE attest_decline SET content_sha256 = 'x' WHERE id = %s",
    ):
        refused(sql, [row.pk], "a decline is never edited")
    refused("DELETE FROM attest_decline WHERE id = %s", [row.pk], "declines are kept")
    assert Decline.objects.get(pk=row.pk).text == "Original words"


def test_the_response_is_written_once(row):
    hr = factories.user()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE attest_decline SET responded_at = now(), responded_by_id = %s, response = 'Answer' WHERE id = %s",
            [hr.pk, row.pk],
        )
    refused("UPDATE attest_decline SET response = 'Rewritten' WHERE id = %s", [row.pk], "a response is written once")
    refused(
        "UPDATE attest_decline SET responded_at = NULL, responded_by_id = NULL, response = '' WHERE id = %s",
        [row.pk],
        "a response is written once",
    )
    row.refresh_from_db()
    row.response = "Via the ORM"
    with pytest.raises(DatabaseError, match="a response is written once"), transaction.atomic():
        row.save()
    assert Decline.objects.get(pk=row.pk).response == "Answer"
