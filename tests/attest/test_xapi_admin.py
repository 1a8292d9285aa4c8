"""HR's list of xAPI statements: read-only, with the store's answer, and a retry for refused ones."""

import httpx
import pytest
from django.test import Client

from cms.roles import HR, POLICY_EDITORS
from tests import factories
from training.models import XapiStatement, XapiStatementStatus
from training.services import reading_record
from training.xapi.outbox import outbox_send


@pytest.fixture
def refused(settings, emma_assignment):
    settings.XAPI_LRS_ENDPOINT = "http://lrs.test/xAPI"
    from attest.selectors import assignment_progress

    chapter = assignment_progress(emma_assignment).chapters[0].chapter
    reading_record(user=emma_assignment.employee.user, chapter=chapter)
    reading_record(user=emma_assignment.employee.user, chapter=chapter)
    bad, good = XapiStatement.objects.order_by("created_at", "id")

    def answer(request):
        if str(bad.pk) in request.content.decode():
            return httpx.Response(400, json={"detail": "Invalid verb"})
        return httpx.Response(200, json=[])

    outbox_send(client=httpx.Client(transport=httpx.MockTransport(answer)))
    return XapiStatement.objects.get(pk=bad.pk)


def _client(groups):
    client = Client()
    client.force_login(factories.user(groups=groups))
    return client


def test_hr_sees_the_refusal_and_sends_it_again(refused, django_capture_on_commit_callbacks, monkeypatch):
    hr = _client([HR])
    page = hr.get("/admin/xapi_statements/").content.decode()
    assert "HTTP 400: {&quot;detail&quot;:&quot;Invalid verb&quot;}" in page
    assert f"/admin/xapi_statements/retry/{refused.pk}/" in page and "Retry refused statements" in page
    assert "/admin/xapi_statements/new/" not in page and "/edit/" not in page
    assert hr.get(f"/admin/xapi_statements/inspect/{refused.pk}/").status_code == 200

    confirm = hr.get(f"/admin/xapi_statements/retry/{refused.pk}/").content.decode()
    assert "Send it again once the cause is fixed?" in confirm
    sent = []
    monkeypatch.setattr(
        "training.xapi.outbox._client",
        lambda: httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json=[]))),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(f"/admin/xapi_statements/retry/{refused.pk}/", follow=True)
    assert "1 statement will be sent again." in response.content.decode()
    refused.refresh_from_db()
    assert refused.status == XapiStatementStatus.SENT and len(sent) == 1
    assert hr.post("/admin/xapi_statements/retry/").status_code == 302  # nothing left: harmless


def test_only_hr_reaches_the_list_and_the_retry(refused):
    editor = _client([POLICY_EDITORS])
    assert editor.get("/admin/xapi_statements/").status_code in (302, 403)
    assert editor.post(f"/admin/xapi_statements/retry/{refused.pk}/").status_code in (302, 403)
    refused.refresh_from_db()
    assert refused.status == XapiStatementStatus.FAILED
    employee = Client()
    employee.force_login(refused_user := factories.user())
    assert refused_user and employee.post("/admin/xapi_statements/retry/").status_code in (302, 403)
