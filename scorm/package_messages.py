"""The package checks' findings: stable codes with their Vietnamese and English messages."""

from __future__ import annotations

from scorm.errors import PackageError
from scorm.manifest import Issue, make_issue

#: code -> (Vietnamese, English) for the package's own findings; ``{detail}`` is filled in per issue
MESSAGES: dict[str, tuple[str, str]] = {
    "package.not_a_zip": ("Tệp tải lên không phải tệp zip hợp lệ.", "The upload is not a valid zip file."),
    "package.corrupt": ("Tệp zip bị hỏng: {detail}.", "The zip is corrupt: {detail}."),
    "package.too_many_entries": ("Gói có quá nhiều mục ({detail}).", "The package has too many entries ({detail})."),
    "package.too_large": ("Dung lượng giải nén vượt giới hạn ({detail}).",
                          "The uncompressed size is over the limit ({detail})."),
    "package.ratio_exceeded": ("Tỉ lệ nén bất thường (nghi ngờ bom zip): {detail}.",
                               "Suspicious compression ratio (zip bomb?): {detail}."),
    "package.size_mismatch": ("Kích thước thực của tệp khác với khai báo: {detail}.",
                              "An entry's real size differs from its declared size: {detail}."),
    "package.overlapping_entries": ("Các mục trong zip chồng lên nhau (nghi ngờ bom zip).",
                                    "Entries of the zip overlap (zip bomb?)."),
    "package.encrypted": ("Gói chứa tệp được mã hoá: {detail}.", "The package contains encrypted entries: {detail}."),
    "package.unsupported_compression": ("Phương thức nén không được hỗ trợ: {detail}.",
                                        "Unsupported compression method: {detail}."),
    "package.path_traversal": ("Đường dẫn thoát ra ngoài gói (../): {detail}.",
                               "A path escapes the package (../): {detail}."),
    "package.absolute_path": ("Đường dẫn tuyệt đối không được phép: {detail}.",
                              "Absolute paths are not allowed: {detail}."),
    "package.drive_letter": ("Đường dẫn có ký tự ổ đĩa: {detail}.", "A path has a drive letter: {detail}."),
    "package.backslash": ("Đường dẫn dùng dấu gạch ngược (\\): {detail}.",
                          "A path uses backslashes (\\): {detail}."),
    "package.bad_filename": ("Tên tệp không hợp lệ: {detail}.", "Invalid file name: {detail}."),
    "package.path_too_long": ("Đường dẫn quá dài hoặc quá sâu: {detail}.", "A path is too long or too deep: {detail}."),
    "package.symlink": ("Gói chứa liên kết tượng trưng (symlink): {detail}.",
                        "The package contains a symbolic link: {detail}."),
    "package.special_file": ("Gói chứa tệp đặc biệt (thiết bị, FIFO...): {detail}.",
                             "The package contains a special file (device, FIFO...): {detail}."),
    "package.duplicate_entry": ("Tệp xuất hiện hai lần trong zip: {detail}.",
                                "A file appears twice in the zip: {detail}."),
    "package.path_conflict": ("Một tên vừa là tệp vừa là thư mục: {detail}.",
                              "A name is both a file and a folder: {detail}."),
    "package.manifest_missing": ("Không tìm thấy imsmanifest.xml ở gốc gói.",
                                 "imsmanifest.xml is not at the root of the package."),
    "package.manifest_ambiguous": ("Có nhiều imsmanifest.xml trong các thư mục con: {detail}.",
                                   "Several imsmanifest.xml files in subfolders: {detail}."),
    "package.manifest_too_large": ("imsmanifest.xml quá lớn ({detail}).", "imsmanifest.xml is too large ({detail})."),
    "package.launch_missing": ("Thiếu tệp khởi chạy trong gói: {detail}.",
                               "A launch file is missing from the package: {detail}."),
    "package.destination_exists": ("Thư mục đích đã tồn tại và không rỗng: {detail}.",
                                   "The destination exists and is not empty: {detail}."),
    "package.manifest_in_subfolder": ("imsmanifest.xml nằm trong thư mục con \"{detail}\"; đã dùng thư mục này làm gốc.",
                                      "imsmanifest.xml is in the subfolder \"{detail}\"; using it as the root."),
    "package.manifest_name_case": ("Tên tệp manifest viết hoa/thường sai: {detail}.",
                                   "The manifest file name has the wrong case: {detail}."),
    "package.file_missing": ("Tệp được khai báo trong manifest nhưng không có trong gói: {detail}.",
                             "A file listed in the manifest is not in the package: {detail}."),
    "package.launch_external": ("Tài nguyên khởi chạy nằm ngoài gói: {detail}.",
                                "A launch resource is outside the package: {detail}."),
    "package.outside_root": ("Bỏ qua {detail} mục nằm ngoài thư mục chứa manifest.",
                             "Ignored {detail} entries outside the manifest's folder."),
    "package.ignored_entries": ("Bỏ qua {detail} mục rác của hệ điều hành (__MACOSX).",
                                "Ignored {detail} operating-system junk entries (__MACOSX)."),
    "package.filename_encoding": ("Tên tệp không dùng UTF-8, đã đọc theo mã CP437: {detail}.",
                                  "A file name is not UTF-8; read as CP437: {detail}."),
}


def package_issue(code: str, detail: object = "", path: str | None = None) -> Issue:
    """The finding ``code`` with ``detail`` filled into its messages."""
    return make_issue(code, str(detail), path, MESSAGES)


def refusal(code: str, detail: object = "") -> PackageError:
    """The error that refuses a package for ``code``."""
    issue = package_issue(code, detail)
    return PackageError(issue.message_en, code=code, message_vi=issue.message_vi)
