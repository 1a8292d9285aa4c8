"""Every URL of the product, as every kind of visitor (DESIGN §3 rule 5).

The URL resolver is walked, so a URL added without being classified here fails
``test_every_url_is_classified``. The product's own URLs (the employee journey, the manager's
``/team/`` pages, every admin view of ``attest`` and ``training``) are each requested by every
role; generic Wagtail and allauth URLs are classified in groups, each group proven by at least one
representative request. All object ids in the URLs belong to one employee, Emma: nobody else
reaches her pages by guessing them.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from attest.declines.models import Decline
from attest.models import Assignment, Attestation
from cms.models import CrisisContact, HomePage
from cms.roles import HR, POLICY_EDITORS
from tests import factories
from tests.attest.steps import mounted_at
from training.questions.services import question_ask
from training.services import quiz_attempt_start, quiz_attempt_submit, reading_record

pytestmark = pytest.mark.django_db

# --- Roles and outcomes -----------------------------------------------------------------------

ANON, EMPLOYEE, OTHER, MANAGER, HR_USER, EDITOR, SUPERUSER = ROLES = (
    "anonymous",
    "employee",
    "another employee",
    "manager of another team",
    "HR",
    "policy editor",
    "superuser",
)
# Who may see Emma's name at all. Anyone else getting it in any response is a leak.
MAY_SEE_EMMA = {EMPLOYEE, HR_USER, SUPERUSER}
EMMA_SURNAME = "Zyxwood"

OK = "200"
LOGIN = "302 to the allauth login"
ADMIN_LOGIN = "302 to /admin/login/ (not staff)"
ADMIN_HOME = "302 to /admin/ (no permission)"
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"
UNAUTHORIZED = "401"  # the API and SCIM: bearer tokens only, a session cookie is no credential


def redirect_to(url: str) -> str:
    """A redirect to exactly ``url`` (formatted with the world's ids, like the request's URL)."""
    return f"302 to {url}"


def redirect_under(prefix: str) -> str:
    return f"302 to {prefix}…"


def outcome_of(response, script_name: str = "") -> str:
    """``script_name``: the prefix the product is mounted under, taken off redirects so that the
    answers compare with those of an unprefixed walk."""
    if response.status_code in (301, 302):
        location = response["Location"]
        if script_name and location.startswith(f"{script_name}/"):
            location = location.removeprefix(script_name)
        if location.startswith("/accounts/login/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location == "/admin/":
            return ADMIN_HOME
        return f"302 to {location}"
    return str(response.status_code)


def matches(expected: str, actual: str) -> bool:
    if expected.endswith("…"):
        return actual.startswith(expected[:-1])
    return expected == actual


def everyone(outcome=OK, **overrides) -> dict[str, str]:
    expected = dict.fromkeys(ROLES, outcome)
    expected.update({ROLE_KEYWORDS[key]: value for key, value in overrides.items()})
    return expected


ROLE_KEYWORDS = {
    "anon": ANON,
    "employee": EMPLOYEE,
    "other": OTHER,
    "manager": MANAGER,
    "hr": HR_USER,
    "editor": EDITOR,
    "superuser": SUPERUSER,
}


def signed_in(outcome=OK, **overrides) -> dict[str, str]:
    """A site page: anonymous visitors are sent to sign in."""
    return everyone(outcome, **{"anon": LOGIN, **overrides})


def own_only(outcome=OK) -> dict[str, str]:
    """Emma's own training pages: hers alone, a 404 for everyone else (even HR: HR looks at
    people in the admin, never through an employee's pages)."""
    return everyone(NOT_FOUND, anon=LOGIN, employee=outcome)


def team_only() -> dict[str, str]:
    """A manager's pages: 403 for anyone nobody reports to."""
    return everyone(FORBIDDEN, anon=LOGIN, manager=OK)


def staff(hr=OK, editor=OK, superuser=OK, anon=LOGIN) -> dict[str, str]:
    """A Wagtail admin page: staff by permission; employees are turned away before any view runs
    (to ``/admin/login/``, which refuses them), staff without the permission sent to the admin home."""
    return everyone(ADMIN_LOGIN, anon=anon, hr=hr, editor=editor, superuser=superuser)


HR_ONLY = staff(editor=ADMIN_HOME)
GONE_FIRST = staff(hr=NOT_FOUND, editor=NOT_FOUND, superuser=NOT_FOUND)
PEOPLE_LIST = redirect_to("/admin/compliance/people/")
EXPIRED_UPLOAD = redirect_to("/admin/roster_import/")
SITE_SETTINGS = redirect_to("/admin/settings/cms/companysettings/{site}/")
NOBODY_IN_ADMIN = staff(hr=ADMIN_HOME, editor=ADMIN_HOME, superuser=ADMIN_HOME)
SUPERUSER_ONLY = staff(hr=ADMIN_HOME, editor=ADMIN_HOME)


@dataclass(frozen=True)
class Request:
    url: str  # formatted with the world's ids
    expect: dict[str, str]
    method: str = "get"
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One pattern of the resolver, or (``pattern`` a regex) a group of generic ones."""

    pattern: str
    requests: tuple[Request, ...]
    why: str = ""


def get(url, expect) -> Request:
    return Request(url, expect)


def post(url, expect, data=None) -> Request:
    return Request(url, expect, method="post", data=data or {})


# --- The product's own URLs, one by one ---------------------------------------------------------

PRODUCT = [
    Route("healthz", (get("/healthz", everyone(OK)),)),
    # The REST API and SCIM provisioning: bearer tokens only (see tests/attest/test_api.py, test_scim.py).
    Route(r"api/v1/^people/$", (get("/api/v1/people/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^people/(?P<employee_id>[^/]+)/$", (get("/api/v1/people/E1/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^requirements/$", (get("/api/v1/requirements/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^requirements/(?P<pk>[0-9]+)/$", (get("/api/v1/requirements/1/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^policy-versions/$", (get("/api/v1/policy-versions/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^policy-versions/(?P<pk>[0-9]+)/$", (get("/api/v1/policy-versions/1/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^attestations/$", (get("/api/v1/attestations/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/^attestations/(?P<pk>[0-9]+)/$", (get("/api/v1/attestations/1/", everyone(UNAUTHORIZED)),)),
    Route(r"api/v1/compliance/", (get("/api/v1/compliance/", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/", (get("/scim/v2/", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^ServiceProviderConfig/?$", (get("/scim/v2/ServiceProviderConfig", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^ResourceTypes/?$", (get("/scim/v2/ResourceTypes", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^ResourceTypes/(?P<name>[^/]+)/?$", (get("/scim/v2/ResourceTypes/User", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^Schemas/?$", (get("/scim/v2/Schemas", everyone(UNAUTHORIZED)),)),
    Route(
        r"scim/v2/^Schemas/(?P<name>[^/]+)/?$",
        (get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", everyone(UNAUTHORIZED)),),
    ),
    Route(r"scim/v2/^Users/?$", (get("/scim/v2/Users", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^Users/\.search/?$", (get("/scim/v2/Users/.search", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^Users/(?P<pk>[^/]+)/?$", (get("/scim/v2/Users/1", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^Groups/?$", (get("/scim/v2/Groups", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^Groups/(?P<pk>[^/]+)/?$", (get("/scim/v2/Groups/1", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^(?:Bulk|Me|\.search)/?$", (get("/scim/v2/Me", everyone(UNAUTHORIZED)),)),
    Route(r"scim/v2/^(?P<rest>.*)$", (get("/scim/v2/Nothing", everyone(UNAUTHORIZED)),)),
    Route("api/v1/schema/", (get("/api/v1/schema/", everyone(OK)),)),
    Route("api/v1/docs/", (get("/api/v1/docs/", everyone(OK)),)),
    Route("api/v1/", (get("/api/v1/", everyone(NOT_FOUND)),)),
    Route(
        "accounts/email/",  # replaces allauth's: shows one's address, refuses to add or change any
        (
            get("/accounts/email/", signed_in()),
            post("/accounts/email/", signed_in(FORBIDDEN), {"email": "mine@example.com", "action_add": ""}),
        ),
    ),
    Route(
        "i18n/setlang/",
        (
            post("/i18n/setlang/", everyone(redirect_to("/")), {"language": "fr", "next": "/"}),
            post("/i18n/setlang/", everyone(redirect_to("/")), {"language": "fr", "next": "https://evil.example/"}),
        ),
    ),
    Route(
        "verify/<str:code>/",
        (get("/verify/{code}/", everyone(OK)), get("/verify/NOSUCHCODE/", everyone(NOT_FOUND))),
        why="public by design: shows only what the certificate shows",
    ),
    Route(
        "admin/login/",
        (get("/admin/login/", everyone(FORBIDDEN, anon=LOGIN)),),
        why="routed through allauth; Wagtail's own login view is shadowed",
    ),
    Route(
        "_util/login/",
        (get("/_util/login/", everyone(FORBIDDEN, anon=LOGIN)), post("/_util/login/", everyone(FORBIDDEN, anon=LOGIN))),
        why="Wagtail's front-end login for private pages, routed through allauth; its own is shadowed",
    ),
    Route(
        "accounts/signup/",
        (
            get("/accounts/signup/", signed_in(redirect_to("/"))),
            post("/accounts/signup/", signed_in(redirect_to("/")), {"email": "new@example.com", "password1": "x"}),
        ),
        why="sign-up is closed (accounts come from the roster): sent to sign in, with the reason",
    ),
    # The employee journey.
    Route(
        r"^((?:[\w\-]+/)*)$",
        (
            get("/", signed_in()),
            get("/social-media-policy/", signed_in()),
            get("/social-media-policy/one/", signed_in()),
            get("/no-such-page/", signed_in(NOT_FOUND)),
        ),
        why="Wagtail pages: My training, policies and chapters",
    ),
    Route(
        "training/<int:assignment_id>/",
        (
            get("/training/{open}/", own_only()),
            get("/training/{done}/", own_only()),
            get("/training/999999/", everyone(NOT_FOUND, anon=LOGIN)),
        ),
    ),
    Route(
        "training/<int:assignment_id>/chapters/<slug:slug>/",
        (
            get("/training/{open}/chapters/one/", own_only()),
            post("/training/{open}/chapters/one/", own_only(redirect_to("/training/{open}/chapters/one/quiz/"))),
            get("/training/{open}/chapters/team/", own_only(NOT_FOUND)),  # not Emma's track
        ),
    ),
    Route(
        "training/<int:assignment_id>/chapters/<slug:slug>/questions/",
        (post("/training/{open}/chapters/one/questions/", own_only(), {"text": ""}),),  # empty: the form again
    ),
    Route(
        "training/<int:assignment_id>/chapters/<slug:slug>/quiz/",
        (
            get("/training/{open}/chapters/one/quiz/", own_only()),
            post(  # a forged attempt: back to the quiz
                "/training/{open}/chapters/one/quiz/",
                own_only(redirect_to("/training/{open}/chapters/one/quiz/")),
                {"attempt": "1"},
            ),
        ),
    ),
    Route(
        "training/<int:assignment_id>/sign/",
        (
            get("/training/{ready}/sign/", own_only()),
            post("/training/{ready}/sign/", own_only(), {"typed_name": "x", "confirm": "on"}),
            get("/training/{open}/sign/", own_only(redirect_to("/training/{open}/"))),  # not ready yet
            get("/training/{done}/sign/", own_only(redirect_to("/training/{done}/"))),  # already signed
        ),
    ),
    Route(
        "training/<int:assignment_id>/decline/",
        (
            get("/training/{ready}/decline/", signed_in(NOT_ALLOWED)),
            post("/training/{ready}/decline/", own_only("400"), {"reason": "other"}),  # no words: the form says so
            post("/training/{open}/decline/", own_only(redirect_to("/training/{open}/")), {"reason": "other"}),
            post("/training/{done}/decline/", own_only(redirect_to("/training/{done}/")), {"reason": "other"}),
        ),
    ),
    Route(
        "training/certificates/<str:code>.pdf",
        (
            get("/training/certificates/{code}.pdf", everyone(NOT_FOUND, anon=LOGIN, employee=OK, hr=OK, superuser=OK)),
            get("/training/certificates/NOSUCHCODE.pdf", everyone(NOT_FOUND, anon=LOGIN)),
        ),
        why="the signer, their managers and HR",
    ),
    Route(
        "training/transcript/",
        (get("/training/transcript/", everyone(NOT_FOUND, anon=LOGIN, employee=OK, other=OK, manager=OK)),),
        why="each employee's own; nobody else's by this URL",
    ),
    Route(
        "training/transcript/<int:employee_id>/",
        (get("/training/transcript/{employee}/", everyone(NOT_FOUND, anon=LOGIN, hr=OK, superuser=OK)),),
        why="HR, from the employee record",
    ),
    # The manager's view of their line.
    Route(
        "team/remind/",
        (
            post("/team/remind/", everyone(FORBIDDEN, anon=LOGIN, manager=redirect_to("/team/"))),
            get("/team/remind/", everyone(NOT_ALLOWED, anon=LOGIN)),
        ),
        why="a manager reminds their own line only (Emma is in none of theirs)",
    ),
    Route("team/", (get("/team/", team_only()), get("/team/?as_of=garbage&department=%00", team_only()))),
    Route("team/people/", (get("/team/people/", team_only()), get("/team/people/?status=overdue", team_only()))),
    Route(
        "team/chart/<slug:slug>.svg",
        (
            get("/team/chart/trend.svg", team_only()),
            get("/team/chart/nope.svg", everyone(FORBIDDEN, anon=LOGIN, manager=NOT_FOUND)),
        ),
    ),
    Route(
        "team/export/<slug:fmt>/",
        (
            get("/team/export/csv/", team_only()),
            get("/team/export/xlsx/", team_only()),
            get("/team/export/pdf/", team_only()),
            get("/team/export/doc/", everyone(FORBIDDEN, anon=LOGIN, manager=NOT_FOUND)),
        ),
    ),
    # HR's compliance area.
    Route("admin/compliance/", (get("/admin/compliance/", HR_ONLY),)),
    Route("admin/compliance/people/", (get("/admin/compliance/people/?status=overdue", HR_ONLY),)),
    Route("admin/compliance/quiz/", (get("/admin/compliance/quiz/", HR_ONLY),)),
    Route(
        "admin/compliance/remind/",
        (
            post("/admin/compliance/remind/", staff(hr=PEOPLE_LIST, editor=ADMIN_HOME, superuser=PEOPLE_LIST)),
            get("/admin/compliance/remind/", staff(hr=NOT_ALLOWED, editor=NOT_ALLOWED, superuser=NOT_ALLOWED)),
        ),
    ),
    Route(
        "admin/compliance/exempt/",
        (
            post("/admin/compliance/exempt/", staff(hr=PEOPLE_LIST, editor=ADMIN_HOME, superuser=PEOPLE_LIST)),
            get("/admin/compliance/exempt/", staff(hr=NOT_ALLOWED, editor=ADMIN_HOME, superuser=NOT_ALLOWED)),
        ),
    ),
    Route("admin/compliance/chart/<slug:slug>.svg", (get("/admin/compliance/chart/trend.svg", HR_ONLY),)),
    Route(
        "admin/compliance/export/<slug:fmt>/",
        (
            get("/admin/compliance/export/csv/", HR_ONLY),
            get("/admin/compliance/export/xlsx/", HR_ONLY),
            get("/admin/compliance/export/pdf/", HR_ONLY),
        ),
    ),
    # People & training.
    Route("admin/employees/", (get("/admin/employees/", HR_ONLY),)),
    Route("admin/employees/results/", (get("/admin/employees/results/?q=Zyx", HR_ONLY),)),
    Route("admin/employees/new/", (get("/admin/employees/new/", NOBODY_IN_ADMIN),), why="people come from the roster"),
    Route("admin/employees/edit/<int:pk>/", (get("/admin/employees/edit/{employee}/", HR_ONLY),)),
    Route("admin/employees/delete/<int:pk>/", (get("/admin/employees/delete/{employee}/", NOBODY_IN_ADMIN),)),
    Route("admin/employees/history/<int:pk>/", (get("/admin/employees/history/{employee}/", HR_ONLY),)),
    Route("admin/employees/history-results/<int:pk>/", (get("/admin/employees/history-results/{employee}/", HR_ONLY),)),
    Route("admin/employees/usage/<int:pk>/", (get("/admin/employees/usage/{employee}/", HR_ONLY),)),
    Route("admin/requirements/", (get("/admin/requirements/", HR_ONLY),)),
    Route("admin/requirements/results/", (get("/admin/requirements/results/", HR_ONLY),)),
    Route("admin/requirements/new/", (get("/admin/requirements/new/", HR_ONLY),)),
    Route("admin/requirements/edit/<int:pk>/", (get("/admin/requirements/edit/{requirement}/", HR_ONLY),)),
    Route("admin/requirements/delete/<int:pk>/", (get("/admin/requirements/delete/{requirement}/", NOBODY_IN_ADMIN),)),
    Route("admin/requirements/history/<int:pk>/", (get("/admin/requirements/history/{requirement}/", HR_ONLY),)),
    Route(
        "admin/requirements/history-results/<int:pk>/",
        (get("/admin/requirements/history-results/{requirement}/", HR_ONLY),),
    ),
    Route("admin/requirements/usage/<int:pk>/", (get("/admin/requirements/usage/{requirement}/", HR_ONLY),)),
    Route("admin/assignments/", (get("/admin/assignments/", HR_ONLY),)),
    Route("admin/assignments/results/", (get("/admin/assignments/results/?status=assigned", HR_ONLY),)),
    Route("admin/assignments/inspect/<int:pk>/", (get("/admin/assignments/inspect/{open}/", HR_ONLY),)),
    Route("admin/assignments/history/<int:pk>/", (get("/admin/assignments/history/{open}/", HR_ONLY),)),
    Route("admin/assignments/history-results/<int:pk>/", (get("/admin/assignments/history-results/{open}/", HR_ONLY),)),
    Route("admin/assignments/usage/<int:pk>/", (get("/admin/assignments/usage/{open}/", HR_ONLY),)),
    Route(
        "admin/assignments/exempt/<int:pk>/",
        (
            get("/admin/assignments/exempt/{open}/", HR_ONLY),
            post("/admin/assignments/exempt/{open}/", HR_ONLY, {"reason": ""}),
            get("/admin/assignments/exempt/999999/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),
        ),
    ),
    Route(
        "admin/assignments/<int:pk>/quiz-attempts/",
        (
            get("/admin/assignments/{open}/quiz-attempts/", HR_ONLY),
            post("/admin/assignments/{open}/quiz-attempts/", HR_ONLY, {"reason": ""}),
        ),
    ),
    Route(
        "admin/roster_import/",
        (get("/admin/roster_import/", HR_ONLY), post("/admin/roster_import/", HR_ONLY)),  # no file: a form error
    ),
    Route(
        "admin/roster_import/confirm/",
        (
            get("/admin/roster_import/confirm/", staff(hr=NOT_ALLOWED, editor=ADMIN_HOME, superuser=NOT_ALLOWED)),
            post(
                "/admin/roster_import/confirm/", staff(EXPIRED_UPLOAD, ADMIN_HOME, EXPIRED_UPLOAD), {"token": "guessed"}
            ),
        ),
    ),
    # API and provisioning tokens: HR creates and revokes them; nobody edits or deletes one.
    Route("admin/api_tokens/", (get("/admin/api_tokens/", HR_ONLY),)),
    Route("admin/api_tokens/results/", (get("/admin/api_tokens/results/", HR_ONLY),)),
    Route("admin/api_tokens/new/", (get("/admin/api_tokens/new/", HR_ONLY),)),
    Route("admin/api_tokens/edit/<int:pk>/", (get("/admin/api_tokens/edit/999999/", NOBODY_IN_ADMIN),)),
    Route("admin/api_tokens/delete/<int:pk>/", (get("/admin/api_tokens/delete/999999/", GONE_FIRST),)),
    Route("admin/api_tokens/history/<int:pk>/", (get("/admin/api_tokens/history/999999/", GONE_FIRST),)),
    Route(
        "admin/api_tokens/history-results/<int:pk>/",
        (get("/admin/api_tokens/history-results/999999/", GONE_FIRST),),
    ),
    Route("admin/api_tokens/usage/<int:pk>/", (get("/admin/api_tokens/usage/999999/", GONE_FIRST),)),
    Route(
        "admin/api_tokens/inspect/<int:pk>/",
        (get("/admin/api_tokens/inspect/999999/", GONE_FIRST),),
    ),
    Route(
        "admin/api_tokens/<int:pk>/revoke/",
        (get("/admin/api_tokens/999999/revoke/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),),
    ),
    Route("admin/scim_tokens/", (get("/admin/scim_tokens/", HR_ONLY),)),
    Route("admin/scim_tokens/results/", (get("/admin/scim_tokens/results/", HR_ONLY),)),
    Route("admin/scim_tokens/add/", (get("/admin/scim_tokens/add/", HR_ONLY),)),
    Route(
        "admin/scim_tokens/revoke/<int:pk>/",
        (get("/admin/scim_tokens/revoke/999999/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),),
    ),
    # The xAPI outbox: HR reads it and retries what the store refused.
    Route("admin/xapi_statements/", (get("/admin/xapi_statements/", HR_ONLY),)),
    Route("admin/xapi_statements/results/", (get("/admin/xapi_statements/results/", HR_ONLY),)),
    Route(
        "admin/xapi_statements/inspect/<str:pk>/",
        (
            get(
                "/admin/xapi_statements/inspect/00000000-0000-0000-0000-000000000000/",
                GONE_FIRST,
            ),
        ),
    ),
    Route(
        "admin/xapi_statements/retry/",
        (get("/admin/xapi_statements/retry/", HR_ONLY),),
    ),
    Route(
        "admin/xapi_statements/retry/<uuid:pk>/",
        (
            get(
                "/admin/xapi_statements/retry/00000000-0000-0000-0000-000000000000/",
                HR_ONLY,
            ),
        ),
    ),
    Route("admin/identity_changes/", (get("/admin/identity_changes/", HR_ONLY),)),
    Route("admin/identity_changes/results/", (get("/admin/identity_changes/results/?outcome=pending", HR_ONLY),)),
    Route(
        "admin/identity_changes/decide/<int:pk>/",
        (
            get("/admin/identity_changes/decide/999999/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),
            post(
                "/admin/identity_changes/decide/999999/",
                staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND),
                {"approve": ""},
            ),
        ),
    ),
    # Declined signatures: HR (and legal) read and answer them; nobody adds, edits or deletes one.
    Route("admin/declines/", (get("/admin/declines/", HR_ONLY),)),
    Route("admin/declines/results/", (get("/admin/declines/results/?q=Zyx", HR_ONLY),)),
    Route("admin/declines/new/", (get("/admin/declines/new/", NOBODY_IN_ADMIN),)),
    Route(
        "admin/declines/edit/<int:pk>/",
        (
            get("/admin/declines/edit/{decline}/", NOBODY_IN_ADMIN),
            post("/admin/declines/edit/{decline}/", NOBODY_IN_ADMIN, {"text": "Forged"}),
        ),
    ),
    Route(
        "admin/declines/delete/<int:pk>/",
        (
            get("/admin/declines/delete/{decline}/", NOBODY_IN_ADMIN),
            post("/admin/declines/delete/{decline}/", NOBODY_IN_ADMIN),
        ),
    ),
    Route("admin/declines/history/<int:pk>/", (get("/admin/declines/history/{decline}/", NOBODY_IN_ADMIN),)),
    Route(
        "admin/declines/history-results/<int:pk>/",
        (get("/admin/declines/history-results/{decline}/", NOBODY_IN_ADMIN),),
    ),
    Route("admin/declines/usage/<int:pk>/", (get("/admin/declines/usage/{decline}/", NOBODY_IN_ADMIN),)),
    Route(
        "admin/declines/<int:pk>/respond/",
        (
            get("/admin/declines/{decline}/respond/", HR_ONLY),
            post("/admin/declines/{decline}/respond/", HR_ONLY, {"response": ""}),  # empty: the form says so
        ),
    ),
    # Signed records: readable by HR, changeable by nobody.
    Route("admin/attestations/", (get("/admin/attestations/", HR_ONLY),)),
    Route("admin/attestations/results/", (get("/admin/attestations/results/?q=Zyx", HR_ONLY),)),
    Route("admin/attestations/new/", (get("/admin/attestations/new/", NOBODY_IN_ADMIN),)),
    Route(
        "admin/attestations/edit/<int:pk>/",
        (
            get("/admin/attestations/edit/{attestation}/", NOBODY_IN_ADMIN),
            post("/admin/attestations/edit/{attestation}/", NOBODY_IN_ADMIN, {"typed_name": "Forged"}),
        ),
    ),
    Route(
        "admin/attestations/delete/<int:pk>/",
        (
            get("/admin/attestations/delete/{attestation}/", NOBODY_IN_ADMIN),
            post("/admin/attestations/delete/{attestation}/", NOBODY_IN_ADMIN),
        ),
    ),
    # Wagtail shows history to those who may add, change or delete, and usage to those who may
    # change: for append-only records that is nobody (history) or only who may release (versions).
    Route(
        "admin/attestations/history/<int:pk>/", (get("/admin/attestations/history/{attestation}/", NOBODY_IN_ADMIN),)
    ),
    Route(
        "admin/attestations/history-results/<int:pk>/",
        (get("/admin/attestations/history-results/{attestation}/", NOBODY_IN_ADMIN),),
    ),
    Route("admin/attestations/usage/<int:pk>/", (get("/admin/attestations/usage/{attestation}/", NOBODY_IN_ADMIN),)),
    Route("admin/attestations/inspect/<int:pk>/", (get("/admin/attestations/inspect/{attestation}/", HR_ONLY),)),
    # Policy versions: released by legal, read by editors and HR, changed by nobody.
    Route("admin/questions/", (get("/admin/questions/", HR_ONLY),), why="legal, HR and the policy's owner"),
    Route("admin/questions/results/", (get("/admin/questions/results/", HR_ONLY),)),
    Route("admin/questions/new/", (get("/admin/questions/new/", NOBODY_IN_ADMIN),), why="employees ask them"),
    Route(
        "admin/questions/edit/<int:pk>/",
        (get("/admin/questions/edit/{question}/", HR_ONLY), post("/admin/questions/edit/{question}/", HR_ONLY)),
    ),
    Route(
        "admin/questions/delete/<int:pk>/",
        (
            get("/admin/questions/delete/{question}/", NOBODY_IN_ADMIN),
            post("/admin/questions/delete/{question}/", NOBODY_IN_ADMIN),
        ),
    ),
    Route("admin/questions/history/<int:pk>/", (get("/admin/questions/history/{question}/", HR_ONLY),)),
    Route(
        "admin/questions/history-results/<int:pk>/",
        (get("/admin/questions/history-results/{question}/", HR_ONLY),),
    ),
    Route("admin/questions/usage/<int:pk>/", (get("/admin/questions/usage/{question}/", HR_ONLY),)),
    Route(
        "admin/questions/publish/<int:pk>/",
        (get("/admin/questions/publish/{question}/", HR_ONLY), post("/admin/questions/publish/{question}/", HR_ONLY)),
    ),
    Route("admin/policy_versions/", (get("/admin/policy_versions/", staff()),)),
    Route("admin/policy_versions/results/", (get("/admin/policy_versions/results/", staff()),)),
    Route(
        "admin/policy_versions/new/",
        (get("/admin/policy_versions/new/", SUPERUSER_ONLY),),
        why="legal reviewers and superusers",
    ),
    Route("admin/policy_versions/edit/<int:pk>/", (get("/admin/policy_versions/edit/{version}/", NOBODY_IN_ADMIN),)),
    Route(
        "admin/policy_versions/delete/<int:pk>/",
        (
            get("/admin/policy_versions/delete/{version}/", NOBODY_IN_ADMIN),
            post("/admin/policy_versions/delete/{version}/", NOBODY_IN_ADMIN),
        ),
    ),
    Route(
        "admin/policy_versions/history/<int:pk>/", (get("/admin/policy_versions/history/{version}/", SUPERUSER_ONLY),)
    ),
    Route(
        "admin/policy_versions/history-results/<int:pk>/",
        (get("/admin/policy_versions/history-results/{version}/", SUPERUSER_ONLY),),
    ),
    Route("admin/policy_versions/usage/<int:pk>/", (get("/admin/policy_versions/usage/{version}/", NOBODY_IN_ADMIN),)),
    Route("admin/policy_versions/inspect/<int:pk>/", (get("/admin/policy_versions/inspect/{version}/", staff()),)),
    # The official-accounts register: HR (and social-media leads); no account exists in this world.
    # Wagtail's history and usage views look the object up before checking permission: 404 for all.
    Route("admin/official_accounts/", (get("/admin/official_accounts/", HR_ONLY),)),
    Route("admin/official_accounts/results/", (get("/admin/official_accounts/results/?q=Zyx", HR_ONLY),)),
    Route("admin/official_accounts/new/", (get("/admin/official_accounts/new/", HR_ONLY),)),
    Route(
        "admin/official_accounts/edit/<int:pk>/",
        (get("/admin/official_accounts/edit/999999/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),),
    ),
    Route(
        "admin/official_accounts/history/<int:pk>/",
        (get("/admin/official_accounts/history/999999/", GONE_FIRST),),
    ),
    Route(
        "admin/official_accounts/history-results/<int:pk>/",
        (get("/admin/official_accounts/history-results/999999/", GONE_FIRST),),
    ),
    Route(
        "admin/official_accounts/usage/<int:pk>/",
        (get("/admin/official_accounts/usage/999999/", GONE_FIRST),),
    ),
    Route(
        "admin/official_accounts/access/<int:pk>/",
        (get("/admin/official_accounts/access/999999/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),),
    ),
    Route(
        "admin/official_accounts/access/<int:pk>/remove/<int:access_pk>/",
        (
            get(
                "/admin/official_accounts/access/999999/remove/1/",
                staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND),
            ),
        ),
    ),
    Route(
        "admin/official_accounts/review/<int:pk>/",
        (get("/admin/official_accounts/review/999999/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),),
    ),
    Route("admin/account_removal_tasks/", (get("/admin/account_removal_tasks/", HR_ONLY),)),
    Route(
        "admin/account_removal_tasks/record/<int:pk>/",
        (
            get(
                "/admin/account_removal_tasks/record/999999/",
                staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND),
            ),
        ),
    ),
    Route("admin/account_reports/", (get("/admin/account_reports/", HR_ONLY),)),
    Route(
        "admin/account_reports/export/<slug:fmt>/",
        (
            get("/admin/account_reports/export/csv/", HR_ONLY),
            get("/admin/account_reports/export/pdf/", staff(hr=NOT_FOUND, editor=ADMIN_HOME, superuser=NOT_FOUND)),
        ),
    ),
]

# --- Generic Wagtail and allauth URLs, in groups ------------------------------------------------

STAFF_ADMIN = staff()
GENERIC = [
    Route(
        r"^admin/snippets/(choose/)?cms/crisiscontact/",
        (
            get("/admin/snippets/cms/crisiscontact/", staff()),
            get("/admin/snippets/cms/crisiscontact/edit/{crisis}/", staff()),
            get("/admin/snippets/cms/crisiscontact/delete/{crisis}/", staff(editor=ADMIN_HOME)),
        ),
        why="crisis contacts: HR and editors keep them; only HR deletes",
    ),
    Route(
        r"^admin/settings/",
        (
            get("/admin/settings/cms/companysettings/", staff(SITE_SETTINGS, ADMIN_HOME, SITE_SETTINGS)),
            get("/admin/settings/cms/companysettings/{site}/", staff(editor=ADMIN_HOME)),
        ),
        why="company settings: HR",
    ),
    Route(
        r"^admin/(users|groups|sites|locales|collections|workflows)/",
        (
            get("/admin/users/", SUPERUSER_ONLY),
            get("/admin/users/edit/{emma_user}/", SUPERUSER_ONLY),
            get("/admin/groups/", SUPERUSER_ONLY),
            get("/admin/sites/", SUPERUSER_ONLY),
            get("/admin/locales/", SUPERUSER_ONLY),
            get("/admin/workflows/list/", SUPERUSER_ONLY),
        ),
        why="Wagtail's settings area: superusers only",
    ),
    Route(
        r"^admin/(images|documents)/",
        (get("/admin/images/", staff(hr=ADMIN_HOME)), get("/admin/documents/", SUPERUSER_ONLY)),
        why="media libraries: editors upload images; documents are unused",
    ),
    Route(
        r"^admin/(failwhale|test404)/$",
        (get("/admin/test404/", staff()),),
        why="Wagtail's error-page checks: staff only (failwhale raises on purpose, so is not requested)",
    ),
    Route(
        r"^admin/",
        (
            get("/admin/", STAFF_ADMIN),
            get("/admin/pages/", staff(hr=ADMIN_HOME)),
            get("/admin/pages/{policy_page}/edit/", staff(hr=ADMIN_HOME)),
            get("/admin/account/", STAFF_ADMIN),
            get("/admin/api/main/pages/", staff(anon=ADMIN_LOGIN)),
            get("/admin/reports/site-history/", STAFF_ADMIN),
            get("/admin/no-such-thing/", staff(NOT_FOUND, NOT_FOUND, NOT_FOUND, anon=ADMIN_LOGIN)),
        ),
        why="Wagtail admin core: staff only, anonymous sent to sign in, employees turned away",
    ),
    Route(
        r"^accounts/",
        (
            get("/accounts/login/", signed_in(redirect_to("/"), anon=OK)),
            get("/accounts/password/reset/", everyone(OK)),
            get("/accounts/reauthenticate/", signed_in()),
            get("/accounts/2fa/", signed_in()),
        ),
        why="allauth: sign-in and password reset open; the rest for signed-in people",
    ),
    Route(
        r"^documents/",
        (get("/documents/999999/secret.pdf", signed_in(NOT_FOUND)),),
        why="Wagtail document serving: signed-in people, and only existing documents",
    ),
    Route(
        r"^_util/",
        (get("/_util/authenticate_with_password/999999/999999/", signed_in(NOT_FOUND)),),
        why="Wagtail's page-password form",
    ),
    Route(r"^\^media/", (), why="static media, only when DEBUG is on at start-up"),
]

PROJECT_MODULES = ("attest.", "training.", "cms.")


def project_namespaces() -> set[str]:
    """The URL namespaces of the admin viewsets the project defines (their views may be Wagtail's
    generic ones, so the view's module does not tell). Wagtail's own Users admin, subclassed only
    to add the employee-email rule (cms/users.py), keeps its place among Wagtail's URLs."""
    from wagtail.admin.viewsets import viewsets

    get_resolver().url_patterns  # noqa: B018 - loading the URLconf registers the viewsets
    return {
        viewset.url_namespace
        for viewset in viewsets.viewsets
        if type(viewset).__module__.startswith(PROJECT_MODULES) and not viewset.url_namespace.startswith("wagtail")
    }


def resolver_routes(patterns=None, prefix="", namespace=""):
    """Every (route, name, view) of the URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from resolver_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern.lookup_str


def classify(route: str) -> Route | None:
    for entry in PRODUCT:
        if entry.pattern == route:
            return entry
    for entry in GENERIC:
        if re.match(entry.pattern, route):
            return entry
    return None


def test_every_url_is_classified():
    unclassified, generic_product = [], []
    seen, namespaces = set(), project_namespaces()
    assert {"employees", "assignments", "attestations", "policy_versions"} <= namespaces
    for route, name, view in resolver_routes():
        entry = classify(route)
        if entry is None:
            unclassified.append(route)
            continue
        seen.add(entry.pattern)
        namespace = name.split(":")[0] if ":" in name else ""
        if entry in GENERIC and (view.startswith(PROJECT_MODULES) or namespace in namespaces):
            generic_product.append(route)
    assert not unclassified, f"URLs nobody has classified in this test: {unclassified}"
    assert not generic_product, f"The product's own URLs must each be listed in PRODUCT: {generic_product}"
    stale = {entry.pattern for entry in PRODUCT} - seen
    assert not stale, f"Classified URLs that no longer exist: {stale}"
    assert all(entry.requests for entry in PRODUCT)
    assert all(entry.requests for entry in GENERIC if entry.pattern != r"^\^media/")


def test_wagtails_own_login_forms_are_shadowed():
    for path in ("/admin/login/", "/_util/login/"):
        assert resolve(path).func.__module__ == "cms.views", path


# --- The walk ---------------------------------------------------------------------------------


def _build_world() -> dict:
    """Emma with an open assignment, one ready to sign and one signed; another employee; a
    manager with a team of one elsewhere; HR, a policy editor and a superuser."""
    policy = factories.published_policy()
    version = factories.release(policy)
    security = factories.published_policy(
        factories.policy_spec(chapters=[factories.chapter_spec("basics")], slug="security-policy")
    )
    security_version = factories.release(security)
    emma = factories.employee("Emmeline", EMMA_SURNAME, department="Retail")
    open_assignment = factories.assignment(emma, version)
    done = factories.finished(factories.assignment(emma, security_version))
    ready = factories.assignment(emma, security_version)
    _finish_reading(ready)
    mark = factories.employee("Mark", "Otherteam", department="Sales")
    factories.employee("Nina", "Report", manager=mark, department="Sales")
    olivia = factories.employee("Olivia", "Else", department="Retail")
    users = {
        EMPLOYEE: emma.user,
        OTHER: olivia.user,
        MANAGER: mark.user,
        HR_USER: factories.user(groups=[HR]),
        EDITOR: factories.user(groups=[POLICY_EDITORS]),
        SUPERUSER: get_user_model().objects.create_superuser(
            "root@example.com", "root@example.com", factories.PASSWORD
        ),
    }
    attestation = Attestation.objects.get(assignment=done)
    # A decline dated before these assignments: it changes no status, and the admin has a row to open.
    decline = Decline.objects.create(
        assignment=done,
        employee=emma,
        user=emma.user,
        version=security_version,
        locale_code="en",
        content_sha256=security_version.content_sha256_in("en"),
        declined_at=datetime.datetime(2025, 12, 1, tzinfo=datetime.UTC),
        reason="other",
        text="Before the walk",
    )
    ids = {
        "open": open_assignment.pk,
        "ready": ready.pk,
        "done": done.pk,
        "code": attestation.verification_code,
        "attestation": attestation.pk,
        "decline": decline.pk,
        "employee": emma.pk,
        "emma_user": emma.user_id,
        "requirement": open_assignment.requirement_id,
        "version": version.pk,
        "policy_page": policy.pk,
        "crisis": CrisisContact.objects.create(name="Press office", role="Press").pk,
        "site": HomePage.objects.get().get_site().pk,
        "question": question_ask(
            user=emma.user,
            chapter=version.chapters.select_related("locale").get(slug="one", locale__language_code="en"),
            text="A question on the walk",
        ).pk,
    }
    return {"users": users, "ids": ids}


def _finish_reading(assignment: Assignment) -> None:
    """Read and pass everything, but do not sign."""
    from attest.selectors import assignment_progress
    from cms.simulation import passing_answers

    user = assignment.employee.user
    for status in assignment_progress(assignment).chapters:
        reading_record(user=user, chapter=status.chapter)
        if status.chapter.has_quiz and not status.passed:
            attempt = quiz_attempt_start(user=user, chapter=status.chapter)
            quiz_attempt_submit(
                user=user,
                chapter=status.chapter,
                attempt_id=attempt.pk,
                answers=passing_answers(status.chapter, attempt),
            )


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


ALL_REQUESTS = [(entry, request) for entry in PRODUCT + GENERIC for request in entry.requests]


# --- Two-factor authentication for staff ------------------------------------------------------

MFA_SETUP = "/accounts/2fa/totp/activate/"


class _AnyId(dict):
    """Fills every ``{placeholder}`` of a URL: the middleware answers before any view looks."""

    def __missing__(self, key):
        return "1"


ADMIN_URLS = sorted(
    {request.url.format_map(_AnyId()) for _entry, request in ALL_REQUESTS if request.url.startswith("/admin/")}
    - {"/admin/login/"}
)


@pytest.mark.parametrize("script_name", ["", "/p"])
@pytest.mark.parametrize("role", [HR, POLICY_EDITORS, "superuser"])
def test_staff_without_two_factor_are_sent_to_set_it_up_from_every_admin_url(settings, role, script_name):
    """Also with the product under a prefix: the rule looks at the path inside the application."""
    settings.STAFF_REQUIRE_MFA = True
    if role == "superuser":
        account = get_user_model().objects.create_superuser("root@example.com", "root@example.com", factories.PASSWORD)
    else:
        account = factories.user(groups=[role])
    with mounted_at(script_name) as client:
        client.force_login(account)
        outcomes = {url: outcome_of(client.get(url), script_name) for url in ADMIN_URLS}
        wrong = [f"{url}: {outcome}" for url, outcome in outcomes.items() if outcome != redirect_to(MFA_SETUP)]
        assert not wrong, f"reached without two-factor authentication: {wrong}"
        setup = outcome_of(client.get(MFA_SETUP), script_name)
        assert setup == OK or matches(redirect_under("/accounts/reauthenticate/"), setup)  # no loop back to the admin
        assert client.get("/").status_code == 200  # the site itself still works


def test_no_password_login_outside_allauth(settings):
    """Wagtail's admin and front-end login forms would take a password without the second factor
    and without allauth's rate limits: both only send people on to allauth."""
    from allauth.mfa.models import Authenticator

    settings.STAFF_REQUIRE_MFA = True
    hr = factories.user(groups=[HR])
    Authenticator.objects.create(user=hr, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    for path in ("/admin/login/", "/_util/login/"):
        client = Client()
        response = client.post(path, {"username": hr.email, "password": factories.PASSWORD})
        assert outcome_of(response) == LOGIN, path
        assert "_auth_user_id" not in client.session, path
        assert outcome_of(client.get("/admin/compliance/")) == LOGIN, path


# --- Rate limits --------------------------------------------------------------------------------


@pytest.fixture
def rate_limits(settings):
    from cms.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS


def test_repeated_failed_logins_lock_the_account_for_a_while(rate_limits, emma):
    client = Client()
    for _attempt in range(5):
        response = client.post("/accounts/login/", {"login": emma.email, "password": "wrong-password"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"login": emma.email, "password": factories.PASSWORD})
    assert "_auth_user_id" not in client.session, "the right password still gets in after five wrong ones"
    assert "Too many failed login attempts" in response.content.decode()


def test_login_attempts_from_one_address_are_limited(rate_limits, db):
    client = Client()
    statuses = [
        client.post("/accounts/login/", {"login": f"nobody{n}@example.com", "password": "x"}).status_code
        for n in range(31)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:10]


def test_password_reset_requests_are_limited(rate_limits, emma, mailoutbox):
    client = Client()
    statuses = [client.post("/accounts/password/reset/", {"email": emma.email}).status_code for _ in range(8)]
    assert statuses[:5] == [302] * 5
    assert set(statuses[5:]) == {429}
    assert len(mailoutbox) == 5


def test_signing_password_guesses_are_limited(rate_limits, emma_assignment):
    from tests.attest.steps import do_chapter, login

    client = login(emma_assignment.employee)
    for slug in ("one", "two"):
        do_chapter(client, emma_assignment, slug)
    url = f"/training/{emma_assignment.pk}/sign/"
    guess = {"typed_name": emma_assignment.employee.full_name, "confirm": "on"}
    statuses = [client.post(url, {**guess, "password": f"guess-{n}"}).status_code for n in range(10)]
    assert statuses == [200] * 10  # each a form error
    response = client.post(url, {**guess, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert not Attestation.objects.exists()
    # allauth's own re-authentication form shares the limit.
    assert client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD}).status_code == 429


# --- The walk, every role ---------------------------------------------------------------------

# The walks come last: the world they share lives until the module's last test, and the tests
# above build people and policies of their own (the same superuser, the same policy slug).


@pytest.fixture(scope="module")
def world(django_db_blocker):
    """Built once for the module's walks (each walk runs in its own savepoint, so its POSTs are undone)."""
    with factories.kept_for_module(django_db_blocker):
        yield _build_world()


@pytest.mark.parametrize("script_name", ["", "/p"], ids=["root", "prefixed"])
@pytest.mark.parametrize("role", ROLES)
def test_walk(world, role, script_name):
    """Every request of the walk as ``role``; also with the product mounted under ``/p`` (a WSGI
    server's SCRIPT_NAME, DESIGN §3 rule 10): every access rule gives the same answers."""
    with mounted_at(script_name) as client:
        if role != ANON:
            client.force_login(world["users"][role])
        problems = []
        for entry, request in ALL_REQUESTS:
            url = request.url.format(**world["ids"])
            response = getattr(client, request.method)(url, request.data)
            actual = outcome_of(response, script_name)
            expected = request.expect[role].format(**world["ids"])
            if not matches(expected, actual):
                problems.append(f"{request.method.upper()} {url}: expected {expected}, got {actual}")
            elif role not in MAY_SEE_EMMA and not entry.pattern.startswith("verify/"):
                if EMMA_SURNAME.encode() in _body(response):
                    problems.append(f"{request.method.upper()} {url}: shows Emma to the {role}")
    assert not problems, f"As the {role}:\n" + "\n".join(problems)
