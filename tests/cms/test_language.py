"""The interface follows the employee's language from the roster, and the person can switch it."""

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def sign_in(client, employee):
    response = client.post("/accounts/login/", {"login": employee.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_language_follows_the_roster_after_login(db):
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    client = Client()
    sign_in(client, søren)
    assert '<html lang="da">' in client.get("/").content.decode()


def test_person_can_switch_language(db):
    josé = factories.employee("José", "Núñez", language="es", email="jose@example.com")
    client = Client()
    sign_in(client, josé)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_unknown_language_falls_back_to_english(db):
    person = factories.employee()
    client = Client()
    sign_in(client, person)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="xx")
    assert '<html lang="en">' in response.content.decode()
