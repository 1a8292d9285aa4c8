"""What people read in their own language (requirement names, crisis-contact roles, the welcome,
the certificate's signatory) and what the admin calls things (labels, plurals, yes/no, empty)."""

import io
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils.functional import Promise
from pypdf import PdfReader
from wagtail.models import Site

from attest import dates
from attest.models import Requirement
from cms.models import CompanySettings, CrisisContact, HomePage
from cms.roles import HR
from tests import factories
from tests.attest.factories import team, write_csv

pytestmark = pytest.mark.django_db

INTERNAL_FIELDS = {"id", "managers_path", "site"}  # never shown in the admin, or labelled by Wagtail


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signed_in(employee) -> Client:
    """Through the sign-in form, which starts the session in the employee's language."""
    client = Client()
    response = client.post("/accounts/login/", {"login": employee.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def hr(db):
    return client_for(factories.user(email="ingrid@example.com", first_name="Ingrid", groups=[HR]))


# --- In the employee's language ---------------------------------------------------------------


def test_requirement_named_per_language_in_the_admin_is_shown_in_each_language(hr, version):
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    emma = factories.employee("Emma", "Wilson", language="en")
    data = {
        "name": "Spring campaign",
        "name_da": "Forårskampagne",
        "name_nb": "Vårkampanje",
        "policy": version.policy.pk,
        "kind": "adhoc",
        "due_days": "30",
        "annual_fixed_date": "",
        "due_date": "2030-03-01",
        "starts_on": "2026-01-01",
        "active": "on",
    }
    assert hr.post(reverse("requirements:add"), data).status_code == 302
    requirement = Requirement.objects.get()
    assert (requirement.name_da, requirement.name_nb, requirement.name_fr) == ("Forårskampagne", "Vårkampanje", "")

    danish = signed_in(søren).get("/").content.decode()
    assert "Forårskampagne" in danish and "Spring campaign" not in danish
    client = signed_in(emma)
    english = client.get("/").content.decode()
    assert "Spring campaign" in english and "Forårskampagne" not in english
    client.cookies["django_language"] = "fr"
    french = client.get("/").content.decode()
    assert '<html lang="fr">' in french and "Spring campaign" in french, "no French name: the default name"


def test_welcome_and_crisis_roles_follow_the_readers_language(version):
    home = HomePage.objects.get()
    home.welcome, home.welcome_nb = "Welcome to your training.", "Velkommen til opplæringen din."
    home.save()
    CrisisContact.objects.create(name="Social Desk", role="First line", role_nb="Første kontakt")
    ingrid = factories.employee("Ingrid", "Haugen", language="nb")
    assignment = factories.assignment(ingrid, version)
    client = signed_in(ingrid)
    home_html = client.get("/").content.decode()
    assert "Velkommen til opplæringen din." in home_html and "Welcome to your training." not in home_html
    chapter = version.policy.get_children().first().specific
    chapter_html = client.get(reverse("chapter", args=[assignment.pk, chapter.slug])).content.decode()
    assert "Første kontakt" in chapter_html and "First line" not in chapter_html


def test_certificate_signatory_is_printed_in_the_certificates_language(db):
    version = factories.release(factories.translated_policy(languages=("da",), chapters=1))
    company = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    company.certificate_signatory = "Ingrid Hansen, Head of People & HR"
    company.certificate_signatory_da = "Ingrid Hansen, HR-direktør"
    company.save()
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    signed = factories.finished(factories.assignment(søren, version))
    code = signed.attestation.verification_code
    pdf = signed_in(søren).get(reverse("certificate", args=[code])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert signed.attestation.locale_code == "da"
    assert "HR-direktør" in text and "Head of People" not in text


# --- Admin wording ----------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["attest", "training", "cms"])
def test_every_admin_model_has_translatable_labels_and_plurals(label):
    for model in apps.get_app_config(label).get_models():
        options = model._meta
        if "verbose_name" not in options.original_attrs:
            continue  # internal bookkeeping, never listed in the admin
        assert isinstance(options.verbose_name_plural, Promise), f"{model.__name__}: plural is guessed by adding s"
        if label == "training" and model.__name__ not in {"PolicyVersion"}:
            continue  # pages' fields come from Wagtail; other training rows are not in the admin
        for field in options.concrete_fields:
            if field.name in INTERNAL_FIELDS or field.name.endswith("_ptr"):
                continue
            if model.__name__ in {"HomePage", "PolicyPage", "ChapterPage"} and field.model is not model:
                continue
            assert isinstance(field.verbose_name, Promise), f"{model.__name__}.{field.name} has an English-only label"


def test_admin_shows_yes_no_and_empty_values_in_words(hr, version):
    assignment = factories.assignment(factories.employee(), version, factories.requirement(version.policy))
    inspect = hr.get(reverse("assignments:inspect", args=[assignment.pk])).content.decode()
    assert not re.search(r"<dd>\s*None\s*</dd>", inspect)
    assert re.search(r"<dt>Started at</dt>\s*<dd>\s*—\s*</dd>", inspect)
    requirements = hr.get(reverse("requirements:index")).content.decode()
    assert not re.search(r">\s*True\s*<", requirements) and re.search(r">\s*Yes\s*<", requirements)


def test_exempting_is_offered_as_an_action(hr, version):
    assignment = factories.assignment(factories.employee(), version, factories.requirement(version.policy))
    listing = hr.get(reverse("assignments:index")).content.decode()
    assert "Grant exemption" in listing
    form = hr.get(reverse("assignments:exempt", args=[assignment.pk])).content.decode()
    assert '<button type="submit" class="button">Grant exemption</button>' in form


def test_roster_upload_calls_an_impossible_date_impossible(hr, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = team(2)
    rows[1]["hire_date"] = "2026-02-30"
    path = write_csv(tmp_path / "roster.csv", rows)
    response = hr.post(
        reverse("roster_import:upload"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "send_invitations": "on"},
    )
    html = response.content.decode()
    assert str(dates.ERROR_DATE_IMPOSSIBLE % {"value": "2026-02-30"}).replace("“", "&ldquo;") in html or (
        "is in the form YYYY-MM-DD but is not a real date" in html
    )
    assert "is not a date in the form YYYY-MM-DD" not in html
