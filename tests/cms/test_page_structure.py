"""Page structure screen readers and search engines rely on: an unbroken heading outline in
chapters, aria-describedby pointing at something real, and a description on every page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(employee) -> Client:
    client = Client()
    client.force_login(employee.user)
    return client


def heading_levels(html: str) -> list[int]:
    main = html[html.index("<main") : html.index("</main>")]
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", main)]


def description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', html).group(1)


@pytest.fixture
def demo_assignment():
    """The first demo chapter: sections in rich text, then Do/Don't, Example and Scenario blocks."""
    version = factories.release(factories.published_policy(factories.demo_spec("en", chapters=1)))
    return factories.assignment(factories.employee(), version)


def test_chapter_headings_never_skip_a_level(demo_assignment):
    client = signed_in(demo_assignment.employee)
    html = client.get(reverse("chapter", args=[demo_assignment.pk, "who-may-speak"])).content.decode()
    levels = heading_levels(html)
    assert levels[0] == 1 and levels.count(1) == 1
    assert 2 in levels and 3 in levels, levels  # sections, and the blocks inside them
    assert all(later <= earlier + 1 for earlier, later in zip(levels, levels[1:], strict=False)), levels
    assert "<h3>Talking about Northwind" not in html and "<h2>Talking about Northwind" in html
    assert description(html).startswith(demo_assignment.version.policy.get_children().first().specific.intro[:40])


def test_team_page_describes_fields_with_elements_that_exist(db):
    manager = factories.employee("Marcus", "Berg")
    factories.employee("Mette", "Late", manager=manager)
    html = signed_in(manager).get("/team/").content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described, "the as-of field has help text"
    for ids in described:
        for target in ids.split():
            assert f'id="{target}"' in html, target


def test_pages_have_their_own_description(demo_assignment):
    client = signed_in(demo_assignment.employee)
    home = description(client.get("/").content.decode())
    assignment = description(client.get(reverse("assignment", args=[demo_assignment.pk])).content.decode())
    login = description(Client().get("/accounts/login/").content.decode())
    assert home and assignment and login
    assert len({home, assignment, login}) == 3
    assert "Social media policy" in assignment
