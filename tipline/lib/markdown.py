"""Markdown for the texts staff write for the public (bulletins, guidance pages).

Two locks, so that neither a careless editor nor a stolen editor account can put
active content or a tracker on a public page:

- markdown-it-py parses CommonMark with raw HTML switched off, so ``<script>`` in
  the source comes out as text;
- nh3 (the Ammonia sanitiser) then keeps only a fixed list of tags and attributes
  and only http(s), mailto and same-site links. Images are not on the list: a
  picture from another site would tell that site who reads the page (DESIGN.md:
  the public pages load nothing from third parties).

Headings start at level 2, because the page's own title is its only ``h1``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore

# Bulletins and guidance pages are short; anything longer is a paste gone wrong,
# and a bound keeps a pathological source from costing more than a few ms.
MAX_SOURCE_CHARS = 40_000

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr",
    "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}


class SourceTooLong(ValueError):
    """The Markdown source is longer than MAX_SOURCE_CHARS."""


@functools.cache
def _parser() -> MarkdownIt:
    # "commonmark" with HTML off; tables and strikethrough from the GFM set. No
    # linkify (it needs another package, and bare addresses stay readable as text).
    parser = MarkdownIt("commonmark", {"html": False, "maxNesting": 20})
    parser.enable(["table", "strikethrough"])
    parser.core.ruler.push("demote_h1", _demote_h1)
    return parser


def _demote_h1(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def render(source: str) -> SafeString:
    """The HTML of ``source``, safe to put on a public page.

    Raises SourceTooLong past MAX_SOURCE_CHARS, so that the editor says so instead
    of publishing a cut text.
    """
    if len(source) > MAX_SOURCE_CHARS:
        raise SourceTooLong(len(source))
    html = _parser().render(source)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        # Table cells' alignment arrives as style="text-align:…"; keep only that.
        filter_style_properties={"text-align"},
    )
    # Sanitised by nh3 just above.
    return mark_safe(clean)
