"""A property-based run of the published OpenAPI schema (schemathesis, through the Django WSGI
application): every operation, with an HR token and a manager's token, with valid and invalid
parameters. No response may be a server error or contradict the schema (status code, content
type, headers, body). Examples are limited so the run stays around a minute.

One test builds the organisation once and drives every operation with Hypothesis itself:
schemathesis' pytest integration would build it again for each operation (and its lazy loader
``from_fixture`` does not run on pytest 9)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attest.api.models import ApiScope
from attest.api.tokens import api_token_create
from cms.wsgi import application
from tests import factories
from tests.attest.factories import build_organisation

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 8}


@pytest.fixture
def keep_connection():
    """The calls go to the WSGI application itself, whose request signals would close the database
    connection around each one, and with it the test's transaction (Django's test client
    disconnects them for the same reason)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def tokens(db, settings, keep_connection):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "100000/min"}}
    org = build_organisation()
    factories.finished(factories.assignment(org.people.rita, org.version))
    factories.finished(factories.assignment(org.people.vic, org.version))
    _token, hr = api_token_create(name="HR", scopes=list(ApiScope.values))
    _token, manager = api_token_create(name="Mia", scopes=list(ApiScope.values), manager=org.people.mia)
    return {"hr": hr, "manager": manager}


def run_operation(operation, mode: GenerationMode, secret: str) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)

    exercise()


def test_every_operation_keeps_to_the_schema(tokens):
    # The schema is public and built from the code; the calls then read this test's data.
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    for who, secret in tokens.items():
        for operation in operations:
            for mode in EXAMPLES:
                try:
                    run_operation(operation, mode, secret)
                except Exception as error:
                    error.add_note(f"{who} token, {mode.value} cases, {operation.label}")
                    raise
