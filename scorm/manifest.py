"""Read ``imsmanifest.xml`` (SCORM 1.2 and 2004 2nd/3rd/4th editions) into plain frozen dataclasses.

Lookups ignore namespaces and the case of element and attribute names, because authoring tools are
sloppy (``adlcp:scormtype`` in 1.2, ``adlcp:scormType`` in 2004, undeclared prefixes, missing
namespaces). Parsing never expands entities or touches the network (see :mod:`scorm._xml`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from scorm._reader import Reader as _Reader
from scorm._reader import attr as _attr
from scorm._reader import elements as _elements
from scorm._reader import first as _first
from scorm._reader import local as _local
from scorm._reader import text as _text
from scorm._version import SCORM_12, SCORM_2004_2ND, SCORM_2004_3RD, SCORM_2004_4TH, detect_version
from scorm._xml import parse_xml_lenient
from scorm.errors import ManifestError
from scorm.issues import Issue
from scorm.issues import make_issue as _make_issue
from scorm.sequencing.check import check_sequencing
from scorm.sequencing.messages import MESSAGES as SEQUENCING_MESSAGES
from scorm.sequencing.model import (
    AdlMapInfo,
    AdlObjective,
    AuxiliaryResource,
    ConstrainedChoice,
    ControlMode,
    DeliveryControls,
    LimitConditions,
    MapInfo,
    Objective,
    RandomizationControls,
    RollupCondition,
    RollupConsiderations,
    RollupRule,
    RollupRules,
    RuleCondition,
    Sequencing,
    SequencingRule,
)
from scorm.sequencing.parse import parse_collection, parse_sequencing
from scorm.urls import add_parameters, join_url

__all__ = [
    "AdlMapInfo", "AdlObjective", "AuxiliaryResource", "CompletionThreshold", "ConstrainedChoice", "ControlMode",
    "DataMap", "DeliveryControls", "Issue", "Item", "LimitConditions", "Manifest", "MapInfo", "Objective",
    "Organization", "RandomizationControls", "Resource", "RollupCondition", "RollupConsiderations", "RollupRule",
    "RollupRules", "RuleCondition", "Sequencing", "SequencingRule", "check_manifest", "join_url", "launch_url",
    "make_issue", "parse_manifest", "SCORM_12", "SCORM_2004_2ND", "SCORM_2004_3RD", "SCORM_2004_4TH",
    "add_parameters",
]


#: code -> (Vietnamese, English); ``{detail}`` is filled in per issue
MESSAGES: dict[str, tuple[str, str]] = {
    "manifest.schemaversion_missing": (
        "Manifest không ghi schemaversion; đã nhận dạng là SCORM {detail} qua không gian tên.",
        "The manifest has no schemaversion; detected SCORM {detail} from its namespaces."),
    "manifest.undeclared_prefix": (
        "Manifest dùng tiền tố không gian tên chưa khai báo (ví dụ adlcp:); đã đọc bỏ qua không gian tên.",
        "The manifest uses undeclared namespace prefixes (e.g. adlcp:); read without namespaces."),
    "manifest.default_org_missing": (
        "Tổ chức mặc định \"{detail}\" không tồn tại; dùng tổ chức đầu tiên.",
        "The default organization \"{detail}\" does not exist; using the first one."),
    "manifest.invalid_value": (
        "Giá trị không hợp lệ, đã bỏ qua: {detail}.", "An invalid value was ignored: {detail}."),
    "manifest.sequencing_ref_missing": (
        "Tham chiếu sequencing IDRef=\"{detail}\" không có trong sequencingCollection.",
        "Sequencing IDRef=\"{detail}\" is not in the sequencingCollection."),
    "manifest.sub_manifest_ignored": (
        "Manifest con (lồng nhau) bị bỏ qua.", "Nested sub-manifests are ignored."),
    "manifest.no_organization": (
        "Manifest không có tổ chức (organization) nào để học.", "The manifest has no organization to launch."),
    "manifest.no_launchable_item": (
        "Tổ chức mặc định không có mục nào có thể mở (SCO hoặc asset).",
        "The default organization has no launchable item (SCO or asset)."),
    "manifest.missing_resource": (
        "Mục \"{detail}\" trỏ tới tài nguyên không tồn tại.", "Item \"{detail}\" points to a missing resource."),
    "manifest.duplicate_identifier": (
        "Định danh bị trùng trong manifest: \"{detail}\".", "Duplicate identifier in the manifest: \"{detail}\"."),
    "manifest.dependency_missing": (
        "Tài nguyên phụ thuộc \"{detail}\" không tồn tại.", "Dependency \"{detail}\" does not exist."),
}


def make_issue(code: str, detail: str = "", path: str | None = None,
               catalog: dict[str, tuple[str, str]] | None = None) -> Issue:
    """Build an :class:`Issue` from a message catalog (this module's by default)."""
    return _make_issue(code, detail, path, catalog or MESSAGES)


# --- data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompletionThreshold:
    """``adlcp:completionThreshold``: completion judged by progress measure (2004)."""

    completed_by_measure: bool = False
    min_progress_measure: float = 1.0
    progress_weight: float = 1.0


@dataclass(frozen=True)
class DataMap:
    """``adlcp:data/adlcp:map`` (2004 4th edition shared data buckets)."""

    target_id: str
    read_shared_data: bool = True
    write_shared_data: bool = True


@dataclass(frozen=True)
class Item:
    """An ``<item>`` of an organization, with its children."""

    identifier: str
    title: str
    identifierref: str | None = None
    isvisible: bool = True
    parameters: str = ""
    children: tuple[Item, ...] = ()
    mastery_score: float | None = None
    max_time_allowed: str | None = None
    time_limit_action: str | None = None
    data_from_lms: str | None = None
    prerequisites: str | None = None
    completion_threshold: CompletionThreshold | None = None
    sequencing: Sequencing | None = None
    hide_lms_ui: tuple[str, ...] = ()
    data_maps: tuple[DataMap, ...] = ()

    def walk(self) -> Iterator[Item]:
        """This item and all its descendants in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Resource:
    """A ``<resource>``; ``base`` is the combined ``xml:base`` and ``files`` are resolved against it."""

    identifier: str
    type: str
    scorm_type: str | None
    href: str | None
    base: str = ""
    files: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()

    @property
    def launch_path(self) -> str | None:
        """``href`` resolved against ``base`` (query and fragment kept), or ``None`` without ``href``."""
        return join_url(self.base, self.href) if self.href else None


@dataclass(frozen=True)
class Organization:
    """An ``<organization>`` and its item tree."""

    identifier: str
    title: str
    items: tuple[Item, ...] = ()
    sequencing: Sequencing | None = None
    shared_data_global_to_system: bool = True
    objectives_global_to_system: bool = True

    def walk(self) -> Iterator[Item]:
        """Every item of the organization in document order."""
        for item in self.items:
            yield from item.walk()


@dataclass(frozen=True)
class Manifest:
    """A parsed ``imsmanifest.xml``."""

    identifier: str
    scorm_version: str
    title: str
    organizations: tuple[Organization, ...]
    default_organization: Organization | None
    resources: dict[str, Resource]
    version: str | None = None
    schema_version: str | None = None
    base: str = ""
    sequencing_collection: dict[str, Sequencing] = field(default_factory=dict)
    duplicate_identifiers: tuple[str, ...] = ()
    warnings: tuple[Issue, ...] = ()

    def scos(self) -> list[Item]:
        """Launchable items of the default organization (identifierref to a resource with an href),
        in document order."""
        if self.default_organization is None:
            return []
        return [item for item in self.default_organization.walk() if self._launchable(item)]

    def _launchable(self, item: Item) -> bool:
        resource = self.resources.get(item.identifierref or "")
        return resource is not None and bool(resource.href)

# --- URLs ---------------------------------------------------------------------------------------------


def launch_url(manifest: Manifest, item: Item) -> str:
    """The URL that launches ``item``, relative to the package root: the resource's ``xml:base`` and
    ``href`` joined, then the item's ``parameters`` added as SCORM CAM prescribes (a leading ``?`` or
    ``&`` dropped; ``#fragment`` appended only when the href has none; a query merged with ``&``).
    Raises :class:`ManifestError` (``manifest.not_launchable``) when the item has no launchable resource."""
    resource = manifest.resources.get(item.identifierref or "")
    if resource is None or not resource.launch_path:
        raise ManifestError(f"Item {item.identifier!r} has no launchable resource.",
                            code="manifest.not_launchable",
                            message_vi=f"Mục \"{item.identifier}\" không có tài nguyên để mở.")
    return add_parameters(resource.launch_path, item.parameters)


# --- items, organizations, resources ------------------------------------------------------------------


def _completion_threshold(r: _Reader, item: etree._Element) -> CompletionThreshold | None:
    el = _first(item, "completionthreshold")
    if el is not None and any(_attr(el, a) is not None for a in
                              ("completedbymeasure", "minprogressmeasure", "progressweight")):
        minimum = r.number(_attr(el, "minprogressmeasure"), "minProgressMeasure", 0, 1)
        weight = r.number(_attr(el, "progressweight"), "progressWeight", 0, 1)
        return CompletionThreshold(completed_by_measure=r.boolean(el, "completedbymeasure", False),
                                   min_progress_measure=1.0 if minimum is None else minimum,
                                   progress_weight=1.0 if weight is None else weight)
    raw = _text(el) if el is not None else _attr(item, "completionthreshold")
    value = r.number(raw, "completionThreshold", 0, 1)
    return None if value is None else CompletionThreshold(completed_by_measure=True, min_progress_measure=value)


def _sequencing(r: _Reader, el: etree._Element, collection: dict[str, Sequencing]) -> Sequencing | None:
    """The element's ``imsss:sequencing``, merged over the collection entry its ``IDRef`` names."""
    sequencing = parse_sequencing(r, _first(el, "sequencing"))
    if sequencing is not None and sequencing.idref:
        if sequencing.idref in collection:
            sequencing = sequencing.merged_over(collection[sequencing.idref])
        else:
            r.warn("manifest.sequencing_ref_missing", sequencing.idref)
    return sequencing


def _item(r: _Reader, el: etree._Element, collection: dict[str, Sequencing]) -> Item:
    sequencing = _sequencing(r, el, collection)
    nav = _first(el, "presentation", "navigationinterface")
    data = _first(el, "data")
    return Item(
        identifier=_attr(el, "identifier") or "",
        title=_text(el, "title") or "",
        identifierref=_attr(el, "identifierref") or None,
        isvisible=r.boolean(el, "isvisible", True),
        parameters=_attr(el, "parameters") or "",
        children=tuple(_item(r, child, collection) for child in _elements(el, "item")),
        mastery_score=r.number(_text(el, "masteryscore"), "masteryscore", 0, 100),
        max_time_allowed=_text(el, "maxtimeallowed"),
        time_limit_action=_text(el, "timelimitaction"),
        data_from_lms=_text(el, "datafromlms"),
        prerequisites=_text(el, "prerequisites"),
        completion_threshold=_completion_threshold(r, el),
        sequencing=sequencing,
        hide_lms_ui=tuple(t for h in _elements(nav, "hidelmsui") if (t := _text(h)))
        if nav is not None else (),
        data_maps=tuple(DataMap(target_id=_attr(m, "targetid") or "",
                                read_shared_data=r.boolean(m, "readshareddata", True),
                                write_shared_data=r.boolean(m, "writeshareddata", True))
                        for m in _elements(data, "map")) if data is not None else (),
    )


def _organization(r: _Reader, el: etree._Element, collection: dict[str, Sequencing]) -> Organization:
    return Organization(
        identifier=_attr(el, "identifier") or "",
        title=_text(el, "title") or "",
        items=tuple(_item(r, child, collection) for child in _elements(el, "item")),
        sequencing=_sequencing(r, el, collection),
        shared_data_global_to_system=r.boolean(el, "shareddataglobaltosystem", True),
        objectives_global_to_system=r.boolean(el, "objectivesglobaltosystem", True))


def _resource(el: etree._Element, base: str) -> Resource:
    base = join_url(base, _attr(el, "base") or "") if _attr(el, "base") else base
    scorm_type = _attr(el, "scormtype")
    return Resource(
        identifier=_attr(el, "identifier") or "",
        type=_attr(el, "type") or "",
        scorm_type=scorm_type.lower() if scorm_type else None,
        href=_attr(el, "href") or None,
        base=base,
        files=tuple(join_url(base, href) for f in _elements(el, "file") if (href := _attr(f, "href"))),
        dependencies=tuple(ref for d in _elements(el, "dependency") if (ref := _attr(d, "identifierref"))))



# --- entry point --------------------------------------------------------------------------------------


def _duplicates(root: etree._Element) -> tuple[str, ...]:
    counts = Counter(
        ident for el in root.iter() if isinstance(el.tag, str)
        and _local(el.tag) in ("manifest", "organization", "item", "resource")
        and (ident := _attr(el, "identifier")))
    return tuple(sorted(ident for ident, n in counts.items() if n > 1))


def parse_manifest(data: bytes, base: str = "") -> Manifest:
    """Parse ``imsmanifest.xml`` bytes into a :class:`Manifest`.

    ``base`` is prefixed to the manifest's own ``xml:base`` (for a manifest read from a subfolder, pass
    ``""`` to get URLs relative to the manifest's folder). Structural problems that still leave a usable
    manifest are listed in ``Manifest.warnings`` or found by :func:`check_manifest`. Raises
    :class:`ManifestError` (codes ``manifest.xml_*``, ``manifest.not_a_manifest``,
    ``manifest.unknown_schema``) and nothing else.
    """
    root, sloppy = parse_xml_lenient(data)
    if _local(root.tag) != "manifest":
        raise ManifestError("The root element is not <manifest>.", code="manifest.not_a_manifest",
                            message_vi="Phần tử gốc không phải <manifest>.")
    r = _Reader({**MESSAGES, **SEQUENCING_MESSAGES})
    if sloppy:
        r.warn("manifest.undeclared_prefix")
    try:
        return _build(r, root, base)
    except RecursionError:
        raise ManifestError("The manifest is nested too deeply.", code="manifest.xml_invalid",
                            message_vi="Manifest lồng nhau quá sâu.") from None


def _build(r: _Reader, root: etree._Element, base: str) -> Manifest:
    version, raw_version = detect_version(root, r)
    manifest_base = join_url(base, _attr(root, "base") or "") if _attr(root, "base") else base
    collection = parse_collection(r, root)
    orgs_el = _first(root, "organizations")
    orgs = tuple(_organization(r, o, collection) for o in _elements(orgs_el, "organization")) \
        if orgs_el is not None else ()
    default_id = _attr(orgs_el, "default") if orgs_el is not None else None
    default = next((o for o in orgs if o.identifier == default_id), None) if default_id else None
    if default_id and default is None:
        r.warn("manifest.default_org_missing", default_id)
    default = default or (orgs[0] if orgs else None)
    res_el = _first(root, "resources")
    res_base = manifest_base
    if res_el is not None and _attr(res_el, "base"):
        res_base = join_url(manifest_base, _attr(res_el, "base") or "")
    resources: dict[str, Resource] = {}
    for el in _elements(res_el, "resource") if res_el is not None else []:
        res = _resource(el, res_base)
        resources.setdefault(res.identifier, res)
    if _elements(root, "manifest"):
        r.warn("manifest.sub_manifest_ignored")
    identifier = _attr(root, "identifier") or ""
    title = (default.title if default else "") or _text(root, "metadata", "lom", "general", "title") or identifier
    return Manifest(
        identifier=identifier, scorm_version=version, title=title, organizations=orgs,
        default_organization=default, resources=resources, version=_attr(root, "version"),
        schema_version=raw_version, base=manifest_base, sequencing_collection=collection,
        duplicate_identifiers=_duplicates(root), warnings=tuple(r.warnings))


def check_manifest(manifest: Manifest) -> tuple[list[Issue], list[Issue]]:
    """Structural checks of a parsed manifest: ``(errors, warnings)``.

    Errors: no organization, no launchable item, an item pointing to a missing resource, duplicate
    identifiers. Warnings: the parser's own, the sequencing's (:func:`scorm.sequencing.check.check_sequencing`)
    and dependencies naming missing resources.
    """
    errors: list[Issue] = []
    warnings = list(manifest.warnings) + check_sequencing(manifest)

    def add(code: str, detail: str) -> None:
        errors.append(make_issue(code, detail))

    if not manifest.organizations:
        add("manifest.no_organization", "")
    for org in manifest.organizations:
        for item in org.walk():
            if item.identifierref and item.identifierref not in manifest.resources:
                add("manifest.missing_resource", item.identifier)
    if manifest.organizations and not manifest.scos():
        add("manifest.no_launchable_item", "")
    for ident in manifest.duplicate_identifiers:
        add("manifest.duplicate_identifier", ident)
    for res in manifest.resources.values():
        for dep in res.dependencies:
            if dep not in manifest.resources:
                warnings.append(make_issue("manifest.dependency_missing", dep))
    return errors, warnings
