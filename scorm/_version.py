"""Which SCORM version a manifest is: its ``schemaversion`` text, else its namespaces and names."""

from __future__ import annotations

import re

from lxml import etree

from scorm._reader import Reader, local, text
from scorm.errors import ManifestError

__all__ = ["SCORM_12", "SCORM_2004_2ND", "SCORM_2004_3RD", "SCORM_2004_4TH", "detect_version"]

SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH = "1.2", "2004-2nd", "2004-3rd", "2004-4th"

_NS_12 = ("adlcp_rootv1p2", "imscp_rootv1p1p2")
_NS_2004 = ("adlcp_v1p3", "adlseq_v1p3", "adlnav_v1p3", "imsss", "imscp_v1p1")
_4TH_ONLY = ("data", "shareddataglobaltosystem", "objectivesglobaltosystem", "progressweight",
             "minprogressmeasure", "completedbymeasure")


def _version_from_text(raw: str) -> str | None:
    s = " ".join(raw.lower().replace("_", " ").split())
    if re.fullmatch(r"(scorm )?1\.2(\.0)?", s):
        return SCORM_12
    if re.fullmatch(r"(scorm )?(cam )?1\.3(\.\d)?", s):
        return SCORM_2004_2ND
    edition = re.fullmatch(r"(scorm )?(2004 )?(2nd|3rd|4th)( edition)?", s)
    if edition and ("2004" in s or "edition" in s):
        return {"2nd": SCORM_2004_2ND, "3rd": SCORM_2004_3RD, "4th": SCORM_2004_4TH}[edition.group(3)]
    if s in ("2004", "scorm 2004"):
        return "2004"
    return None


def _names(root: etree._Element) -> tuple[set[str], set[str]]:
    """Every namespace URI and every raw (prefixed, unlowered) element/attribute local name used."""
    namespaces, names = set(root.nsmap.values()), set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in (el.tag, *el.attrib.keys()):
            if name.startswith("{"):
                namespaces.add(name[1:].split("}", 1)[0])
            names.add(name.rsplit("}", 1)[-1])
    return {n for n in namespaces if n}, names


def detect_version(root: etree._Element, r: Reader) -> tuple[str, str | None]:
    raw = text(root, "metadata", "schemaversion")
    version = _version_from_text(raw) if raw else None
    if raw and version is None:
        raise ManifestError(f"Unknown SCORM schema version {raw[:60]!r}.", code="manifest.unknown_schema",
                            message_vi=f"Phiên bản SCORM không xác định: {raw[:60]!r}.")
    namespaces, names = _names(root)
    lowered = {local(n) for n in names}
    if version == "2004" or version is None:
        is_2004 = version == "2004" or any(n.rstrip("/").endswith(_NS_2004) for n in namespaces) \
            or any(n.endswith(":scormType") for n in names)
        is_12 = any(n.rstrip("/").endswith(_NS_12) for n in namespaces) or any(
            n.endswith(":scormtype") or local(n) == "masteryscore" for n in names)
        if is_2004:
            detected = SCORM_2004_4TH if lowered & set(_4TH_ONLY) else SCORM_2004_3RD
        elif is_12:
            detected = SCORM_12
        else:
            raise ManifestError("The manifest says nothing of its SCORM version.", code="manifest.unknown_schema",
                                message_vi="Manifest không cho biết phiên bản SCORM.")
        if version is None:
            r.warn("manifest.schemaversion_missing", detected)
        version = detected
    return version, raw
