"""A second factor for staff sign-in: TOTP authenticator codes and recovery codes.

Threat handled: a staff password that was phished, guessed or reused elsewhere.
With a second factor the password alone opens nothing. Required for the roles that
can read across teams or change how Tipline works (administrators, supervisors;
the rewards roles of a later issue join them); optional for others.

Codes are computed by django-otp's RFC 6238 implementation (django_otp.oath).
The shared secret is stored encrypted under a key derived from the server's
secret key; each accepted code's time step is remembered so a code cannot be
replayed; recovery codes are stored as keyed hashes and work once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django_otp.oath import TOTP

from tipline import crypto
from tipline.accounts.models import RecoveryCode, Role, SecondFactor, User
from tipline.audit import services as audit

# Every role must use a second factor unless listed here, so a role added later
# (rewards approvers, finance) is covered from its first day rather than when
# someone remembers. Analysts and investigators may still choose to use one.
OPTIONAL_FOR = frozenset({Role.ANALYST, Role.INVESTIGATOR})
SECRET_BYTES = 20
# One step either side: a phone clock up to 30 s off still works.
TOLERANCE = 1
RECOVERY_CODES = 10
ISSUER = "Tipline"


# Set in the session once the second factor was checked (or just set up).
SESSION_FLAG = "tipline_second_factor"
# Pages a user who must still set up a second factor can reach.
ALLOWED_BEFORE_ENROLMENT = ("/staff/account/two-factor/", "/staff/logout/", "/static/")


class InvalidCode(Exception):
    """The code is wrong, expired or already used."""


def is_required(user: User) -> bool:
    return user.role not in OPTIONAL_FOR


def has_confirmed(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def _server_key() -> bytes:
    return hashlib.blake2b(
        settings.SECRET_KEY.encode(), digest_size=32, person=b"tipline-totp"
    ).digest()


def _context(user: User) -> bytes:
    return f"user:{user.pk}:totp".encode()


def _secret(factor: SecondFactor) -> bytes:
    return crypto.decrypt(
        _server_key(), bytes(factor.secret_encrypted), context=_context(factor.user)
    )


@transaction.atomic
def begin_enrolment(user: User) -> str:
    """A new, unconfirmed secret for ``user`` (base32, to type into an app). An
    earlier unconfirmed one is replaced; a confirmed one stays until this one is
    confirmed."""
    secret = secrets.token_bytes(SECRET_BYTES)
    sealed = crypto.encrypt(_server_key(), secret, context=_context(user))
    factor = SecondFactor.objects.filter(user=user).first()
    if factor is None or factor.confirmed_at is None:
        SecondFactor.objects.update_or_create(
            user=user,
            defaults={
                "secret_encrypted": sealed,
                "confirmed_at": None,
                "last_step": -1,
            },
        )
    else:
        raise InvalidCode("already enrolled")
    return base64.b32encode(secret).decode("ascii")


def pending_secret(user: User) -> str | None:
    factor = SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).first()
    if factor is None:
        return None
    return base64.b32encode(_secret(factor)).decode("ascii")


def provisioning_uri(user: User, secret_b32: str) -> str:
    label = quote(f"{ISSUER}:{user.get_username()}", safe=":@")
    query = urlencode({"secret": secret_b32, "issuer": ISSUER})
    return f"otpauth://totp/{label}?{query}"


def provisioning_qr(uri: str) -> str:
    """The otpauth link as a QR code to scan with the app: an SVG data URI drawn
    here, so no third-party service ever sees the secret."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=3)


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm the pending secret with a code from the app; return new recovery
    codes (shown once)."""
    factor = (
        SecondFactor.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=True)
        .first()
    )
    if factor is None or not _check_totp(factor, code):
        raise InvalidCode
    factor.confirmed_at = timezone.now()
    factor.save(update_fields=["confirmed_at", "last_step"])
    codes = _new_recovery_codes(user)
    audit.record(action="2fa.enrolled", actor=user, target=f"user:{user.pk}")
    return codes


@transaction.atomic
def verify(user: User, code: str) -> bool:
    """Check a sign-in code: an authenticator code or an unused recovery code."""
    factor = (
        SecondFactor.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=False)
        .first()
    )
    if factor is None:
        return False
    if _check_totp(factor, code):
        factor.save(update_fields=["last_step"])
        return True
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_code_hash(user, code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        audit.record(
            action="2fa.recovery_code_used", actor=user, target=f"user:{user.pk}"
        )
    return bool(used)


def _check_totp(factor: SecondFactor, code: str) -> bool:
    digits = code.strip().replace(" ", "")
    if len(digits) != 6 or not digits.isdigit():
        return False
    totp = TOTP(_secret(factor), step=30, digits=6)
    if not totp.verify(int(digits), tolerance=TOLERANCE, min_t=factor.last_step + 1):
        return False
    factor.last_step = totp.t()
    return True


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=_code_hash(user, code)) for code in codes
    )
    return codes


def _code_hash(user: User, code: str) -> str:
    normalised = code.strip().lower().replace(" ", "")
    message = f"recovery:{user.pk}:{normalised}".encode()
    return hmac.new(_server_key(), message, hashlib.sha256).hexdigest()


class RequireSecondFactorMiddleware:
    """Send signed-in users whose role requires a second factor, and who have not
    passed one in this session, to set one up before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and is_required(user)
            and not request.session.get(SESSION_FLAG)
            and not request.path.startswith(ALLOWED_BEFORE_ENROLMENT)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)
