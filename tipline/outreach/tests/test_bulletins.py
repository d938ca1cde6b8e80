"""/news/, a bulletin's page and the Atom feed (issue 15, point 5): drafts and
bulletins not yet due are nowhere public, hostile Markdown is harmless on the
page and in the feed, and the feed is valid Atom in one language."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import timezone

from testkit.helpers import foreign_scripts
from tipline.profiles import bulletins
from tipline.profiles.bulletins import BulletinText

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HOSTILE = """## Beware

<script>alert("page")</script>

[Click me](javascript:alert(1)) and [data](data:text/html,hi)

![tracker](https://tracker.example/pixel.png)

<img src="https://tracker.example/raw.png" onerror="alert(2)">

[The official advice](https://www.example.org/advice)
"""


def write(profile, *, publish=True, **changes):
    fields = {
        "language": "en",
        "slug": "fake-recruiters",
        "title": "Fake recruiters & <b>friends</b>",
        "summary": "How to tell <i>a real</i> job offer from an approach.",
        "body": "An offer that is **too good**.",
    }
    bulletin = bulletins.create_bulletin(
        profile=profile, text=BulletinText(**{**fields, **changes})
    )
    if publish:
        bulletins.publish_bulletin(bulletin=bulletin)
    return bulletin


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def tags_in(html: str) -> list[tuple[str, dict]]:
    """Every element of ``html`` with its attributes, as a browser parses it."""
    parser = Tags()
    parser.feed(html)
    return parser.found


def feed(client, language="en"):
    response = client.get(f"/news/feed/{language}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    # Our own feed, from the test server: not untrusted input.
    return ET.fromstring(response.content)  # noqa: S314 - our own feed, just made


def test_drafts_and_future_bulletins_are_nowhere_public(client, profile):
    write(profile, publish=False, slug="draft-one", title="Secret draft")
    later = write(profile, publish=False, slug="later-one", title="Not yet")
    bulletins.schedule_bulletin(bulletin=later, at=timezone.now() + timedelta(days=1))

    for slug in ("draft-one", "later-one", "no-such-one"):
        assert client.get(f"/news/{slug}/").status_code == 404
        assert client.get(f"/news/{slug}/?in=zh-hans").status_code == 404
    listing = client.get("/news/").content.decode()
    assert "Secret draft" not in listing
    assert "Not yet" not in listing
    assert "No news yet." in listing
    assert feed(client).findall(f"{ATOM}entry") == []


def test_a_scheduled_bulletin_appears_on_the_first_request_after_its_time(
    client, profile
):
    later = write(profile, publish=False, title="Scheduled news")
    bulletins.schedule_bulletin(bulletin=later, at=timezone.now() + timedelta(hours=1))
    assert client.get("/news/fake-recruiters/").status_code == 404

    with time_machine.travel(timedelta(hours=1, seconds=1)):
        assert client.get("/news/fake-recruiters/").status_code == 200
        assert "Scheduled news" in client.get("/news/").content.decode()
        assert len(feed(client).findall(f"{ATOM}entry")) == 1


def test_hostile_markdown_is_harmless_on_the_page_and_in_the_feed(client, profile):
    write(profile, body=HOSTILE)

    page = client.get("/news/fake-recruiters/").content.decode()
    article = page[page.index('<div class="bulletin-body">') :]
    article = article[: article.index("</article>")]
    tags = tags_in(article)
    assert {tag for tag, _ in tags} <= {"div", "h2", "p", "a"}
    assert [attrs for tag, attrs in tags if tag == "a"] == [
        {"href": "https://www.example.org/advice", "rel": "noopener noreferrer"}
    ]
    # What was not a safe link or was raw HTML is left as words to read.
    assert "[Click me](javascript:alert(1))" in article
    assert "&lt;script&gt;" in article
    # The title and summary are text, escaped like any other.
    assert "Fake recruiters &amp; &lt;b&gt;friends&lt;/b&gt;" in page

    (entry,) = feed(client).findall(f"{ATOM}entry")
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert tags_in(content.text) == [
        (tag, attrs) for tag, attrs in tags if tag != "div"
    ]
    assert entry.find(f"{ATOM}title").text == "Fake recruiters & <b>friends</b>"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "How to tell <i>a real</i> job offer from an approach."


def test_the_feed_is_atom_in_one_language_with_absolute_links(client, profile):
    write(profile)
    write(profile, language="zh-hans", slug="jia-zhaopin", title="网上的假招聘")
    write(profile, publish=False, slug="draft-one", title="Secret draft")

    english = feed(client)
    assert english.tag == f"{ATOM}feed"
    assert english.get(XML_LANG) == "en"
    assert english.find(f"{ATOM}title").text.endswith(": News")
    assert english.find(f"{ATOM}updated").text
    links = {link.get("rel"): link.get("href") for link in english.iter(f"{ATOM}link")}
    assert links["self"] == "http://testserver/news/feed/en/"
    (entry,) = english.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == (
        "http://testserver/news/fake-recruiters/?in=en"
    )
    assert entry.find(f"{ATOM}published").text
    assert entry.find(f"{ATOM}id").text

    chinese = feed(client, "zh-hans")
    assert chinese.get(XML_LANG) == "zh-hans"
    titles = [e.find(f"{ATOM}title").text for e in chinese.findall(f"{ATOM}entry")]
    assert titles == ["网上的假招聘"]


def test_an_unknown_feed_language_is_not_found(client, profile):
    assert client.get("/news/feed/xx/").status_code == 404
    assert client.get("/news/feed/%3Cscript%3E/").status_code == 404


def test_the_feed_is_advertised_on_every_public_page_in_its_language(client, profile):
    write(profile)
    for path in ("/", "/report/", "/news/", "/news/fake-recruiters/", "/verify/"):
        html = client.get(path).content.decode()
        assert (
            '<link rel="alternate" type="application/atom+xml" hreflang="en"'
        ) in html, path
        assert 'href="/news/feed/en/">' in html, path
    chinese = client.get("/news/", headers={"accept-language": "zh-CN"})
    assert 'href="/news/feed/zh-hans/">' in chinese.content.decode()
    home = client.get("/").content.decode()
    assert home.count('href="/news/"') == 2  # on the page and in the footer


def test_news_feed_sends_the_reader_to_their_language(client, profile):
    response = client.get("/news/feed/", headers={"accept-language": "zh-CN"})

    assert response.status_code == 302
    assert response["Location"] == "/news/feed/zh-hans/"


def test_the_list_is_in_the_reader_language_newest_first_and_paginated(
    client, profile, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(12):
        bulletin = write(profile, publish=False, slug=f"item-{n}", title=f"Item {n}")
        bulletins.publish_bulletin(bulletin=bulletin, now=now - timedelta(hours=n))
    write(profile, language="zh-hans", slug="zhong", title="中文新闻")

    with django_assert_max_num_queries(6):
        first = client.get("/news/").content.decode()
    assert first.index("Item 0") < first.index("Item 9")
    assert "Item 10" not in first
    assert "中文新闻" not in first
    assert "Page 1 of 2" in first
    second = client.get("/news/?page=2").content.decode()
    assert "Item 11" in second
    assert client.get("/news/?page=zzz").status_code == 200
    chinese = client.get("/news/", headers={"accept-language": "zh-CN"})
    assert "中文新闻" in chinese.content.decode()
    assert "Item 0" not in chinese.content.decode()


def test_a_bulletin_links_to_its_report_form_and_its_translation(client, profile):
    english = write(profile, category_slug="approach")
    write(
        profile,
        language="zh-hans",
        title="网上的假招聘",
        translation_of=english,
    )

    page = client.get("/news/fake-recruiters/").content.decode()
    assert 'id="report-link" href="/report/approach/"' in page
    assert 'href="/news/fake-recruiters/?in=zh-hans" lang="zh-hans"' in page
    # The same slug in both languages: ?in= picks the article.
    chinese = client.get("/news/fake-recruiters/?in=zh-hans").content.decode()
    assert "网上的假招聘" in chinese
    assert 'lang="zh-hans"' in chinese


def test_the_news_pages_load_nothing_from_other_origins(client, profile):
    write(profile, body=HOSTILE)

    for path in ("/news/", "/news/fake-recruiters/"):
        response = client.get(path)
        html = response.content.decode()
        assert foreign_scripts(html) == [], path
        assert "style=" not in html, path
        assert "<img" not in html, path
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["Cache-Control"] == "no-store"
