"""What staff write in Markdown reaches the public page with no active content
and nothing loaded from another site."""

from __future__ import annotations

import pytest

from tipline.lib.markdown import MAX_SOURCE_CHARS, SourceTooLong, render


def test_it_renders_the_common_formatting():
    html = render("# Title\n\nSome **bold** and *em*.\n\n- one\n- two\n")
    assert html == (
        "<h2>Title</h2>\n<p>Some <strong>bold</strong> and <em>em</em>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    )


def test_it_renders_tables_with_alignment_only():
    html = render("| a | b |\n|--:|---|\n| 1 | 2 |\n")
    assert '<th style="text-align:right">a</th>' in html
    assert "<td>2</td>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<iframe src='https://example.org'></iframe>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
    ],
)
def test_raw_html_comes_out_as_text(source):
    html = render(source)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<svg" not in html
    assert "<style" not in html
    assert "&lt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
    ],
)
def test_links_to_active_content_lose_their_target(source):
    html = render(source)
    assert "<p>" in html
    assert "href" not in html


def test_images_are_not_loaded_from_anywhere():
    html = render("![tracker](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert "tracker.example" not in html


def test_links_do_not_leak_the_page_to_the_target():
    html = render("[help](https://example.org/help)")
    assert html == (
        '<p><a href="https://example.org/help" rel="noopener noreferrer">help</a></p>\n'
    )


def test_same_site_links_are_kept():
    assert 'href="/report/online-approach/"' in render("[r](/report/online-approach/)")


def test_headings_start_below_the_page_title():
    assert "<h1" not in render("# a\n\n## b")


def test_deep_nesting_stays_bounded():
    html = render(">" * 5000 + " deep\n\n" + "- " * 2000 + "x")
    assert html.count("<blockquote>") <= 20


def test_an_oversized_source_is_refused_not_cut():
    with pytest.raises(SourceTooLong):
        render("a" * (MAX_SOURCE_CHARS + 1))
    assert render("a" * MAX_SOURCE_CHARS).startswith("<p>a")
