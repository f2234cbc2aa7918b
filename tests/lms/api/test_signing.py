"""The canonical string and signature (hand-computed), the time window."""

from __future__ import annotations

import hashlib
import hmac

from lms_xblock.signing import MAX_TTL, canonical_string, sign, signature_valid, signed_params, time_problem

PARAMS = {"consumer": "edx", "module": "ATVSLD", "anonymous_user_id": "a1", "email": "x@y.vn",
          "full_name": "Trần Thị Á", "timestamp": "1000", "expiry": "1300", "nonce": "n" * 16}


def test_canonical_string_is_sorted_percent_encoded_and_prefixed_by_purpose():
    expected = ("launch\nanonymous_user_id=a1&consumer=edx&email=x%40y.vn&expiry=1300"
                "&full_name=Tr%E1%BA%A7n%20Th%E1%BB%8B%20%C3%81&module=ATVSLD&nonce=nnnnnnnnnnnnnnnn&timestamp=1000")
    assert canonical_string("launch", PARAMS) == expected.encode()


def test_signature_is_hmac_sha256_of_the_canonical_string():
    expected = hmac.new(b"s3cret", canonical_string("results", PARAMS), hashlib.sha256).hexdigest()
    assert sign("s3cret", "results", PARAMS) == expected
    assert signature_valid("s3cret", "results", {**PARAMS, "signature": expected})


def test_a_signature_for_one_purpose_or_secret_does_not_verify_another():
    params = signed_params("s3cret", "launch", consumer="edx", module="M", anonymous_user_id="a", now=1000)
    assert signature_valid("s3cret", "launch", params)
    assert not signature_valid("s3cret", "results", params)
    assert not signature_valid("other", "launch", params)
    assert not signature_valid("s3cret", "launch", {**params, "module": "M2"})
    assert not signature_valid("s3cret", "launch", {**params, "signature": ""})


def test_nfc_and_nfd_names_sign_the_same():
    nfd = "Tra\u0302\u0300n"  # "Trần" decomposed
    a = signed_params("k", "launch", consumer="c", module="M", anonymous_user_id="a", full_name=nfd, now=5, nonce="x" * 16)
    b = signed_params("k", "launch", consumer="c", module="M", anonymous_user_id="a", full_name="Trần", now=5, nonce="x" * 16)
    assert a["signature"] == b["signature"]


def test_ttl_is_capped_at_five_minutes():
    params = signed_params("k", "launch", consumer="c", module="M", anonymous_user_id="a", now=1000, ttl=3600)
    assert int(params["expiry"]) - int(params["timestamp"]) == MAX_TTL == 300


def test_time_window():
    assert time_problem({"timestamp": "1000", "expiry": "1300"}, now=1100) is None
    assert time_problem({"timestamp": "1000", "expiry": "1300"}, now=1300) == "expired"
    assert time_problem({"timestamp": "1000", "expiry": "1301"}, now=1100) == "too_long"
    assert time_problem({"timestamp": "1000", "expiry": "1000"}, now=1000) == "too_long"
    assert time_problem({"timestamp": "1061", "expiry": "1100"}, now=1000) == "future"
    assert time_problem({"timestamp": "1060", "expiry": "1100"}, now=1000) is None
    assert time_problem({"timestamp": "x", "expiry": "1"}, now=1000) == "malformed"


def test_kind_is_signed_only_when_present_and_cannot_be_added_or_stripped():
    # without kind: exactly the string of blocks that never send it
    assert canonical_string("launch", {**PARAMS, "kind": ""}) == canonical_string("launch", PARAMS)
    expected = ("launch\nanonymous_user_id=a1&consumer=edx&email=x%40y.vn&expiry=1300"
                "&full_name=Tr%E1%BA%A7n%20Th%E1%BB%8B%20%C3%81&module=ATVSLD&nonce=nnnnnnnnnnnnnnnn&timestamp=1000"
                "&kind=quiz")
    assert canonical_string("launch", {**PARAMS, "kind": "quiz"}) == expected.encode()
    quiz = signed_params("s3cret", "launch", consumer="edx", module="M", anonymous_user_id="a", now=1000, kind="quiz")
    assert quiz["kind"] == "quiz" and signature_valid("s3cret", "launch", quiz)
    assert not signature_valid("s3cret", "launch", {k: v for k, v in quiz.items() if k != "kind"})
    assert not signature_valid("s3cret", "launch", {**quiz, "kind": "module"})
    plain = signed_params("s3cret", "launch", consumer="edx", module="M", anonymous_user_id="a", now=1000)
    assert "kind" not in plain and not signature_valid("s3cret", "launch", {**plain, "kind": "quiz"})
