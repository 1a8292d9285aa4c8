"""Employees as SCIM User resources, and SCIM documents back into roster rows.

Attribute mapping (README, "SCIM provisioning"): userName (or the primary email) is the sign-in
email, enterprise employeeNumber (else externalId) the employee id, name.givenName/familyName
the name, preferredLanguage (else locale) the language, enterprise department and manager, the
work address's locality (``ATTEST_SCIM_LOCATION_ATTRIBUTE``) the location, active the status, and
``ATTEST_SCIM_TRACK_ATTRIBUTE`` the track. An attribute the request does not carry keeps its value;
one it sets to null (or PATCH removes) is cleared, which the roster refuses for required fields.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Employee, EmployeeStatus
from .errors import ScimError
from .schemas import ENTERPRISE, USER, Path, lower_keys

_ENTERPRISE = ENTERPRISE.lower()

ERROR_ACTIVE = _("“active” must be true or false, not “%(value)s”.")
ERROR_EMPLOYEE_ID = _("The employee id is %(current)s and cannot change (received “%(value)s”).")
ERROR_MANAGER_AMBIGUOUS = _("Manager “%(value)s” is both the id of %(one)s and the employee id of %(other)s.")
ERROR_NOT_TEXT = _("%(attribute)s must be text.")

# Where each roster column comes from, for error messages.
ATTRIBUTE_NAMES = {
    "employee_id": "externalId",
    "email": "userName",
    "first_name": "name.givenName",
    "last_name": "name.familyName",
    "department": f"{ENTERPRISE}:department",
    "manager_employee_id": f"{ENTERPRISE}:manager",
    "hire_date": "hireDate",
    "language": "preferredLanguage",
    "status": "active",
}
_LANGUAGE_ALIASES = {"no": "nb", "nn": "nb"}


def attribute_names() -> dict[str, str]:
    return {
        **ATTRIBUTE_NAMES,
        "location": settings.ATTEST_SCIM_LOCATION_ATTRIBUTE,
        "track": settings.ATTEST_SCIM_TRACK_ATTRIBUTE or "track",
    }


def user_resource(employee: Employee, location: str) -> dict:
    """``employee`` as a SCIM User; ``location`` is the resource's URL. Needs ``user`` and
    ``manager`` loaded (select_related) to cost no query."""
    resource = {
        "schemas": [USER, ENTERPRISE],
        "id": str(employee.pk),
        "externalId": employee.employee_id,
        "userName": employee.email,
        "name": {
            "givenName": employee.first_name,
            "familyName": employee.last_name,
            "formatted": employee.full_name,
        },
        "displayName": employee.full_name,
        "emails": [{"value": employee.email, "type": "work", "primary": True}],
        "preferredLanguage": employee.language,
        "active": employee.status != EmployeeStatus.TERMINATED,
        ENTERPRISE: {"employeeNumber": employee.employee_id, "department": employee.department},
        "meta": {
            "resourceType": "User",
            "created": employee.user.date_joined.isoformat(),
            "lastModified": employee.updated_at.isoformat(),
            "location": location,
        },
    }
    if settings.ATTEST_SCIM_LOCATION_ATTRIBUTE == ADDRESS_LOCALITY:
        resource["addresses"] = [{"type": "work", "locality": employee.location, "primary": True}]
    if employee.manager_id:
        resource[ENTERPRISE]["manager"] = {
            "value": str(employee.manager_id),
            "displayName": employee.manager.full_name,
        }
    return resource


ADDRESS_LOCALITY = 'addresses[type eq "work"].locality'


# --- Reading a document -----------------------------------------------------------------------

_ABSENT = object()


def read(doc: dict, path: str | Path):
    """The value at ``path`` in a lower-cased document, ``_ABSENT`` when it has none; a
    multi-valued attribute without a filter gives its primary (else first) value."""
    path = path if isinstance(path, Path) else Path(path)
    container = path.container(doc)
    if container is None or path.attr not in container:
        return _ABSENT
    value = container[path.attr]
    if isinstance(value, list):
        if path.where is not None:
            chosen = next((item for item in value if path.matches(item)), _ABSENT)
        else:
            chosen = next((item for item in value if isinstance(item, dict) and item.get("primary") is True), None)
            chosen = chosen if chosen is not None else (value[0] if value else _ABSENT)
        if chosen is _ABSENT:
            return _ABSENT
        value = chosen
        if not path.sub and isinstance(value, dict):
            return value.get("value", _ABSENT)
    elif path.where is not None:
        return _ABSENT
    if path.sub:
        if value is None:
            return None
        return value.get(path.sub, _ABSENT) if isinstance(value, dict) else _ABSENT
    return value


def _text(value, attribute: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise ScimError(400, ERROR_NOT_TEXT % {"attribute": attribute}, "invalidValue")
    return str(value).strip()


def _active(value) -> bool:
    """Entra sends "True"/"False" as text; SCIM says boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ScimError(400, ERROR_ACTIVE % {"value": value}, "invalidValue")


def _language(value: str) -> str:
    primary = value.replace("_", "-").split("-")[0].lower()
    return _LANGUAGE_ALIASES.get(primary, primary)


def _manager_id(value) -> str:
    """The employee id of the manager a request names: by SCIM id (RFC 7643 §4.3), else by
    employee id; a number that is one person's id and another's employee id is refused."""
    if isinstance(value, dict):
        value = value.get("value")
    value = _text(value, "manager")
    if not value:
        return ""
    by_id = Employee.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 18 else None
    by_number = Employee.objects.filter(employee_id=value).first()
    if by_id and by_number and by_id != by_number:
        raise ScimError(
            400,
            ERROR_MANAGER_AMBIGUOUS % {"value": value, "one": by_id, "other": by_number},
            "invalidValue",
        )
    found = by_id or by_number
    return found.employee_id if found else value


def _employee_id(doc: dict, current: Employee | None) -> str:
    number = read(doc, f"{ENTERPRISE}:employeeNumber")
    value = number if number not in (_ABSENT, None, "") else read(doc, "externalId")
    if value is _ABSENT:
        return current.employee_id if current else ""
    value = _text(value, "externalId")
    if current and value != current.employee_id:
        raise ScimError(400, ERROR_EMPLOYEE_ID % {"current": current.employee_id, "value": value}, "mutability")
    return value


def _email(doc: dict, current: Employee | None) -> str:
    user_name = read(doc, "userName")
    user_name = "" if user_name is _ABSENT else _text(user_name, "userName")
    primary = read(doc, "emails")
    primary = "" if primary is _ABSENT else _text(primary, "emails")
    if current is None:
        return user_name if "@" in user_name or not primary else primary
    for candidate in (user_name, primary):
        if candidate and candidate.lower() != current.email.lower():
            return candidate
    return current.email


def _field(doc: dict, path: str, current_value: str, default: str = "") -> str:
    value = read(doc, path)
    if value is _ABSENT:
        return current_value if current_value is not None else default
    return _text(value, path)


def employee_row(doc: dict, current: Employee | None) -> dict:
    """The roster row a SCIM document (lower-cased) makes of ``current`` (``None``: a new person)."""
    keep = (lambda name: getattr(current, name)) if current else (lambda name: None)
    row = {
        "employee_id": _employee_id(doc, current),
        "email": _email(doc, current),
        "first_name": _field(doc, "name.givenName", keep("first_name")),
        "last_name": _field(doc, "name.familyName", keep("last_name")),
        "department": _field(
            doc, f"{ENTERPRISE}:department", keep("department"), settings.ATTEST_SCIM_DEFAULT_DEPARTMENT
        ),
        "location": _field(
            doc, settings.ATTEST_SCIM_LOCATION_ATTRIBUTE, keep("location"), settings.ATTEST_SCIM_DEFAULT_LOCATION
        ),
        "hire_date": current.hire_date if current else timezone.localdate(),
    }
    if current is None and not row["location"]:
        row["location"] = settings.ATTEST_SCIM_DEFAULT_LOCATION
    if current is None and not row["department"]:
        row["department"] = settings.ATTEST_SCIM_DEFAULT_DEPARTMENT

    manager = read(doc, f"{ENTERPRISE}:manager")
    if manager is _ABSENT:
        row["manager_employee_id"] = current.manager.employee_id if current and current.manager_id else ""
    else:
        row["manager_employee_id"] = _manager_id(manager)

    language = read(doc, "preferredLanguage")
    if language in (_ABSENT, None, ""):
        language = read(doc, "locale")
    if language in (_ABSENT, None, ""):
        row["language"] = current.language if current else "en"
    else:
        row["language"] = _language(_text(language, "preferredLanguage"))

    row["track"] = current.track if current else "all"
    if settings.ATTEST_SCIM_TRACK_ATTRIBUTE:
        track = read(doc, settings.ATTEST_SCIM_TRACK_ATTRIBUTE)
        if track is not _ABSENT:
            text = str(track).lower() if isinstance(track, bool) else _text(track, "track").lower()
            official = {value.lower() for value in settings.ATTEST_SCIM_OFFICIAL_VALUES}
            row["track"] = "official" if text in official else "all"

    active = read(doc, "active")
    status = current.status if current else EmployeeStatus.ACTIVE
    if active is not _ABSENT:
        if not _active(active):
            status = EmployeeStatus.TERMINATED
        elif status == EmployeeStatus.TERMINATED:
            status = EmployeeStatus.ACTIVE
    row["status"] = status
    return row


def document(body: dict) -> dict:
    return lower_keys(body)


def current_document(employee: Employee) -> dict:
    """What a PATCH starts from: the resource as stored, without the employee id (so that an
    operation that does not touch it cannot be mistaken for a change of it)."""
    doc = lower_keys(user_resource(employee, ""))
    doc.pop("externalid", None)
    doc[_ENTERPRISE].pop("employeenumber", None)
    return doc
