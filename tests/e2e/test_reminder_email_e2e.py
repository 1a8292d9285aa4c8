"""A reminder travels the whole way: sent through a real SMTP server (aiosmtpd on localhost),
its link opened in a real browser, the employee signs in and lands on their training."""

import email
import email.policy
import os
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from attest.reminders import reminders_send
from tests import factories

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Mailbox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def test_reminder_link_signs_the_employee_in_and_opens_their_training(page, live_server, smtp_server, settings):
    mailbox, port = smtp_server
    version = factories.release(factories.published_policy())
    emma = factories.employee("Emma", "Wilson")
    assignment = factories.assignment(emma, version, due_on=timezone.localdate())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.WAGTAILADMIN_BASE_URL = live_server.url

    assert reminders_send()["employees"] == 1

    [message] = [m for m in mailbox.messages if m["To"] == emma.email]
    assert message["Subject"] == "Due today: “Social media policy”"
    text = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/training/\d+/", text).group(0)
    assert link == f"{live_server.url}/training/{assignment.pk}/"
    assert link in message.get_body(("html",)).get_content()

    page.goto(link)
    assert "/accounts/login/" in page.url
    page.fill("input[name=login]", emma.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(link)
    assert page.locator("h1").inner_text() == "Social media policy"
