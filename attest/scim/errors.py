"""SCIM error responses (RFC 7644 §3.12): every refusal is one of these, never a traceback."""

import json
import re

from django.http import HttpResponse

from .. import roster

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"

# Roster problems that mean "someone else already has this": 409 uniqueness, not 400.
_UNIQUENESS = (roster.ERROR_EMAIL_TAKEN, roster.ERROR_EMAIL_TAKEN_USER, roster.ERROR_DUPLICATE_ID)


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, str(detail), scim_type


def scim_response(body: dict | None, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(
        b"" if body is None else json.dumps(body, ensure_ascii=False).encode(),
        status=status,
        content_type=CONTENT_TYPE if body is not None else None,
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(error: ScimError, **headers) -> HttpResponse:
    body = {"schemas": [ERROR_SCHEMA], "status": str(error.status), "detail": error.detail}
    if error.scim_type:
        body["scimType"] = error.scim_type
    return scim_response(body, error.status, **headers)


def _pattern(template) -> re.Pattern:
    parts = re.split(r"%\(\w+\)s", str(template))
    return re.compile(".*".join(re.escape(part) for part in parts) + "$", re.S)


def row_errors(errors: list[roster.RowError], attributes: dict[str, str]) -> ScimError:
    """The roster's problems with a person, as one SCIM error naming the SCIM attribute of each."""
    conflict = any(_pattern(template).match(error.message) for error in errors for template in _UNIQUENESS)
    detail = " ".join(f"{attributes.get(error.column, error.column)}: {error.message}" for error in errors)
    if conflict:
        return ScimError(409, detail, "uniqueness")
    return ScimError(400, detail, "invalidValue")
