"""What the API returns. Attestations never carry quiz answers or results, the IP address or the
browser: the record's identity, content hash and place in the chain are what other systems need."""

from __future__ import annotations

from rest_framework import serializers

from training.models import PolicyVersion

from ..models import Assignment, Attestation, Employee, Requirement
from ..reports import BREAKDOWN_COLUMNS, DIMENSIONS, REPORT_STATUSES
from ..status import AssignmentStatus


class AssignmentSerializer(serializers.ModelSerializer):
    requirement_name = serializers.CharField(source="requirement.name")
    policy = serializers.CharField(source="version.policy.slug")
    version_number = serializers.CharField(source="version.number")
    status = serializers.ChoiceField(choices=AssignmentStatus.choices, help_text="Status today.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "requirement",
            "requirement_name",
            "policy",
            "version",
            "version_number",
            "assigned_on",
            "due_on",
            "status",
            "started_at",
            "completed_at",
            "attestation",
        ]


class PersonSerializer(serializers.ModelSerializer):
    manager_id = serializers.CharField(
        source="manager.employee_id", allow_null=True, help_text="The manager's employee id."
    )
    assignments = AssignmentSerializer(many=True, help_text="Every assignment, cancelled ones included.")

    class Meta:
        model = Employee
        fields = [
            "employee_id",
            "first_name",
            "last_name",
            "email",
            "department",
            "location",
            "manager_id",
            "status",
            "language",
            "track",
            "hire_date",
            "assignments",
        ]


class RequirementSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.slug")

    class Meta:
        model = Requirement
        fields = [
            "id",
            "name",
            "name_fr",
            "name_es",
            "name_da",
            "name_nb",
            "policy",
            "kind",
            "due_days",
            "annual_fixed_date",
            "due_date",
            "starts_on",
            "departments",
            "locations",
            "tracks",
            "active",
        ]


class VersionLanguageSerializer(serializers.Serializer):
    language = serializers.CharField(source="locale.language_code")
    title = serializers.CharField()
    text_sha256 = serializers.CharField(source="content_sha256", help_text="SHA-256 of this language's text.")


class PolicyVersionSerializer(serializers.ModelSerializer):
    policy = serializers.CharField(source="policy.slug")
    policy_title = serializers.CharField(source="policy.title")
    key_changes = serializers.ListField(child=serializers.CharField(), source="key_change_list")
    languages = VersionLanguageSerializer(many=True, source="locales")

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "policy",
            "policy_title",
            "number",
            "effective_date",
            "released_at",
            "requires_reattestation",
            "key_changes",
            "content_sha256",
            "hash_scheme",
            "held_back_languages",
            "languages",
        ]


class AttestationSerializer(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="employee_number")
    policy = serializers.CharField(source="policy.slug")
    version = serializers.IntegerField(source="version_id")
    language = serializers.CharField(source="locale_code")
    method = serializers.CharField(source="auth_method")
    assignment = serializers.IntegerField(source="assignment_id")
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)

    class Meta:
        model = Attestation
        fields = [
            "id",
            "verification_code",
            "employee_id",
            "policy",
            "policy_title",
            "version",
            "version_number",
            "assignment",
            "language",
            "content_sha256",
            "method",
            "signed_at",
            "corrects",
            "chain_lane",
            "chain_seq",
            "previous_hash",
            "record_hash",
        ]


# --- Compliance figures (documentation of the response; the view builds plain dicts) --------

_COUNTS = {
    **{status: serializers.IntegerField() for status in REPORT_STATUSES},
    "total": serializers.IntegerField(),
    "required": serializers.IntegerField(help_text="Total less exempt."),
    "done": serializers.IntegerField(help_text="Completed on time or late."),
    "open": serializers.IntegerField(help_text="Not completed: assigned, in progress or overdue."),
    "not_due": serializers.IntegerField(help_text="Assigned or in progress."),
    "completion_rate": serializers.FloatField(help_text="done / required, from 0 to 1."),
    "on_time_rate": serializers.FloatField(help_text="completed / required."),
    "overdue_rate": serializers.FloatField(help_text="overdue / required."),
}
CountsSerializer = type("CountsSerializer", (serializers.Serializer,), dict(_COUNTS))
_ROW_TEXT = {
    "key": serializers.CharField(help_text="What the row groups by: a name, a code or an id."),
    "label": serializers.CharField(),
    "detail": serializers.CharField(help_text="The manager's email, in the manager breakdown."),
}
# Exactly the dashboard's breakdown columns (reports.BREAKDOWN_COLUMNS).
BreakdownRowSerializer = type(
    "BreakdownRowSerializer",
    (serializers.Serializer,),
    {
        name: _ROW_TEXT[name] if name in _ROW_TEXT else _COUNTS[name].__class__(**_COUNTS[name]._kwargs)
        for name in BREAKDOWN_COLUMNS
    },
)
BreakdownsSerializer = type(
    "BreakdownsSerializer",
    (serializers.Serializer,),
    {dimension: BreakdownRowSerializer(many=True) for dimension in DIMENSIONS},
)


class TrendWeekSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W14.")
    week_start = serializers.DateField()
    due = serializers.IntegerField(help_text="Assignments falling due that week (exempt ones aside).")
    due_and_done = serializers.IntegerField(help_text="Of those, how many are done.")
    completed = serializers.IntegerField(help_text="Completions made that week.")


class ComplianceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    generated_at = serializers.DateTimeField()
    scope = serializers.CharField(help_text="“everyone”, or the employee id of the manager whose line this is.")
    filters = serializers.DictField(child=serializers.CharField(), help_text="The filters applied.")
    headline = CountsSerializer()
    breakdowns = BreakdownsSerializer()
    managers_complete = serializers.BooleanField(
        help_text="False when the manager breakdown lists only the managers with the most overdue reports."
    )
    trend = TrendWeekSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
