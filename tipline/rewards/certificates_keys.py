"""The organisation's signing identity for certificates and acknowledgements.

Two keys, each read from a file named in the settings:

- ``SIGNING_KEY_FILE``: an Ed25519 private key (64 hex digits), behind every
  verification code (tipline.crypto.signing).
- ``SIGNING_CERT_FILE`` and ``SIGNING_CERT_KEY_FILE``: an X.509 certificate and
  its private key (PEM), for the PDF signature (PAdES) that PDF readers check.

With the default paths (under the data directory's secrets) a missing key is
generated once, mode 0600, with a self-signed certificate for the organisation:
one command still starts a working instance. ``tipline check`` says when these
generated keys are in use, as a production instance should configure its own
(a certificate from a CA that PDF readers trust). A configured path that does not
exist stops the signing with a clear error instead of generating a key there.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tipline.crypto import signing


@dataclass(frozen=True)
class SigningIdentity:
    seed: bytes
    public_key: bytes
    cert_pem: bytes
    cert_key_pem: bytes


def default_paths() -> tuple[Path, Path, Path]:
    base = settings.SECRETS_DIR
    return (
        base / "signing_key",
        base / "signing_cert.pem",
        base / "signing_cert_key.pem",
    )


def uses_generated_keys() -> bool:
    """True if any signing key is the one generated under the data directory."""
    configured = (
        settings.SIGNING_KEY_FILE,
        settings.SIGNING_CERT_FILE,
        settings.SIGNING_CERT_KEY_FILE,
    )
    return any(Path(p) in default_paths() for p in configured)


@functools.cache
def signing_identity() -> SigningIdentity:
    """The keys, loaded once per process (tests reset with ``cache_clear``)."""
    key_path = Path(settings.SIGNING_KEY_FILE)
    cert_path = Path(settings.SIGNING_CERT_FILE)
    cert_key_path = Path(settings.SIGNING_CERT_KEY_FILE)
    defaults = default_paths()
    if key_path == defaults[0] and not key_path.exists():
        _write_once(key_path, signing.new_signing_seed().hex().encode() + b"\n")
    if (cert_path, cert_key_path) == defaults[1:] and not cert_path.exists():
        _generate_certificate(cert_path, cert_key_path)
    seed = bytes.fromhex(_read(key_path).decode("ascii").strip())
    return SigningIdentity(
        seed=seed,
        public_key=signing.verify_key_of(seed),
        cert_pem=_read(cert_path),
        cert_key_pem=_read(cert_key_path),
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImproperlyConfigured(
            f"The signing key file {path} does not exist"
        ) from None


def _generate_certificate(cert_path: Path, key_path: Path) -> None:
    """A self-signed RSA-3072 certificate naming the organisation, for ten years.
    RSA rather than Ed25519: it is what every PDF reader checks."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, settings.ORGANISATION_NAME)]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Valid from long before any document it signs: a document's signing time
        # is the start of its day or week (tipline.rewards.certificates), never
        # the moment it was made, and must not precede the certificate.
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # The key first: whoever finds the certificate finds its key beside it.
    _write_once(key_path, key_pem)
    _write_once(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def _write_once(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600) unless another process got there first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
