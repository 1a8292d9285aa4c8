"""The sign-in, password-reset and set-password pages and the password-reset email: in the
product's design and the person's language, with a way onwards from every page."""

import re

import pytest
from django.core import mail
from django.test import Client

from cms.views import SIGNUP_CLOSED
from tests import factories

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_the_products_page_without_sign_up():
    html = Client().get("/accounts/login/").content.decode()
    assert 'href="/static/css/site.css"' in html or "css/site.css" in html
    assert '<meta name="description" content="Sign in to read the social-media policy' in html
    assert re.search(r'<label for="id_login">', html) and re.search(r'<label for="id_password">', html)
    assert '<button type="submit" class="button">Sign in</button>' in html
    assert 'href="/accounts/password/reset/"' in html
    assert "sign up" not in html.lower() and "/accounts/signup/" not in html
    assert "Menu:" not in html


def test_sign_up_sends_people_to_sign_in_with_the_reason():
    client = Client()
    response = client.get("/accounts/signup/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert str(SIGNUP_CLOSED) in client.get("/accounts/login/").content.decode()
    assert client.post("/accounts/signup/", {"email": "x@example.com", "password1": "x"}).status_code == 302


def test_wrong_password_is_said_in_the_form(db):
    emma = factories.employee()
    html = Client().post("/accounts/login/", {"login": emma.email, "password": "wrong"}).content.decode()
    assert 'class="message message-error" role="alert"' in html
    assert "The email address and/or password you specified are not correct." in html


def test_signed_in_message_greets_by_first_name_in_their_language(db):
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    client = Client()
    response = client.post("/accounts/login/", {"login": søren.email, "password": factories.PASSWORD}, follow=True)
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Søren" in html and "Successfully signed in" not in html


def test_password_reset_email_is_the_products_in_the_employees_language(db):
    from wagtail.models import Site

    from cms.models import CompanySettings

    settings_ = CompanySettings.for_site(Site.objects.get(is_default_site=True))
    settings_.company_name = "Northwind"
    settings_.save()
    ingrid = factories.employee("Ingrid", "Hansen", language="nb", email="ingrid@example.com")
    mail.outbox.clear()
    response = Client().post("/accounts/password/reset/", {"email": ingrid.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [ingrid.email]
    assert message.body.startswith("Hei Ingrid,")  # "Hello {{ name }}," is translated already
    assert "Northwind" in message.subject and not message.subject.startswith("[")
    assert "Northwind · " in message.body  # signed by the company
    assert "example.com!" not in message.body and "Hello from" not in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", message.body).group(1)

    client = Client()
    page = client.get(link, follow=True)
    html = page.content.decode()
    assert 'class="field' in html and 'class="button" name="action"' in html
    done = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"password1": "a-new-long-password-2026", "password2": "a-new-long-password-2026"},
        follow=True,
    )
    html = done.content.decode()
    assert "Your password is saved" in html
    assert 'href="/accounts/login/"' in html and 'class="button"' in html


def test_a_used_reset_link_says_so_and_offers_a_new_one():
    html = Client().get("/accounts/password/reset/key/1-set-password/", follow=True).content.decode()
    assert "This link no longer works" in html
    assert 'href="/accounts/password/reset/"' in html
