"""One-time form tokens.

Each public form carries a signed token holding 32 random bytes. The signature
stops forged tokens; the timestamp bounds how long a form can be replayed; and the
random bytes make submission idempotent: a resubmitted form carries the same token,
which the service recognises (see tipline.crypto.receipts.receipt_from_token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing

MAX_AGE = timedelta(hours=24)


class FormTokenInvalid(Exception):
    """The token is missing, forged or malformed."""


class FormTokenExpired(FormTokenInvalid):
    """The token is genuine but older than MAX_AGE."""


class FormSentTooSoon(Exception):
    """The token is genuine but younger than the minimum time to fill a form in.

    No person reads a form, writes a report and sends it within seconds; scripts
    that post junk do. The same token is accepted once the time has passed, so a
    person who was quick only has to press the button again.
    """


def new_form_token(purpose: str) -> str:
    payload = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    return signing.TimestampSigner(salt=f"tipline.form.{purpose}").sign(payload)


def read_form_token(
    value: str, purpose: str, *, min_age: timedelta = timedelta(0)
) -> bytes:
    """The token's random bytes, or FormTokenExpired / FormTokenInvalid, or
    FormSentTooSoon if it was issued less than ``min_age`` ago."""
    signer = signing.TimestampSigner(salt=f"tipline.form.{purpose}")
    try:
        payload = signer.unsign(value, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise FormTokenExpired from None
    except signing.BadSignature:
        raise FormTokenInvalid from None
    if min_age:
        issued = signing.b62_decode(value.rsplit(signer.sep, 2)[-2])
        if time.time() - issued < min_age.total_seconds():
            raise FormSentTooSoon
    try:
        raw = base64.urlsafe_b64decode(payload)
    except ValueError:
        raise FormTokenInvalid from None
    if len(raw) != 32:
        raise FormTokenInvalid
    return raw


def token_digest(secret: bytes, purpose: str) -> str:
    """A keyed hash of a token's bytes, safe to store for de-duplication."""
    key = hashlib.sha256(f"{settings.SECRET_KEY}:{purpose}".encode()).digest()
    return hmac.new(key, secret, hashlib.sha256).hexdigest()
