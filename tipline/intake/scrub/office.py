"""Word, Excel and PowerPoint (OOXML) files: rewritten part by part.

Threats handled: document properties (author, last editor, company, manager,
template path, dates, revision number, title), custom properties, the names and
accounts of comment authors and of tracked-change authors, revision session IDs
(rsids, which link documents saved on the same machine), the workbook's folder
on the author's computer, EXIF inside embedded photos, the same metadata in
Office files embedded in the document (charts carry a whole workbook), and
zip-level details (see ``zipsafe``). Parts are parsed without DTDs or entities
(see ``xmlsafe``).
ODT files are handled by ``odt``.
"""

from __future__ import annotations

import posixpath

from lxml import etree

from . import detect, odt, xmlsafe, zipsafe
from .detect import Format
from .parts import PartRule, apply, keep_part, remove_element
from .result import FileRejected

REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
CORE_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b"<cp:coreProperties"
    b' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"'
    b' xmlns:dcterms="http://purl.org/dc/terms/"'
    b' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
    b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
)
CORE_CODES = {
    "creator": "author",
    "lastModifiedBy": "last_modified_by",
    "created": "datetime",
    "modified": "datetime",
    "lastPrinted": "datetime",
    "title": "title",
    "revision": "revision_ids",
}
APP_CODES = {
    "Company": "company",
    "Manager": "company",
    "Template": "template",
    "HyperlinkBase": "other_metadata",
}
# Derived from the title and content; Office rebuilds them. Removed silently.
APP_DERIVED = {"HeadingPairs", "TitlesOfParts"}
PROPERTY_RELS = {
    "core": "/metadata/core-properties",
    "app": "/extended-properties",
    "custom": "/custom-properties",
}
DEFAULT_PARTS = {
    "core": "docProps/core.xml",
    "app": "docProps/app.xml",
    "custom": "docProps/custom.xml",
}
AUTHOR = ("Author", "comment_authors")
MAX_NESTING = 1  # an embedded file inside an embedded file is left as it is
RULES = (
    PartRule(
        r"word/[^/]+\.xml",
        replace_attrs={"author": AUTHOR, "initials": ("A", "comment_authors")},
        drop_attrs={"date": "datetime", "dateUtc": "datetime"},
        drop_attr_prefixes={"rsid": "revision_ids"},
        drop_elements={
            "rsids": "revision_ids",
            "presenceInfo": "comment_authors",
            "attachedTemplate": "template",
        },
    ),
    PartRule(r"xl/comments[^/]*\.xml", replace_texts={"author": AUTHOR}),
    PartRule(
        r"xl/persons/[^/]+\.xml",
        replace_attrs={"displayName": AUTHOR},
        drop_attrs={"userId": "comment_authors", "providerId": "comment_authors"},
    ),
    PartRule(
        r"xl/workbook\.xml",
        replace_attrs={"userName": ("Author", "author")},
        drop_elements={"absPath": "file_path", "revisionPtr": "revision_ids"},
    ),
    PartRule(r"xl/revisions/[^/]+\.xml", replace_attrs={"userName": AUTHOR}),
    PartRule(
        r"ppt/(commentAuthors|authors)\.xml",
        replace_attrs={"name": AUTHOR, "initials": ("A", "comment_authors")},
        drop_attrs={"userId": "comment_authors", "providerId": "comment_authors"},
    ),
)


def _property_parts(members: dict[str, bytes]) -> dict[str, str]:
    """Where the core, app and custom property parts are, from the package rels."""
    found = dict(DEFAULT_PARTS)
    rels = members.get("_rels/.rels")
    if rels is None:
        return found
    for rel in xmlsafe.parse(rels).iter(f"{REL_NS}Relationship"):
        for role, suffix in PROPERTY_RELS.items():
            if rel.get("Type", "").endswith(suffix):
                found[role] = posixpath.normpath(rel.get("Target", "")).lstrip("/")
    return found


def _core_codes(data: bytes) -> set[str]:
    """Codes for the filled-in core properties (author, dates, title...)."""
    found = set()
    for element in xmlsafe.parse(data).iter(etree.Element):
        if element.getparent() is not None and (element.text or "").strip():
            found.add(CORE_CODES.get(xmlsafe.local(element.tag), "other_metadata"))
    return found


def _clean_app(data: bytes, found: set[str]) -> bytes:
    """Remove company, manager, template and link base from app.xml."""
    root = xmlsafe.parse(data)
    for element in list(root):
        name = xmlsafe.local(element.tag)
        if name in APP_CODES:
            if (element.text or "").strip():
                found.add(APP_CODES[name])
            remove_element(element)
        elif name in APP_DERIVED:
            remove_element(element)
    return xmlsafe.serialize(root)


def _drop_custom(members: dict[str, bytes], custom: str) -> None:
    """Remove the custom properties' relationship and content type override."""
    rels = xmlsafe.parse(members["_rels/.rels"]) if "_rels/.rels" in members else None
    if rels is not None:
        for rel in list(rels.iter(f"{REL_NS}Relationship")):
            if rel.get("Type", "").endswith(PROPERTY_RELS["custom"]):
                remove_element(rel)
        members["_rels/.rels"] = xmlsafe.serialize(rels)
    types = xmlsafe.parse(members["[Content_Types].xml"])
    for override in list(types.iter(f"{CT_NS}Override")):
        if override.get("PartName", "").lstrip("/") == custom:
            remove_element(override)
    members["[Content_Types].xml"] = xmlsafe.serialize(types)


def _clean_rels(data: bytes, found: set[str]) -> bytes:
    """Drop links to the template file, whose path names the author's account."""
    root = xmlsafe.parse(data)
    for rel in list(root.iter(f"{REL_NS}Relationship")):
        if rel.get("Type", "").endswith("/attachedTemplate"):
            remove_element(rel)
            found.add("template")
    return xmlsafe.serialize(root)


def _clean_embedded(data: bytes, depth: int, found: set[str]) -> bytes | None:
    """Clean an Office file embedded in this one (every chart holds a workbook)."""
    if depth >= MAX_NESTING or not data.startswith(b"PK\x03\x04"):
        return None
    try:
        if detect.detect(data).name not in ("docx", "xlsx", "pptx"):
            return None
    except FileRejected:
        return None  # not an Office package; stored as it is
    output, inner = _clean_ooxml(data, depth + 1)
    found |= inner
    return output


def _clean_part(name: str, data: bytes, depth: int, found: set[str]) -> bytes:
    """Clean one part by its name: rels, rule-based XML, images."""
    if "/embeddings/" in name:
        embedded = _clean_embedded(data, depth, found)
        if embedded is not None:
            return embedded
    if name.endswith(".rels"):
        return _clean_rels(data, found)
    for rule in RULES:
        if rule.matches(name):
            root = xmlsafe.parse(data)
            apply(root, rule, found)
            return xmlsafe.serialize(root)
    return keep_part(name, data, found)


def _clean_ooxml(data: bytes, depth: int = 0) -> tuple[bytes, set[str]]:
    """Rewrite an OOXML package member by member, in the same order."""
    members = zipsafe.read_members(zipsafe.open_zip(data))
    contents = {member.name: member.data for member in members}
    parts = _property_parts(contents)
    found: set[str] = set()
    if parts["custom"] in contents:
        found.add("custom_properties")
        _drop_custom(contents, parts["custom"])
    kept = []
    for member in members:
        name, content = member.name, contents[member.name]
        if name == parts["custom"]:
            continue
        if name == parts["core"]:
            found |= _core_codes(content)
            content = CORE_XML
        elif name == parts["app"]:
            content = _clean_app(content, found)
        else:
            content = _clean_part(name, content, depth, found)
        kept.append(zipsafe.Member(name, content, member.stored))
    return zipsafe.build_zip(kept), found


def clean(data: bytes, fmt: Format) -> tuple[bytes, set[str]]:
    """The rewritten document and the removal codes for what it carried."""
    if fmt.name == "odt":
        return odt.clean(data)
    return _clean_ooxml(data)
