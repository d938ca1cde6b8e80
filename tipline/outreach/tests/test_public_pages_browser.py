"""Every public page in real Chromium, in both languages (issue 15, point 8): axe-core
finds no WCAG 2.x A/AA or best-practice violation; the keyboard alone reaches the
page's main action with a visible focus; nothing moves for a reader who asks for
reduced motion; doubled text does not make the page scroll sideways; without
JavaScript each page shows its heading and fits 360 px; no page weighs 100 KB or
more; and no request leaves the server's origin.

The pages come from the URLconf (testkit/public_pages.py), so a page added later
is walked too. Set TIPLINE_SHOTS_DIR to keep screenshots of the home page and a
report form (360 and 1280 px, English and Chinese).
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, Request

from testkit.public_pages import JOURNEYS, public_pages

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = ["en", "zh-hans"]
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag21a",
            "wcag21aa",
            "wcag22aa",
            "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}
MOST_BYTES = 100 * 1024
STATIC = Path(__file__).resolve().parents[2] / "static" / "tipline"
MOST_TABS = 120
# Screenshots of these pages (by path) when TIPLINE_SHOTS_DIR is set.
SHOTS = {
    "/": "home",
    "/report/approach/": "report-form",
    "report form with errors": "report-form-errors",
}

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const rect = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 120),
    inMain: !!el.closest("main"),
    isAction: el.matches(arguments_selector),
    visibleStyle: outline || style.boxShadow !== "none",
    onScreen: rect.width > 0 && rect.height > 0,
  };
}"""
MAIN_ACTION = (
    "main .primary, main button[type=submit], main a.category, main form button"
)
MOVING = """() => {
  const moving = document.getAnimations().map(a => a.constructor.name);
  for (const el of document.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const durations = (style.transitionDuration + "," + style.animationDuration)
      .split(",").map(parseFloat);
    if (durations.some(d => d > 0)) moving.push(el.outerHTML.slice(0, 80));
  }
  if (getComputedStyle(document.documentElement).scrollBehavior === "smooth")
    moving.push("html: smooth scrolling");
  return moving;
}"""


@dataclass
class Visit:
    """What one context saw: the requests of the current document, and every
    request that went anywhere but the server under test."""

    base: str
    document: list[Request] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    def record(self, request: Request) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.document = []
        self.document.append(request)
        if not request.url.startswith((self.base + "/", "data:", "about:")):
            self.elsewhere.append(request.url)

    def weight(self) -> int:
        total = 0
        for request in self.document:
            response = request.response()
            if response is not None and not 300 <= response.status < 400:
                total += len(response.body())
        return total


@pytest.fixture(scope="module")
def pages(shared_tipline) -> list[str]:
    def fetch(path: str) -> str:
        with urllib.request.urlopen(shared_tipline.url + path) as response:
            return str(response.read().decode())

    return public_pages(fetch)


def open_context(
    browser: Browser, base: str, language: str, **options: object
) -> tuple[BrowserContext, Visit]:
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    visit = Visit(base)
    context.on("request", visit.record)
    return context, visit


def every_page(
    page: Page, base: str, paths: list[str]
) -> Iterator[tuple[str, Callable[[], None]]]:
    """(name, how to get there) for every page and every journey."""
    for path in paths:
        yield path, lambda path=path: page.goto(base + path)
    for name, journey in JOURNEYS.items():
        yield name, lambda journey=journey: journey(page, base)


def shoot(page: Page, where: str, language: str, width: int) -> None:
    folder = os.environ.get("TIPLINE_SHOTS_DIR")
    if folder and where in SHOTS:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = f"{SHOTS[where]}-{language}-{width}.png"
        page.screenshot(path=Path(folder) / name, full_page=True)


def tab_through(page: Page) -> list[str]:
    """Tab from the top of the page until focus reaches the page's main action
    (or, on a page without one, anything in main); the problems on the way."""
    page.locator("body").focus()
    script = FOCUSED.replace("arguments_selector", repr(MAIN_ACTION))
    has_action = page.locator(MAIN_ACTION).count() > 0
    problems = []
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(script)
        if focused is None:  # back at the top: the whole page was walked
            break
        if not (focused["visibleStyle"] and focused["onScreen"]):
            problems.append(f"no visible focus on {focused['html']}")
        if focused["isAction"] or (not has_action and focused["inMain"]):
            return problems
    return [*problems, "Tab never reached the page's main action"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_passes_axe_keyboard_and_motion_checks(
    browser, shared_tipline, pages, language
):
    base = shared_tipline.url
    context, visit = open_context(
        browser, base, language, viewport=DESKTOP, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    axe = Axe()
    found: dict[str, list[str]] = {}
    weights: dict[str, int] = {}
    for where, go in every_page(page, base, pages):
        go()
        page.wait_for_load_state("load")
        problems = []
        if page.locator("html").get_attribute("lang") != language:
            problems.append(f"html lang is not {language}")
        results = axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            problems.append(results.generate_report())
        weights[where] = visit.weight()
        if weights[where] >= MOST_BYTES:
            problems.append(f"weighs {weights[where]} bytes")
        problems += [f"moves: {what}" for what in page.evaluate(MOVING)]
        shoot(page, where, language, DESKTOP["width"])
        problems += tab_through(page)
        if problems:
            found[where] = problems
    # A positive control: axe does find a violation where there is one.
    page.evaluate(
        "document.querySelector('main').append(document.createElement('img'))"
    )
    assert "image-alt" in axe.run(page, options=AXE_OPTIONS).generate_snapshot()
    context.close()

    print(f"bytes per page ({language}):", weights)
    # Each page was weighed with its HTML and its stylesheet (over 9 KB alone).
    css = len((STATIC / "site.css").read_bytes())
    assert min(weights.values()) > css + 1_000, weights
    assert visit.elsewhere == [], "requests left the server"
    assert found == {}, "\n\n".join(
        f"== {where} ({language})\n" + "\n".join(problems)
        for where, problems in found.items()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_works_without_javascript_on_a_phone(
    browser, shared_tipline, pages, language
):
    base = shared_tipline.url
    context, visit = open_context(
        browser, base, language, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    found: dict[str, list[str]] = {}
    for where, go in every_page(page, base, pages):
        go()
        problems = []
        if page.locator("main h1").count() != 1:
            problems.append("no main heading without JavaScript")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{width} px wide at 360 px")
        shoot(page, where, language, PHONE["width"])
        if problems:
            found[where] = problems
    context.close()

    assert visit.elsewhere == [], "requests left the server"
    assert found == {}, found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_takes_doubled_text_without_sideways_scrolling(
    browser, shared_tipline, pages, language
):
    base = shared_tipline.url
    context, _visit = open_context(browser, base, language, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    normal = None
    cdp = context.new_cdp_session(page)
    found: dict[str, int] = {}
    for where, go in every_page(page, base, pages):
        if normal is None:
            go()
            normal = page.evaluate(
                "parseFloat(getComputedStyle(document.body).fontSize)"
            )
            cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        go()
        text = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert text == 2 * normal, f"{where}: the text did not double"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > DESKTOP["width"]:
            found[where] = width
    context.close()

    assert found == {}, f"wider than {DESKTOP['width']} px with doubled text"
