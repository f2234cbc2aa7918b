"""Which navigation requests are valid from a SCO (SCORM 2004 4th ed. RTE 4.4.3
``adl.nav.request_valid``), decided on the server from the manifest and handed to the page at launch
(``#player-config`` ``navValid``), so that the run-time answers truthfully and the player does exactly
what it answered.

For packages whose sequencing asks for more (``scorm.sequencing_tree.uses_sequencing``), the page's
scorm-again engine answers instead (docs/sequencing.md "Engine"). For the others the player implements
the sequencing the LMS needs for this: a request is
valid when its target exists and the control modes of the parent cluster allow it (IMS SS / SN 3.2:
``flow`` — default false — for continue/previous, ``forwardOnly`` forbids previous, ``choice`` — default
true — for choice). ``jump`` (4th ed. SN 4.4.3) ignores control modes: any launchable activity is a target.
"""

from __future__ import annotations

from typing import Any

from scorm.manifest import ControlMode, Item, Manifest, Sequencing


def _control(sequencing: Sequencing | None) -> ControlMode:
    return (sequencing.control_mode if sequencing else None) or ControlMode()


def _parents(manifest: Manifest) -> dict[str, ControlMode]:
    """The control mode of each item's parent (the organization for top-level items)."""
    org = manifest.default_organization
    parents: dict[str, ControlMode] = {}

    def walk(items: tuple[Item, ...], mode: ControlMode) -> None:
        for item in items:
            parents[item.identifier] = mode
            walk(item.children, _control(item.sequencing))

    if org is not None:
        walk(org.items, _control(org.sequencing))
    return parents


def nav_valid(manifest: Manifest, current: Item, launchable: list[Item]) -> dict[str, Any]:
    """``{"continue": bool, "previous": bool, "choice": {id: bool}, "jump": {id: bool}}`` for the SCO
    ``current``; ``launchable`` is the organization's launchable items in order."""
    parents = _parents(manifest)
    mode = parents.get(current.identifier, ControlMode())
    ids = [i.identifier for i in launchable]
    index = ids.index(current.identifier) if current.identifier in ids else -1
    return {
        "continue": mode.flow and 0 <= index < len(ids) - 1,
        "previous": mode.flow and not mode.forward_only and index > 0,
        "choice": {i: parents.get(i, ControlMode()).choice for i in ids},
        "jump": dict.fromkeys(ids, True),
    }
