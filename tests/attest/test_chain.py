"""Tamper evidence: the hash chain, the verify command, and the database's own refusal."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from attest.models import Attestation
from tests import factories

pytestmark = pytest.mark.django_db


def signed(version, count):
    return [factories.finished(factories.assignment(factories.employee(), version)).attestation for _ in range(count)]


def raw_sql(sql, params=()):
    """Change the table behind the application's back, as a rogue DBA would (triggers bypassed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def verify():
    try:
        call_command("verify_attestations")
    except CommandError as error:
        return error
    return None


def test_intact_chain_verifies_with_a_count(version, capsys):
    signed(version, 5)
    assert verify() is None
    assert "OK: 5 attestation(s) verified" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("typed_name", "Someone Else"),
        ("content_sha256", "f" * 64),
        ("signed_at", "2020-01-01 00:00:00+00"),
        ("user_agent", "x"),
    ],
)
def test_changed_field_is_named(version, capsys, column, value):
    records = signed(version, 3)
    target = records[1]
    raw_sql(f"UPDATE attest_attestation SET {column} = %s WHERE id = %s", [value, target.pk])  # noqa: S608
    assert verify() is not None
    err = capsys.readouterr().err
    assert f"attestation {target.pk} ({target.verification_code}): its content no longer matches its hash" in err


def test_deleted_record_is_detected(settings, version, capsys):
    settings.ATTEST_CHAIN_LANES = 1
    records = signed(version, 4)
    raw_sql("UPDATE attest_assignment SET attestation_id = NULL WHERE attestation_id = %s", [records[1].pk])
    raw_sql("DELETE FROM attest_attestation WHERE id = %s", [records[1].pk])
    assert verify() is not None
    err = capsys.readouterr().err
    assert "records 2–2 of this lane are missing" in err and f"attestation {records[2].pk}" in err


def test_deleted_tail_is_detected(settings, version, capsys):
    settings.ATTEST_CHAIN_LANES = 1
    records = signed(version, 3)
    raw_sql("UPDATE attest_assignment SET attestation_id = NULL WHERE attestation_id = %s", [records[-1].pk])
    raw_sql("DELETE FROM attest_attestation WHERE id = %s", [records[-1].pk])
    assert verify() is not None
    assert "the lane's last records were deleted" in capsys.readouterr().err


def test_inserted_record_is_detected(settings, version, capsys):
    settings.ATTEST_CHAIN_LANES = 1
    records = signed(version, 2)
    forged = Attestation.objects.get(pk=records[0].pk)
    extra = factories.assignment(factories.employee(), version)
    forged.pk, forged.verification_code, forged.assignment_id, forged.chain_seq = None, "FORGED0000000000", extra.pk, 3
    forged.save(force_insert=True)
    assert verify() is not None
    err = capsys.readouterr().err
    assert "FORGED0000000000" in err


@pytest.mark.postgres
def test_postgres_refuses_update_and_delete(version):
    if connection.vendor != "postgresql":
        pytest.skip("database trigger exists on PostgreSQL only")
    record = signed(version, 1)[0]
    for sql in [
        "UPDATE attest_attestation SET typed_name = 'x' WHERE id = %s",
        "DELETE FROM attest_attestation WHERE id = %s",
    ]:
        with pytest.raises(DatabaseError, match="attestations are immutable"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [record.pk])
    assert Attestation.objects.get(pk=record.pk).typed_name == record.typed_name


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_double_submit_yields_one_attestation():
    if connection.vendor != "postgresql":
        pytest.skip("real parallel requests need PostgreSQL")
    version = factories.release(factories.published_policy())
    person = factories.employee("Emma", "Wilson")
    assignment = factories.assignment(person, version)
    from cms.simulation import passing_answers
    from training.models import PolicyVersionChapter
    from training.services import quiz_attempt_start, quiz_attempt_submit, reading_record

    for chapter in PolicyVersionChapter.objects.to_read(version=version, track="all", language="en"):
        reading_record(user=person.user, chapter=chapter)
        attempt = quiz_attempt_start(user=person.user, chapter=chapter)
        quiz_attempt_submit(
            user=person.user, chapter=chapter, attempt_id=attempt.pk, answers=passing_answers(chapter, attempt)
        )

    clients = 8
    barrier = threading.Barrier(clients)

    def submit(_):
        client = Client()
        client.force_login(person.user)
        barrier.wait()
        try:
            return client.post(
                reverse("sign", args=[assignment.pk]),
                {"typed_name": "Emma Wilson", "confirm": "on", "password": factories.PASSWORD},
            ).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(submit, range(clients)))
    assert all(status == 302 for status in statuses), statuses
    assert Attestation.objects.filter(assignment=assignment).count() == 1
    assert verify() is None
