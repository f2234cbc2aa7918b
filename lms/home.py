"""Home-page panels per role. Features register panels; the home page shows those the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lms.core.roles import Role


@dataclass(frozen=True)
class Panel:
    """A panel on the home page: a template rendered with ``context(user)``."""

    role: Role
    template: str
    context: Callable[[object], dict]
    order: int = 100
    #: spans the whole width of the home page (the manager's headline)
    wide: bool = False
    #: templates of other panels this one takes the place of (the learner's "my learning" page shows
    #: the requirement and module panels' content itself)
    replaces: tuple[str, ...] = ()


_PANELS: list[Panel] = []


def register_panel(panel: Panel) -> None:
    """Add a panel (called by feature packages at app creation)."""
    if panel not in _PANELS:
        _PANELS.append(panel)


def home_panels(user) -> list[tuple[Panel, dict]]:
    """The panels the user's roles give them, each with its context."""
    roles = user.roles
    mine = [p for p in sorted(_PANELS, key=lambda p: p.order) if p.role in roles]
    replaced = {t for p in mine for t in p.replaces}
    shown: list[Panel] = []
    for panel in mine:
        # the same panel registered for two roles (manager, admin) is shown once
        if panel.template not in replaced and all(panel.template != s.template for s in shown):
            shown.append(panel)
    return [(p, p.context(user)) for p in shown]


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to users holding any of ``roles``."""

    endpoint: str
    label_vi: str
    label_en: str
    roles: tuple[Role, ...]
    order: int = 100


_NAV: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    """Add a navigation link (called by feature packages at app creation)."""
    if item not in _NAV:
        _NAV.append(item)


def nav_items(user) -> list[NavItem]:
    """The links this user's roles give them, in order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [n for n in sorted(_NAV, key=lambda n: n.order) if user.has_any_role(*n.roles)]
