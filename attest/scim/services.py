"""SCIM writes: each one builds a roster row and hands it to ``attest.roster.people_apply``, so
provisioning follows exactly the roster import's rules (checks, manager loops and depth,
assignments, invitations, audit log), marked as coming from provisioning."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import Employee, EmployeeStatus, IdentityChangeSource
from ..roster import FILE, lock_roster, people_apply
from .errors import ScimError, row_errors
from .models import ScimToken
from .patch import patch_apply
from .resources import attribute_names, current_document, document, employee_row

ERROR_EXISTS = _("Employee %(employee_id)s already exists (SCIM id %(id)s): update it instead.")
ERROR_NOT_FOUND = _("No user has the id “%(id)s”.")
ERROR_BODY = _("The request body must be a SCIM User object.")
ERROR_CONCURRENT = _("Someone changed the people at the same time: send the request again.")


def employee_get(pk: str) -> Employee:
    employee = (
        Employee.objects.select_related("user", "manager").filter(pk=int(pk)).first()
        if pk.isdigit() and len(pk) < 18
        else None
    )
    if employee is None:
        raise ScimError(404, ERROR_NOT_FOUND % {"id": pk}, "")
    return employee


def _apply(row: dict, token: ScimToken) -> Employee:
    result = people_apply(
        [row],
        source=IdentityChangeSource.PROVISIONING,
        via=token.name,
        send_invitations=settings.ATTEST_SCIM_SEND_INVITATIONS,
    )
    if not result.ok:
        if all(error.column == FILE for error in result.errors):
            raise ScimError(409, ERROR_CONCURRENT, "")
        raise row_errors(result.errors, attribute_names())
    return Employee.objects.select_related("user", "manager").get(employee_id=row["employee_id"])


def _body(body) -> dict:
    if not isinstance(body, dict):
        raise ScimError(400, ERROR_BODY, "invalidSyntax")
    return document(body)


@transaction.atomic
def user_create(*, body, token: ScimToken) -> Employee:
    doc = _body(body)
    lock_roster()
    row = employee_row(doc, None)
    existing = Employee.objects.filter(employee_id=row["employee_id"]).first() if row["employee_id"] else None
    if existing:
        raise ScimError(409, ERROR_EXISTS % {"employee_id": existing.employee_id, "id": existing.pk}, "uniqueness")
    return _apply(row, token)


@transaction.atomic
def user_replace(*, pk: str, body, token: ScimToken) -> Employee:
    doc = _body(body)
    lock_roster()
    current = employee_get(pk)
    return _apply(employee_row(doc, current), token)


@transaction.atomic
def user_patch(*, pk: str, body, token: ScimToken) -> Employee:
    lock_roster()
    current = employee_get(pk)
    doc = patch_apply(current_document(current), body)
    return _apply(employee_row(doc, current), token)


@transaction.atomic
def user_deactivate(*, pk: str, token: ScimToken) -> Employee:
    """DELETE: the person leaves (terminated, no sign-in) and every record stays."""
    lock_roster()
    current = employee_get(pk)
    row = employee_row({}, current)
    row["status"] = EmployeeStatus.TERMINATED
    return _apply(row, token)
