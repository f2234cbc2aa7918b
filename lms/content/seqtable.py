"""The optional ``[sequencing]`` table of a ``module.toml``: the control mode of the package's
organization, the root activity (SCORM 2004 SN 3.2), handed to ``PackageSource.sequencing``. Only the
2004 build writes it (a 1.2 package has no sequencing)::

    [sequencing]
    flow = true
    choice = false      # forced order: Next only, no jumping in the table of contents
    forward_only = true

Keys left out keep the builder's default (``scorm.build.ORG_SEQUENCING``: flow and choice); without the
table the package is built as before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from lms.content.fields import ContentError
from scorm.build import ORG_SEQUENCING
from scorm.sequencing.model import ControlMode, Sequencing

KEYS = ("flow", "choice", "choice_exit", "forward_only")


def sequencing_table(meta: dict[str, Any], file: Path | str) -> Sequencing | None:
    """The ``[sequencing]`` table as the organization's sequencing, ``None`` without one."""
    table = meta.get("sequencing")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ContentError(file, "sequencing", "must be a table ([sequencing])")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ContentError(file, "sequencing", f"unknown keys {', '.join(unknown)} (known: {', '.join(KEYS)})")
    for key, value in table.items():
        if not isinstance(value, bool):
            raise ContentError(file, f"sequencing.{key}", "must be true or false")
    mode = replace(ORG_SEQUENCING.control_mode or ControlMode(), **table)
    if not mode.flow and not mode.choice:
        raise ContentError(file, "sequencing", "flow and choice cannot both be false (the learner could not move)")
    return Sequencing(control_mode=mode)
