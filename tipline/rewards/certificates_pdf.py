"""The PDF of a certificate or acknowledgement: layout, and its PAdES signature.

The layout (fpdf2) embeds a subset of one font with Chinese and Latin glyphs
(``CERTIFICATE_FONT``), a QR code of the /verify/ address, and the signed
statement itself as an attached file, so /verify/ can check an uploaded copy
offline-verifiably. pyHanko then signs the whole file (PAdES baseline B); any byte
changed afterwards breaks that signature.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import segno
from asn1crypto import x509 as asn1_x509
from fpdf import FPDF
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tipline.rewards.certificates_keys import SigningIdentity

ATTACHMENT = "tipline-signed.json"
# fontTools warns, for every document, that it drops the font's bitmap table
# (BDF) when subsetting: expected, and noise in the filtered log.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
FONT = "certfont"


@dataclass(frozen=True)
class Section:
    """One language's text of the document: a title and paragraphs."""

    title: str
    paragraphs: Sequence[str]
    code_label: str
    qr_label: str
    # The paragraph printed large (a commendation's name), if any.
    highlight: int | None = None


def render_pdf(
    *,
    sections: Sequence[Section],
    formatted_code: str,
    verify_url: str,
    attachment: dict[str, Any],
    font_path: str,
    created: datetime,
) -> bytes:
    """The unsigned PDF: each section on its own page, code and QR on each."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(created)
    pdf.set_producer("Tipline")
    pdf.set_title(sections[0].title)
    pdf.add_font(FONT, fname=font_path)
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=8, border=2)
    for section in sections:
        _page(pdf, section, formatted_code, verify_url, qr)
    pdf.embed_file(
        bytes=json.dumps(attachment, sort_keys=True).encode(),
        basename=ATTACHMENT,
        mime_type="application/json",
        modification_date=created,
    )
    return bytes(pdf.output())


def _page(pdf: FPDF, section: Section, code: str, url: str, qr: io.BytesIO) -> None:
    pdf.add_page()
    pdf.set_margins(22, 24, 22)
    pdf.set_font(FONT, size=24)
    pdf.ln(10)
    pdf.multi_cell(0, 12, section.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, size=13)
    for index, paragraph in enumerate(section.paragraphs):
        large = index == section.highlight
        pdf.set_font(FONT, size=20 if large else 13)
        height = 11 if large else 8
        pdf.multi_cell(0, height, paragraph, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.ln(6)
    pdf.set_font(FONT, size=11)
    pdf.multi_cell(0, 7, section.code_label, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=18)
    pdf.multi_cell(0, 10, code, align="C", new_x="LMARGIN", new_y="NEXT")
    qr.seek(0)
    pdf.image(qr, x=(pdf.w - 45) / 2, w=45, h=45)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(
        0, 6, f"{section.qr_label}\n{url}", align="C", new_x="LMARGIN", new_y="NEXT"
    )


class _StatedTimeSigner(signers.PdfSigner):
    """PdfSigner stamping a stated signing time instead of the current second:
    when a reporter downloaded an acknowledgement is theirs, and the second (even
    the hour) could single out their report among the week's."""

    def __init__(self, *args: Any, signed_at: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signed_at = signed_at

    def init_signing_session(self, *args: Any, **kwargs: Any) -> Any:
        session = super().init_signing_session(*args, **kwargs)
        session.system_time = self.signed_at
        return session


def sign_pdf(
    pdf: bytes,
    identity: SigningIdentity,
    *,
    reason: str,
    signed_at: datetime,
    field_name: str = "Organisation",
) -> bytes:
    """Add the organisation's PAdES signature over the whole file, dated
    ``signed_at`` (not before the certificate is valid, or readers refuse it)."""
    cert = load_cert_from_pemder_bytes(identity.cert_pem)
    not_before = cert.not_valid_before
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=load_private_key_from_pemder_data(identity.cert_key_pem, None),
        cert_registry=SimpleCertificateStore(),  # type: ignore[no-untyped-call]
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    at = max(signed_at, not_before + timedelta(seconds=1))
    out = _StatedTimeSigner(meta, signer=signer, signed_at=at).sign_pdf(writer)
    return bytes(out.getvalue())


def load_cert_from_pemder_bytes(pem: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(_pem_to_der(pem))


def _pem_to_der(pem: bytes) -> bytes:
    from asn1crypto import pem as asn1_pem

    if asn1_pem.detect(pem):
        return bytes(asn1_pem.unarmor(pem)[2])
    return pem


@dataclass(frozen=True)
class PdfCheck:
    """What the PDF signature check found; ``attachment`` only if it is intact."""

    intact: bool
    attachment: dict[str, Any] | None


def check_pdf(data: bytes, identity: SigningIdentity) -> PdfCheck:
    """Is ``data`` a PDF signed whole, once, by the organisation's certificate, and
    what does its attached statement say? Any parse error means not intact."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
        if len(sigs) != 1:
            return PdfCheck(False, None)
        status = _validate(sigs[0], identity)
        if not (status.bottom_line and _covers_whole_file(status)):
            return PdfCheck(False, None)
        return PdfCheck(True, _attachment(reader))
    except Exception:  # a hostile file may fail anywhere in parsing
        return PdfCheck(False, None)


def _validate(sig: Any, identity: SigningIdentity) -> PdfSignatureStatus:
    root = load_cert_from_pemder_bytes(identity.cert_pem)
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return validate_pdf_signature(sig, context)


def _covers_whole_file(status: PdfSignatureStatus) -> bool:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    return status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def _attachment(reader: PdfFileReader) -> dict[str, Any] | None:
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    for i in range(0, len(names), 2):
        if str(names[i]) == ATTACHMENT:
            spec = names[i + 1].get_object()
            stream = spec["/EF"]["/F"].get_object()
            parsed = json.loads(stream.data)
            return parsed if isinstance(parsed, dict) else None
    return None
