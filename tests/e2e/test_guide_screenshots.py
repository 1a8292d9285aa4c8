"""The screenshots of the user guides (docs/*.md), taken by walking each guide's journey on the real
pages with demo-like data. The journeys always run, so a guide whose steps no longer work fails
here; the pictures are written into docs/images/ only with UPDATE_GUIDE_SCREENSHOTS=1
(scripts/guide-screenshots), otherwise into a temporary directory. Every image a guide shows must
be one this test takes."""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from PIL import Image

from attest.identity import identity_change_request
from attest.models import Assignment, IdentityChange
from cms.models import CompanySettings
from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from tests.e2e.helpers import answer_quiz, read_and_pass, sign_attestation, sign_in
from training.models import ChapterPage, PolicyVersion

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor == "postgresql",
        reason="checks what people see, which the database does not change: run once, on SQLite",
    ),
]

DOCS = Path(settings.BASE_DIR) / "docs"
GUIDES = ["employee.md", "manager.md", "hr.md", "editor.md"]
PHONE = {"width": 390, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
NEW_RULE = "Filming in stores needs the store manager's written approval."


@pytest.fixture
def shots(tmp_path):
    target = DOCS / "images" if os.environ.get("UPDATE_GUIDE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    taken = []

    def shoot(page, name, viewport=DESKTOP, at=None):
        page.set_viewport_size(viewport)
        page.wait_for_load_state()
        if at:  # start the picture at this element rather than at the top of the page
            page.locator(at).first.evaluate("el => { el.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }")
        path = target / f"{name}.png"
        page.screenshot(path=str(path))
        with Image.open(path) as image:  # a 256-colour palette keeps the committed files small
            image.convert("RGB").quantize(colors=256).save(path, optimize=True)
        taken.append(f"{name}.png")

    shoot.taken = taken
    return shoot


def organisation():
    """A small Northwind: the demo policy in English and Danish, a manager with two reports, HR,
    an editor and a legal reviewer, version 1.0 released and partly signed."""
    policy = factories.translated_policy(("da",), chapters=2)
    first = factories.release(policy, key_changes="First release of the social-media policy.")
    CompanySettings.objects.update(company_name="Northwind Outfitters", hr_contact_email="hr@northwind.example")
    editor = factories.user(
        email="oliver.grant@northwind.example", groups=[POLICY_EDITORS], first_name="Oliver", last_name="Grant"
    )
    reviewer = factories.user(
        email="claire.dubois@northwind.example", groups=[LEGAL_REVIEWERS], first_name="Claire", last_name="Dubois"
    )
    hr = factories.user(email="ingrid.hansen@northwind.example", groups=[HR], first_name="Ingrid", last_name="Hansen")
    second_hr = factories.user(email="henrik.dahl@northwind.example", groups=[HR], first_name="Henrik")
    refresher = factories.requirement(policy, name="Annual refresher", due_date=datetime.date(2030, 1, 31))
    marcus = factories.employee("Marcus", "Berg", email="marcus.berg@northwind.example", location="Oslo")
    emma = factories.employee("Emma", "Wilson", manager=marcus, email="emma.wilson@northwind.example")
    noah = factories.employee("Noah", "Clarke", manager=marcus, email="noah.clarke@northwind.example")
    sofia = factories.employee(
        "Sofia", "Lind", manager=marcus, language="da", email="sofia.lind@northwind.example", location="Copenhagen"
    )
    for person in (marcus, sofia):
        factories.finished(factories.assignment(person, first, refresher))
    factories.assignment(emma, first, refresher)
    factories.assignment(noah, first, refresher, due_on=datetime.date(2026, 11, 20))
    identity_change_request(employee=noah, new_email="noah.clarke@northwind.example.com", by=second_hr)
    return {"policy": policy, "editor": editor, "reviewer": reviewer, "hr": hr, "emma": emma, "marcus": marcus}


def employee_journey(page, shoot, emma):
    sign_in(page, emma.email, factories.PASSWORD)
    shoot(page, "employee-my-training", PHONE)
    page.click("main a.button")  # Start: the first chapter
    shoot(page, "employee-chapter", PHONE)
    page.click(".chapter-done button[type=submit]")
    shoot(page, "employee-quiz", PHONE)
    answer_quiz(page, emma.user, correct=False)
    shoot(page, "employee-quiz-failed", PHONE)
    page.click("main a.button[href$='/quiz/']")
    answer_quiz(page, emma.user)
    page.click("main a.button[href*='/chapters/']")  # Next: the second chapter
    read_and_pass(page, emma.user)
    page.click("main a.button[href$='/sign/']")
    page.fill("input[name=typed_name]", emma.full_name)
    page.check("input[name=confirm]")
    shoot(page, "employee-sign", PHONE)
    sign_attestation(page, emma.full_name, factories.PASSWORD)
    assert page.locator(".messages").count() == 1
    shoot(page, "employee-signed", PHONE)
    page.goto("/training/transcript/")
    shoot(page, "employee-transcript")


def manager_journey(page, shoot, marcus):
    sign_in(page, marcus.email, factories.PASSWORD)
    page.get_by_role("link", name="My team").click()
    assert "Noah Clarke" in page.inner_text("main")
    shoot(page, "manager-team", at="#as-of")
    page.goto("/team/people/?status=overdue")
    assert "Noah Clarke" in page.inner_text("table")
    shoot(page, "manager-people")


def hr_journey(page, shoot, hr, tmp_path):
    sign_in(page, hr.email, factories.PASSWORD)
    page.goto("/admin/roster_import/")
    shoot(page, "hr-roster-upload")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_id,email,first_name,last_name,department,location,manager_employee_id,hire_date,language,track,status\n"
        "E2001,lena.holm@northwind.example,Lena,Holm,Retail,Oslo,,2026-11-30,nb,all,active\n"
        "E2002,not-an-email,Tariq,Aziz,Retail,Oslo,,2026-11-30,en,all,active\n",
        encoding="utf-8",
    )
    page.set_input_files("input[type=file]", str(roster))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "“not-an-email” is not a valid email address." in page.inner_text("main")
    shoot(page, "hr-roster-preview")
    page.goto("/admin/requirements/")
    assert "Annual refresher" in page.inner_text("main")
    shoot(page, "hr-requirements")
    page.goto("/admin/requirements/new/")
    shoot(page, "hr-requirement-form")
    page.get_by_role("link", name="Compliance").first.click()
    page.wait_for_url("**/admin/compliance/")
    shoot(page, "hr-dashboard", at="#as-of")
    page.goto("/admin/compliance/people/?status=overdue")
    assert "Noah Clarke" in page.inner_text("main")
    shoot(page, "hr-drill-down")
    page.goto("/admin/assignments/?status=overdue")
    shoot(page, "hr-assignments")
    noah_assignment = page.locator("main table tbody tr", has_text="Noah Clarke").first
    assert noah_assignment.count() == 1
    overdue = Assignment.objects.get(employee__last_name="Clarke")
    page.goto(f"/admin/assignments/{overdue.pk}/quiz-attempts/")
    shoot(page, "hr-quiz-attempts")
    page.goto("/admin/identity_changes/")
    reference = IdentityChange.objects.get().reference
    page.get_by_role("link", name=reference).click()
    page.wait_for_load_state()
    assert page.locator("button[name=approve]").count() == 1
    shoot(page, "hr-email-change")


def editor_journey(page, shoot, editor, reviewer, policy):
    chapter = ChapterPage.objects.get(locale__language_code="en", slug="who-may-speak")
    sign_in(page, editor.email, factories.PASSWORD)
    page.goto(f"/admin/pages/{chapter.pk}/edit/")
    page.locator(".w-dropdown--dropdown-button").first.scroll_into_view_if_needed()
    shoot(page, "editor-chapter-edit")
    page.fill("#id_intro", "Only trained spokespeople speak in Northwind's name, in stores too.")
    page.click(".w-dropdown--dropdown-button .w-dropdown__toggle")
    page.wait_for_timeout(500)  # the menu fades in
    shoot(page, "editor-submit")
    page.click("button[name=action-submit]")
    page.wait_for_load_state()
    assert "submitted" in page.inner_text(".messages").lower()

    page.context.clear_cookies()
    sign_in(page, reviewer.email, factories.PASSWORD)
    page.goto(f"/admin/pages/{chapter.pk}/edit/")
    page.click(".w-dropdown--dropdown-button .w-dropdown__toggle")
    page.wait_for_timeout(500)
    shoot(page, "editor-legal-review")
    page.click("button[data-workflow-action-url*='approve'], button:has-text('Approve')")
    page.wait_for_load_state()
    if page.locator("form[action*='workflow/action'] button[type=submit]").count():
        page.locator("form[action*='workflow/action'] button[type=submit]").first.click()
        page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.w-dialog[open], dialog[open]')", timeout=5000)
    assert ChapterPage.objects.get(pk=chapter.pk).intro.startswith("Only trained")

    page.goto("/admin/policy_versions/new/")
    page.select_option("#id_policy", str(policy.pk))
    page.fill("#id_number", "2.0")
    page.fill("#id_effective_date", "2026-12-15")
    page.fill("#id_key_changes", "Spokespeople rule now covers stores")
    page.check("#id_requires_reattestation")
    shoot(page, "editor-release-form")
    submit = "button[type=submit]:has-text('Create'), button[type=submit]:has-text('Save')"
    page.click(submit)
    page.wait_for_load_state()
    warning = page.locator("[data-lagging-language=da]")
    assert warning.count() == 1, "the Danish translation lags the changed English chapter"
    shoot(page, "editor-lagging-language", at="[data-lagging-language=da]")
    page.check("input[name=lagging_da][value=hold_back]")
    page.click(submit)
    page.wait_for_load_state()
    version = PolicyVersion.objects.get(number="2.0")
    assert version.held_back_languages == ["da"]
    page.goto(f"/admin/policy_versions/inspect/{version.pk}/")
    shoot(page, "editor-version")


def test_guide_journeys_and_their_screenshots(browser, live_server, shots, tmp_path):
    data = organisation()

    def fresh_page():
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return context, page

    for journey, args in [
        (employee_journey, (data["emma"],)),
        (manager_journey, (data["marcus"],)),
        (hr_journey, (data["hr"], tmp_path)),
        (editor_journey, (data["editor"], data["reviewer"], data["policy"])),
    ]:
        context, page = fresh_page()
        try:
            journey(page, shots, *args)
        finally:
            context.close()

    referenced = set()
    for guide in GUIDES:
        text = (DOCS / guide).read_text(encoding="utf-8")
        referenced |= set(re.findall(r"\]\(images/([\w.-]+\.png)\)", text))
    assert referenced, "the guides show screenshots"
    missing = referenced - set(shots.taken)
    assert not missing, f"images the guides show but this test does not take: {sorted(missing)}"
    unused = set(shots.taken) - referenced
    assert not unused, f"screenshots no guide shows: {sorted(unused)}"
    on_disk = {path.name for path in (DOCS / "images").glob("*.png")}
    assert referenced <= on_disk, f"not committed in docs/images/: {sorted(referenced - on_disk)}"
