"""The reward fixtures live in fixtures.py, a plugin the root conftest.py names so
that every test may use them; the helpers are named here for this folder's tests."""

from .fixtures import close_case, fresh_code, key_of

__all__ = ["close_case", "fresh_code", "key_of"]
