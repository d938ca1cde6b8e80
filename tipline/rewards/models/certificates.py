"""Signed certificates and acknowledgements (issue 14, points 7 and 8)."""

from __future__ import annotations

__all__: list[str] = []
