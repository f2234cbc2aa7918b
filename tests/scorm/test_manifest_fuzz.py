"""Hypothesis fuzzing: whatever bytes come in, only the library's own error types come out."""

from __future__ import annotations

import contextlib
import functools
import io
import os
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorm.errors import ManifestError, ScormError
from scorm.manifest import Manifest, add_parameters, check_manifest, join_url, launch_url, parse_manifest
from scorm.package import Report, inspect

FIXTURES = Path(__file__).parent / "fixtures"
MANIFESTS = [p.read_bytes() for p in sorted(FIXTURES.rglob("imsmanifest.xml"))]
#: examples per property; raise it for a long run: SCORM_FUZZ_EXAMPLES=5000 pytest tests/scorm -k fuzz
EXAMPLES = int(os.environ.get("SCORM_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ELEMENTS = ["manifest", "metadata", "schemaversion", "organizations", "organization", "item", "title",
            "resources", "resource", "file", "dependency", "adlcp:masteryscore", "adlcp:completionThreshold",
            "adlcp:data", "adlcp:map", "imsss:sequencing", "imsss:controlMode", "imsss:objectives",
            "imsss:primaryObjective", "imsss:mapInfo", "imsss:rollupRules", "imsss:rollupRule",
            "imsss:limitConditions", "imsss:sequencingCollection", "adlnav:presentation",
            "adlnav:navigationInterface", "adlnav:hideLMSUI", "imsss:minNormalizedMeasure",
            "imsss:sequencingRules", "imsss:preConditionRule", "imsss:ruleConditions", "imsss:ruleCondition"]
ATTRIBUTES = ["identifier", "identifierref", "href", "xml:base", "parameters", "isvisible", "default",
              "adlcp:scormtype", "adlcp:scormType", "IDRef", "ID", "choice", "flow", "attemptLimit",
              "minProgressMeasure", "completedByMeasure", "progressWeight", "targetID", "objectiveID",
              "satisfiedByMeasure", "minimumCount", "measureThreshold", "sharedDataGlobalToSystem"]
VALUES = st.one_of(st.sampled_from(["", "true", "false", "1", "0.5", "-1", "1e308", "nan", "inf", "r1", "i1",
                                    "o1", "../x", "/abs", "http://x/", "?a=1", "#f", "&b", "a b", "1.2",
                                    "2004 4th Edition", "CAM 1.3"]), st.text(max_size=20))
NAMESPACES = ('xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss" '
              'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"')


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd"))


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENTS))
    attrs = draw(st.dictionaries(st.sampled_from(ATTRIBUTES), VALUES, max_size=4))
    attr_text = "".join(f" {k}={quoteattr(_clean(v))}" for k, v in attrs.items())
    children = draw(st.lists(elements(depth + 1), max_size=3)) if depth < 3 else []
    text = escape(_clean(draw(VALUES)))
    return f"<{name}{attr_text}>{text}{''.join(children)}</{name}>"


@st.composite
def manifests(draw: st.DrawFn) -> bytes:
    body = "".join(draw(st.lists(elements(), min_size=1, max_size=4)))
    return f'<manifest identifier="m" {NAMESPACES}>{body}</manifest>'.encode()


@functools.cache
def _package() -> bytes:
    from tests.scorm.conftest import PackageKit

    return PackageKit().fixture_zip("ispring_12_multi")


def exercise(manifest: Manifest) -> None:
    """Use everything a caller would use; only ManifestError may come out."""
    check_manifest(manifest)
    for org in manifest.organizations:
        for item in org.walk():
            with contextlib.suppress(ManifestError):
                launch_url(manifest, item)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_manifest_errors(data):
    with contextlib.suppress(ManifestError):
        exercise(parse_manifest(data))


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 1))
@given(manifests())
def test_random_manifest_shaped_xml_raises_only_manifest_errors(data):
    with contextlib.suppress(ManifestError):
        exercise(parse_manifest(data))


@FUZZ
@given(st.sampled_from(MANIFESTS), st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=8)), max_size=6))
def test_mutated_real_manifests_raise_only_manifest_errors(original, edits):
    data = bytearray(original)
    for at, chunk in edits:
        at %= len(data) + 1
        data[at:at + len(chunk) or at + 1] = chunk
    with contextlib.suppress(ManifestError):
        exercise(parse_manifest(bytes(data)))


@FUZZ
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_url_helpers_never_raise(base, href, parameters):
    assert isinstance(add_parameters(join_url(base, href), parameters), str)


@FUZZ
@given(st.text(alphabet="ab/.?#&=", max_size=20), st.text(alphabet="ab?#&=", max_size=12))
def test_parameters_never_lose_the_href_path(href, parameters):
    path = href.split("?")[0].split("#")[0]
    assert add_parameters(href, parameters).startswith(path)


@FUZZ
@given(st.binary(max_size=3000))
def test_inspect_never_raises_on_random_bytes(data):
    assert isinstance(inspect(io.BytesIO(data)), Report)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_inspect_never_raises_on_a_mutated_package(flips):
    data = bytearray(_package())
    for at, value in flips:
        data[at % len(data)] = value
    try:
        report = inspect(io.BytesIO(bytes(data)))
    except ScormError as exc:  # pragma: no cover - would be a bug: inspect must not raise
        raise AssertionError(f"inspect raised {exc.code}") from exc
    assert isinstance(report, Report)
