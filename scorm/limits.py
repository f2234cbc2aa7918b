"""What a package may contain: size limits and the rules that refuse hostile zip entries.

Every check here looks only at the central directory (names, flags, declared sizes, mode bits); the
actual decompressed bytes are counted again while copying (see :mod:`scorm.package`).
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass

__all__ = [
    "ALLOWED_METHODS",
    "Limits",
    "commit_bound_bytes",
    "decode_name",
    "entry_problem",
    "largest_data_model_chars",
    "name_problem",
]

#: compression methods accepted: stored and deflate (what every authoring tool writes). bzip2 and
#: LZMA are refused: their decompressors cannot bound the output of one read.
ALLOWED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNICODE_PATH_EXTRA = 0x7075
_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class Limits:
    """Limits an uploaded package must stay within; every one is configurable."""

    #: entries in the zip (files and folders)
    max_entries: int = 10_000
    #: sum of the uncompressed sizes, in bytes
    max_total_size: int = 2 * 1024**3
    #: uncompressed / compressed, per entry and for the whole zip
    max_ratio: float = 200
    #: the ratio is only judged for entries (and zips) at least this big uncompressed
    ratio_min_size: int = 1024 * 1024
    #: size of imsmanifest.xml, in bytes
    max_manifest_size: int = 5 * 1024 * 1024
    #: length of an entry's path, in characters
    max_path_length: int = 1024
    #: length of one path segment, in UTF-8 bytes (most file systems allow 255)
    max_segment_length: int = 255
    #: folder depth of an entry
    max_depth: int = 64


def decode_name(info: zipfile.ZipInfo) -> tuple[str, bool]:
    """The entry's real name and whether it was stored in a legacy (non-UTF-8) encoding.

    Uses, in order: the UTF-8 flag (bit 11), the Info-ZIP Unicode Path extra field (0x7075), UTF-8
    bytes written without the flag (7-Zip, macOS), and finally code page 437 as the zip standard says.
    The name is NFC-normalized, as the rest of the system stores text.
    """
    name = info.orig_filename
    legacy = False
    if not info.flag_bits & _UTF8_FLAG:
        raw = name.encode("cp437")
        unicode_path = _unicode_path_extra(info.extra, raw)
        if unicode_path is not None:
            name = unicode_path
        elif not raw.isascii():
            try:
                name = raw.decode("utf-8")
            except UnicodeDecodeError:
                legacy = True
    return unicodedata.normalize("NFC", name), legacy


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> str | None:
    pos = 0
    while pos + 4 <= len(extra):
        kind = int.from_bytes(extra[pos:pos + 2], "little")
        size = int.from_bytes(extra[pos + 2:pos + 4], "little")
        body = extra[pos + 4:pos + 4 + size]
        pos += 4 + size
        if kind == _UNICODE_PATH_EXTRA and len(body) > 5 and body[0] == 1:
            if int.from_bytes(body[1:5], "little") != zipfile.crc32(raw_name):
                return None
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
    return None


def name_problem(name: str, limits: Limits) -> str | None:
    """The error code that refuses this entry name, or ``None`` when it is safe to extract."""
    if _DRIVE.match(name):
        return "package.drive_letter"
    if "\\" in name:
        return "package.backslash"
    if name.startswith("/"):
        return "package.absolute_path"
    segments = name.rstrip("/").split("/")
    if ".." in segments:
        return "package.path_traversal"
    if _CONTROL.search(name) or not name.rstrip("/") or any(s in ("", ".") for s in segments):
        return "package.bad_filename"
    if len(name) > limits.max_path_length or len(segments) > limits.max_depth or any(
            len(s.encode("utf-8")) > limits.max_segment_length for s in segments):
        return "package.path_too_long"
    return None


def entry_problem(info: zipfile.ZipInfo, name: str, limits: Limits) -> str | None:
    """The error code that refuses this entry (flags, method, mode bits, declared sizes), or ``None``."""
    if info.flag_bits & 0x41 or info.compress_type == 99:
        return "package.encrypted"
    if info.compress_type not in ALLOWED_METHODS:
        return "package.unsupported_compression"
    problem = name_problem(name, limits)
    if problem:
        return problem
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "package.symlink"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "package.special_file"
    if info.file_size > limits.max_total_size:
        return "package.too_large"
    if info.file_size >= limits.ratio_min_size and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return "package.ratio_exceeded"
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return "package.size_mismatch"
    return None


# --- run-time commits -----------------------------------------------------------------------------------

#: SCORM 2004 4th ed. RTE 4.2: the smallest permitted maximum (SPM) of each array's entries
ARRAY_SPM_2004 = {"cmi.comments_from_learner": 250, "cmi.comments_from_lms": 100, "cmi.interactions": 250,
                  "cmi.interactions.n.objectives": 10, "cmi.interactions.n.correct_responses": 10,
                  "cmi.objectives": 100}
#: SCORM 1.2 RTE 3.4: arrays have no stated maximum; these are the counts real content uses at most
ARRAY_SPM_12 = {"cmi.objectives": 100, "cmi.interactions": 250, "cmi.interactions.n.objectives": 10,
                "cmi.interactions.n.correct_responses": 10}
#: characters counted for a value with no SPM of its own (numbers, times, vocabularies: all shorter)
_SHORT_VALUE = 64
#: a response or pattern is counted at 4000 characters: the SPM of the longest single-string
#: response types (long-fill-in, other; RTE 4.2.9.1) and ten times any real package's answers
RESPONSE_CHARS = 4000
#: per element: its name and the JSON punctuation around it
_NAME_OVERHEAD = 80


def largest_data_model_chars(version: str, *, response_chars: int = RESPONSE_CHARS) -> int:
    """The characters of the largest legal data model of ``version`` ("1.2" or "2004"): every element
    at its SPM (RTE 4.2 of SCORM 2004 4th ed.; 1.2: CMIString255/4096 limits) in every array entry the
    book's SPMs allow, names included. Responses and patterns are counted at ``response_chars`` each.

    A commit holds at most the whole data model, so a commit above this (times a safety multiple)
    cannot come from a conforming SCO.
    """
    from scorm.cmi.datamodel import model_for  # scorm.cmi does not import this module: no cycle

    model = model_for(version)
    arrays = ARRAY_SPM_12 if model.version == "1.2" else ARRAY_SPM_2004
    total = 0
    for element in model.elements:
        if element.path.startswith("adl.nav.request_valid."):
            continue
        repeat = 1
        for array, count in arrays.items():
            if element.path.startswith(array + "."):
                repeat *= count
        total += repeat * (_NAME_OVERHEAD + _value_chars(element.spm, element.max_length, element.type,
                                                        response_chars))
    return total


def _value_chars(spm: int | None, max_length: int | None, type_: str, response_chars: int) -> int:
    if type_ in {"correct_response_pattern", "learner_response", "CMIFeedback"}:
        return response_chars
    return spm or max_length or _SHORT_VALUE


def commit_bound_bytes(version: str, multiple: float = 1.0) -> int:
    """A commit size (bytes of the JSON body) above which the server may answer 413.

    :func:`largest_data_model_chars` times 4 (the longest UTF-8 encoding of a character) times
    ``multiple`` (configurable by the caller: below 1 trades the theoretical maximum for memory).
    """
    return int(largest_data_model_chars(version) * 4 * multiple)
