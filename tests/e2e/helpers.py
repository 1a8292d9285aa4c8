"""What a person does in the browser, shared by the browser tests (fixtures live in conftest.py)."""


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
