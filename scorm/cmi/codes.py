"""The error codes of the SCORM 1.2 and 2004 run-time APIs, with English and Vietnamese messages.

The English texts are the short descriptions of the RTE books (``GetErrorString``); the Vietnamese
texts are ours, for the LMS's users.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CODES_12", "CODES_2004", "ErrorText", "codes_for", "error_text"]


class ErrorText(NamedTuple):
    """The English and Vietnamese description of one error code."""

    en: str
    vi: str


#: SCORM 1.2 RTE, section 3.3.3 (LMSGetLastError codes)
CODES_12: dict[int, ErrorText] = {
    0: ErrorText("No error", "Không có lỗi"),
    101: ErrorText("General exception", "Lỗi chung"),
    201: ErrorText("Invalid argument error", "Tham số không hợp lệ"),
    202: ErrorText("Element cannot have children", "Phần tử không có phần tử con (_children)"),
    203: ErrorText("Element not an array - cannot have count", "Phần tử không phải mảng, không có _count"),
    301: ErrorText("Not initialized", "Chưa khởi tạo (LMSInitialize)"),
    401: ErrorText("Not implemented error", "Phần tử dữ liệu không được hỗ trợ hoặc không tồn tại"),
    402: ErrorText("Invalid set value, element is a keyword", "Không thể gán giá trị cho từ khóa"),
    403: ErrorText("Element is read only", "Phần tử chỉ được đọc"),
    404: ErrorText("Element is write only", "Phần tử chỉ được ghi"),
    405: ErrorText("Incorrect data type", "Giá trị sai kiểu dữ liệu"),
}

#: SCORM 2004 4th edition RTE, section 3.1.7 (GetLastError codes)
CODES_2004: dict[int, ErrorText] = {
    0: ErrorText("No Error", "Không có lỗi"),
    101: ErrorText("General Exception", "Lỗi chung"),
    102: ErrorText("General Initialization Failure", "Khởi tạo thất bại"),
    103: ErrorText("Already Initialized", "Đã khởi tạo rồi"),
    104: ErrorText("Content Instance Terminated", "Phiên học đã kết thúc"),
    111: ErrorText("General Termination Failure", "Kết thúc phiên thất bại"),
    112: ErrorText("Termination Before Initialization", "Kết thúc trước khi khởi tạo"),
    113: ErrorText("Termination After Termination", "Kết thúc sau khi đã kết thúc"),
    122: ErrorText("Retrieve Data Before Initialization", "Đọc dữ liệu trước khi khởi tạo"),
    123: ErrorText("Retrieve Data After Termination", "Đọc dữ liệu sau khi đã kết thúc"),
    132: ErrorText("Store Data Before Initialization", "Ghi dữ liệu trước khi khởi tạo"),
    133: ErrorText("Store Data After Termination", "Ghi dữ liệu sau khi đã kết thúc"),
    142: ErrorText("Commit Before Initialization", "Lưu (Commit) trước khi khởi tạo"),
    143: ErrorText("Commit After Termination", "Lưu (Commit) sau khi đã kết thúc"),
    201: ErrorText("General Argument Error", "Tham số không hợp lệ"),
    301: ErrorText("General Get Failure", "Không đọc được giá trị"),
    351: ErrorText("General Set Failure", "Không ghi được giá trị"),
    391: ErrorText("General Commit Failure", "Không lưu được dữ liệu"),
    401: ErrorText("Undefined Data Model Element", "Phần tử dữ liệu không tồn tại"),
    402: ErrorText("Unimplemented Data Model Element", "Phần tử dữ liệu chưa được hỗ trợ"),
    403: ErrorText("Data Model Element Value Not Initialized", "Phần tử dữ liệu chưa có giá trị"),
    404: ErrorText("Data Model Element Is Read Only", "Phần tử chỉ được đọc"),
    405: ErrorText("Data Model Element Is Write Only", "Phần tử chỉ được ghi"),
    406: ErrorText("Data Model Element Type Mismatch", "Giá trị sai kiểu dữ liệu"),
    407: ErrorText("Data Model Element Value Out Of Range", "Giá trị nằm ngoài khoảng cho phép"),
    408: ErrorText("Data Model Dependency Not Established", "Chưa gán phần tử phụ thuộc (ví dụ id)"),
}


def codes_for(version: str) -> dict[int, ErrorText]:
    """Return the code table of a normalised version (``"1.2"`` or ``"2004"``)."""
    return CODES_12 if version == "1.2" else CODES_2004


def error_text(version: str, code: int) -> ErrorText:
    """Return the description of ``code`` in ``version``; unknown codes get an empty text."""
    return codes_for(version).get(code, ErrorText("", ""))
