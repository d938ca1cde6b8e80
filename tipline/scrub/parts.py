"""Rules for rewriting the XML parts of Office and ODT documents.

Each rule names the parts it applies to and, by local name, the attributes and
element texts that hold people's names (replaced by a neutral value) and the
attributes and elements that hold identifiers, dates or paths (removed). The
removal code is recorded only when something identifying was actually there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from . import embedded, xmlsafe


@dataclass(frozen=True)
class PartRule:
    """What to neutralise in the parts whose names match ``pattern``."""

    pattern: str
    # local name -> (neutral value, removal code)
    replace_attrs: dict[str, tuple[str, str]] = field(default_factory=dict)
    replace_texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    # local name -> removal code
    drop_attrs: dict[str, str] = field(default_factory=dict)
    drop_attr_prefixes: dict[str, str] = field(default_factory=dict)
    drop_elements: dict[str, str] = field(default_factory=dict)
    # local name -> removal code, for identifiers other parts refer to: each
    # value is replaced by a sequence number, the same one in every part.
    renumber_attrs: dict[str, str] = field(default_factory=dict)
    # local name -> removal code, for elements whose ``val`` is such a number.
    renumber_elements: dict[str, str] = field(default_factory=dict)

    def matches(self, name: str) -> bool:
        """Whether this rule applies to the part named ``name``."""
        return re.fullmatch(self.pattern, name) is not None


def remove_element(element: etree._Element) -> None:
    """Detach an element, keeping the text that follows it in the document."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _drop_code(rule: PartRule, name: str) -> str | None:
    """The removal code if this attribute is to be removed, else None."""
    if name in rule.drop_attrs:
        return rule.drop_attrs[name]
    for prefix, code in rule.drop_attr_prefixes.items():
        if name.startswith(prefix):
            return code
    return None


def _clean_attributes(
    element: etree._Element, rule: PartRule, found: set[str], ids: dict[str, str]
) -> None:
    """Neutralise name attributes and remove identifier attributes."""
    for attr in list(element.attrib):
        name = xmlsafe.local(attr)
        if name in rule.renumber_attrs:
            value = element.attrib[attr]
            element.attrib[attr] = ids.setdefault(value, f"{len(ids) + 1:08X}")
            found.add(rule.renumber_attrs[name])
        elif name in rule.replace_attrs:
            neutral, code = rule.replace_attrs[name]
            if element.attrib[attr] not in ("", neutral):
                element.attrib[attr] = neutral
                found.add(code)
        elif (dropped := _drop_code(rule, name)) is not None:
            del element.attrib[attr]
            found.add(dropped)


def apply(
    root: etree._Element,
    rule: PartRule,
    found: set[str],
    ids: dict[str, str] | None = None,
) -> None:
    """Neutralise names and remove identifiers in one parsed part, in place.
    ``ids`` maps renumbered identifiers across the parts of one document."""
    ids = {} if ids is None else ids
    doomed = []
    for element in root.iter(etree.Element):
        name = xmlsafe.local(element.tag)
        if name in rule.drop_elements:
            doomed.append(element)
            found.add(rule.drop_elements[name])
            continue
        _clean_attributes(element, rule, found, ids)
        if name in rule.renumber_elements and element.get("val"):
            key = "val:" + element.get("val", "")
            element.set("val", ids.setdefault(key, str(len(ids) + 1)))
            found.add(rule.renumber_elements[name])
        if name in rule.replace_texts:
            neutral, code = rule.replace_texts[name]
            if (element.text or "").strip() not in ("", neutral):
                element.text = neutral
                found.add(code)
    for element in doomed:
        remove_element(_wrapper(element))


def _wrapper(element: etree._Element) -> etree._Element:
    """The markup-compatibility block an element is alone in, else the element.

    Excel writes its folder path as the only choice of an AlternateContent block;
    an empty block left behind would be pointless, so it goes too.
    """
    choice = element.getparent()
    if choice is None or xmlsafe.local(choice.tag) != "Choice" or len(choice) != 1:
        return element
    block = choice.getparent()
    if block is None or xmlsafe.local(block.tag) != "AlternateContent":
        return element
    return block if len(block) == 1 else element


def keep_part(name: str, data: bytes, found: set[str]) -> bytes:
    """A part that no rule rewrites: XML is still checked for a DOCTYPE, and an
    embedded picture loses its metadata (see ``embedded``)."""
    if xmlsafe.is_xml_part(name):
        xmlsafe.parse(data)  # refuses a DOCTYPE even in parts we keep as they are
        return data
    stripped = embedded.clean(data)
    if stripped is not None and stripped[1]:
        found.add("embedded_image_metadata")
        return stripped[0]
    return data
