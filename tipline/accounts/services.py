"""Staff accounts and their key pairs."""

from __future__ import annotations

import hashlib
import secrets
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from tipline import crypto
from tipline.accounts.models import Role, SetupToken, Team, User
from tipline.audit import services as audit


class SetupTokenInvalid(Exception):
    """The setup link is unknown, used already, or an administrator exists."""


def password_cost() -> crypto.PasswordCost:
    return crypto.PasswordCost(
        opslimit=settings.KEY_PASSWORD_OPSLIMIT, memlimit=settings.KEY_PASSWORD_MEMLIMIT
    )


def escrow_public_key() -> bytes:
    return bytes.fromhex(settings.ESCROW_PUBLIC_KEY)


@transaction.atomic
def create_staff_user(
    *, username: str, password: str, role: Role, team: Team | None, actor: User | None
) -> User:
    """Create a staff member with a fresh key pair.

    The private key is locked under the password and sealed to the escrow key; the
    password is checked against the configured validators first (ValidationError).
    """
    user = User(username=username, role=role, team=team)
    validate_password(password, user)
    user.set_password(password)
    user.is_staff = role == Role.ADMINISTRATOR
    pair = crypto.generate_keypair()
    user.public_key = pair.public
    user.private_key_locked = crypto.lock_with_password(
        pair.private, password, password_cost()
    )
    user.private_key_escrowed = crypto.seal_for_staff(pair.private, escrow_public_key())
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        action="user.created",
        actor=actor,
        target=f"user:{user.pk}",
        detail={
            "username": username,
            "role": role,
            "team": team.slug if team else None,
        },
    )
    return user


@transaction.atomic
def create_administrator(*, username: str, password: str, actor: User | None) -> User:
    """An administrator: manages staff and settings; reads no report by default."""
    user = create_staff_user(
        username=username,
        password=password,
        role=Role.ADMINISTRATOR,
        team=None,
        actor=actor,
    )
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def unlock_private_key(*, user: User, password: str) -> bytes:
    """The user's private key, opened with the password they just signed in with."""
    if user.private_key_locked is None:
        raise crypto.DecryptionFailed("this user has no key pair")
    return crypto.unlock_with_password(bytes(user.private_key_locked), password)


# New reports go to this team unless a routing rule names another
# (tipline.cases.rules.route); `tipline demo` and the tests staff it.
DEFAULT_TEAM = "triage"


def default_team() -> Team:
    team, _ = Team.objects.get_or_create(slug=DEFAULT_TEAM, defaults={"name": "Triage"})
    return team


def get_or_create_team(*, slug: str) -> Team:
    team, _ = Team.objects.get_or_create(
        slug=slug, defaults={"name": slug.replace("-", " ").capitalize()}
    )
    return team


def issue_setup_token() -> str | None:
    """A new one-time token for creating the first administrator.

    Returns None once an administrator exists. Earlier unused tokens are revoked, so
    only the most recently printed link works.
    """
    if User.objects.filter(role=Role.ADMINISTRATOR).exists():
        return None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        SetupToken.objects.filter(used_at__isnull=True).delete()
        SetupToken.objects.create(token_hash=_token_hash(token))
    return token


def setup_token_is_valid(token: str) -> bool:
    return (
        SetupToken.objects.filter(
            token_hash=_token_hash(token), used_at__isnull=True
        ).exists()
        and not User.objects.filter(role=Role.ADMINISTRATOR).exists()
    )


@transaction.atomic
def create_first_admin(*, token: str, username: str, password: str) -> User:
    """Use a setup token once to create the first administrator."""
    row = (
        SetupToken.objects.select_for_update()
        .filter(token_hash=_token_hash(token), used_at__isnull=True)
        .first()
    )
    if row is None or User.objects.filter(role=Role.ADMINISTRATOR).exists():
        raise SetupTokenInvalid
    user = create_administrator(username=username, password=password, actor=None)
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class WrongPassword(Exception):
    """The current password given does not match."""


@transaction.atomic
def change_password(*, user: User, current: str, new: str) -> None:
    """Set a new password and lock the private key under it.

    The private key is opened with the current password and locked again under the
    new one, in the same transaction as the password hash, so the two never
    disagree; the key pair itself is unchanged, so every case stays readable.
    """
    if not user.check_password(current):
        raise WrongPassword
    validate_password(new, user)
    private_key = unlock_private_key(user=user, password=current)
    user.set_password(new)
    user.private_key_locked = crypto.lock_with_password(
        private_key, new, password_cost()
    )
    user.save(update_fields=["password", "private_key_locked"])
    audit.record(action="password.changed", actor=user, target=f"user:{user.pk}")


# --- Changing who someone is: team, role, active (issue 12, point 4) ----------
#
# These only change the account and end its sessions. Keys to cases belong to the
# cases app, which this app may not import: tipline.cases.offboarding calls these
# and removes the keys in the same transaction. Call that service, not these.


@transaction.atomic
def change_membership(
    *, user: User, team: Team | None, role: Role, actor: User | None
) -> list[str]:
    """Set the user's team and role; return what changed ("team", "role"), each
    audited. Sessions are not ended here (``end_sessions``)."""
    changed = []
    old_team, old_role = user.team, user.role
    if (old_team.pk if old_team else None) != (team.pk if team else None):
        changed.append("team")
        audit.record(
            action="user.team",
            actor=actor,
            target=f"user:{user.pk}",
            detail={
                "from": old_team.slug if old_team else None,
                "to": team.slug if team else None,
            },
        )
    if old_role != role:
        changed.append("role")
        audit.record(
            action="user.role",
            actor=actor,
            target=f"user:{user.pk}",
            detail={"from": old_role, "to": role},
        )
    user.team, user.role = team, role
    # Django's own flags follow the role, as create_administrator sets them, so a
    # demoted administrator keeps no permission through them.
    user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
    user.save(update_fields=["team", "role", "is_staff", "is_superuser"])
    return changed


@transaction.atomic
def set_active(*, user: User, active: bool, actor: User | None) -> None:
    """Deactivate or reactivate the account (audited); a deactivated account
    cannot sign in. Sessions are not ended here (``end_sessions``)."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        action="user.reactivated" if active else "user.deactivated",
        actor=actor,
        target=f"user:{user.pk}",
    )


@transaction.atomic
def end_sessions(*, user: User, actor: User | None) -> int:
    """Delete every session of ``user`` from the session store; return how many.

    Covers signed-in sessions and ones waiting for the second factor (they hold
    the private key too). A deleted session also makes the key cookie useless:
    the locked key it opened was in that session, and a later sign-in locks the
    key under a new random cookie key. A request in flight when this runs cannot
    write its session back (Django refuses to save a deleted session).

    The store has no index by user, so every stored session is decoded: a few
    thousand rows, for a rare administrative act.
    """
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    owner = str(user.pk)
    ended = [
        row.session_key
        for row in Session.objects.only("session_key", "session_data").iterator()
        if _session_owner(store.decode(row.session_data)) == owner
    ]
    for key in ended:
        engine.SessionStore(session_key=key).delete()
    audit.record(
        action="user.sessions_ended",
        actor=actor,
        target=f"user:{user.pk}",
        detail={"sessions": len(ended)},
    )
    return len(ended)


def _session_owner(data: dict[str, Any]) -> str | None:
    # Signed in, or signed in with a password and waiting for the second factor
    # (tipline.accounts.views.PENDING; the name is repeated to keep views out).
    if data.get(SESSION_KEY) is not None:
        return str(data[SESSION_KEY])
    pending = data.get("tipline_pending_second_factor")
    if isinstance(pending, dict) and pending.get("user") is not None:
        return str(pending["user"])
    return None
