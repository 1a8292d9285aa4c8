"""Real browser tests: Playwright driving Debian's Chromium against the live test server."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (scripts/test does).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def assert_accessible(page):
    """No serious or critical axe-core violations on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}: " + "; ".join(serious)


@pytest.fixture(autouse=True)
def site_root(request):
    """Live-server tests are transactional: the database is flushed after each one, and pytest-django
    reloads the migrated data (site root, locales, roles) only in some test orders. So reload the
    session's own snapshot (``migrated_data``) when it is gone. Its rows come back with their own
    ids, so the sequences are then moved past them (PostgreSQL would otherwise hand them out again)."""
    if not request.node.get_closest_marker("django_db"):
        return
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection
    from wagtail.models import Page

    snapshot = request.getfixturevalue("migrated_data")
    request.getfixturevalue("transactional_db")
    if not Page.objects.filter(depth=1).exists():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(snapshot)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)


def answer_quiz(page, user, correct=True):
    """Answer the open quiz attempt of ``user`` (in whatever language it was drawn), all right or all wrong."""
    from training.models import QuizAttempt

    attempt = QuizAttempt.objects.get(user=user, submitted_at__isnull=True)
    chapter = attempt.version.chapters.get(chapter_key=attempt.chapter_key, locale__language_code=attempt.locale_code)
    questions = {child.id: child.value for child in chapter.page.questions}
    for item in attempt.presented:
        options = questions[item["question"]]["options"]
        right = [i for i, option in enumerate(options) if option["is_correct"]]
        choice = right if correct else [next(i for i in range(len(options)) if i not in right)]
        for index in choice:
            page.check(f"#q-{item['question']}-{index}")
    page.click(".quiz button[type=submit]")


def read_and_pass(page, user):
    """On a chapter page: mark it read, then pass its quiz at the first attempt."""
    page.click(".chapter-done button[type=submit]")
    answer_quiz(page, user)
    assert "result-pass" in page.get_attribute(".result", "class"), page.inner_text("main")


def sign_attestation(page, typed_name, password):
    """On the signing page: type the name, confirm, give the password and sign."""
    page.fill("input[name=typed_name]", typed_name)
    page.check("input[name=confirm]")
    page.fill("input[name=password]", password)
    page.click(".sign-form button[type=submit]")


def download_certificate_text(page, tmp_path) -> str:
    """Download the certificate linked from the current page and return its text."""
    import io

    from pypdf import PdfReader

    with page.expect_download() as download_info:
        page.click("a[href*='/certificates/']")
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    return PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()
