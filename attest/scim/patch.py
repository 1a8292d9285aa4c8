"""PATCH (RFC 7644 §3.5.2) applied to a lower-cased SCIM document, in the shapes identity
providers send: Entra ID's capitalised ops, path-less ``replace`` with a value object whose keys
are paths (``{"active": "False"}``, ``{"name.givenName": …}``, enterprise URN keys), Okta's
``replace`` of ``active``, value filters such as ``emails[type eq "work"].value``, and removal."""

from django.utils.translation import gettext_lazy as _

from .errors import ScimError
from .schemas import PATCH, USER, Path, lower_keys

MAX_OPERATIONS = 100

ERROR_BODY = _("A PATCH request needs the PatchOp schema and a list of Operations.")
ERROR_TOO_MANY = _("A PATCH request may carry at most %(limit)s operations.")
ERROR_OP = _("Unknown operation “%(op)s”: use add, replace or remove.")
ERROR_REMOVE_PATH = _("A remove operation needs a path.")
ERROR_VALUE = _("The operation on “%(path)s” needs a value.")
ERROR_NO_PATH_VALUE = _("An operation without a path needs an object of attributes as its value.")
ERROR_NO_TARGET = _("Nothing matches “%(path)s”.")


def patch_apply(doc: dict, body) -> dict:
    """``doc`` changed by the operations in ``body``; a ``ScimError`` for a malformed request."""
    if not isinstance(body, dict) or PATCH not in (body.get("schemas") or []):
        raise ScimError(400, ERROR_BODY, "invalidSyntax")
    operations = body.get("Operations", body.get("operations"))
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, ERROR_BODY, "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, ERROR_TOO_MANY % {"limit": MAX_OPERATIONS}, "tooMany")
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, ERROR_BODY, "invalidSyntax")
        operation = {str(key).lower(): value for key, value in operation.items()}
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, ERROR_OP % {"op": operation.get("op", "")}, "invalidSyntax")
        path = operation.get("path")
        value = lower_keys(operation.get("value"))
        if path in (None, ""):
            _without_path(doc, op, value)
        elif not isinstance(path, str):
            raise ScimError(400, ERROR_BODY, "invalidPath")
        else:
            if op != "remove" and "value" not in operation:
                raise ScimError(400, ERROR_VALUE % {"path": path}, "invalidValue")
            _at_path(doc, op, Path(path), value, path)
    return doc


def _without_path(doc: dict, op: str, value) -> None:
    if op == "remove":
        raise ScimError(400, ERROR_REMOVE_PATH, "noTarget")
    if not isinstance(value, dict):
        raise ScimError(400, ERROR_NO_PATH_VALUE, "invalidValue")
    for key, item in value.items():
        if key.startswith("urn:") and key.rsplit(":", 1)[-1] == "user" and isinstance(item, dict):
            # A whole schema as an object (the core one, or an extension): each attribute in turn.
            for attribute, sub_value in item.items():
                name = attribute if key == USER.lower() else f"{key}:{attribute}"
                _at_path(doc, op, Path(name), sub_value, name)
        else:
            _at_path(doc, op, Path(key), item, key)


def _at_path(doc: dict, op: str, path: Path, value, text: str) -> None:
    container = path.container(doc, create=op != "remove")
    if container is None:
        return  # removing from an extension the resource does not have: nothing to do
    if path.where is not None:
        _filtered(container, op, path, value, text)
        return
    current = container.get(path.attr)
    if path.sub:
        if op == "remove":
            if isinstance(current, dict):
                current[path.sub] = None
            elif isinstance(current, list):
                for item in current:
                    if isinstance(item, dict):
                        item[path.sub] = None
            return
        if isinstance(current, list):
            if not current:
                current.append({})
            for item in current:
                if isinstance(item, dict):
                    item[path.sub] = value
            return
        if not isinstance(current, dict):
            current = container[path.attr] = {}
        current[path.sub] = value
        return
    if op == "remove":
        container[path.attr] = None  # cleared, not absent: absent would mean "keep"
    elif op == "add" and isinstance(current, list):
        container[path.attr] = current + (value if isinstance(value, list) else [value])
    elif isinstance(current, dict) and isinstance(value, dict):
        current.update(value)  # sub-attributes not given are left unchanged (RFC 7644 §3.5.2.3)
    else:
        container[path.attr] = value


def _filtered(container: dict, op: str, path: Path, value, text: str) -> None:
    items = container.get(path.attr)
    items = items if isinstance(items, list) else []
    matches = [item for item in items if path.matches(item)]
    if op == "remove":
        if not matches:
            raise ScimError(400, ERROR_NO_TARGET % {"path": text}, "noTarget")
        if path.sub:
            for item in matches:
                item[path.sub] = None
        else:
            container[path.attr] = [item for item in items if item not in matches]
        return
    if not matches:
        attribute, wanted = path.where
        matches = [{attribute: wanted}]
        items.append(matches[0])
        container[path.attr] = items
    for item in matches:
        if path.sub:
            item[path.sub] = value
        elif isinstance(value, dict):
            item.update(value)
        else:
            item["value"] = value
