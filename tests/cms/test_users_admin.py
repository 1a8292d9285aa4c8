"""Wagtail's Users admin cannot retarget an employee's login: the sign-in email changes only on
the employee record, where a used account's change needs a second HR person."""

import pytest
from django.test import Client
from django.utils.html import escape

from cms.users import ERROR_EMAIL_ON_EMPLOYEE_RECORD
from tests import factories

pytestmark = pytest.mark.django_db


def superuser_client():
    client = Client()
    client.force_login(factories.user(is_superuser=True, is_staff=True))
    return client


def edit_form(account, email):
    return {
        "username": account.username,
        "email": email,
        "first_name": account.first_name or "First",
        "last_name": account.last_name or "Last",
        "password1": "",
        "password2": "",
        "is_active": "on",
    }


def test_a_superuser_cannot_change_an_employees_sign_in_email_in_the_users_admin(emma):
    account = emma.user
    response = superuser_client().post(f"/admin/users/edit/{account.pk}/", edit_form(account, "attacker@example.com"))
    assert response.status_code == 200
    assert escape(str(ERROR_EMAIL_ON_EMPLOYEE_RECORD)) in response.content.decode()
    account.refresh_from_db()
    emma.refresh_from_db()
    assert account.email == emma.email != "attacker@example.com"


def test_other_fields_of_an_employees_login_still_save(emma):
    account = emma.user
    form = {**edit_form(account, account.email), "first_name": "Emmeline"}
    response = superuser_client().post(f"/admin/users/edit/{account.pk}/", form)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.first_name == "Emmeline"


def test_a_staff_login_without_an_employee_record_can_change_its_email(db):
    staff = factories.user(email="editor@example.com")
    response = superuser_client().post(f"/admin/users/edit/{staff.pk}/", edit_form(staff, "editor2@example.com"))
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.email == "editor2@example.com"
