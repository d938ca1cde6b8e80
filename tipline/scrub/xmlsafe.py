"""Parsing XML parts of documents without letting them reach outside the file.

Threats handled: external entities and DTDs (file or network reads, XXE), entity
expansion bombs, and parts so deep or large that the parser would exhaust memory.
Any DOCTYPE is refused outright: document parts never need one.
"""

from __future__ import annotations

from lxml import etree

from .result import FileRejected


def _parser() -> etree.XMLParser:
    """A parser that never loads DTDs, entities or anything over the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse(data: bytes) -> etree._Element:
    """The root element of an XML part; a DOCTYPE or malformed XML is ``damaged``."""
    try:
        # The parser is hardened above (no DTD, entities, network or huge trees).
        root = etree.fromstring(data, parser=_parser())
    except (etree.XMLSyntaxError, ValueError):
        raise FileRejected("damaged") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise FileRejected("damaged")
    return root


def is_xml_part(name: str) -> bool:
    """Parts that must be well-formed XML (VML drawings often are not)."""
    return name.endswith((".xml", ".rels"))


def serialize(root: etree._Element) -> bytes:
    """The element tree as UTF-8 with the declaration Office and ODF expect."""
    standalone = root.getroottree().docinfo.standalone
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=standalone
    )


def local(name: object) -> str:
    """An element or attribute name without its namespace."""
    if not isinstance(name, str):
        return ""  # comments and processing instructions have no name
    return name.rsplit("}", 1)[-1]
