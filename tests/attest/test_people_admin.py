"""HR's People & training admin: employees, requirements, assignments with exemptions, and the
roster upload (preview, then confirm). Policy editors get none of it."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from wagtail.models import ModelLogEntry

from attest import dates, hierarchy, roster
from attest.admin.people.roster_import import ROSTER_SESSION_KEY
from attest.forms import people as forms_people
from attest.hierarchy import MAX_DEPTH, depth, in_line, line_prefix
from attest.models import Assignment, Employee, EmployeeStatus, Requirement, RequirementKind, RosterUpload
from attest.services import assignments_sync
from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from tests.attest.factories import roster_row, snapshot, team, write_csv
from tests.attest.steps import edit_data

pytestmark = pytest.mark.django_db

PEOPLE_URLS = [
    ("employees:index", []),
    ("requirements:index", []),
    ("requirements:add", []),
    ("assignments:index", []),
    ("roster_import:upload", []),
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hr(db):
    return client_for(factories.user(email="ingrid@example.com", groups=[HR]))


def menu_labels(response) -> str:
    """The admin's sidebar is rendered from JSON props: collect every label in it."""
    props = re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', response.content.decode(), re.S).group(1)
    return json.dumps(json.loads(props))


def upload(client, path, **options):
    with path.open("rb") as file:
        data = {"file": SimpleUploadedFile(path.name, file.read()), "send_invitations": "on", **options}
    return client.post(reverse("roster_import:upload"), data)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "args"), PEOPLE_URLS)
def test_hr_can_open_every_people_view(hr, name, args):
    assert hr.get(reverse(name, args=args)).status_code == 200


def test_hr_sees_the_people_menu(hr):
    labels = menu_labels(hr.get(reverse("wagtailadmin_account")))
    for label in ("People & training", "Employees", "Requirements", "Assignments", "Import the roster"):
        assert label in labels


@pytest.mark.parametrize("role", [POLICY_EDITORS, LEGAL_REVIEWERS])
def test_editors_and_reviewers_see_no_people_menu_and_cannot_open_the_views(role, emma, version, tmp_path):
    client = client_for(factories.user(groups=[role]))
    labels = menu_labels(client.get(reverse("wagtailadmin_account")))
    for label in ("People & training", "Employees", "Requirements", "Assignments", "Import the roster"):
        assert label not in labels
    assignment = factories.assignment(emma, version)
    urls = [reverse(name, args=args) for name, args in PEOPLE_URLS] + [
        reverse("employees:edit", args=[emma.pk]),
        reverse("assignments:exempt", args=[assignment.pk]),
        reverse("assignments:inspect", args=[assignment.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.url != url
    before = snapshot()
    response = client.post(reverse("assignments:exempt", args=[assignment.pk]), {"reason": "no"})
    assert response.status_code in (302, 403)
    assert upload(client, write_csv(tmp_path / "roster.csv", team(2))).status_code in (302, 403)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["assignments:edit", "assignments:delete", "assignments:copy"])
def test_assignments_cannot_be_added_edited_or_deleted_by_hand(name):
    with pytest.raises(NoReverseMatch):
        reverse(name, args=[1])
    with pytest.raises(NoReverseMatch):
        reverse("assignments:add")


def test_hr_gets_no_add_or_delete_for_employees(hr, emma):
    assert hr.get(reverse("employees:add")).status_code in (302, 403)
    assert hr.get(reverse("employees:delete", args=[emma.pk])).status_code in (302, 403)
    assert Employee.objects.filter(pk=emma.pk).exists()


# --- Employees --------------------------------------------------------------------------------


def test_employee_list_filters_and_search(hr):
    factories.employee("Oslo", "Person", department="Retail", location="Oslo")
    factories.employee("Paris", "Person", department="Marketing", location="Paris", status=EmployeeStatus.LEAVE)
    html = hr.get(reverse("employees:index"), {"location": "Paris"}).content.decode()
    assert "Paris Person" in html and "Oslo Person" not in html
    html = hr.get(reverse("employees:index"), {"status": "leave"}).content.decode()
    assert "Paris Person" in html and "Oslo Person" not in html
    html = hr.get(reverse("employees:index"), {"q": "oslo"}).content.decode()
    assert "Oslo Person" in html and "Paris Person" not in html


def test_editing_an_employee_keeps_their_login_and_assignments_in_step(hr, version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, departments=["Retail"])
    boss = factories.employee("Bea", "Boss", employee_id="B1")
    emma = factories.employee(department="Retail")
    emma.user.set_unusable_password()  # never used: a new email applies at once (see tests/attest/test_identity.py)
    emma.user.save()
    assignments_sync()
    data = edit_data(
        emma,
        last_name="Wilson-Grant",
        email="Emma.Grant@example.com",
        manager_employee_id="B1",
        department="Marketing",
        language="fr",
        status="terminated",
    )
    response = hr.post(reverse("employees:edit", args=[emma.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    emma.refresh_from_db()
    emma.user.refresh_from_db()
    assert (emma.last_name, emma.email, emma.manager, emma.language) == (
        "Wilson-Grant",
        "emma.grant@example.com",
        boss,
        "fr",
    )
    assert (emma.user.username, emma.user.email, emma.user.last_name, emma.user.is_active) == (
        "emma.grant@example.com",
        "emma.grant@example.com",
        "Wilson-Grant",
        False,
    )
    assert Assignment.objects.get(employee=emma).cancelled_at is not None
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(emma.pk)).exists()


def test_employee_edit_rejects_taken_email_and_manager_loops(hr):
    boss = factories.employee("Bea", "Boss", employee_id="B1")
    emma = factories.employee(manager=boss, employee_id="E1")
    factories.user(email="taken@example.com")
    data = edit_data(boss, email="taken@example.com", manager_employee_id="E1")
    response = hr.post(reverse("employees:edit", args=[boss.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["email"] == [str(roster.ERROR_EMAIL_TAKEN_USER % {"value": "taken@example.com"})]
    assert form.errors["manager_employee_id"] == [str(hierarchy.ERROR_MANAGER_LOOP % {"chain": "B1 → E1 → B1"})]
    boss.refresh_from_db()
    assert boss.manager is None and emma.manager == boss


def test_employee_edit_moves_the_reporting_line_with_the_person(hr):
    """A new manager takes the person and everyone below them into their line."""
    old_boss = factories.employee("Olga", "Old", employee_id="B1")
    new_boss = factories.employee("Nils", "New", employee_id="B2")
    lead = factories.employee("Lea", "Lead", manager=old_boss, employee_id="L1")
    factories.employee("Ray", "Report", manager=lead, employee_id="R1")
    data = edit_data(lead, manager_employee_id="B2")
    assert hr.post(reverse("employees:edit", args=[lead.pk]), data).status_code == 302
    below = {
        boss.employee_id: set(Employee.objects.filter(in_line(line_prefix(boss))).values_list("employee_id", flat=True))
        for boss in (old_boss, new_boss)
    }
    assert below == {"B1": set(), "B2": {"L1", "R1"}}


def test_employee_edit_refuses_a_manager_that_makes_the_line_too_deep(hr):
    """Moving a lead (with a report below) under the bottom of a long chain: the report would end
    up one level too deep, and nothing changes."""
    chain = [factories.employee("Top", "Boss", employee_id="C00")]
    for n in range(1, MAX_DEPTH):
        chain.append(factories.employee("Chain", f"Link{n}", manager=chain[-1], employee_id=f"C{n:02d}"))
    lead = factories.employee("Lea", "Lead", employee_id="L1")
    factories.employee("Ray", "Report", manager=lead, employee_id="R1")
    data = edit_data(lead, manager_employee_id=chain[-1].employee_id)
    response = hr.post(reverse("employees:edit", args=[lead.pk]), data)
    assert response.status_code == 200
    expected = hierarchy.ERROR_LINE_TOO_DEEP % {"employee": "R1", "levels": MAX_DEPTH + 1, "limit": MAX_DEPTH}
    assert response.context["form"].errors["manager_employee_id"] == [str(expected)]
    lead.refresh_from_db()
    assert lead.manager is None
    data["manager_employee_id"] = chain[-2].employee_id  # one level higher fits exactly
    assert hr.post(reverse("employees:edit", args=[lead.pk]), data).status_code == 302
    assert depth(Employee.objects.get(employee_id="R1").managers_path) == MAX_DEPTH


# --- Requirements -----------------------------------------------------------------------------


def requirement_data(policy, **fields):
    data = {
        "name": "Spring campaign",
        "policy": policy.pk,
        "kind": RequirementKind.AD_HOC,
        "due_days": "30",
        "annual_fixed_date": "",
        "due_date": "2030-03-01",
        "starts_on": "2026-01-01",
        "active": "on",
    }
    data.update(fields)
    return data


def test_requirement_audience_choices_come_from_the_people(hr, version):
    factories.employee(department="Retail", location="Oslo")
    factories.employee(department="Finance", location="Madrid")
    form = hr.get(reverse("requirements:add")).context["form"]
    assert form.fields["departments"].choices == [("Finance", "Finance"), ("Retail", "Retail")]
    assert form.fields["locations"].choices == [("Madrid", "Madrid"), ("Oslo", "Oslo")]
    assert [value for value, _label in form.fields["tracks"].choices] == ["all", "official"]


def test_creating_a_requirement_assigns_its_audience(hr, version):
    retail = factories.employee("Ret", "Ail", department="Retail")
    factories.employee("Fin", "Ance", department="Finance")
    response = hr.post(reverse("requirements:add"), requirement_data(version.policy, departments=["Retail"]))
    assert response.status_code == 302

    requirement = Requirement.objects.get(name="Spring campaign")
    assert (requirement.departments, requirement.locations, requirement.tracks) == (["Retail"], [], [])
    assert list(Assignment.objects.filter(requirement=requirement).values_list("employee", flat=True)) == [retail.pk]
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(requirement.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"due_date": ""}, "due_date", forms_people.ERROR_AD_HOC_NEEDS_DUE_DATE),
        ({"due_date": "2020-01-01"}, "due_date", forms_people.ERROR_DUE_DATE_IN_PAST),
        ({"kind": RequirementKind.ONBOARDING}, "due_date", forms_people.ERROR_DUE_DATE_ONLY_AD_HOC),
        (
            {"kind": RequirementKind.ONBOARDING, "due_date": "", "annual_fixed_date": "2026-12-31"},
            "annual_fixed_date",
            forms_people.ERROR_FIXED_DATE_ONLY_ANNUAL,
        ),
        (
            {"kind": RequirementKind.REATTESTATION, "due_date": "", "due_days": "0"},
            "due_days",
            forms_people.ERROR_DUE_DAYS,
        ),
    ],
)
def test_requirement_kind_specific_fields_are_checked(hr, version, fields, field, message):
    response = hr.post(reverse("requirements:add"), requirement_data(version.policy, **fields))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [str(message)]
    assert not Requirement.objects.exists()


def test_editing_a_requirement_resyncs(hr, version):
    requirement = factories.requirement(version.policy, kind=RequirementKind.AD_HOC, departments=["Retail"])
    finance = factories.employee(department="Finance")
    data = requirement_data(version.policy, name=requirement.name, departments=["Finance", "Retail"])
    assert hr.post(reverse("requirements:edit", args=[requirement.pk]), data).status_code == 302
    assert Assignment.objects.filter(requirement=requirement, employee=finance).exists()


# --- Assignments and exemptions ---------------------------------------------------------------


def test_assignment_list_shows_status_and_filters_by_it(hr, version):
    overdue = factories.assignment(factories.employee("Late", "Person"), version, due_on=datetime.date(2020, 1, 1))
    factories.assignment(factories.employee("Early", "Person"), version, due_on=datetime.date(2030, 1, 1))
    html = hr.get(reverse("assignments:index"), {"status": "overdue"}).content.decode()
    assert "Late Person" in html and "Early Person" not in html
    assert "Overdue" in html
    assert reverse("assignments:exempt", args=[overdue.pk]) in html


def test_hr_exempts_with_a_reason_recorded_everywhere(hr, emma, version):
    assignment = factories.assignment(emma, version)
    url = reverse("assignments:exempt", args=[assignment.pk])
    assert "Emma Wilson" in hr.get(url).content.decode()

    response = hr.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]

    response = hr.post(url, {"reason": "Parental leave until March"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.exemption_reason == "Parental leave until March"
    assert assignment.exempted_by.email == "ingrid@example.com"
    entry = ModelLogEntry.objects.get(action="attest.assignment_exempt")
    assert entry.object_id == str(assignment.pk) and entry.data == {"reason": "Parental leave until March"}

    history = hr.get(reverse("assignments:history", args=[assignment.pk])).content.decode()
    assert "Exempted: Parental leave until March" in history
    listing = hr.get(reverse("assignments:index")).content.decode()
    assert "Parental leave until March" in listing
    assert reverse("assignments:exempt", args=[assignment.pk]) not in listing

    response = hr.get(url)
    assert "Only an open assignment can be exempted." in response.content.decode()


# --- Roster upload ----------------------------------------------------------------------------


def test_preview_lists_every_problem_and_changes_nothing(hr, tmp_path):
    rows = team(3)
    rows[1]["track"] = "marketing"
    rows[2]["hire_date"] = "01/02/2020"
    before = snapshot()

    response = upload(hr, write_csv(tmp_path / "roster.csv", rows))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="roster-errors"' in html
    for error in response.context["errors"]:
        assert f"<td>{error.row}</td>" in html
    assert [str(error) for error in response.context["errors"]] == [
        f"row 3, column track: {roster.ERROR_TRACK % {'value': 'marketing', 'choices': 'all, official'}}",
        f"row 4, column hire_date: {dates.ERROR_DATE % {'value': '01/02/2020'}}",
    ]
    assert "Unknown track “marketing”" in html
    assert 'name="token"' not in html
    assert ROSTER_SESSION_KEY not in hr.session
    assert snapshot() == before


def test_preview_then_confirm_applies_the_whole_file(hr, tmp_path, mailoutbox):
    factories.employee("Left", "Already", employee_id="GONE")
    response = upload(hr, write_csv(tmp_path / "roster.csv", team(3)), deactivate_missing="on")
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged, result.deactivated, result.invited) == (3, 0, 0, 1, 3)
    assert not Employee.objects.filter(employee_id__startswith="R").exists()
    pending = hr.session[ROSTER_SESSION_KEY]
    stored = RosterUpload.objects.filter(token=pending["token"])
    assert stored.exists()

    response = hr.post(reverse("roster_import:confirm"), {"token": pending["token"]})

    assert response.status_code == 302 and response.url == reverse("employees:index")
    assert Employee.objects.filter(employee_id__startswith="R").count() == 3
    assert Employee.objects.get(employee_id="GONE").status == EmployeeStatus.TERMINATED
    assert len(mailoutbox) == 3
    assert not stored.exists()
    assert ROSTER_SESSION_KEY not in hr.session
    assert ModelLogEntry.objects.filter(action=roster.LOG_ACTION, user__email="ingrid@example.com").count() == 4

    before = snapshot()
    response = hr.post(reverse("roster_import:confirm"), {"token": pending["token"]})
    assert response.status_code == 302 and response.url == reverse("roster_import:upload")
    assert snapshot() == before


def test_confirm_needs_the_token_of_this_session(hr, tmp_path):
    upload(hr, write_csv(tmp_path / "roster.csv", team(2)))
    other = client_for(factories.user(groups=[HR]))
    pending = hr.session[ROSTER_SESSION_KEY]
    assert other.post(reverse("roster_import:confirm"), {"token": pending["token"]}).status_code == 302
    assert hr.post(reverse("roster_import:confirm"), {"token": "guess"}).status_code == 302
    assert not Employee.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.pdf", b"%PDF-1.7", forms_people.ERROR_ROSTER_TYPE),
        ("roster.xlsx", b"employee_id,email\n", forms_people.ERROR_ROSTER_CONTENT),
        ("roster.csv", b"\x00\x01\x02binary", forms_people.ERROR_ROSTER_CONTENT),
    ],
)
def test_upload_checks_extension_and_content(hr, name, content, message):
    response = hr.post(reverse("roster_import:upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [str(message)]


def test_upload_size_limit(hr, monkeypatch, tmp_path):
    monkeypatch.setattr(forms_people, "ROSTER_MAX_BYTES", 100)
    response = upload(hr, write_csv(tmp_path / "roster.csv", [roster_row(n) for n in range(1, 10)]))
    assert response.context["form"].errors["file"] == [str(forms_people.ERROR_ROSTER_TOO_LARGE)]
