"""Filters for the organisation's texts on every public page (base.html)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from tipline.lib import markdown
from tipline.profiles import branding
from tipline.profiles.models import Site
from tipline.profiles.selectors import site_or_defaults

register = template.Library()


@register.filter
def phone_links(text: str) -> SafeString:
    """``{{ text|phone_links }}``: escaped, with each phone number a tel: link."""
    return branding.with_phone_links(str(text))


@register.filter
def site_markdown(source: str) -> SafeString:
    """``{{ text|site_markdown }}``: an administrator's Markdown, sanitised
    (tipline.lib.markdown: no raw HTML, no images)."""
    try:
        return markdown.render(str(source))
    except markdown.SourceTooLong:
        return SafeString("")


@register.filter
def exit_url(site: Site) -> str:
    """``{{ site|exit_url }}``: the quick exit's address, or the default one if
    what is stored is not an http(s) address (a ``javascript:`` address must
    never reach a link, whoever wrote it to the database)."""
    url = str(site.quick_exit_url)
    if url.startswith(("https://", "http://")):
        return url
    return str(Site._meta.get_field("quick_exit_url").default)


@register.filter
def asset_version(site: Site) -> str:
    """``{{ site|asset_version }}``: the ``?v=`` of the brand stylesheet and logo."""
    return branding.version_of(site.updated_at)


@register.simple_tag(takes_context=True)
def public_site(context: template.Context) -> Site:
    """``{% public_site as site %}``: the Site settings for base.html (the
    header, the emergency line, the quick exit and the footer). The 500 page
    renders without a request: it asks no database and shows the defaults."""
    if context.get("request") is None:
        return Site()
    return site_or_defaults()
