"""Safe XML parsing for untrusted documents (manifests, metadata, anything from an uploaded zip).

Every XML document the library reads goes through :func:`parse_xml`. It never expands entities, never
loads a DTD, never touches the network and keeps libxml2's default size and depth limits (no
``huge_tree``). A document whose DOCTYPE declares entities or points at an external DTD is refused
before libxml2 sees it, so a billion-laughs or XXE document costs one scan of its bytes.
"""

from __future__ import annotations

import re

from lxml import etree

from scorm.errors import ManifestError

__all__ = ["XML_ENTITIES", "XML_EXTERNAL", "XML_INVALID", "parse_xml", "parse_xml_lenient"]

#: error code: the DOCTYPE declares entities (billion laughs, XXE)
XML_ENTITIES = "manifest.xml_entities"
#: error code: the DOCTYPE refers to an external DTD (SYSTEM or PUBLIC identifier)
XML_EXTERNAL = "manifest.xml_external"
#: error code: not well-formed XML (or over libxml2's depth/size limits)
XML_INVALID = "manifest.xml_invalid"

_ENCODINGS = ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_DOCTYPE = {enc: "<!DOCTYPE".encode(enc) for enc in _ENCODINGS}
_ENTITY = {enc: "<!ENTITY".encode(enc) for enc in _ENCODINGS}
_EXTERNAL_ID = re.compile(r"<!DOCTYPE\s+[^\s\[>]+\s+(SYSTEM|PUBLIC)\b")


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        recover=recover,
    )


def _check_doctype(data: bytes) -> None:
    """Refuse entity declarations and external DTDs, whatever the document's encoding."""
    for enc in _ENCODINGS:
        start = data.find(_DOCTYPE[enc])
        if start < 0:
            continue
        if data.find(_ENTITY[enc], start) >= 0:
            raise _error(XML_ENTITIES, "The XML declares entities, which are not allowed.",
                         "Tệp XML khai báo thực thể (ENTITY), điều này không được phép.")
        head = data[start:start + 4096].decode(enc, errors="replace")
        if _EXTERNAL_ID.match(head):
            raise _error(XML_EXTERNAL, "The XML refers to an external DTD, which is not allowed.",
                         "Tệp XML tham chiếu tới DTD bên ngoài, điều này không được phép.")


def _error(code: str, message_en: str, message_vi: str) -> ManifestError:
    return ManifestError(message_en, code=code, message_vi=message_vi)


def _check_tree(root: etree._Element) -> None:
    """Second line of defence after parsing: no entity nodes, no DTD entities, no external DTD."""
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise _error(XML_ENTITIES, "The XML declares entities, which are not allowed.",
                     "Tệp XML khai báo thực thể (ENTITY), điều này không được phép.")
    if docinfo.system_url or docinfo.public_id:
        raise _error(XML_EXTERNAL, "The XML refers to an external DTD, which is not allowed.",
                     "Tệp XML tham chiếu tới DTD bên ngoài, điều này không được phép.")
    if any(True for _ in root.iter(etree.Entity)):
        raise _error(XML_ENTITIES, "The XML uses entity references, which are not allowed.",
                     "Tệp XML dùng tham chiếu thực thể, điều này không được phép.")


def _invalid(exc: Exception) -> ManifestError:
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    if "entity" in detail.lower() and "amplification" in detail.lower():
        return _error(XML_ENTITIES, f"The XML expands entities: {detail}",
                      f"Tệp XML mở rộng thực thể: {detail}")
    return _error(XML_INVALID, f"The XML is not well-formed: {detail}",
                  f"Tệp XML không đúng cú pháp: {detail}")


def parse_xml_lenient(data: bytes) -> tuple[etree._Element, bool]:
    """Parse untrusted XML, tolerating undeclared namespace prefixes (as sloppy authoring tools write).

    Returns ``(root, sloppy)``: ``sloppy`` is true when the document used a prefix such as
    ``adlcp:`` without declaring it; such names are then kept literally (``"adlcp:scormtype"``).
    Raises :class:`~scorm.errors.ManifestError` with code ``manifest.xml_entities``,
    ``manifest.xml_external`` or ``manifest.xml_invalid``; nothing else escapes.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _error(XML_INVALID, "The XML must be given as bytes.", "Dữ liệu XML phải ở dạng byte.")
    data = bytes(data)
    _check_doctype(data)
    strict = _parser(recover=False)
    try:
        root = etree.fromstring(data, strict)
        sloppy = False
    except etree.XMLSyntaxError as exc:
        # the parser's own log: the exception's log can also hold earlier documents' errors
        log = strict.error_log
        if not log or any(e.domain_name != "NAMESPACE" for e in log):
            raise _invalid(exc) from None
        try:
            root = etree.fromstring(data, _parser(recover=True))
        except (etree.XMLSyntaxError, ValueError) as again:
            raise _invalid(again) from None
        if root is None:
            raise _invalid(exc) from None
        sloppy = True
    except (ValueError, TypeError, LookupError) as exc:
        raise _invalid(exc) from None
    _check_tree(root)
    return root, sloppy


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML safely and return its root element.

    Entities are never expanded, no DTD is loaded, the network is never used and libxml2's size
    and depth limits stay on. A DOCTYPE that declares entities or names an external DTD is refused.
    Raises :class:`~scorm.errors.ManifestError` (codes ``manifest.xml_entities``,
    ``manifest.xml_external``, ``manifest.xml_invalid``).
    """
    root, sloppy = parse_xml_lenient(data)
    if sloppy:
        raise _error(XML_INVALID, "The XML uses an undeclared namespace prefix.",
                     "Tệp XML dùng tiền tố không gian tên chưa khai báo.")
    return root
