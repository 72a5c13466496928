"""The one way uploaded XML is parsed: no DTD, no entities, no network, no huge trees.

BPMN and DMN never need a document type declaration, so any DOCTYPE is refused outright —
that closes XXE (an external entity naming a local file) and entity expansion bombs
("billion laughs") before SpiffWorkflow, whose parser uses lxml's defaults, sees the file.
"""

from __future__ import annotations

import re

from lxml import etree

_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)
_REFUSAL = "不允许 DOCTYPE 或实体声明（XXE / 实体膨胀攻击防护）"


class UnsafeXml(etree.XMLSyntaxError):
    """An XML file refused for what it declares, not for its syntax."""


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not to be shared between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_pis=False)


def parse(data: bytes) -> etree._Element:
    """The root element of `data`; raises etree.XMLSyntaxError (UnsafeXml for a DOCTYPE)."""
    # Checked on the bytes first, so that a bomb is named as such rather than as whatever
    # libxml2's own amplification guard reports; the parsed tree is checked again below.
    found = _DOCTYPE.search(data)
    if found:
        raise UnsafeXml(_REFUSAL, 0, data.count(b"\n", 0, found.start()) + 1, 1)
    root = etree.fromstring(data, _parser())
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None or info.doctype:
        raise UnsafeXml(_REFUSAL, 0, 1, 1)
    return root
