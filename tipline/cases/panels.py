"""Sections that apps above cases add to the case page, such as a reward's state
(staffsettings), without cases importing them: each app registers a function in
its AppConfig.ready, and the case page renders what they return, in order.

A panel gets the request, the case and the reader's unlocked private key (the
case page has one), and returns HTML or "" to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString

from tipline.accounts.decorators import StaffRequest
from tipline.cases.models import Case

Panel = Callable[[StaffRequest, Case, bytes], SafeString | str]

_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    """Add ``panel`` to every case page (once, however often ready() runs)."""
    if panel not in _PANELS:
        _PANELS.append(panel)


def render_panels(request: StaffRequest, case: Case, private_key: bytes) -> list[str]:
    shown = (panel(request, case, private_key) for panel in _PANELS)
    return [html for html in shown if html]
