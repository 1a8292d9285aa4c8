"""The synthetic organisation (issue 6, item 5) satisfies what the product itself guarantees."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from attest.hierarchy import reporting_paths_refresh
from attest.models import Assignment, Attestation, Employee

pytestmark = pytest.mark.django_db


def test_generated_records_are_consistent_and_the_chain_verifies():
    call_command("generate_organisation", employees=150, stdout=StringIO())
    assert Employee.objects.count() == 150
    assert Employee.objects.exclude(manager=None).exists()
    assert reporting_paths_refresh() == 0, "every reporting path was already right"
    signed = Assignment.objects.exclude(attestation=None)
    assert signed.count() == Attestation.objects.count() > 0
    assert not signed.exclude(signed_locale=F("attestation__locale_code")).exists()
    report = StringIO()
    call_command("verify_attestations", stdout=report)
    assert f"OK: {Attestation.objects.count()} attestation(s) verified" in report.getvalue()
