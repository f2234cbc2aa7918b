"""Certificates: issued on completion, downloadable, verifiable, revocable; codes unguessable; lookups limited."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from lms.core.db import db
from lms.records.services import revoke_record
from lms.reports import certificates, services
from lms.reports.models import Certificate
from tests.conftest import csrf_token_from
from tests.lms.reports.helpers import pdf_text, xlsx_rows


def _cert(world) -> Certificate:
    return db.session.scalar(select(Certificate).where(Certificate.record_id == world["nhung_record"].id))


def test_module_completion_issues_one_certificate(world):
    cert = _cert(world)
    assert cert is not None and cert.kind == "module"
    assert cert.holder_name == "Trần Thị Hồng Nhung" and cert.unit_name == "Công đoàn Công ty May Thăng Long"
    assert cert.title == "An toàn, vệ sinh lao động và vai trò của công đoàn" and float(cert.hours) == 4
    assert re.fullmatch(r"[A-Z2-7]{24}", cert.code)  # 120 bits
    assert re.fullmatch(r"([A-Z2-7]{4}-){5}[A-Z2-7]{4}", cert.grouped_code)
    assert certificates.issue_for_record(world["nhung_record"]).id == cert.id  # idempotent
    assert len({certificates.new_code() for _ in range(200)}) == 200


def test_certificates_issue_command_adds_standard_certificates_once(runner, world):
    result = runner.invoke(args=["certificates", "issue"])
    assert result.exit_code == 0, result.output
    standard = db.session.scalars(select(Certificate).where(Certificate.kind == "standard")).all()
    assert [(c.holder_name, c.title) for c in standard] == [("Trần Thị Hồng Nhung", "Bồi dưỡng an toàn, vệ sinh lao động")]
    again = runner.invoke(args=["certificates", "issue"])
    assert "Đã cấp 0" in again.output
    assert db.session.scalar(select(func.count(Certificate.id))) == 2


def test_pdf_has_name_unit_module_hours_and_code(client, auth, world, tmp_path):
    cert = _cert(world)
    auth.login("hv.nhung")
    page = client.get(client.get("/reports/my/certificates").headers["Location"]).get_data(as_text=True)
    assert cert.grouped_code in page
    response = client.get(f"/reports/certificates/{cert.code}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    for expected in ("GIẤY CHỨNG NHẬN", "Trần Thị Hồng Nhung", "Công đoàn Công ty May Thăng Long",
                     "An toàn, vệ sinh lao động và vai trò của công đoàn", "Số giờ học: 4", cert.grouped_code,
                     "không thời hạn", "/verify/" + cert.code):
        assert expected in text, expected


def test_verify_revoke_and_no_longer_valid(client, auth, world):
    cert = _cert(world)
    public = client.get(f"/verify/{cert.grouped_code.lower()}")
    body = public.get_data(as_text=True)
    assert public.status_code == 200 and 'data-state="valid"' in body
    assert "Trần Thị Hồng Nhung" in body
    assert "May Thăng Long" not in body and "Hà Nội" not in body  # no unit, no tree
    auth.login("ql.hanoi")
    page = client.get(f"/reports/cadres/{world['hn_cadre'].id}/certificates").get_data(as_text=True)
    token = csrf_token_from(page)
    empty = client.post(f"/reports/certificates/{cert.code}/revoke", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422
    done = client.post(f"/reports/certificates/{cert.code}/revoke",
                       data={"csrf_token": token, "reason": "Cấp nhầm học phần"})
    assert done.status_code == 302
    auth.logout()
    after = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert 'data-state="revoked"' in after and "Giấy chứng nhận hợp lệ" not in after
    assert _cert(world).revoke_reason == "Cấp nhầm học phần"


def test_expired_and_unknown_codes(client, world):
    cert = _cert(world)
    cert.expires_on = services.today() - timedelta(days=1)
    db.session.commit()
    assert 'data-state="expired"' in client.get(f"/verify/{cert.code}").get_data(as_text=True)
    unknown = client.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    assert unknown.status_code == 404 and 'data-state="unknown"' in unknown.get_data(as_text=True)


def test_verify_lookups_are_rate_limited(client, world):
    for _ in range(certificates.VERIFY_LIMIT):
        assert client.get("/verify/AAAA-BBBB-CCCC-DDDD-EEEE-FFFF").status_code == 404
    limited = client.get(f"/verify/{_cert(world).code}")
    assert limited.status_code == 429 and "Quá nhiều lượt tra cứu" in limited.get_data(as_text=True)


def test_revoking_the_record_revokes_its_certificate(world):
    revoke_record(world["nhung_record"], reason="Kết quả không hợp lệ", actor=world["hn_manager"])
    assert _cert(world).state(services.today()) == "revoked"


def test_scope_of_certificates(client, auth, world):
    cert = _cert(world)
    auth.login("ql.caobang")
    assert client.get(f"/reports/certificates/{cert.code}.pdf").status_code == 404
    token = csrf_token_from(client.get("/reports/units/CB").get_data(as_text=True))
    assert client.post(f"/reports/certificates/{cert.code}/revoke",
                       data={"csrf_token": token, "reason": "x"}).status_code == 404
    auth.logout()
    auth.login("hv.nhung")
    token = csrf_token_from(client.get(client.get("/reports/my/certificates").headers["Location"]).get_data(as_text=True))
    assert client.post(f"/reports/certificates/{cert.code}/revoke",
                       data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert _cert(world).revoked_at is None


def test_unit_certificate_list_search_filter_and_export(client, auth, world):
    cert = _cert(world)
    auth.login("ql.hanoi")
    page = client.get("/reports/units/HN/certificates?q=hong+nhung").get_data(as_text=True)
    assert cert.grouped_code in page
    assert cert.grouped_code not in client.get("/reports/units/HN/certificates?state=revoked").get_data(as_text=True)
    assert cert.grouped_code in client.get(f"/reports/units/HN/certificates?q={cert.grouped_code}").get_data(as_text=True)
    _, rows = xlsx_rows(client.get("/reports/units/HN/certificates.xlsx?state=valid").data)
    assert rows[0][:3] == ["Mã xác thực", "Họ và tên", "Đơn vị"]
    assert rows[1][:4] == [cert.grouped_code, "Trần Thị Hồng Nhung", "Công đoàn Công ty May Thăng Long",
                           "An toàn, vệ sinh lao động và vai trò của công đoàn"]
    assert rows[1][9] == "Còn hiệu lực"
    auth.logout()
    auth.login("ql.caobang")
    assert client.get("/reports/units/HN/certificates").status_code == 404
    assert cert.grouped_code not in client.get("/reports/units/CB/certificates").get_data(as_text=True)
