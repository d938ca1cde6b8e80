"""/verify-this-site/: the official addresses and the signing certificate's
fingerprint, in a statement signed with the organisation's key that anyone can
check offline with the OpenSSL command the page gives (issue 15, point 10)."""

import hashlib
import re
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.utils import timezone

from tipline.profiles.models import Site
from tipline.rewards.certificates_keys import signing_identity

pytestmark = pytest.mark.django_db

ONION = "b" * 56 + ".onion"


@pytest.fixture
def site(profile):
    return Site.objects.create(
        pk=1,
        organisation_name={
            "en": "National Protective Service",
            "zh-hans": "国家保护局",
        },
        web_address="https://report.example.org/",
        onion_address=ONION,
        updated_at=timezone.now(),
    )


def download(client, tmp_path):
    for name in ("statement.txt", "statement.txt.p7s", "certificate.pem"):
        response = client.get(f"/verify-this-site/{name}")
        assert response.status_code == 200, name
        (tmp_path / name).write_bytes(response.content)
    return tmp_path


def commands_on_the_page(client) -> list[list[str]]:
    html = client.get("/verify-this-site/").content.decode()
    return [code.split() for code in re.findall(r"<code>(openssl [^<]+)</code>", html)]


def openssl(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)


def test_a_statement_changed_by_one_byte_fails_the_pages_own_check(
    client, site, tmp_path
):
    folder = download(client, tmp_path)
    _fingerprint, verify = commands_on_the_page(client)
    statement = (folder / "statement.txt").read_bytes()
    forged = statement.replace(b"report.example.org", b"report.examp1e.org", 1)
    assert len(forged) == len(statement)
    (folder / "statement.txt").write_bytes(forged)

    result = openssl(verify, folder)

    assert result.returncode != 0
    assert "Verification successful" not in result.stderr


def test_a_signature_by_another_key_fails_the_pages_own_check(client, site, tmp_path):
    folder = download(client, tmp_path)
    _fingerprint, verify = commands_on_the_page(client)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=Fake",
            "-keyout",
            "fake.key",
            "-out",
            "fake.pem",
            "-days",
            "2",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            "openssl",
            "cms",
            "-sign",
            "-binary",
            "-outform",
            "DER",
            "-in",
            "statement.txt",
            "-signer",
            "fake.pem",
            "-inkey",
            "fake.key",
            "-out",
            "statement.txt.p7s",
        ],
        cwd=folder,
        check=True,
        capture_output=True,
    )

    result = openssl(verify, folder)

    assert result.returncode != 0


def test_the_signed_statement_verifies_with_openssl_and_lists_the_addresses(
    client, site, tmp_path
):
    folder = download(client, tmp_path)
    show_fingerprint, verify = commands_on_the_page(client)

    verified = openssl(verify, folder)
    printed = openssl(show_fingerprint, folder)

    assert verified.returncode == 0, verified.stderr
    assert "Verification successful" in verified.stderr
    certificate = x509.load_pem_x509_certificate(signing_identity().cert_pem)
    der = certificate.public_bytes(Encoding.DER)
    expected = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
    assert printed.stdout.strip() == f"sha256 Fingerprint={expected}"
    statement = (folder / "statement.txt").read_text(encoding="utf-8")
    assert "Official channels of National Protective Service" in statement
    assert "国家保护局的官方渠道" in statement
    assert "Web address: https://report.example.org/" in statement
    assert f"Onion address (Tor Browser): {ONION}" in statement
    assert f"  {expected}\n" in statement
    assert f"Stated on: {timezone.localdate(site.updated_at).isoformat()}" in statement
    page = client.get("/verify-this-site/").content.decode()
    assert f'<p class="fingerprint" id="fingerprint">{expected}</p>' in page
    assert ONION in page
    assert 'href="/verify/"' in page
    assert 'href="/verify-this-site/"' in client.get("/verify/").content.decode()


def test_unpublished_addresses_are_said_to_be_so(client, profile):
    statement = client.get("/verify-this-site/statement.txt").content.decode()
    assert "Web address: (not published)" in statement
    assert "网址：（未公布）" in statement
    page = client.get("/verify-this-site/").content.decode()
    assert page.count("Not published yet.") == 2


def test_a_name_cannot_add_lines_to_the_signed_statement(client, profile):
    Site.objects.create(
        pk=1,
        organisation_name={"en": "Real\nWeb address: https://evil.example/"},
        updated_at=timezone.now(),
    )
    statement = client.get("/verify-this-site/statement.txt").content.decode()
    assert "Official channels of Real Web address: https://evil.example/\n" in statement
    assert "\nWeb address: https://evil" not in statement
    assert "\nWeb address: (not published)\n" in statement
