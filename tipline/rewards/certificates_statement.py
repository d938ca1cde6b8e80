"""The organisation's certificate, as published on /verify-this-site/: its
fingerprint, and detached signatures over the site's statement of its official
addresses (issue 15, point 10).

The same certificate and key that sign commendation certificates
(tipline.rewards.certificates_keys), so one fingerprint, printed anywhere,
checks both. Threat: a look-alike site that copies the published addresses and
fingerprint; it cannot make a signature that verifies with the certificate.
"""

from __future__ import annotations

import functools

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from tipline.rewards.certificates_keys import signing_identity


def signing_certificate_pem() -> bytes:
    """The certificate (PEM), for anyone checking a signature offline."""
    return _certificate().public_bytes(serialization.Encoding.PEM)


def signing_fingerprint() -> str:
    """SHA-256 of the certificate's DER, as ``AB:CD:…`` (what
    ``openssl x509 -noout -fingerprint -sha256`` prints)."""
    digest = _certificate().fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def sign_detached(data: bytes) -> bytes:
    """A CMS (PKCS #7) detached signature over ``data``, DER, the certificate
    inside, signed as binary (no MIME canonicalisation), so that
    ``openssl cms -verify -binary -inform DER`` checks it against the file as
    downloaded. Cached: the statement changes only when the settings do."""
    identity = signing_identity()
    return _sign(data, identity.cert_pem, identity.cert_key_pem)


@functools.lru_cache(maxsize=8)
def _sign(data: bytes, cert_pem: bytes, key_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError("the certificate key must be RSA or EC")
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(x509.load_pem_x509_certificate(cert_pem), key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )


def _certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(signing_identity().cert_pem)
