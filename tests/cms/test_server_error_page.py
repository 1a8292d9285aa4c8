"""The 500 page speaks the reader's language like every other page (it was hard-coded English)."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_the_server_error_page_is_in_the_current_language():
    with translation.override("fr"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in html
    with translation.override("fr"):
        assert translation.gettext("Back to my training") in html
    assert "Back to my training" not in html
