"""OpenDocument text (ODT) files: rewritten part by part.

Threats handled: document metadata (initial author, last editor, generator
software, dates, template, editing time and cycles, user-defined fields), the
names, initials and dates of comment and tracked-change authors, the printer and
mail-merge database the author uses, digital signatures, metadata inside embedded
pictures (see ``embedded``), and zip-level details (see ``zipsafe``).
Encrypted documents and documents with macros are refused.
"""

from __future__ import annotations

from lxml import etree

from . import xmlsafe, zipsafe
from .parts import PartRule, apply, keep_part, remove_element
from .result import FileRejected

OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CONFIG_NS = "urn:oasis:names:tc:opendocument:xmlns:config:1.0"
META_CODES = {
    "initial-creator": "author",
    "creator": "author",
    "printed-by": "author",
    "date": "datetime",
    "creation-date": "datetime",
    "print-date": "datetime",
    "generator": "software",
    "title": "title",
    "template": "template",
}
# Counts of words and pages: not identifying, so not worth reporting.
META_UNREPORTED = {"document-statistic"}
# The author's printer, and the mail-merge database the document was used with.
PRIVATE_ITEMS = {
    "PrinterName", "PrinterSetup", "PrinterPaperFromSetup",
    "CurrentDatabaseDataSource", "CurrentDatabaseCommand",
}  # fmt: skip
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
FIXED_DATE = "1980-01-01T00:00:00"
# Digital signatures name the signer and carry their certificate.
SIGNATURE_PARTS = ("META-INF/documentsignatures.xml", "META-INF/macrosignatures.xml")
MACRO_FOLDERS = ("Basic/", "Scripts/")
AUTHOR_RULE = PartRule(
    r"(.+/)?(content|styles)\.xml",
    replace_texts={
        "creator": ("Author", "comment_authors"),
        "creator-initials": ("A", "comment_authors"),
    },
)


def _minimal_meta(version: str | None) -> bytes:
    """A meta.xml with no metadata, keeping the ODF version."""
    root = etree.Element(f"{{{OFFICE_NS}}}document-meta", nsmap={"office": OFFICE_NS})
    if version:
        root.set(f"{{{OFFICE_NS}}}version", version)
    etree.SubElement(root, f"{{{OFFICE_NS}}}meta")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _clean_meta(data: bytes, found: set[str]) -> bytes:
    """Report what meta.xml held and replace it with an empty one."""
    root = xmlsafe.parse(data)
    for meta in root.iter(f"{{{OFFICE_NS}}}meta"):
        for element in meta.iter(etree.Element):
            name = xmlsafe.local(element.tag)
            if element is meta or name in META_UNREPORTED:
                continue
            found.add(META_CODES.get(name, "other_metadata"))
    return _minimal_meta(root.get(f"{{{OFFICE_NS}}}version"))


def _clean_settings(data: bytes, found: set[str]) -> bytes:
    """Remove the printer name and setup, which name the author's printer."""
    root = xmlsafe.parse(data)
    for item in list(root.iter(f"{{{CONFIG_NS}}}config-item")):
        if item.get(f"{{{CONFIG_NS}}}name") in PRIVATE_ITEMS:
            if (item.text or "").strip():
                found.add("other_metadata")
            remove_element(item)
    return xmlsafe.serialize(root)


def _fix_dates(root: etree._Element, found: set[str]) -> None:
    """Comments and tracked changes date themselves (dc:date, which change
    records require); a date shown in the text is ``text:date`` and is kept."""
    for element in root.iter(DC_DATE):
        if (element.text or "").strip() not in ("", FIXED_DATE):
            element.text = FIXED_DATE
            found.add("datetime")


def _check_package(members: list[zipsafe.Member]) -> None:
    """Refuse encrypted documents and documents carrying macros."""
    for member in members:
        if member.name.startswith(MACRO_FOLDERS):
            raise FileRejected("unsupported_type")
        if member.name == "META-INF/manifest.xml":
            manifest = xmlsafe.parse(member.data)
            names = {xmlsafe.local(element.tag) for element in manifest.iter()}
            if "encryption-data" in names:
                raise FileRejected("encrypted")


def _clean_member(name: str, data: bytes, found: set[str]) -> bytes:
    """Clean one member by its role in the package."""
    if name == "meta.xml" or name.endswith("/meta.xml"):
        # Embedded objects (charts, formulas) are sub-documents with their own.
        return _clean_meta(data, found)
    if name == "settings.xml":
        return _clean_settings(data, found)
    if AUTHOR_RULE.matches(name):
        root = xmlsafe.parse(data)
        apply(root, AUTHOR_RULE, found)
        _fix_dates(root, found)
        return xmlsafe.serialize(root)
    return keep_part(name, data, found)


def clean(data: bytes, budget: zipsafe.Budget) -> tuple[bytes, set[str]]:
    """The rewritten document and the removal codes for what it carried."""
    members = zipsafe.read_members(zipsafe.open_zip(data, budget), budget)
    _check_package(members)
    found: set[str] = set()
    kept = []
    for member in members:
        if member.name in SIGNATURE_PARTS:
            found.add("signature")
            continue
        content = _clean_member(member.name, member.data, found)
        # ODF requires the mimetype first and uncompressed, to be recognisable.
        stored = member.name == "mimetype"
        kept.append(zipsafe.Member(member.name, content, stored))
    return zipsafe.build_zip(kept), found
