"""SCIM reads: the page of users a list request asks for, and attribute selection."""

import copy

from django.utils.translation import gettext_lazy as _

from ..models import Employee
from .discovery import MAX_RESULTS
from .errors import ScimError
from .filters import filter_q
from .schemas import ENTERPRISE, USER, Path

ERROR_NUMBER = _("%(name)s must be a whole number, not “%(value)s”.")
DEFAULT_COUNT = 100


def _number(params, name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ScimError(400, ERROR_NUMBER % {"name": name, "value": value[:50]}, "invalidValue") from None


def users_page(params) -> tuple[int, int, list[Employee]]:
    """(total matching, startIndex, the employees on this page), ordered by id."""
    start = max(1, _number(params, "startIndex", 1))
    count = min(max(0, _number(params, "count", DEFAULT_COUNT)), MAX_RESULTS)
    employees = Employee.objects.select_related("user", "manager").order_by("pk")
    if params.get("filter"):
        employees = employees.filter(filter_q(params["filter"]))
    total = employees.count()
    page = list(employees[start - 1 : start - 1 + count]) if count else []
    return total, start, page


def attribute_names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def _key(container: dict, name: str) -> str | None:
    return next((key for key in container if key.lower() == name), None)


def _locate(resource: dict, name: str) -> tuple[dict | None, str | None, str]:
    """(the dict holding the attribute, its key, sub-attribute); (None, None, "") if absent."""
    if name.lower() in (USER.lower(), ENTERPRISE.lower()):
        return (resource, ENTERPRISE, "") if name.lower() == ENTERPRISE.lower() else (None, None, "")
    try:
        path = Path(name)
    except ScimError:
        return None, None, ""
    if path.urn == ENTERPRISE.lower():
        container = resource.get(ENTERPRISE)
    elif path.urn:
        return None, None, ""
    else:
        container = resource
    if not isinstance(container, dict):
        return None, None, ""
    return container, _key(container, path.attr), path.sub


def project(resource: dict, attributes: list[str], excluded: list[str]) -> dict:
    """``attributes`` / ``excludedAttributes`` (RFC 7644 §3.4.2.5): id and schemas always stay."""
    if attributes:
        out = {"schemas": resource["schemas"], "id": resource["id"]}
        for name in attributes:
            container, key, sub = _locate(resource, name)
            if container is None or key is None:
                continue
            target = out if container is resource else out.setdefault(ENTERPRISE, {})
            value = container[key]
            if sub and isinstance(value, dict):
                sub_key = _key(value, sub)
                if sub_key:
                    target.setdefault(key, {})[sub_key] = value[sub_key]
            elif sub and isinstance(value, list):
                target[key] = [{k: v for k, v in item.items() if k.lower() == sub} for item in value]
            else:
                target[key] = copy.deepcopy(value)
        return out
    out = copy.deepcopy(resource)
    for name in excluded:
        container, key, sub = _locate(out, name)
        if container is None or key is None or key in ("id", "schemas"):
            continue
        value = container[key]
        if sub and isinstance(value, dict):
            sub_key = _key(value, sub)
            if sub_key:
                del value[sub_key]
        elif sub and isinstance(value, list):
            for item in value:
                for k in [k for k in item if k.lower() == sub]:
                    del item[k]
        else:
            del container[key]
    return out
