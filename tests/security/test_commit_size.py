"""One SCORM commit of 100 MB was accepted (issue 16): now a commit body over ``LMS_MAX_COMMIT_KB`` is
answered 413 — with a Content-Length or sent chunked without one — and the server reads no more of it
than the limit (the request's own ``max_content_length``)."""

from __future__ import annotations

import io

from tests.conftest import csrf_token_from

HUNDRED_MB = 100 * 1024 * 1024


class Endless(io.RawIOBase):
    """A body of ``size`` bytes made on demand, counting what the server reads of it."""

    def __init__(self, size: int):
        self.size, self.read_so_far = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the stream; the environ then drops the length
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.size if whence == 2 else self.read_so_far

    def tell(self) -> int:
        return self.read_so_far

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_so_far)
        buffer[:n] = b"x" * n
        self.read_so_far += n
        return n


def _learner(client, auth) -> str:
    auth.login("hv.nhung")
    return csrf_token_from(client.get("/player/").get_data(as_text=True))


def test_a_100_mb_commit_is_refused_with_413(app, client, auth, tree):
    token = _learner(client, auth)
    body = b'{"seq": 1, "session": "s", "cmi": {"cmi.suspend_data": "' + b"x" * HUNDRED_MB + b'"}}'
    answer = client.post("/player/attempts/1/scos/sco1/commit", data=body,
                         headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json["error"]["code"] == "commit_too_large"


def test_a_chunked_100_mb_commit_is_refused_after_reading_only_the_limit(app, client, auth, tree):
    token = _learner(client, auth)
    limit = app.config["LMS_MAX_COMMIT_KB"] * 1024
    stream = Endless(HUNDRED_MB)
    answer = client.post("/player/attempts/1/scos/sco1/commit", input_stream=stream,
                         headers={"X-CSRFToken": token, "Content-Type": "application/json"},
                         environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})
    assert answer.status_code == 413
    assert stream.read_so_far <= 2 * limit  # not the 100 MB
