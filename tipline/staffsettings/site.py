"""Settings page: Site, the organisation's public face (issue 15, points 9 and
10): its name, logo, colours, contact and emergency texts, the quick exit, and
the official addresses and channels. Three forms, each with its own address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from tipline.accounts.decorators import StaffRequest
from tipline.profiles import branding
from tipline.profiles.models import Site
from tipline.staffsettings import services
from tipline.staffsettings.pages import settings_page
from tipline.staffsettings.site_forms import ChannelsForm, IdentityForm, LogoForm


@settings_page("site")
def site_settings(request: StaffRequest) -> HttpResponse:
    return _page(request)


@require_POST
@settings_page("site")
def set_identity(request: StaffRequest) -> HttpResponse:
    form = IdentityForm(request.POST, own_hosts=_own_hosts(request, _site()))
    if not form.is_valid():
        return _page(request, identity=form, status=400)
    identity = services.SiteIdentity(
        organisation_name=form.texts("organisation_name"),
        colour_primary=form.cleaned_data["colour_primary"],
        colour_header=form.cleaned_data["colour_header"],
        contact=form.texts("contact"),
        emergency=form.texts("emergency"),
        quick_exit_url=form.cleaned_data["quick_exit_url"],
    )
    changed = services.set_site_identity(user=request.user, identity=identity)
    return _saved(request, changed)


@require_POST
@settings_page("site")
def set_channels(request: StaffRequest) -> HttpResponse:
    form = ChannelsForm(request.POST)
    if not form.is_valid():
        return _page(request, channels=form, status=400)
    channels = services.SiteChannels(
        web_address=form.cleaned_data["web_address"],
        onion_address=form.cleaned_data["onion_address"],
        phone_lines=form.cleaned_data["phone_lines"],
        postal_address=form.texts("postal_address"),
        in_person=form.texts("in_person"),
    )
    changed = services.set_site_channels(user=request.user, channels=channels)
    return _saved(request, changed)


@require_POST
@settings_page("site")
def set_logo(request: StaffRequest) -> HttpResponse:
    form = LogoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, logo=form, status=400)
    changed = services.set_site_logo(
        user=request.user,
        png=form.png,
        alt=form.texts("logo_alt"),
        remove=form.cleaned_data["remove"],
    )
    return _saved(request, changed)


def _saved(request: StaffRequest, changed: list[str]) -> HttpResponse:
    if changed:
        messages.success(
            request, gettext("Site settings saved. Public pages show them at once.")
        )
    else:
        messages.info(request, gettext("Nothing changed."))
    return redirect("staffsettings:site")


def _site() -> Site:
    return Site.objects.filter(pk=1).first() or Site()


def _own_hosts(request: StaffRequest, site: Site) -> set[str]:
    """The host names of this site: the quick exit must lead away from them."""
    hosts = {request.get_host().rsplit(":", 1)[0].lower()}
    for address in (site.web_address, site.onion_address):
        host = urlsplit(address if "//" in address else f"//{address}").hostname
        if host:
            hosts.add(host.lower())
    return hosts


def _page(
    request: StaffRequest,
    *,
    identity: IdentityForm | None = None,
    channels: ChannelsForm | None = None,
    logo: LogoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    site = _site()
    context: dict[str, Any] = {
        "identity": identity
        or IdentityForm(
            initial={
                **IdentityForm.initial_texts(site),
                "colour_primary": site.colour_primary,
                "colour_header": site.colour_header,
                "quick_exit_url": site.quick_exit_url,
            },
            own_hosts=set(),
        ),
        "channels": channels
        or ChannelsForm(
            initial={
                **ChannelsForm.initial_texts(site),
                "web_address": site.web_address,
                "onion_address": site.onion_address,
                "phone_lines": ChannelsForm.phone_lines_text(site.phone_lines),
            }
        ),
        "logo": logo or LogoForm(initial=LogoForm.initial_texts(site)),
        "has_logo": bool(site.logo_png),
        "logo_version": branding.version_of(site.updated_at),
        "settings_page": "site",
    }
    return render(request, "staffsettings/site.html", context, status=status)
