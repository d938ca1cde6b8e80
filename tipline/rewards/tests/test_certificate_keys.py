"""The signing identity (issue 14, point 7): generated once, 0600, under the data
directory; configured files used as given; `tipline check` asks for real keys."""

import stat
from pathlib import Path

import pytest
from cryptography import x509
from django.core.exceptions import ImproperlyConfigured

from tipline.cli import deployment_check
from tipline.crypto import signing
from tipline.rewards import certificates_keys
from tipline.rewards.certificates_keys import signing_identity


@pytest.fixture
def fresh_secrets(tmp_path, settings):
    settings.SECRETS_DIR = tmp_path / "secrets"
    paths = certificates_keys.default_paths()
    settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE = map(str, paths[:2])
    settings.SIGNING_CERT_KEY_FILE = str(paths[2])
    signing_identity.cache_clear()
    yield settings.SECRETS_DIR
    signing_identity.cache_clear()


def test_missing_keys_are_generated_once_and_private(fresh_secrets):
    identity = signing_identity()

    files = sorted(p.name for p in fresh_secrets.iterdir())
    assert files == ["signing_cert.pem", "signing_cert_key.pem", "signing_key"]
    for path in fresh_secrets.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.verify_key_of(identity.seed) == identity.public_key
    cert = x509.load_pem_x509_certificate(identity.cert_pem)
    assert cert.subject.rfc4514_string() == "CN=Tipline"
    assert cert.issuer == cert.subject  # self-signed
    # A second process (or a restart) reads the same keys, never new ones.
    signing_identity.cache_clear()
    assert signing_identity() == identity


def test_configured_keys_are_used_as_given(fresh_secrets, tmp_path, settings):
    generated = signing_identity()
    own = tmp_path / "own"
    own.mkdir()
    seed = signing.new_signing_seed()
    (own / "key").write_text(seed.hex() + "\n")
    (own / "cert.pem").write_bytes(generated.cert_pem)
    (own / "cert_key.pem").write_bytes(generated.cert_key_pem)
    settings.SIGNING_KEY_FILE = str(own / "key")
    settings.SIGNING_CERT_FILE = str(own / "cert.pem")
    settings.SIGNING_CERT_KEY_FILE = str(own / "cert_key.pem")
    signing_identity.cache_clear()

    assert signing_identity().seed == seed
    assert certificates_keys.uses_generated_keys() is False


def test_a_configured_file_that_is_missing_stops_signing(fresh_secrets, settings):
    settings.SIGNING_KEY_FILE = str(Path(fresh_secrets) / "elsewhere" / "key")
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        signing_identity()
    assert not (Path(fresh_secrets) / "elsewhere").exists()


@pytest.mark.django_db
def test_tipline_check_asks_for_the_organisation_s_own_keys(fresh_secrets, capsys):
    deployment_check()
    out = capsys.readouterr().out
    assert "[FIX] certificates are signed with the organisation's own keys" in out


@pytest.mark.django_db
def test_tipline_check_says_when_the_font_is_missing(fresh_secrets, settings, capsys):
    settings.CERTIFICATE_FONT = "/nonexistent/font.ttf"
    deployment_check()
    assert "[FIX] the certificate font is installed" in capsys.readouterr().out
