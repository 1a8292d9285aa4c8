"""The schema URNs this service speaks, and SCIM attribute paths (RFC 7644 §3.10)."""

import re

from django.utils.translation import gettext_lazy as _

from .errors import ScimError

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

ERROR_PATH = _("“%(path)s” is not an attribute path this service understands.")

_PATH = re.compile(
    r"^(?:(?P<urn>urn:[^\[\]]*):)?(?P<attr>[A-Za-z_$][\w$-]*)"
    r"(?:\[(?P<filter>[^\]]*)\])?(?:\.(?P<sub>[A-Za-z_$][\w$-]*))?$"
)
_VALUE_FILTER = re.compile(r'^\s*(?P<attr>[A-Za-z_$][\w$-]*)\s+eq\s+(?P<value>"(?:[^"\\]|\\.)*"|true|false)\s*$', re.I)


class Path:
    """``[urn:…:]attr[filter][.sub]``, lower-cased (attribute names are case-insensitive). ``urn``
    is empty for core attributes; ``where`` is an ``eq`` value filter as (attribute, value)."""

    __slots__ = ("urn", "attr", "where", "sub")

    def __init__(self, text: str):
        match = _PATH.match((text or "").strip())
        if not match:
            raise ScimError(400, ERROR_PATH % {"path": text}, "invalidPath")
        urn = (match["urn"] or "").lower()
        self.urn = "" if urn == USER.lower() else urn
        self.attr = match["attr"].lower()
        self.sub = (match["sub"] or "").lower()
        self.where = None
        if match["filter"] is not None:
            where = _VALUE_FILTER.match(match["filter"])
            if not where:
                raise ScimError(400, ERROR_PATH % {"path": text}, "invalidFilter")
            value = where["value"]
            value = value[1:-1].replace('\\"', '"') if value.startswith('"') else value.lower() == "true"
            self.where = (where["attr"].lower(), value)

    def container(self, doc: dict, create: bool = False) -> dict | None:
        if not self.urn:
            return doc
        if create and not isinstance(doc.get(self.urn), dict):
            doc[self.urn] = {}
        found = doc.get(self.urn)
        return found if isinstance(found, dict) else None

    def matches(self, item) -> bool:
        if not isinstance(item, dict) or self.where is None:
            return False
        attr, value = self.where
        found = item.get(attr)
        if isinstance(value, str) and isinstance(found, str):
            return found.lower() == value.lower()
        return found == value


def lower_keys(value):
    """A SCIM document with every attribute name lower-cased (values untouched)."""
    if isinstance(value, dict):
        return {str(key).lower(): lower_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [lower_keys(item) for item in value]
    return value
