"""Bad input to the Wagtail admin gets a message, never a 500: image files that do not decode, and
deletes of pages and people that kept records refer to (the records stay)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from PIL import Image as PillowImage
from wagtail.admin.utils import get_user_display_name
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.models import Page

from attest.models import Attestation
from cms.roles import POLICY_EDITORS
from cms.wagtail_hooks import ERROR_PAGE_KEEPS_RECORDS, ERROR_USER_KEEPS_RECORDS
from tests import factories
from training.models import ChapterPage, PolicyVersion, ReadingProgress

pytestmark = pytest.mark.django_db


def staff_client(account) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(account)
    return client


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root@example.com", "root@example.com", factories.PASSWORD)


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (40, 30), "red").save(buffer, "GIF")
    return buffer.getvalue()


NOT_AN_IMAGE = str(WagtailImageField().error_messages["invalid_image"])
BAD_IMAGES = {
    "GIF header, then garbage": b"GIF89a" + b"\x00garbage" * 20,
    "a text file named .gif": b"hello, this is not a picture\n",
    "a GIF cut short": gif_bytes()[:40],
}


@pytest.mark.parametrize("content", BAD_IMAGES.values(), ids=BAD_IMAGES.keys())
def test_an_image_that_does_not_decode_is_refused_with_a_message(db, content):
    client = staff_client(factories.user(groups=[POLICY_EDITORS]))
    single = client.post("/admin/images/add/", {"title": "Bad", "file": SimpleUploadedFile("bad.gif", content)})
    assert single.status_code == 200 and escape(NOT_AN_IMAGE) in single.content.decode()
    multiple = client.post("/admin/images/multiple/add/", {"files[]": SimpleUploadedFile("bad.gif", content)})
    assert multiple.status_code == 200
    assert multiple.json() == {"success": False, "error_message": NOT_AN_IMAGE}
    assert not get_image_model().objects.exists()


def test_a_real_image_still_uploads_and_its_details_can_be_edited(db):
    client = staff_client(factories.user(groups=[POLICY_EDITORS]))
    single = client.post("/admin/images/add/", {"title": "Red", "file": SimpleUploadedFile("red.gif", gif_bytes())})
    assert single.status_code == 302
    multiple = client.post("/admin/images/multiple/add/", {"files[]": SimpleUploadedFile("blue.gif", gif_bytes())})
    assert multiple.json()["success"] is True
    image_id = multiple.json()["image_id"]
    edited = client.post(
        f"/admin/images/multiple/{image_id}/", {f"image-{image_id}-title": "Blue", f"image-{image_id}-collection": "1"}
    )
    assert edited.json()["success"] is True
    assert sorted(get_image_model().objects.values_list("title", "width")) == [("Blue", 40), ("Red", 40)]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_person_with_training_records_cannot_be_deleted(superuser, emma_assignment):
    factories.finished(emma_assignment)
    user = emma_assignment.employee.user
    client = staff_client(superuser)
    expected = str(ERROR_USER_KEEPS_RECORDS) % {"user": get_user_display_name(user)}
    for method in ("get", "post"):
        response = getattr(client, method)(f"/admin/users/delete/{user.pk}/", follow=True)
        assert response.redirect_chain[0] == ("/admin/users/", 302), method
        assert messages_of(response) == [expected]
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert Attestation.objects.filter(user=user).count() == 1
    bulk = client.post(f"/admin/bulk/auth/user/delete/?id={user.pk}&next=/admin/users/", follow=True)
    assert bulk.redirect_chain[0] == ("/admin/users/", 302) and messages_of(bulk) == [expected]
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_a_person_without_records_can_still_be_deleted(superuser):
    stranger = factories.user()
    response = staff_client(superuser).post(f"/admin/users/delete/{stranger.pk}/")
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=stranger.pk).exists()


@pytest.mark.parametrize("which", ["chapter", "policy"])
def test_released_pages_cannot_be_deleted(superuser, emma_assignment, which):
    """A chapter a released version froze, or the policy above it: deleting either would take the
    version's chapters and everyone's reading progress."""
    factories.finished(emma_assignment)
    version = emma_assignment.version
    page = version.policy if which == "policy" else ChapterPage.objects.get(slug="one", locale__language_code="en")
    client = staff_client(superuser)
    expected = str(ERROR_PAGE_KEEPS_RECORDS) % {"title": page.title}
    parent = f"/admin/pages/{page.get_parent().id}/"
    for method in ("get", "post"):
        response = getattr(client, method)(f"/admin/pages/{page.pk}/delete/", follow=True)
        assert response.redirect_chain[0] == (parent, 302), method
        assert messages_of(response) == [expected]
    bulk = client.post(f"/admin/bulk/wagtailcore/page/delete/?id={page.pk}&next={parent}", follow=True)
    if which == "chapter":
        assert bulk.redirect_chain[0] == (parent, 302) and messages_of(bulk) == [expected]
    else:  # Wagtail's reference index already knows versions protect their policy, and refuses first
        assert bulk.status_code == 200 and bulk.redirect_chain[0] == ("/admin/", 302)
    assert Page.objects.filter(pk=page.pk).exists()
    assert PolicyVersion.objects.filter(pk=version.pk).exists()
    assert ReadingProgress.objects.filter(version=version).exists()


def test_a_chapter_no_version_froze_can_still_be_deleted(superuser, policy):
    chapter = ChapterPage.objects.get(slug="one", locale__language_code="en")
    response = staff_client(superuser).post(f"/admin/pages/{chapter.pk}/delete/")
    assert response.status_code == 302
    assert not Page.objects.filter(pk=chapter.pk).exists()
