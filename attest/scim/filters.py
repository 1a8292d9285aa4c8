"""``filter=`` on /Users (RFC 7644 §3.4.2.2), parsed by scim2-filter-parser into a Django ``Q``.
An attribute this service cannot filter on is an ``invalidFilter`` error, never ignored (an ignored
clause would widen the answer: ``foo eq "x"`` must not list everyone)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from .errors import ScimError
from .schemas import ENTERPRISE

ERROR_FILTER = _("The filter “%(filter)s” is not valid SCIM filter syntax.")
ERROR_FILTER_ATTRIBUTE = _("Cannot filter on “%(attribute)s”: use userName, externalId, emails.value, name.givenName, name.familyName, employeeNumber or department.")  # fmt: skip
MAX_FILTER_LENGTH = 1000

ATTRIBUTES = {
    ("userName", None, None): "email",
    ("emails", None, None): "email",
    ("emails", "value", None): "email",
    ("externalId", None, None): "employee_id",
    ("name", "givenName", None): "first_name",
    ("name", "familyName", None): "last_name",
    ("employeeNumber", None, ENTERPRISE): "employee_id",
    ("department", None, ENTERPRISE): "department",
    ("meta", "lastModified", None): "updated_at",
}
# Parts of a value path that select which email, e.g. emails[type eq "work"].value: every
# employee has one work address, so they narrow nothing.
_SELECTORS = {("emails", "type", None), ("emails", "primary", None)}


class _Transpiler(Transpiler):
    def visit_AttrPath(self, node):
        key = (
            node.attr_name.lower(),
            node.sub_attr.value.lower() if node.sub_attr else None,
            node.uri.lower() if node.uri else None,
        )
        if key in _SELECTORS:
            return None
        field = self.attr_map.get(key)
        if field is None:
            name = ".".join(part for part in (node.uri, node.attr_name) if part)
            if node.sub_attr:
                name += "." + node.sub_attr.value
            raise ScimError(400, ERROR_FILTER_ATTRIBUTE % {"attribute": name}, "invalidFilter")
        return field


def filter_q(text: str) -> Q:
    if len(text) > MAX_FILTER_LENGTH:
        raise ScimError(400, ERROR_FILTER % {"filter": text[:100] + "…"}, "invalidFilter")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as error:  # sly raises several types on bad input
        raise ScimError(400, ERROR_FILTER % {"filter": text}, "invalidFilter") from error
    if tree is None:
        raise ScimError(400, ERROR_FILTER % {"filter": text}, "invalidFilter")
    try:
        query = _Transpiler(ATTRIBUTES).transpile(tree)
    except ScimError:
        raise
    except Exception as error:  # an operator or shape the transpiler does not know
        raise ScimError(400, ERROR_FILTER % {"filter": text}, "invalidFilter") from error
    if query is None:
        raise ScimError(400, ERROR_FILTER % {"filter": text}, "invalidFilter")
    return query
