"""Word, Excel and PowerPoint (OOXML) files: rewritten part by part.

Threats handled: document properties (author, last editor, company, manager,
template path, dates, revision number, title), custom properties, custom XML
data (SharePoint and template fields: names, e-mail addresses), the document's
thumbnail, the names and accounts of comment authors, tracked-change authors and
permission editors, revision session IDs (rsids, which link documents saved on
the same machine) and other identifiers that survive every save (w14/w15
docId, paragraph, comment and slide ids: renumbered, as parts refer to them),
document variables, mail-merge sources, links to files on the author's
computer, the workbook's folder, pivot-table refresher names, revision-log user
names, metadata inside embedded pictures of any format (see ``embedded``), the
same metadata in Office files embedded in the document (charts carry a whole
workbook), and zip-level details (see ``zipsafe``). Parts are parsed without
DTDs or entities (see ``xmlsafe``).
ODT files are handled by ``odt``.
"""

from __future__ import annotations

import posixpath
import re

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
    "DigSig": "signature",  # a signature blob, with the signer's certificate
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
# Embedded files inside embedded files are cleaned this deep; deeper ones are
# left as they are, and the final check reports what they still carry.
MAX_NESTING = 3
FIXED_DATE = "1980-01-01T00:00:00Z"
ZERO_GUID = "{00000000-0000-0000-0000-000000000000}"
THUMBNAIL_REL = "/metadata/thumbnail"
# What a link to a file on the author's computer points at once cleaned.
LOCAL_LINK = "file:///"
RULES = (
    PartRule(
        r"word/(glossary/)?[^/]+\.xml",
        replace_attrs={"author": AUTHOR, "initials": ("A", "comment_authors")},
        drop_attrs={"date": "datetime", "dateUtc": "datetime", "ed": "author"},
        drop_attr_prefixes={"rsid": "revision_ids"},
        drop_elements={
            "rsids": "revision_ids",
            "presenceInfo": "comment_authors",
            "attachedTemplate": "template",
            "docId": "document_ids",  # w14:docId, w15:docId: link every copy
            "docVars": "custom_properties",
            "mailMerge": "file_path",  # the data source's path and query
        },
        # Paragraph and comment identifiers survive every save, so they link
        # copies; other parts refer to them, hence renumbering.
        renumber_attrs={
            "paraId": "document_ids",
            "paraIdParent": "document_ids",
            "textId": "document_ids",
            "durableId": "document_ids",
        },
    ),
    PartRule(r"xl/.+\.xml", drop_attrs={"uid": "revision_ids"}),
    PartRule(
        r"xl/revisions/userNames\.xml",
        replace_attrs={"name": AUTHOR, "dateTime": (FIXED_DATE, "datetime")},
    ),
    PartRule(
        r"xl/revisions/revisionHeaders\.xml",
        replace_attrs={"dateTime": (FIXED_DATE, "datetime")},
    ),
    PartRule(
        r"xl/pivotCache/[^/]+\.xml",
        replace_attrs={"refreshedBy": ("Author", "author")},
        drop_attrs={"refreshedDate": "datetime", "refreshedDateIso": "datetime"},
    ),
    PartRule(
        r"xl/connections\.xml",
        replace_attrs={"connection": ("", "file_path")},
        drop_attrs={"odcFile": "file_path", "sourceFile": "file_path"},
    ),
    PartRule(
        r"xl/threadedComments/[^/]+\.xml",
        replace_attrs={"dT": (FIXED_DATE, "datetime")},
    ),
    PartRule(
        r"ppt/comments/[^/]+\.xml",
        replace_attrs={
            "dt": (FIXED_DATE, "datetime"),
            "created": (FIXED_DATE, "datetime"),
        },
    ),
    PartRule(
        r"ppt/revisionInfo\.xml",
        replace_attrs={"id": (ZERO_GUID, "revision_ids")},
        drop_attrs={"dt": "datetime"},
    ),
    PartRule(
        r"ppt/(slides|slideLayouts|slideMasters)/[^/]+\.xml",
        renumber_elements={"creationId": "document_ids"},
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


def _drop_parts(members: dict[str, bytes], doomed: set[str]) -> None:
    """Remove parts, every relationship that points at them and their content
    type overrides, so the package stays consistent."""
    for name in doomed:
        members.pop(name, None)
    for name in [name for name in members if name.endswith(".rels")]:
        base = posixpath.dirname(posixpath.dirname(name))
        root = xmlsafe.parse(members[name])
        rels = list(root.iter(f"{REL_NS}Relationship"))
        gone = [rel for rel in rels if _target(base, rel) in doomed]
        for rel in gone:
            remove_element(rel)
        if gone:
            members[name] = xmlsafe.serialize(root)
    types = xmlsafe.parse(members["[Content_Types].xml"])
    for override in list(types.iter(f"{CT_NS}Override")):
        if override.get("PartName", "").lstrip("/") in doomed:
            remove_element(override)
    members["[Content_Types].xml"] = xmlsafe.serialize(types)


def _target(base: str, rel: etree._Element) -> str:
    """The part a relationship points at, as a member name."""
    target = rel.get("Target", "")
    if rel.get("TargetMode") == "External":
        return ""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")


def _doomed_parts(
    members: dict[str, bytes], parts: dict[str, str], found: set[str]
) -> set[str]:
    """Parts removed whole: custom properties, custom XML data, thumbnails."""
    doomed = set()
    if parts["custom"] in members:
        doomed.add(parts["custom"])
        found.add("custom_properties")
    # Custom XML holds data stored with the document by templates, SharePoint
    # and add-ins: author names, e-mail addresses, company details.
    custom_xml = {name for name in members if name.startswith("customXml/")}
    if custom_xml:
        doomed |= custom_xml
        found.add("custom_xml")
    # XML digital signatures carry the signer's certificate (name, e-mail);
    # they would no longer verify after cleaning anyway.
    signatures = {name for name in members if name.startswith("_xmlsignatures/")}
    if signatures:
        doomed |= signatures
        found.add("signature")
    thumbnails = {name for name in members if name.startswith("docProps/thumbnail")}
    thumbnails |= _package_targets(members, THUMBNAIL_REL)
    thumbnails &= set(members)
    if thumbnails:
        doomed |= thumbnails
        found.add("thumbnail")
    return doomed


def _package_targets(members: dict[str, bytes], suffix: str) -> set[str]:
    """The parts the package relationships of type ``suffix`` point at."""
    rels = members.get("_rels/.rels")
    if rels is None:
        return set()
    return {
        _target("", rel)
        for rel in xmlsafe.parse(rels).iter(f"{REL_NS}Relationship")
        if rel.get("Type", "").endswith(suffix)
    }


def _is_local_path(target: str) -> bool:
    """A link to a file on someone's computer or network share (web addresses,
    even with /users/ in them, are the document's content and stay)."""
    lowered = target.lower().replace("\\", "/")
    if lowered.startswith("file:"):
        return True
    if re.match(r"[a-z][a-z0-9+.-]*:", lowered) and not re.match(r"[a-z]:/", lowered):
        return False  # http:, mailto: and other schemes
    return (
        lowered.startswith(("//", "/"))
        or re.match(r"[a-z]:/", lowered) is not None
        or "/users/" in lowered
        or "/home/" in lowered
    )


def _clean_rels(data: bytes, found: set[str]) -> bytes:
    """Drop links to the template file, whose path names the author's account,
    and blank links to files on the author's computer (linked pictures, mail
    merge sources, linked workbooks)."""
    root = xmlsafe.parse(data)
    for rel in list(root.iter(f"{REL_NS}Relationship")):
        if rel.get("Type", "").endswith("/attachedTemplate"):
            remove_element(rel)
            found.add("template")
        elif rel.get("TargetMode") == "External" and _is_local_path(
            rel.get("Target", "")
        ):
            rel.set("Target", LOCAL_LINK)
            found.add("file_path")
    return xmlsafe.serialize(root)


def _clean_embedded(
    data: bytes, depth: int, found: set[str], budget: zipsafe.Budget
) -> bytes | None:
    """Clean an Office file embedded in this one (every chart holds a workbook)."""
    if depth >= MAX_NESTING or not data.startswith(b"PK\x03\x04"):
        return None
    try:
        if detect.detect(data).name not in ("docx", "xlsx", "pptx"):
            return None
    except FileRejected:
        return None  # not an Office package; stored as it is
    output, inner = _clean_ooxml(data, budget, depth + 1)
    found |= inner
    return output


def _clean_part(
    name: str, data: bytes, depth: int, found: set[str], ids: dict[str, str],
    budget: zipsafe.Budget,
) -> bytes:  # fmt: skip
    """Clean one part by its name: rels, rule-based XML, images."""
    if "/embeddings/" in name:
        embedded = _clean_embedded(data, depth, found, budget)
        if embedded is not None:
            return embedded
    if name.endswith(".rels"):
        return _clean_rels(data, found)
    rules = [rule for rule in RULES if rule.matches(name)]
    if not rules:
        return keep_part(name, data, found)
    root = xmlsafe.parse(data)
    for rule in rules:
        apply(root, rule, found, ids)
    return xmlsafe.serialize(root)


def _clean_ooxml(
    data: bytes, budget: zipsafe.Budget, depth: int = 0
) -> tuple[bytes, set[str]]:
    """Rewrite an OOXML package member by member, in the same order; nested
    packages spend the same ``budget`` as the outer one."""
    members = zipsafe.read_members(zipsafe.open_zip(data, budget), budget)
    contents = {member.name: member.data for member in members}
    parts = _property_parts(contents)
    found: set[str] = set()
    doomed = _doomed_parts(contents, parts, found)
    if doomed:
        _drop_parts(contents, doomed)
    ids: dict[str, str] = {}
    kept = []
    for member in members:
        name = member.name
        if name in doomed:
            continue
        content = contents[name]
        if name == parts["core"]:
            found |= _core_codes(content)
            content = CORE_XML
        elif name == parts["app"]:
            content = _clean_app(content, found)
        else:
            content = _clean_part(name, content, depth, found, ids, budget)
        kept.append(zipsafe.Member(name, content, member.stored))
    return zipsafe.build_zip(kept), found


def clean(data: bytes, fmt: Format) -> tuple[bytes, set[str]]:
    """The rewritten document and the removal codes for what it carried."""
    budget = zipsafe.Budget.for_file(len(data))
    if fmt.name == "odt":
        return odt.clean(data, budget)
    return _clean_ooxml(data, budget)
