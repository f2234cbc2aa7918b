"""The API object a SCO talks to (``API`` in 1.2, ``API_1484_11`` in 2004), for server-side tests and tools.

The LMS's real runtime is scorm-again in the browser; this class gives the same answers so that the
session-state error codes (not initialized, already terminated ...) are defined and tested in one
place. Method names are the 2004 ones; 1.2's ``LMSInitialize``/``LMSFinish`` map to
``initialize``/``terminate``. Every method answers the API's strings and never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum

from scorm.cmi.codes import error_text
from scorm.cmi.datamodel import DataModel
from scorm.cmi.spec import Version, normalise_version

__all__ = ["RuntimeApi"]


class _Phase(Enum):
    NOT_INITIALIZED = "not initialized"
    RUNNING = "running"
    TERMINATED = "terminated"


#: version → (before initialization, after termination) codes per call
_PHASE_CODES = {
    "1.2": {"get": (301, 101), "set": (301, 101), "commit": (301, 101), "terminate": (301, 101)},
    "2004": {"get": (122, 123), "set": (132, 133), "commit": (142, 143), "terminate": (112, 113)},
}


class RuntimeApi:
    """One SCO session: Initialize, Get/SetValue, Commit, Terminate, and the error calls."""

    def __init__(
        self,
        version: Version,
        state: object = None,
        *,
        on_commit: Callable[[dict[str, str]], None] | None = None,
        strict_suspend_data_limit: bool = False,
        shared_data: tuple[tuple[bool, bool], ...] = (),
    ) -> None:
        """Prepare a session over ``state``; ``on_commit`` receives the state on Commit and Terminate.

        ``shared_data``: ``(read, write)`` permission of each ``adl.data.n`` bucket (see DataModel).

        An ``on_commit`` that raises makes Commit fail with 391 (1.2: 101) and Terminate with 111.
        """
        self.version = normalise_version(version)
        self._state = state
        self._on_commit = on_commit
        self._strict = strict_suspend_data_limit
        self._shared_data = shared_data
        self._phase = _Phase.NOT_INITIALIZED
        self._model: DataModel | None = None
        self._last_error = 0

    def _fail(self, code: int) -> str:
        self._last_error = code
        return "false"

    def _ok(self, value: str = "true") -> str:
        self._last_error = 0
        return value

    def initialize(self, parameter: object = "") -> str:
        """Initialize("") / LMSInitialize(""): start the session over the stored state."""
        if parameter != "":
            return self._fail(201)
        if self._phase is _Phase.RUNNING:
            return self._fail(101 if self.version == "1.2" else 103)
        if self._phase is _Phase.TERMINATED:
            return self._fail(101 if self.version == "1.2" else 104)
        if self._state is not None and not (
            isinstance(self._state, Mapping) and all(isinstance(key, str) for key in self._state)
        ):
            return self._fail(101 if self.version == "1.2" else 102)
        self._model = DataModel(self.version, self._state or {}, strict_suspend_data_limit=self._strict,
                                shared_data=self._shared_data)
        self._phase = _Phase.RUNNING
        return self._ok()

    def _phase_error(self, call: str) -> int:
        before, after = _PHASE_CODES[self.version][call]
        if self._phase is _Phase.NOT_INITIALIZED:
            return before
        return after if self._phase is _Phase.TERMINATED else 0

    def get_value(self, element: object) -> str:
        """GetValue(element) / LMSGetValue(element)."""
        code = self._phase_error("get")
        if code or self._model is None:
            self._last_error = code
            return ""
        value, code = self._model.get_value(element)
        self._last_error = code
        return value

    def set_value(self, element: object, value: object) -> str:
        """SetValue(element, value) / LMSSetValue(element, value)."""
        code = self._phase_error("set")
        if code or self._model is None:
            return self._fail(code)
        code = self._model.set_value(element, value)
        return self._fail(code) if code else self._ok()

    def commit(self, parameter: object = "") -> str:
        """Commit("") / LMSCommit(""): hand the state to ``on_commit``."""
        if parameter != "":
            return self._fail(201)
        code = self._phase_error("commit")
        if code:
            return self._fail(code)
        return self._ok() if self._persist() else self._fail(101 if self.version == "1.2" else 391)

    def terminate(self, parameter: object = "") -> str:
        """Terminate("") / LMSFinish(""): commit and end the session."""
        if parameter != "":
            return self._fail(201)
        code = self._phase_error("terminate")
        if code:
            return self._fail(code)
        if not self._persist():
            return self._fail(101 if self.version == "1.2" else 111)
        self._phase = _Phase.TERMINATED
        return self._ok()

    def _persist(self) -> bool:
        if self._on_commit is None or self._model is None:
            return True
        try:
            self._on_commit(self._model.state())
        except Exception:
            return False
        return True

    def get_last_error(self) -> str:
        """GetLastError() / LMSGetLastError(): the code of the last call, as a string."""
        return str(self._last_error)

    def get_error_string(self, code: object) -> str:
        """GetErrorString(code) / LMSGetErrorString(code): the book's short text, "" for unknown codes."""
        try:
            return error_text(self.version, int(str(code))).en
        except ValueError:
            return ""

    def get_diagnostic(self, code: object = "") -> str:
        """GetDiagnostic(code) / LMSGetDiagnostic(code): the Vietnamese text of a code (last error if "")."""
        try:
            number = self._last_error if code in ("", None) else int(str(code))
        except ValueError:
            return ""
        return error_text(self.version, number).vi

    @property
    def state(self) -> dict[str, str]:
        """The current values (empty before Initialize)."""
        return self._model.state() if self._model is not None else {}
