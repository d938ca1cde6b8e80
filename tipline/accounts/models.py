from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    INVESTIGATOR = "investigator", _("Investigator")
    SUPERVISOR = "supervisor", _("Supervisor")
    # Issue 14: the second pair of eyes on a reward, and the payer.
    REWARDS_APPROVER = "rewards_approver", _("Rewards approver")
    FINANCE = "finance", _("Finance")
    # Issue 15: writes the public bulletins; never reads a report.
    COMMUNICATIONS = "communications", _("Communications")


# Roles whose members never read reports: no case key is sealed or granted to
# them, and the case pages show them nothing (tipline.cases.models.visible_to).
NO_CASE_ACCESS = frozenset({Role.COMMUNICATIONS})


class User(AbstractUser):
    """A staff member. Members of the public never have accounts."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANALYST)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # X25519 key pair: report data keys are sealed to ``public_key``. The private
    # key is stored twice, locked under the password (Argon2id) and sealed to the
    # organisation's escrow key; never in clear.
    public_key = models.BinaryField(null=True, editable=False)
    private_key_locked = models.BinaryField(null=True, editable=False)
    private_key_escrowed = models.BinaryField(null=True, editable=False)

    def __str__(self) -> str:
        return self.username

    @property
    def has_keys(self) -> bool:
        return self.public_key is not None

    def public_key_bytes(self) -> bytes:
        """The public key to seal data keys to; callers pick users with keys."""
        if self.public_key is None:
            raise ValueError(f"{self.username} has no key pair yet")
        return bytes(self.public_key)


class SetupToken(models.Model):
    """A one-time link for creating the first administrator. Only its hash is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"setup token {self.pk}"


class LoginFailure(models.Model):
    """One failed staff sign-in, for throttling (tipline.accounts.throttle).

    ``account`` is a keyed hash of the name that was typed (normalised), whether or
    not such an account exists: people type passwords into the name field, and the
    table must not become a list of them. ``user`` is the account the name signs in
    to, if any, so that every spelling of it counts against one budget. Wrong
    second-factor codes have their own, stricter budget (``kind``). Rows older than
    the throttle windows are deleted.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", _("Password")
        CODE = "code", _("Second-factor code")

    account = models.CharField(max_length=64)
    user = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)
    at = models.DateTimeField()

    class Meta:
        indexes = (
            models.Index(fields=["account", "at"]),
            models.Index(fields=["at"]),
            models.Index(fields=["user", "kind", "at"]),
        )

    def __str__(self) -> str:
        return f"login failure at {self.at:%Y-%m-%d %H:%M}"


class SecondFactor(models.Model):
    """A staff member's TOTP authenticator (RFC 6238).

    The shared secret is encrypted under a key derived from the server's secret
    key (tipline.accounts.two_factor), so a copy of the database alone does not
    let anyone generate codes. ``last_step`` stops a code from being used twice.
    """

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="second_factor"
    )
    secret_encrypted = models.BinaryField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=-1)

    def __str__(self) -> str:
        return f"second factor of {self.user_id}"


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator; only its keyed
    hash is stored."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
