"""The list of public pages that the accessibility tests walk (testkit/public_pages.py)
is complete and honest, and site.css keeps the reader's text size and motion
settings (issue 15, point 8)."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, clear_url_caches, path

from testkit import public_pages
from tipline import urls
from tipline.outreach import views

pytestmark = pytest.mark.django_db

SITE_CSS = Path(urls.__file__).parent / "static" / "tipline" / "site.css"


@pytest.fixture
def fetch(client, profile):
    def get(page: str) -> str:
        response = client.get(page)
        assert response.status_code == 200, f"GET {page}: {response.status_code}"
        return response.content.decode()

    return get


@pytest.fixture
def new_public_route(monkeypatch):
    """A public route with an argument that nobody gave an example for, as a
    helper adding /events/<slug>/ would leave it."""
    route: URLPattern = path("events/<slug:slug>/", views.home, name="event")
    monkeypatch.setattr(urls, "urlpatterns", [*urls.urlpatterns, route])
    clear_url_caches()
    yield route
    monkeypatch.undo()
    clear_url_caches()


def test_a_public_route_with_arguments_and_no_example_fails_loudly(
    fetch, new_public_route
):
    with pytest.raises(
        public_pages.RouteNotListed,
        match=r"/events/<slug:slug>/ \(event\).*add one to EXAMPLES in "
        r"testkit/public_pages.py",
    ):
        public_pages.public_pages(fetch)


def test_staff_api_and_language_routes_are_not_public():
    patterns = [route.pattern for route in public_pages.public_routes()]

    assert patterns, "the walk found no route at all"
    assert not [p for p in patterns if p.startswith(("staff/", "api/", "language/"))]
    assert "report/<slug:slug>/" in patterns
    assert "" in patterns


def test_every_listed_page_is_served_and_every_category_form_is_in(
    client, fetch, profile
):
    pages = public_pages.public_pages(fetch)

    for page in pages:
        response = client.get(page)
        # An unknown verification code is a page of its own, answered with a 404.
        assert response.status_code in {200, 404}, (page, response.status_code)
        assert "404.html" not in [t.name for t in response.templates], page
        assert "<h1>" in response.content.decode(), page
    forms = [p for p in pages if p.startswith("/report/") and p != "/report/"]
    active = profile.categories.filter(active=True)
    assert sorted(forms) == sorted(c.get_absolute_url() for c in active)
    assert {"/", "/report/", "/followup/", "/statistics/", "/verify/"} <= set(pages)
    assert len(pages) == len(set(pages))


def test_nothing_listed_as_not_a_page_serves_a_page_to_a_get(client, profile):
    routes = {route.name: route for route in public_pages.public_routes()}

    assert set(public_pages.NOT_PAGES) <= set(routes), "NOT_PAGES names a lost route"
    for name in public_pages.NOT_PAGES:
        if routes[name].has_arguments:
            continue  # the feed: XML for feed readers, tested in test_bulletins.py
        response = client.get(f"/{routes[name].pattern}")
        if response.status_code == 200:  # a file (CSS, PNG, text, signature)
            assert not response["Content-Type"].startswith("text/html"), name
        else:  # a form's target, a redirect, or a logo not uploaded yet
            assert response.status_code in {302, 303, 404, 405}, name


def test_site_css_sizes_text_in_relative_units():
    css = SITE_CSS.read_text()

    # px is fine for borders and outlines; text sizes follow the reader's setting.
    assert re.findall(r"font-size:\s*[\d.]+px", css) == []
    assert re.search(r"font:\s*[^;]*\d+px", css) is None
    assert "html { font-size: 100%; }" in css


def test_site_css_turns_motion_off_for_readers_who_ask():
    css = SITE_CSS.read_text()

    block = css[css.index("@media (prefers-reduced-motion: reduce)") :]
    assert "transition: none !important" in block
    assert "animation: none !important" in block
    assert "scroll-behavior: auto !important" in block
