"""The signed one-time form tokens every public form carries."""

import time
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tipline.lib.tokens import (
    MAX_AGE,
    FormSentTooSoon,
    FormTokenExpired,
    FormTokenInvalid,
    new_form_token,
    read_form_token,
    token_digest,
)


def test_a_token_gives_back_its_random_bytes_once_old_enough(monkeypatch):
    token = new_form_token("report")
    with pytest.raises(FormSentTooSoon):
        read_form_token(token, "report", min_age=timedelta(seconds=3))

    later = time.time() + 4
    monkeypatch.setattr(time, "time", lambda: later)
    secret = read_form_token(token, "report", min_age=timedelta(seconds=3))

    assert len(secret) == 32
    assert secret != read_form_token(new_form_token("report"), "report")


def test_a_token_is_refused_for_another_form_or_when_too_old(monkeypatch):
    token = new_form_token("report")
    with pytest.raises(FormTokenInvalid):
        read_form_token(token, "message")

    later = time.time() + MAX_AGE.total_seconds() + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(FormTokenExpired):
        read_form_token(token, "report")


def test_changing_any_character_breaks_the_signature():
    token = new_form_token("report")
    for index in range(len(token)):
        changed = token[:index] + ("A" if token[index] != "A" else "B") + token[index:]
        with pytest.raises(FormTokenInvalid):
            read_form_token(changed[: len(token)], "report")


def test_the_stored_digest_depends_on_the_form():
    secret = bytes(32)
    assert token_digest(secret, "report") != token_digest(secret, "message")
    assert len(token_digest(secret, "report")) == 64


@given(st.text(max_size=300))
def test_any_string_is_a_valid_token_or_refused_cleanly(value):
    with pytest.raises(FormTokenInvalid):
        read_form_token(value, "report", min_age=timedelta(seconds=3))
