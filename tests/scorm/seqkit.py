"""Manifest snippets for the sequencing tests: a 2004 4th-edition manifest around given items."""

from __future__ import annotations

from scorm.manifest import Item, Manifest, parse_manifest

NS = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
      'xmlns:imsss="http://www.imsglobal.org/xsd/imsss" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
      'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"')


def sco(identifier: str, inner: str = "") -> str:
    """A leaf item pointing at the shared resource."""
    return f'<item identifier="{identifier}" identifierref="r"><title>{identifier}</title>{inner}</item>'


def manifest_xml(items: str, org_sequencing: str = "", collection: str = "", ns: str = NS,
                 org_attrs: str = "") -> bytes:
    """A 2004 4th-edition manifest with ``items`` under the organization ``o``."""
    coll = f"<imsss:sequencingCollection>{collection}</imsss:sequencingCollection>" if collection else ""
    return (f'<manifest identifier="m" {ns}><metadata><schemaversion>2004 4th Edition</schemaversion></metadata>'
            f'<organizations default="o"><organization identifier="o" {org_attrs}><title>Org</title>{items}'
            f'{org_sequencing}</organization></organizations><resources>'
            f'<resource identifier="r" type="webcontent" adlcp:scormType="sco" href="a.html"/></resources>'
            f'{coll}</manifest>').encode()


def parse(items: str, **kwargs: str) -> Manifest:
    return parse_manifest(manifest_xml(items, **kwargs))


def item(m: Manifest, identifier: str) -> Item:
    return next(i for o in m.organizations for i in o.walk() if i.identifier == identifier)


def seq(inner: str, attrs: str = "") -> str:
    return f"<imsss:sequencing {attrs}>{inner}</imsss:sequencing>"


def codes(issues: object) -> list[str]:
    return [i.code for i in issues]  # type: ignore[attr-defined]
