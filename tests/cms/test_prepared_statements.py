"""The employee journey's views run prepared statements on PostgreSQL; nothing else does."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cms.roles import POLICY_EDITORS
from tests import factories
from tests.attest.steps import do_chapter, login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_signing_page_queries_are_prepared_and_the_connection_is_put_back(emma_assignment):
    from django.db.backends.postgresql.base import Cursor

    client = login(emma_assignment.employee)
    for slug in ["one", "two"]:
        do_chapter(client, emma_assignment, slug)
    for _ in range(6):
        assert client.get(reverse("sign", args=[emma_assignment.pk])).status_code == 200
    statements = prepared_statements()
    assert any('FROM "attest_assignment"' in sql for sql in statements)
    assert any('FROM "training_readingprogress"' in sql for sql in statements)
    assert connection.connection.cursor_factory is Cursor


def test_admin_queries_stay_client_bound_after_a_journey_view(emma_assignment):
    """PostgreSQL refuses this Wagtail settings query with server-side binding (DISTINCT with an
    ORDER BY repeating a parameter): it must still work on a connection the journey used."""
    login(emma_assignment.employee).get(reverse("sign", args=[emma_assignment.pk]))
    editor = Client(raise_request_exception=False)
    editor.force_login(factories.user(groups=[POLICY_EDITORS]))
    response = editor.get("/admin/settings/cms/companysettings/")
    assert response.status_code == 302
