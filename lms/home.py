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


#: the staff menu's groups (by task), in order: key, Vietnamese and English label, the endpoints in it.
#: Links not listed (the learner's own pages) stay in the bar as they are.
NAV_GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("people", "Người dùng", "People", ("org.tree", "org.cadres", "accounts_admin.users", "org_admin.import_page")),
    ("learning", "Học tập", "Learning", ("catalog.modules", "records.class_list", "assessments.banks",
                                        "assessments.manage", "records.import_page")),
    ("standards", "Tiêu chuẩn", "Standards", ("standards.admin_list",)),
    ("reports", "Báo cáo", "Reports", ("reports.index",)),
    ("system", "Hệ thống", "System", ("api_admin.consumers",)),
)


@dataclass(frozen=True)
class NavGroup:
    """A dropdown of the top navigation."""

    key: str
    label_vi: str
    label_en: str
    items: tuple[NavItem, ...]


def nav_menu(user) -> list[NavItem | NavGroup]:
    """The user's links grouped by task: ungrouped links first, then one entry per non-empty group."""
    items = nav_items(user)
    grouped = {endpoint for *_, endpoints in NAV_GROUPS for endpoint in endpoints}
    menu: list[NavItem | NavGroup] = [i for i in items if i.endpoint not in grouped]
    for key, vi, en, endpoints in NAV_GROUPS:
        mine = tuple(i for e in endpoints for i in items if i.endpoint == e)
        if mine:
            menu.append(NavGroup(key, vi, en, mine))
    return menu


def init_app(app) -> None:
    """The navigation's template globals (``nav_items``, ``nav_menu``); called by the app factory."""
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["nav_menu"] = nav_menu
