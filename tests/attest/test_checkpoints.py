"""Signed checkpoints outside the database (issue 14, item 1): a consistent re-hash by whoever
controls the database is caught, with only the public key, the checkpoints and the data."""

import base64
import datetime
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attest import chain, checkpoints, tasks
from attest.models import Assignment, Attestation, AttestationChainHead
from attest.services import assignment_exempt
from tests import factories
from training.hashing import canonical_json
from training.models import PolicyVersionLocale

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings, tmp_path):
    """A signing key held in a setting (never in the database), its public half in a file, and
    the checkpoints storage in an empty directory."""
    private, public, ident = checkpoints.key_pair_generate()
    settings.ATTEST_CHECKPOINT_PRIVATE_KEY = private.decode("ascii")
    settings.ATTEST_CHECKPOINT_KEY_FILE = ""
    settings.ATTEST_CHECKPOINT_PUBLIC_KEYS = []
    directory = tmp_path / "checkpoints"
    directory.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "checkpoints": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": directory, "file_permissions_mode": 0o444},
        },
    }
    public_path = tmp_path / "public.pem"
    public_path.write_bytes(public)
    return {"id": ident, "public": public_path, "dir": directory}


def sign(version, count):
    return [factories.finished(factories.assignment(factories.employee(), version)).attestation for _ in range(count)]


def raw_sql(sql, params=()):
    """Change tables behind the application's back, as a rogue DBA would (triggers bypassed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def rehash_lane_from(record):
    """Recompute ``record``'s lane from it onwards with the product's own chain code, and move the
    head: the chain alone then verifies."""
    previous = record.previous_hash
    for row in Attestation.objects.filter(chain_lane=record.chain_lane, chain_seq__gte=record.chain_seq).order_by(
        "chain_seq"
    ):
        row.previous_hash = previous
        row.record_hash = chain.record_hash(row)
        raw_sql(
            "UPDATE attest_attestation SET previous_hash = %s, record_hash = %s WHERE id = %s",
            [row.previous_hash, row.record_hash, row.pk],
        )
        previous = row.record_hash
    raw_sql("UPDATE attest_attestationchainhead SET record_hash = %s WHERE lane = %s", [previous, record.chain_lane])


def verify(*args):
    try:
        call_command("verify_attestations", *args)
    except CommandError as error:
        return error
    return None


def audit(keys, *extra):
    """The auditor's command: only the public key and a copy of the checkpoints."""
    return verify("--public-key", str(keys["public"]), "--checkpoints", str(keys["dir"]), *extra)


def written(keys):
    return sorted(keys["dir"].glob("checkpoint-*.json"))


def test_key_generation_writes_a_private_file_for_its_owner_only_and_never_overwrites(tmp_path, capsys):
    private, public = tmp_path / "checkpoint.key", tmp_path / "checkpoint.pub"
    call_command("checkpoint_key", "generate", "--private-key", str(private), "--public-key", str(public))
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    key = serialization.load_pem_public_key(public.read_bytes())
    assert f"Wrote key {checkpoints.key_id(key)}" in capsys.readouterr().out
    before = private.read_bytes()
    with pytest.raises(CommandError, match="already exists; keys are never overwritten"):
        call_command("checkpoint_key", "generate", "--private-key", str(private), "--public-key", str(public))
    assert private.read_bytes() == before


def test_checkpoint_signs_every_lane_head_the_count_and_the_released_hashes(keys, version, capsys):
    records = sign(version, 3)
    call_command("checkpoint_attestations")
    assert "Wrote checkpoint checkpoint-" in capsys.readouterr().out
    [path] = written(keys)
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    wrapper = json.loads(path.read_text())
    document = wrapper["checkpoint"]
    assert document["key_id"] == keys["id"] and document["records"] == 3
    heads = {head.lane: (head.seq, head.record_hash) for head in AttestationChainHead.objects.all()}
    assert {lane["lane"]: (lane["seq"], lane["hash"]) for lane in document["lanes"]} == heads
    assert {(lane, seq) for lane, (seq, _hash) in heads.items()} >= {(r.chain_lane, 1) for r in records}
    released = PolicyVersionLocale.objects.get(version=version, locale__language_code="en")
    assert {
        "version": version.pk,
        "number": version.number,
        "policy": version.policy_id,
        "language": "en",
        "content_sha256": released.content_sha256,
    } in document["versions"]
    public = serialization.load_pem_public_key(keys["public"].read_bytes())
    public.verify(base64.b64decode(wrapper["signature"]), canonical_json(document))


def test_intact_chain_verifies_against_the_checkpoints(keys, version, capsys):
    sign(version, 4)
    call_command("checkpoint_attestations")
    sign(version, 2)  # signed after the checkpoint, within the grace period
    assert audit(keys) is None
    assert "OK: 6 attestation(s) verified against 1 signed checkpoint(s)" in capsys.readouterr().out


def test_two_checkpoints_at_the_same_moment_are_two_files(keys, version):
    sign(version, 1)
    now = timezone.now()
    first, second = checkpoints.checkpoint_write(now=now), checkpoints.checkpoint_write(now=now)
    assert first != second and len(written(keys)) == 2


def test_consistent_rehash_by_the_database_owner_is_caught_naming_lane_and_positions(
    settings, keys, version, capsys, client
):
    """The attack from the review: a typed name and date changed, the lane re-hashed with
    ``attest/chain.py`` and its head moved. The chain alone still verifies; the checkpoints do not."""
    settings.ATTEST_CHAIN_LANES = 1
    sign(version, 1)
    call_command("checkpoint_attestations")
    records = sign(version, 3)
    call_command("checkpoint_attestations")
    target = records[0]  # lane 0, seq 2: after the first checkpoint, before the second
    forged_at = datetime.datetime(2026, 1, 2, 9, 0, tzinfo=datetime.UTC)
    raw_sql(
        "UPDATE attest_attestation SET typed_name = %s, signed_at = %s WHERE id = %s",
        ["Mallory Forger", forged_at, target.pk],
    )
    raw_sql(  # and the assignment agrees, so only the checkpoints can tell
        "UPDATE attest_assignment SET completed_at = %s, completed_on = %s WHERE attestation_id = %s",
        [forged_at, forged_at.date(), target.pk],
    )
    rehash_lane_from(Attestation.objects.get(pk=target.pk))
    assert "Mallory Forger" in client.get(f"/verify/{target.verification_code}/").content.decode()
    assert chain.verify_chain() == (4, []), "without the checkpoints the forgery passes: that is the hole"

    assert audit(keys) is not None
    err = capsys.readouterr().err
    last = records[-1]
    assert (
        f"lane 0, seq 4, attestation {last.pk} ({last.verification_code}): does not match the signed checkpoint "
        f"{written(keys)[1].name}: records 2–4 of this lane were rewritten after they were signed"
    ) in err
    assert verify() is not None, "the configured key and storage catch it too"


@pytest.mark.postgres
def test_postgres_rehash_with_the_trigger_disabled_is_caught(settings, keys, version, capsys):
    """The same attack on PostgreSQL, where it needs ``session_replication_role = replica``."""
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    settings.ATTEST_CHAIN_LANES = 1
    records = sign(version, 3)
    call_command("checkpoint_attestations")
    with pytest.raises(DatabaseError, match="attestations are immutable"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE attest_attestation SET typed_name = 'Mallory Forger' WHERE id = %s", [records[0].pk])
    raw_sql("UPDATE attest_attestation SET typed_name = 'Mallory Forger' WHERE id = %s", [records[0].pk])
    rehash_lane_from(Attestation.objects.get(pk=records[0].pk))
    assert chain.verify_chain() == (3, [])
    assert audit(keys) is not None
    assert "records 1–3 of this lane were rewritten after they were signed" in capsys.readouterr().err


def test_deleted_tail_with_a_consistent_head_is_caught(settings, keys, version, capsys):
    settings.ATTEST_CHAIN_LANES = 1
    records = sign(version, 3)
    call_command("checkpoint_attestations")
    raw_sql(
        "UPDATE attest_assignment SET attestation_id = NULL, completed_at = NULL, completed_on = NULL WHERE attestation_id = %s",
        [records[-1].pk],
    )
    raw_sql("DELETE FROM attest_attestation WHERE id = %s", [records[-1].pk])
    raw_sql("UPDATE attest_attestationchainhead SET seq = 2, record_hash = %s WHERE lane = 0", [records[1].record_hash])
    assert chain.verify_chain() == (2, [])
    assert audit(keys) is not None
    assert "the database ends at seq 2 (records deleted)" in capsys.readouterr().err


def test_altered_checkpoint_and_unknown_key_are_refused(keys, version, capsys, tmp_path):
    sign(version, 2)
    call_command("checkpoint_attestations")
    [path] = written(keys)
    wrapper = json.loads(path.read_text())
    wrapper["checkpoint"]["records"] = 1
    path.chmod(0o644)
    path.write_text(json.dumps(wrapper))
    assert audit(keys) is not None
    assert f"checkpoint {path.name}: its signature does not verify (altered or forged)" in capsys.readouterr().err

    _private, other_public, _ident = checkpoints.key_pair_generate()
    (tmp_path / "other.pem").write_bytes(other_public)
    assert verify("--public-key", str(tmp_path / "other.pem"), "--checkpoints", str(keys["dir"])) is not None
    assert f"signed with key '{keys['id']}', which is not among the public keys given" in capsys.readouterr().err


def test_records_no_checkpoint_covers_fail_after_the_grace_period(settings, keys, version, capsys):
    records = sign(version, 2)
    settings.ATTEST_CHECKPOINT_GRACE_MINUTES = 30
    assert audit(keys) is None, "within the grace period"
    later = (timezone.now() + datetime.timedelta(minutes=31)).isoformat()
    assert audit(keys, "--as-of", later) is not None
    err = capsys.readouterr().err
    first = min(records, key=lambda record: (record.chain_lane, record.chain_seq))
    assert f"lane {first.chain_lane}, seq 1, attestation {first.pk}" in err
    assert "no signed checkpoint covers it or the records after it (checkpoints missing)" in err
    call_command("checkpoint_attestations")
    assert audit(keys, "--as-of", later) is None


def test_changed_release_hash_is_caught(keys, version, capsys):
    sign(version, 1)
    call_command("checkpoint_attestations")
    raw_sql("UPDATE training_policyversionlocale SET content_sha256 = %s WHERE version_id = %s", ["e" * 64, version.pk])
    assert audit(keys) is not None
    err = capsys.readouterr().err
    assert (
        f"version {version.number} (id {version.pk}), language en: has a different content hash in the database" in err
    )


def test_completions_and_exemptions_must_be_backed(version, capsys):
    signed_one, signed_two = [
        assignment.attestation
        for assignment in (factories.finished(factories.assignment(factories.employee(), version)) for _ in range(2))
    ]
    forged = factories.assignment(factories.employee("Fake", "Done"), version)
    borrowed = factories.assignment(factories.employee("Borrowed", "Proof"), version)
    hr = factories.user(email="hr.person@example.com")
    honest = assignment_exempt(
        assignment=factories.assignment(factories.employee("Long", "Leave"), version), reason="Leave", by=hr
    )
    quiet = factories.assignment(factories.employee("Quiet", "Exempt"), version)
    assert verify() is None

    now = timezone.now()
    raw_sql(
        "UPDATE attest_assignment SET completed_at = %s, completed_on = %s WHERE id = %s", [now, now.date(), forged.pk]
    )
    raw_sql(
        "UPDATE attest_assignment SET completed_at = %s, completed_on = %s, attestation_id = %s WHERE id = %s",
        [signed_one.signed_at, now.date(), signed_one.pk, borrowed.pk],
    )
    raw_sql(
        "UPDATE attest_assignment SET completed_at = NULL, completed_on = NULL, attestation_id = NULL WHERE id = %s",
        [signed_two.assignment_id],
    )
    raw_sql(
        "UPDATE attest_assignment SET exempted_at = %s, exempted_by_id = %s, exemption_reason = 'x' WHERE id = %s",
        [now, hr.pk, quiet.pk],
    )
    raw_sql("UPDATE attest_assignment SET exemption_reason = 'Other' WHERE id = %s", [honest.pk])
    assert verify() is not None
    err = capsys.readouterr().err
    assert f"assignment {forged.pk}: completed without an attestation" in err
    assert f"assignment {borrowed.pk}: completed by attestation {signed_one.pk} of another employee or version" in err
    assert (
        f"attestation {signed_two.pk} ({signed_two.verification_code}): its assignment {signed_two.assignment_id} "
        "is not marked completed by it"
    ) in err
    assert f"assignment {quiet.pk}: exempt without an audit log entry" in err
    assert f"assignment {honest.pk}: its exemption's reason or author differs from the audit log" in err
    assert Assignment.objects.filter(pk=signed_one.assignment_id, attestation=signed_one).exists()


def test_signing_writes_a_checkpoint_through_the_worker(keys, version, django_capture_on_commit_callbacks):
    """Tests run tasks immediately; the worker would run it ``ATTEST_CHECKPOINT_DELAY_SECONDS`` later."""
    with django_capture_on_commit_callbacks(execute=True):
        sign(version, 1)
    [path] = written(keys)
    assert json.loads(path.read_text())["checkpoint"]["records"] == 1


def test_one_deferred_checkpoint_task_at_a_time(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ATTEST_CHECKPOINT_DELAY_SECONDS = 180
    before = timezone.now()
    tasks.checkpoint_soon()
    tasks.checkpoint_soon()
    [queued] = DBTaskResult.objects.filter(task_path=tasks.write_checkpoint.module_path)
    assert queued.status == "READY"
    assert (
        before + datetime.timedelta(seconds=179) < queued.run_after < timezone.now() + datetime.timedelta(seconds=181)
    )


def test_without_a_key_the_command_says_how_to_configure_one(settings):
    settings.ATTEST_CHECKPOINT_PRIVATE_KEY = settings.ATTEST_CHECKPOINT_KEY_FILE = ""
    with pytest.raises(CommandError, match="No checkpoint signing key: set ATTEST_CHECKPOINT_KEY_FILE"):
        call_command("checkpoint_attestations")


def test_auditor_copy_needs_the_public_key(tmp_path):
    with pytest.raises(CommandError, match="--checkpoints needs --public-key"):
        call_command("verify_attestations", "--checkpoints", str(tmp_path))


def test_key_file_setting(settings, tmp_path, keys, version):
    key_file = tmp_path / "signing.key"
    key_file.write_text(settings.ATTEST_CHECKPOINT_PRIVATE_KEY)
    settings.ATTEST_CHECKPOINT_PRIVATE_KEY, settings.ATTEST_CHECKPOINT_KEY_FILE = "", str(key_file)
    sign(version, 1)
    assert Path(keys["dir"], checkpoints.checkpoint_write()).exists()
    assert verify() is None


@pytest.mark.postgres
def test_postgres_refuses_to_change_completed_or_exempt_assignments(version):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    done = factories.finished(factories.assignment(factories.employee(), version))
    hr = factories.user(email="hr.person@example.com")
    exempt = assignment_exempt(
        assignment=factories.assignment(factories.employee("Long", "Leave"), version), reason="Leave", by=hr
    )
    open_one = factories.assignment(factories.employee("Not", "Yet"), version)
    refusals = [
        (
            Assignment.objects.filter(pk=done.pk),
            {"completed_at": None, "attestation": None},
            "evidence: UPDATE refused",
        ),
        (Assignment.objects.filter(pk=exempt.pk), {"exemption_reason": "Other"}, "evidence: UPDATE refused"),
        (
            Assignment.objects.filter(pk=open_one.pk),
            {"completed_at": timezone.now()},
            "completed only by its attestation",
        ),
        (
            Assignment.objects.filter(pk=open_one.pk),
            {"completed_at": done.completed_at, "attestation": done.attestation},
            "completed only by its attestation",
        ),
    ]
    for queryset, change, message in refusals:
        with pytest.raises(DatabaseError, match=message), transaction.atomic():
            queryset.update(**change)
    with pytest.raises(DatabaseError, match="evidence: DELETE refused"), transaction.atomic():
        Assignment.objects.filter(pk=exempt.pk).delete()
    Assignment.objects.filter(pk=open_one.pk).update(due_on=datetime.date(2031, 1, 1))  # open ones still change
    assert verify() is None
