"""Several app servers, for real (issue 14): two gunicorn processes, each with its own TMPDIR,
sharing one SQLite database file, driven over HTTP with a signed-in session and CSRF tokens;
and media on S3-compatible storage, against moto's S3 server started here.

These run the product as deployed (``cms.settings.dev`` with ``STAFF_REQUIRE_MFA=0``), not
pytest-django's test database, so they build their own database once per module."""

import io
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from html import unescape
from pathlib import Path

import pytest
import requests
from django.urls import reverse

from attest import roster
from tests.attest.factories import team, write_csv
from tests.attest.hostile_workbooks import last_column_workbook

# The session's own fixtures (tests/conftest.py) expect the test database to exist.
pytestmark = pytest.mark.django_db

VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "two-servers-2026"
HR_EMAIL, EDITOR_EMAIL = "hr@example.com", "editor@example.com"
BUCKET = "policy-media"
SETUP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from cms.roles import HR
User = get_user_model()
hr = User.objects.create_user(username="{HR_EMAIL}", email="{HR_EMAIL}", password="{PASSWORD}")
hr.groups.add(Group.objects.get(name=HR))
User.objects.create_superuser(username="{EDITOR_EMAIL}", email="{EDITOR_EMAIL}", password="{PASSWORD}")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited: {process.stdout.read().decode(errors='replace')}")
        try:
            if requests.get(url, timeout=15).status_code < 500:
                return
        except requests.RequestException:  # not listening yet, or still loading the app
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A migrated SQLite file with an HR person and an editor, and the environment of the
    product's processes."""
    folder = tmp_path_factory.mktemp("deployment")
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "DATABASE_URL"))},
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"sqlite:///{folder / 'shared.sqlite3'}",
        "STAFF_REQUIRE_MFA": "0",
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    manage = [str(VENV_BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run([*manage, "shell", "-v", "0", "-c", SETUP], cwd=ROOT, env=env, check=True)  # noqa: S603
    return {"folder": folder, "env": env, "database": folder / "shared.sqlite3"}


class AppServer:
    """One gunicorn process of the product on a free port."""

    def __init__(self, env: dict, tmpdir: Path):
        tmpdir.mkdir(parents=True, exist_ok=True)
        self.tmpdir = tmpdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603
            [str(VENV_BIN / "gunicorn"), "cms.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"]
            + ["--timeout", "60"],
            cwd=ROOT,
            env={**env, "TMPDIR": str(tmpdir)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{self.url}/healthz", self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def servers(deployment, tmp_path):
    started = []
    try:
        for name in ("a", "b"):
            started.append(AppServer(deployment["env"], tmp_path / f"tmp-{name}"))
        yield started
    finally:
        for server in started:
            server.stop()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(session: requests.Session, server: AppServer, email: str) -> None:
    page = session.get(f"{server.url}/accounts/login/")
    response = session.post(
        f"{server.url}/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": page.url},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]


def post_form(session, url: str, data: dict, files: dict) -> requests.Response:
    """GET the form (for its CSRF token), then POST it, on the server ``url`` names."""
    page = session.get(url)
    assert page.status_code == 200, page.status_code
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": csrf_token(page.text)},
        files=files,
        headers={"Referer": url},
        allow_redirects=False,
    )


def employees(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {row[0] for row in connection.execute("SELECT employee_id FROM attest_employee")}


def test_roster_previewed_on_one_server_is_confirmed_on_another(deployment, servers, tmp_path):
    a, b = servers
    session = requests.Session()
    sign_in(session, a, HR_EMAIL)
    upload_url = reverse("roster_import:upload")
    content = write_csv(tmp_path / "roster.csv", team(3)).read_bytes()

    preview = post_form(session, f"{a.url}{upload_url}", {}, {"file": ("roster.csv", content, "text/csv")})
    assert preview.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    assert not employees(deployment["database"])

    confirm = session.post(
        f"{b.url}{reverse('roster_import:confirm')}",
        data={"token": token, "csrfmiddlewaretoken": csrf_token(preview.text)},
        headers={"Referer": f"{b.url}{upload_url}"},
        allow_redirects=False,
    )
    assert confirm.status_code == 302 and confirm.headers["Location"] == reverse("employees:index")
    assert employees(deployment["database"]) == {row["employee_id"] for row in team(3)}
    listing = session.get(f"{b.url}{reverse('employees:index')}")
    assert "Roster imported: 3 created" in unescape(listing.text)
    for server in servers:  # nothing was staged on either server's disk
        assert not any(server.tmpdir.rglob("*.csv")), list(server.tmpdir.rglob("*"))

    started = time.perf_counter()
    refused = post_form(
        session, f"{a.url}{upload_url}", {}, {"file": ("roster.xlsx", last_column_workbook(), "application/zip")}
    )
    took = time.perf_counter() - started
    print(f"HTTP upload of the XFD workbook (0.9 MB): refused in {took:.3f} s")
    assert refused.status_code == 200
    assert str(roster.ERROR_TOO_MANY_COLUMNS % {"column": "XFD", "limit": 64}) in unescape(refused.text)
    assert took < 10


# --- Media on S3-compatible storage ---------------------------------------------------------------


@pytest.fixture
def s3(tmp_path):
    """moto's standalone S3 server on a free port, with an empty bucket."""
    moto_server = shutil.which("moto_server", path=str(VENV_BIN))
    if moto_server is None:
        pytest.fail("moto_server is missing: install requirements-dev.txt (moto[server]).")
    import boto3

    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [moto_server, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for(f"{endpoint}/moto-api/", process)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )
        client.create_bucket(Bucket=BUCKET)
        yield {"endpoint": endpoint, "client": client}
    finally:
        process.terminate()
        process.wait(timeout=20)


def bucket_keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_images_and_documents_uploaded_in_the_admin_live_on_s3(deployment, s3, tmp_path):
    env = {
        **deployment["env"],
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3["endpoint"],
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    server = AppServer(env, tmp_path / "tmp")
    try:
        session = requests.Session()
        sign_in(session, server, EDITOR_EMAIL)
        pdf = b"%PDF-1.4\n% social media policy handout\n%%EOF\n"
        response = post_form(
            session,
            f"{server.url}{reverse('wagtaildocs:add')}",
            {"title": "Handout", "collection": "1"},
            {"file": ("handout.pdf", pdf, "application/pdf")},
        )
        assert response.status_code == 302, response.text[:3000]
        response = post_form(
            session,
            f"{server.url}{reverse('wagtailimages:add')}",
            {"title": "Banner", "collection": "1"},
            {"file": ("banner.png", png(), "image/png")},
        )
        assert response.status_code == 302, response.text[:3000]

        keys = bucket_keys(s3["client"])
        assert "media/documents/handout.pdf" in keys and "media/original_images/banner.png" in keys, keys
        assert not (deployment["folder"] / "media").exists() or not any((deployment["folder"] / "media").rglob("*.*"))

        with sqlite3.connect(deployment["database"]) as connection:
            document_id = connection.execute("SELECT id FROM wagtaildocs_document WHERE title='Handout'").fetchone()[0]
            image_id = connection.execute("SELECT id FROM wagtailimages_image WHERE title='Banner'").fetchone()[0]
        served = session.get(f"{server.url}/documents/{document_id}/handout.pdf")
        assert served.status_code == 200 and served.content == pdf
        assert served.url.startswith(s3["endpoint"]), served.url  # a signed link to the bucket

        edit = session.get(f"{server.url}{reverse('wagtailimages:edit', args=[image_id])}")
        assert edit.status_code == 200
        rendition = next(
            unescape(url)
            for url in re.findall(r'src="([^"]+)"', edit.text)
            if url.startswith(s3["endpoint"]) and "/images/" in url
        )
        image = requests.get(rendition, timeout=10)
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert any(key.startswith("media/images/banner") for key in bucket_keys(s3["client"]))
    finally:
        server.stop()
