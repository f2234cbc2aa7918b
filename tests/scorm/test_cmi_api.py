"""RuntimeApi: the session-state error codes of both APIs (Initialize, Terminate, Commit and friends)."""

from __future__ import annotations

import pytest

from scorm.cmi import RuntimeApi


def running(version: str, **options: object) -> RuntimeApi:
    api = RuntimeApi(version, {}, **options)  # type: ignore[arg-type]
    assert api.initialize("") == "true"
    return api


def broken_store(state: dict[str, str]) -> None:
    raise OSError("disk full")


@pytest.mark.parametrize(("version", "call", "code"), [
    ("2004", "get", 122), ("2004", "set", 132), ("2004", "commit", 142), ("2004", "terminate", 112),
    ("1.2", "get", 301), ("1.2", "set", 301), ("1.2", "commit", 301), ("1.2", "terminate", 301),
])
def test_calls_before_initialize(version: str, call: str, code: int) -> None:
    api = RuntimeApi(version)
    calls = {"get": lambda: api.get_value("cmi.location"), "set": lambda: api.set_value("cmi.location", "x"),
             "commit": lambda: api.commit(""), "terminate": lambda: api.terminate("")}
    calls[call]()
    assert api.get_last_error() == str(code)


@pytest.mark.parametrize(("version", "call", "code"), [
    ("2004", "get", 123), ("2004", "set", 133), ("2004", "commit", 143), ("2004", "terminate", 113),
    ("2004", "initialize", 104), ("1.2", "get", 101), ("1.2", "initialize", 101),
])
def test_calls_after_terminate(version: str, call: str, code: int) -> None:
    api = running(version)
    assert api.terminate("") == "true"
    calls = {"get": lambda: api.get_value("cmi.suspend_data"), "set": lambda: api.set_value("cmi.suspend_data", "x"),
             "commit": lambda: api.commit(""), "terminate": lambda: api.terminate(""),
             "initialize": lambda: api.initialize("")}
    calls[call]()
    assert api.get_last_error() == str(code)


def test_initialize_twice_is_103_in_2004_and_101_in_12() -> None:
    api = running("2004")
    assert api.initialize("") == "false" and api.get_last_error() == "103"
    api = running("1.2")
    assert api.initialize("") == "false" and api.get_last_error() == "101"


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_non_empty_parameter_is_201(version: str) -> None:
    api = RuntimeApi(version)
    assert api.initialize("x") == "false" and api.get_last_error() == "201"


def test_unloadable_state_is_102() -> None:
    api = RuntimeApi("2004", ["not", "a", "state"])
    assert api.initialize("") == "false"
    assert api.get_last_error() == "102"


def test_failed_commit_is_391_and_failed_terminate_is_111() -> None:
    api = running("2004", on_commit=broken_store)
    assert api.commit("") == "false" and api.get_last_error() == "391"
    assert api.terminate("") == "false" and api.get_last_error() == "111"


def test_commit_hands_the_state_over() -> None:
    stored: list[dict[str, str]] = []
    api = running("1.2", on_commit=stored.append)
    assert api.set_value("cmi.core.lesson_status", "completed") == "true"
    assert api.commit("") == "true" and api.get_last_error() == "0"
    assert stored == [{"cmi.core.lesson_status": "completed"}]


def test_data_model_errors_pass_through() -> None:
    api = running("2004")
    assert api.get_value("cmi.location") == "" and api.get_last_error() == "403"
    assert api.set_value("cmi.score.scaled", "7") == "false" and api.get_last_error() == "407"
    assert api.set_value("cmi.location", "p1") == "true" and api.get_last_error() == "0"
    assert api.get_value("cmi.location") == "p1"
    assert api.state == {"cmi.location": "p1"}


def test_error_strings_and_diagnostics() -> None:
    api = running("2004")
    api.get_value("cmi.location")
    assert api.get_error_string("403") == "Data Model Element Value Not Initialized"
    assert api.get_diagnostic("") == "Phần tử dữ liệu chưa có giá trị"
    assert api.get_error_string("abc") == "" and api.get_error_string(999) == ""
    assert api.get_diagnostic("x") == ""
    assert RuntimeApi("1.2").get_error_string(0) == "No error"
