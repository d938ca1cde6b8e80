"""Every public page of Tipline, found in the URLconf rather than listed by hand
(issue 15, point 8), so that a page added later is checked without anyone
remembering to list it.

A route is public unless it is under one of ``PRIVATE_PREFIXES``. A public route
is then one of three things:

- a page: a route without arguments serves one to a GET;
- a route with arguments: ``EXAMPLES`` gives the paths to check for it;
- not a page: ``NOT_PAGES`` says why (POST only, or a GET only redirects).

``EXAMPLES``, ``NOT_PAGES`` and ``JOURNEYS`` (pages reached only by doing
something: the receipt after a report, a form sent back with errors, ...) are the
one place to extend. ``public_pages`` raises ``RouteNotListed`` for a public route
with arguments that has no entry, and the tests in
``tipline/outreach/tests/test_public_page_list.py`` fail on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page, expect

# Everything under these is for staff, machines or the language switch (which is
# POST only and checked by the pages that carry it).
PRIVATE_PREFIXES = ("staff/", "api/", "admin/", "static/", "language/")

# A code in the verification code's shape that no certificate has.
UNKNOWN_CODE = "ABCD-EFGH-JKMN-PQRS-TVWX"
CATEGORY_LINK = re.compile(r'<a class="category" href="(/report/[^"/]+/)"')
BULLETIN_LINK = re.compile(r'href="(/news/(?!feed/)[^"/?]+/)"')

# The HTML of a page on the site under test, by path (a test client's or a live
# server's).
Fetch = Callable[[str], str]


@dataclass(frozen=True)
class Route:
    name: str  # namespaced: "intake:form"
    pattern: str  # as written in the URLconf: "report/<slug:slug>/"
    has_arguments: bool


class RouteNotListed(LookupError):
    """A public route takes arguments and nobody said which to check it with."""


def category_forms(fetch: Fetch) -> list[str]:
    """Every active category's report form: the links of the category page."""
    return sorted(set(CATEGORY_LINK.findall(fetch(reverse("intake:choose")))))


def published_bulletins(fetch: Fetch) -> list[str]:
    """Every bulletin on the first page of the news list (none on a new site:
    tipline/outreach/tests/test_bulletins_browser.py checks one with axe)."""
    return sorted(set(BULLETIN_LINK.findall(fetch(reverse("outreach:news")))))


def verify_unknown_code(fetch: Fetch) -> list[str]:
    return [reverse("outreach:verify_code", kwargs={"code": UNKNOWN_CODE})]


# Example paths for each public route that takes arguments, by URL name. A new
# public route with arguments (a bulletin's slug, say) needs an entry here: a
# function that returns the paths to check, usually read from the page that
# links to them, as category_forms does.
EXAMPLES: dict[str, Callable[[Fetch], list[str]]] = {
    "intake:form": category_forms,
    "outreach:verify_code": verify_unknown_code,
    "outreach:bulletin": published_bulletins,
}

# Public routes that serve no page to a GET, by URL name, and why.
NOT_PAGES: dict[str, str] = {
    "intake:receipt_done": "POST only; a GET redirects to the receipt page",
    "intake:receipt_acknowledgement": "POST only: a PDF download",
    "intake:followup_acknowledgement": "POST only: a PDF download",
    "intake:followup_message": "POST only; a GET redirects to the follow-up page",
    "intake:followup_signout": "POST only; a GET redirects to the follow-up page",
    "intake:reward_accept": "POST only",
    "intake:reward_decline": "POST only",
    "intake:reward_certificate": "POST only: a PDF download",
    "outreach:verify_upload": "POST only; its result page is a journey",
    "outreach:feed_here": "redirects to the feed in the reader's language",
    "outreach:bulletin_feed": "an Atom feed for feed readers, not a page",
    "outreach:statistics_csv": "the statistics' CSV downloads",
    "outreach:brand_css": "the brand's stylesheet",
    "outreach:site_logo": "the logo's PNG",
    "outreach:statement": "the signed statement's text",
    "outreach:statement_signature": "the statement's detached CMS signature",
    "outreach:signing_certificate": "the signing certificate, PEM",
}


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str
) -> Iterator[Route]:
    for entry in patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, pattern, inner)
        elif entry.name:
            arguments = bool(entry.pattern.regex.groupindex) or "(" in pattern
            yield Route(f"{namespace}{entry.name}", pattern, arguments)


def public_routes() -> list[Route]:
    """Every route of ``tipline.urls`` that is not under PRIVATE_PREFIXES."""
    routes = _walk(get_resolver("tipline.urls").url_patterns, "", "")
    return [route for route in routes if not route.pattern.startswith(PRIVATE_PREFIXES)]


def public_pages(fetch: Fetch) -> list[str]:
    """The path of every public page that a GET reaches, in URLconf order."""
    paths: list[str] = []
    for route in public_routes():
        if route.name in NOT_PAGES:
            continue
        if route.has_arguments:
            if route.name not in EXAMPLES:
                raise RouteNotListed(
                    f"The public route /{route.pattern} ({route.name}) takes "
                    "arguments and has no example: add one to EXAMPLES in "
                    "testkit/public_pages.py (or to NOT_PAGES if a GET serves no "
                    "page), so that the accessibility tests check it."
                )
            paths.extend(EXAMPLES[route.name](fetch))
        else:
            paths.append(reverse(route.name))
    return paths


# --- Pages reached only by doing something, in a real browser ----------------------


def forget_all_but_the_language(page: Page) -> None:
    """Start a journey as a new visitor who has only chosen a language."""
    name = settings.LANGUAGE_COOKIE_NAME
    kept = [cookie for cookie in page.context.cookies() if cookie["name"] == name]
    page.context.clear_cookies()
    # The cookies read back are Playwright's Cookie, the same keys as the
    # SetCookieParam it takes, under another TypedDict's name.
    page.context.add_cookies(kept)  # type: ignore[arg-type]


def report_sent(page: Page, base: str) -> None:
    """The receipt page, right after a report was sent."""
    forget_all_but_the_language(page)
    page.goto(base + "/report/approach/")
    page.locator("#report-form textarea").first.fill("Someone photographed the gate.")
    page.locator("#report-form button[type=submit]").click()
    expect(page.locator("#receipt")).to_be_visible()


def signed_in_to_follow_up(page: Page, base: str) -> None:
    """The follow-up page of a report, signed in with its receipt."""
    report_sent(page, base)
    receipt = page.locator("#receipt").inner_text()
    page.goto(base + "/followup/")
    page.locator("input[name=receipt]").fill(receipt)
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#message-form")).to_be_visible()


def form_with_errors(page: Page, base: str) -> None:
    """A report form sent empty: shown again with its errors."""
    forget_all_but_the_language(page)
    page.goto(base + "/report/approach/")
    page.locator("#report-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()


def wrong_receipt(page: Page, base: str) -> None:
    """The follow-up sign-in sent with a receipt that opens nothing."""
    forget_all_but_the_language(page)
    page.goto(base + "/followup/")
    page.locator("input[name=receipt]").fill("1234 5678")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator(".error-summary, .errors").first).to_be_visible()


def wrong_verification_code(page: Page, base: str) -> None:
    forget_all_but_the_language(page)
    page.goto(base + "/verify/")
    page.locator("#code").fill("1234-5678")
    page.locator("#code").press("Enter")
    expect(page.locator("#code-error")).to_be_visible()


def not_found(page: Page, base: str) -> None:
    page.goto(base + "/no-such-page/")
    expect(page.locator("h1")).to_be_visible()


def csrf_failure(page: Page, base: str) -> None:
    """A form sent without its CSRF cookie (cookies blocked, or cleared)."""
    forget_all_but_the_language(page)
    page.goto(base + "/followup/")
    forget_all_but_the_language(page)
    page.locator("input[name=receipt]").fill("1234 5678")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("h1")).to_be_visible()


# Name -> a function that leaves the page on a page reached by doing something.
JOURNEYS: dict[str, Callable[[Page, str], None]] = {
    "receipt after a report": report_sent,
    "follow-up, signed in": signed_in_to_follow_up,
    "report form with errors": form_with_errors,
    "follow-up sign-in with a wrong receipt": wrong_receipt,
    "verify with a malformed code": wrong_verification_code,
    "page not found": not_found,
    "CSRF failure": csrf_failure,
}


def switch_language(page: Page, code: str) -> None:
    """Change the page's language as a reader does: with the header's links on
    shared public pages, or its menu where the page keeps a form or is a staff
    page. Nothing to do when the page is already in ``code``."""
    if page.locator("#language-select").count():
        page.locator("#language-select").select_option(code)
        page.locator(".language button").click()
    elif page.locator(f'header a[hreflang="{code}"]').count():
        page.locator(f'header a[hreflang="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code)
