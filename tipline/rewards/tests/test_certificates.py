"""Commendation certificates through the real PDF (issue 14, point 7): both
signatures, an independent validator, tampered and forged copies, Chinese text,
and what the database keeps."""

import json
import shutil
import subprocess
from datetime import date

import pytest
from django.db import connection

from tipline.audit.models import AuditEvent
from tipline.crypto import signing
from tipline.rewards import certificates, certificates_pdf
from tipline.rewards.certificates_keys import (
    SigningIdentity,
    _generate_certificate,
    signing_identity,
)
from tipline.rewards.models import SignedDocument

pytestmark = pytest.mark.django_db

NAME = "张三 Zhang San"
ISSUED = date(2026, 11, 30)


def issue(name=NAME, language="both"):
    return certificates.issue_certificate(
        printed_name=name, language=language, issued_on=ISSUED
    )


def poppler(tool, pdf, tmp_path):
    assert shutil.which(tool), f"{tool} is required: apt-get install poppler-utils"
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [tool, str(path)] if tool != "pdftotext" else [tool, str(path), "-"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return done.stdout + done.stderr


def other_identity(tmp_path) -> SigningIdentity:
    seed = signing.new_signing_seed()
    _generate_certificate(tmp_path / "cert.pem", tmp_path / "key.pem")
    return SigningIdentity(
        seed=seed,
        public_key=signing.verify_key_of(seed),
        cert_pem=(tmp_path / "cert.pem").read_bytes(),
        cert_key_pem=(tmp_path / "key.pem").read_bytes(),
    )


def test_a_certificate_says_what_it_should_and_verifies_by_code():
    made = issue()

    assert made.statement["name"] == NAME
    assert made.statement["issued_on"] == "2026-11-30"
    assert made.statement["organisation"] == "Tipline"
    found = certificates.verify_code(made.code.lower().replace("-", " "))
    assert found.genuine is True
    assert found.statement == made.statement


def test_an_anonymous_certificate_names_no_one(tmp_path):
    made = issue(name="   ", language="en")

    assert made.statement["name"] is None
    text = poppler("pdftotext", made.pdf, tmp_path)
    assert "an anonymous member of the public" in text


def test_the_pdf_signature_is_valid_for_an_independent_validator(tmp_path):
    made = issue()

    report = poppler("pdfsig", made.pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: Tipline" in report
    # Self-signed unless the operator configures a CA's: readers then say who
    # signed but not that they trust them (docs/deployment.md).
    assert "Certificate issuer isn't Trusted" in report


def test_pyhanko_validates_it_against_the_organisation_certificate():
    made = issue()

    checked = certificates_pdf.check_pdf(made.pdf, signing_identity())
    assert checked.intact is True
    attached = checked.attachment
    encoded = attached["statement"].encode()
    assert json.loads(encoded) == made.statement
    assert signing.statement_is_signed(
        signing_identity().public_key, encoded, bytes.fromhex(attached["signature"])
    )


def test_chinese_text_renders_from_an_embedded_font_subset(tmp_path):
    made = issue(language="zh-hans")

    text = poppler("pdftotext", made.pdf, tmp_path)
    assert "张三" in text
    assert "2026年11月30日" in text
    fonts = poppler("pdffonts", made.pdf, tmp_path).splitlines()
    embedded = [line for line in fonts[2:] if line.strip()]
    assert embedded
    for line in embedded:
        # The name column starts with a subset tag (ABCDEF+); emb and sub are yes.
        assert "+" in line.split()[0]
        assert line.split()[-5:-3] == ["yes", "yes"]


def test_the_qr_code_and_the_text_point_to_the_verify_page(tmp_path, settings):
    made = issue(language="en")
    text = poppler("pdftotext", made.pdf, tmp_path)
    assert f"{settings.BASE_URL}/verify/{made.code}/" in text
    assert made.code in text


def test_an_uploaded_genuine_pdf_verifies():
    made = issue()
    found = certificates.verify_pdf(made.pdf)
    assert found.genuine is True
    assert found.statement == made.statement


def test_a_changed_byte_in_the_printed_name_is_rejected(tmp_path):
    made = issue(name="Zhang San")
    at = made.pdf.index(b"Zhang San")
    tampered = made.pdf[:at] + b"Zhang Sam" + made.pdf[at + 9 :]

    assert certificates.verify_pdf(tampered).genuine is False
    assert "Signature is Valid" not in poppler("pdfsig", tampered, tmp_path)
    failed = AuditEvent.objects.filter(action="certificate.verify_failed").last()
    assert failed.detail == {"reason": "altered"}


def test_a_copy_re_signed_with_another_key_is_rejected(tmp_path):
    forger = other_identity(tmp_path)
    made = issue(name="Zhang San")
    statement = {**made.statement, "name": "Li Si"}
    encoded = certificates.canonical(statement)
    pdf = certificates_pdf.render_pdf(
        sections=[certificates.section_for(statement, "en")],
        formatted_code=made.code,
        verify_url="http://127.0.0.1:8000/verify/",
        attachment={
            "statement": encoded.decode(),
            "signature": signing.sign_statement(forger.seed, encoded).hex(),
        },
        font_path="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        created=made_time(),
    )
    forged = certificates_pdf.sign_pdf(
        pdf, forger, reason="forged", signed_at=made_time()
    )

    assert "Signature is Valid" in poppler("pdfsig", forged, tmp_path)
    assert certificates.verify_pdf(forged).genuine is False


def test_a_genuine_signature_over_another_statement_is_rejected(tmp_path):
    # Even signed with the real keys, a statement that was never issued (no row,
    # or a row that says something else) is not genuine.
    made = issue(name="Zhang San")
    identity = signing_identity()
    statement = {**made.statement, "name": "Li Si"}
    encoded = certificates.canonical(statement)
    pdf = certificates_pdf.render_pdf(
        sections=[certificates.section_for(statement, "en")],
        formatted_code=made.code,
        verify_url="http://127.0.0.1:8000/verify/",
        attachment={
            "statement": encoded.decode(),
            "signature": signing.sign_statement(identity.seed, encoded).hex(),
        },
        font_path="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        created=made_time(),
    )
    resigned = certificates_pdf.sign_pdf(
        pdf, identity, reason="x", signed_at=made_time()
    )
    assert certificates.verify_pdf(resigned).genuine is False


def test_a_second_signature_appended_to_a_genuine_pdf_is_rejected(tmp_path):
    made = issue()
    appended = certificates_pdf.sign_pdf(
        made.pdf,
        other_identity(tmp_path),
        reason="x",
        signed_at=made_time(),
        field_name="Second",
    )
    assert certificates.verify_pdf(appended).genuine is False


@pytest.mark.parametrize(
    "junk",
    [b"", b"%PDF-1.7\n", b"not a pdf at all", b"%PDF-1.4\n" + b"\x00" * 5000],
)
def test_junk_and_unsigned_files_are_rejected(junk):
    assert certificates.verify_pdf(junk).genuine is False


def test_an_unknown_code_is_not_genuine_and_audited():
    found = certificates.verify_code(signing.format_code(signing.new_code()))
    assert found == certificates.Verification(False)
    failed = AuditEvent.objects.filter(action="certificate.verify_failed").last()
    assert failed.detail == {"reason": "unknown"}
    assert failed.actor is None


def test_a_code_of_the_wrong_shape_raises_and_is_audited():
    with pytest.raises(certificates.MalformedCode):
        certificates.verify_code("1234-5678")
    failed = AuditEvent.objects.filter(action="certificate.verify_failed").last()
    assert failed.detail == {"reason": "malformed"}
    assert "1234" not in json.dumps(failed.detail)


def test_the_database_keeps_nothing_readable_about_a_certificate():
    made = issue(name="Wang Wu")
    row = SignedDocument.objects.get()
    raw = bytes(row.sealed) + row.lookup.encode()

    for secret in (b"Wang Wu", made.code.encode(), made.code.replace("-", "").encode()):
        assert secret not in raw
    assert b"2026-11-30" not in raw
    # Positive control: the row opens with the code.
    assert certificates.verify_code(made.code).statement["name"] == "Wang Wu"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM rewards_signeddocument")
        columns = [c[0] for c in cursor.description]
    assert sorted(columns) == ["id", "lookup", "sealed"]


def test_issuing_is_audited_without_naming_anyone():
    issue(name="Wang Wu")
    event = AuditEvent.objects.get(action="certificate.issued")
    assert "Wang" not in json.dumps(event.detail) + event.target
    assert event.at.minute == 0
    assert event.at.second == 0


def test_an_unknown_language_is_refused_and_nothing_stored():
    with pytest.raises(certificates.UnknownLanguage):
        issue(language="fr")
    assert SignedDocument.objects.count() == 0


def test_uploads_past_the_limit_a_minute_are_refused(settings):
    settings.VERIFY_UPLOADS_PER_MINUTE = 2
    made = issue()
    assert certificates.verify_pdf(made.pdf).genuine is True
    assert certificates.verify_pdf(b"junk").genuine is False
    with pytest.raises(certificates.VerifyBusy):
        certificates.verify_pdf(made.pdf)


def made_time():
    from datetime import UTC, datetime

    return datetime(2026, 11, 30, tzinfo=UTC)


def test_the_pdf_can_be_made_again_from_its_code_alone(django_assert_num_queries):
    made = issue(name="Zhang San")
    again = certificates.document_for_code(made.code)

    assert again.statement == made.statement
    assert again.code == made.code
    assert certificates.verify_pdf(again.pdf).genuine is True
    assert SignedDocument.objects.count() == 1
    assert certificates.document_for_code(signing.new_code()) is None


def test_known_and_unknown_codes_cost_the_same_lookup(django_assert_num_queries):
    made = issue()
    with django_assert_num_queries(1):
        assert (
            certificates._stored_statement(signing.normalise_code(made.code))
            == made.statement
        )
    with django_assert_num_queries(1):
        assert certificates._stored_statement(signing.new_code()) is None
