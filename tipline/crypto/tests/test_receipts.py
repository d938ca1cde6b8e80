import math
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tipline import crypto

PEPPER = b"server-side pepper for tests"


def test_receipt_has_at_least_80_bits_of_entropy():
    assert crypto.RECEIPT_DIGITS * math.log2(10) >= 80


@given(token=st.binary(min_size=32, max_size=32))
def test_receipt_is_all_digits_and_deterministic_per_token(token):
    receipt = crypto.receipt_from_token(token, PEPPER)
    assert len(receipt) == crypto.RECEIPT_DIGITS
    assert receipt.isdigit() is True
    assert crypto.receipt_from_token(token, PEPPER) == receipt
    assert crypto.receipt_from_token(token, PEPPER + b"x") != receipt


def test_receipts_from_different_tokens_differ():
    receipts = {crypto.receipt_from_token(os.urandom(32), PEPPER) for _ in range(500)}
    assert len(receipts) == 500


def test_receipt_is_shown_in_groups_of_four():
    assert crypto.format_receipt("1234" * 7) == " ".join(["1234"] * 7)


@pytest.mark.parametrize(
    "typed",
    [
        "1234 5678 9012 3456 7890 1234 5678",
        "1234-5678-9012-3456-7890-1234-5678",
        " 1234567890123456789012345678 ",
        "".join(chr(0xFF10 + int(d)) for d in "1234567890123456789012345678"),
    ],
)
def test_normalise_accepts_what_people_type(typed):
    assert crypto.normalise_receipt(typed) == "1234567890123456789012345678"


@pytest.mark.parametrize(
    "typed", ["", "1234", "1234 5678 9012 3456 7890 1234 567X", "²" * 28, "1" * 29]
)
def test_normalise_rejects_malformed(typed):
    with pytest.raises(crypto.MalformedReceipt):
        crypto.normalise_receipt(typed)


@given(text=st.text(max_size=60))
def test_normalise_never_crashes_with_anything_but_malformed(text):
    try:
        digits = crypto.normalise_receipt(text)
    except crypto.MalformedReceipt:
        return
    assert len(digits) == crypto.RECEIPT_DIGITS


def test_lookup_and_wrap_key_are_independent_and_need_the_pepper():
    receipt = "1" * 28
    keys = crypto.derive_receipt_keys(receipt, PEPPER)
    assert keys.lookup != keys.wrap_key
    assert receipt.encode() not in keys.lookup
    other = crypto.derive_receipt_keys(receipt, b"another pepper")
    assert other.lookup != keys.lookup
    assert other.wrap_key != keys.wrap_key
