"""The XBlock under xblock-sdk's workbench runtime (in-memory field data, captured publish events)
against a live backend: the Flask app served on a free loopback port by a thread (``backend``, reusing
the e2e tests' server helper)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import django
import pytest
from django.conf import settings

from tests.e2e.conftest import LiveServer, _serve

with warnings.catch_warnings():
    # webob (the XBlock runtime's request class) imports the stdlib ``cgi`` module, deprecated in 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    import webob  # noqa: F401

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="workbench-test",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                        "django.contrib.messages", "django.contrib.staticfiles", "django.contrib.admin",
                        "workbench"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        STATIC_URL="/static/",
        USE_TZ=True,
        WORKBENCH={"reset_state_on_restart": False, "services": {}},
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


@pytest.fixture
def backend(app) -> Iterator[LiveServer]:
    """The app served on 127.0.0.1:<free port> in a thread (the e2e tests' server, without a browser)."""
    yield from _serve(app, "127.0.0.1")


@pytest.fixture
def make_runtime():
    """A factory of workbench runtimes whose field data is an in-memory dict and whose publish calls
    are captured in ``runtime.published``; the user is given (anonymous id, email, full name)."""
    from workbench.runtime import WorkbenchRuntime
    from xblock.reference.user_service import UserService, XBlockUser
    from xblock.runtime import DictKeyValueStore, KvsFieldData

    class _Users(UserService):
        def __init__(self, user: XBlockUser) -> None:
            super().__init__(user=user)

        def get_current_user(self) -> XBlockUser:
            return self._user

    class CapturingRuntime(WorkbenchRuntime):
        """WorkbenchRuntime with in-memory fields and captured events."""

        def __init__(self, user_id: str, anonymous_id: str, email: str | None, full_name: str, store) -> None:
            super().__init__(user_id=user_id)
            user = XBlockUser(is_current_user=True, emails=[email] if email else [], full_name=full_name)
            user.opt_attrs["edx-platform.anonymous_user_id"] = anonymous_id
            self._services["user"] = _Users(user)
            self._services["field-data"] = KvsFieldData(store)
            self.published: list[tuple[str, dict]] = []

        def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
            # the workbench reverses its Django URLconf here, which needs packages we do not install
            return f"/handler/{block.scope_ids.usage_id}/{handler_name}/{suffix}?student={block.scope_ids.user_id}"

        def publish(self, block, event_type, event_data):
            self.published.append((event_type, dict(event_data)))

    store = DictKeyValueStore()

    def make(user_id: str = "student1", anonymous_id: str = "anon-0001", email: str | None = None,
             full_name: str = "Trần Thị Hồng Nhung") -> CapturingRuntime:
        return CapturingRuntime(user_id, anonymous_id, email, full_name, store)

    return make
