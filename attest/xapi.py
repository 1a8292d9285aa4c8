"""xAPI statements for what HR enforces: the signature ("attested") and the completed training
("completed"), built with ``training.xapi`` and written to its outbox with the attestation."""

from training.xapi import statements as xapi
from training.xapi.outbox import statement_record

from .models import Attestation, Employee


def employee_account_name(user) -> str | None:
    """The agent's account name: the employee id from the HR system (stable, not personal data)."""
    return Employee.objects.filter(user=user).values_list("employee_id", flat=True).first()


def attestation_statements_record(*, record: Attestation, assignment_ids: list[int]) -> None:
    """An "attested" statement for the signature, with the policy version and the SHA-256 of the
    text signed (and of the record, as in the hash chain), and a "completed" statement for each
    assignment the signature completed."""
    language = record.locale_code
    version = record.version
    actor = xapi.actor_for(record.user, name=record.employee_number)
    training = xapi.version_activity(version, language)
    grouping = [xapi.policy_activity(version, language)]
    extensions = {
        xapi.extension_iri("policy-version"): record.version_number,
        xapi.extension_iri("content-sha256"): record.content_sha256,
    }
    statement_record(
        xapi.statement(
            key=xapi.ATTESTED,
            actor=actor,
            obj=training,
            at=record.signed_at,
            context={
                "language": language,
                "contextActivities": {"grouping": grouping},
                "extensions": {
                    **extensions,
                    xapi.extension_iri("attestation-sha256"): record.record_hash,
                    xapi.extension_iri("authentication"): record.auth_method,
                },
            },
        )
    )
    for assignment_id in assignment_ids:
        statement_record(
            xapi.statement(
                key=xapi.COMPLETED,
                actor=actor,
                obj=training,
                at=record.signed_at,
                context={
                    "language": language,
                    "contextActivities": {"grouping": grouping},
                    "extensions": {**extensions, xapi.extension_iri("assignment"): assignment_id},
                },
                result={"completion": True, "success": True},
            )
        )
