"""The import admin page: upload → preview → confirm the valid rows, with CSRF; admins only; scoped admins stay in scope."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from lms.core.db import db
from lms.core.roles import Role
from lms.org.models import Cadre, OrgUnit
from tests.conftest import csrf_token_from
from tests.factories import gen_user

CSV = ("Mã cán bộ,Họ và tên,Giới tính,Mã đơn vị,Chức vụ,Loại cán bộ\n"
       "IMP1,Hoàng Văn Thụ,Nam,CB-CDCS-1,Chủ tịch,Không chuyên trách\n"
       "IMP2,Vi Thị Lan,Nữ,CB-CDCS-1,ATVSV,Không chuyên trách\n").encode()


def upload(client, data: bytes, name: str = "canbo.csv", **extra):
    token = csrf_token_from(client.get("/admin/org/import").get_data(as_text=True))
    return client.post("/admin/org/import", data={"csrf_token": token, "file": (io.BytesIO(data), name), **extra},
                       content_type="multipart/form-data")


def confirm_url(html: str) -> str:
    return re.search(r'action="(/admin/org/import/[01]/[^"/]+/confirm)"', html).group(1)


def confirm(client, html: str):
    return client.post(confirm_url(html), data={"csrf_token": csrf_token_from(html)})


def count_cadres() -> int:
    return db.session.scalar(select(func.count(Cadre.id)))


def test_upload_preview_then_confirm(client, auth, tree):
    auth.login("admin")
    response = upload(client, b"\xef\xbb\xbf" + CSV)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-count="cadres_created">2<' in body and "IMP1" in body and "Xem trước tệp canbo.csv" in body
    assert 'data-valid="2" data-invalid="0"' in body and "import-errors-download" not in body
    assert count_cadres() == 2  # the tree's two; nothing written by the preview
    response = confirm(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Đã nhập các dòng hợp lệ." in response.get_data(as_text=True)
    assert count_cadres() == 4
    assert db.session.scalar(select(Cadre.full_name).where(Cadre.code == "IMP1")) == "Hoàng Văn Thụ"
    # the kept file is gone: confirming twice does not import twice
    again = confirm(client, body)
    assert again.status_code == 410 and count_cadres() == 4


def test_bad_rows_are_listed_and_only_the_valid_rows_are_imported(client, auth, tree):
    auth.login("admin")
    bad = CSV + "IMP3,=1+2,Nam,CB-CDCS-1,Chủ tịch,Không chuyên trách\nIMP4,Lò Văn Pá,Nam,KHONGCO,Chủ tịch,\n".encode()
    response = upload(client, bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-valid="2" data-invalid="2"' in body
    assert "<td>4</td><td>Họ và tên</td>" in body
    assert "<td>5</td><td>Mã đơn vị</td><td>Không tìm thấy đơn vị “KHONGCO”" in body
    assert count_cadres() == 2
    assert confirm(client, body).status_code == 200
    codes = set(db.session.scalars(select(Cadre.code)))
    assert {"IMP1", "IMP2"} <= codes and not {"IMP3", "IMP4"} & codes


def test_upload_without_csrf_is_refused(client, auth, tree):
    auth.login("admin")
    response = client.post("/admin/org/import", data={"file": (io.BytesIO(CSV), "canbo.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and count_cadres() == 2


def test_forged_or_foreign_confirm_token_is_refused(client, auth, tree, app):
    auth.login("admin")
    body = upload(client, CSV).get_data(as_text=True)
    url = confirm_url(body)
    forged = client.post(url.replace("/confirm", "x/confirm"), data={"csrf_token": csrf_token_from(body)})
    assert forged.status_code == 410 and "Bản xem trước đã hết hạn" in forged.get_data(as_text=True)
    # the option chosen at upload is part of the token's kind: flipping it in the URL finds nothing
    flipped = client.post(url.replace("/import/0/", "/import/1/"), data={"csrf_token": csrf_token_from(body)})
    assert flipped.status_code == 410
    other = gen_user("admin2", (Role.admin,))
    db.session.commit()
    auth.logout()
    auth.login(other.login)
    page = client.get("/admin/org/import").get_data(as_text=True)
    stolen = client.post(url, data={"csrf_token": csrf_token_from(page)})
    assert stolen.status_code == 410 and count_cadres() == 2
    assert client.get(url.replace("/confirm", "/errors.xlsx")).status_code == 410


def test_wrong_type_and_too_large_upload(client, auth, tree, app):
    auth.login("admin")
    response = upload(client, b"%PDF-1.4", "canbo.pdf")
    assert response.status_code == 415 and "Loại tệp “.pdf” không được hỗ trợ" in response.get_data(as_text=True)
    app.config["LMS_IMPORT_MAX_BYTES"] = 100
    try:
        response = upload(client, CSV)
    finally:
        app.config["LMS_IMPORT_MAX_BYTES"] = 20 * 1024 * 1024
    assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)


def test_template_download_is_a_workbook_the_importer_reads(client, auth, tree, tmp_path):
    import openpyxl

    auth.login("admin")
    response = client.get("/admin/org/import/template.xlsx")
    assert response.status_code == 200
    path = tmp_path / "t.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Đơn vị", "Cán bộ", "Hướng dẫn"]
    assert [c.value for c in next(book["Cán bộ"].iter_rows(max_row=1))][:3] == ["Mã cán bộ", "Họ và tên", "Giới tính"]
    book.close()


def test_managers_and_learners_cannot_import(client, auth, tree):
    for login in ("ql.hanoi", "hv.nhung", "gv.hanoi"):
        auth.login(login)
        assert client.get("/admin/org/import").status_code == 403
        assert client.get("/admin/org/import/template.xlsx").status_code == 403
        auth.logout()


def test_scoped_admin_rows_outside_subtree_are_errors(client, auth, tree):
    gen_user("admin.hn", (Role.admin,), scope=tree["hn"])
    db.session.commit()
    auth.login("admin.hn")
    response = upload(client, CSV)  # cadres of a Cao Bằng unit
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Đơn vị “CB-CDCS-1” nằm ngoài phạm vi quản lý của bạn." in body
    units = "Mã đơn vị,Tên đơn vị,Cấp,Mã đơn vị cấp trên\nHN-NEW,Công đoàn Trường THCS Nguyễn Du,CĐCS,HN\n"
    body = upload(client, units.encode(), "donvi.csv").get_data(as_text=True)
    response = confirm(client, body)
    assert response.status_code == 200
    assert db.session.scalar(select(OrgUnit.parent_id).where(OrgUnit.code == "HN-NEW")) == tree["hn"].id


def test_cadre_list_links_to_its_export_for_managers(client, auth, tree):
    auth.login("ql.hanoi")
    body = client.get("/org/cadres?unit=HN").get_data(as_text=True)
    assert "/reports/units/HN/cadres.xlsx" in body
    export = client.get("/reports/units/HN/cadres.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    auth.logout()
    auth.login("gv.hanoi")  # lecturers see the list but not the manager's export
    assert "cadres.xlsx" not in client.get("/org/cadres?unit=HN").get_data(as_text=True)
