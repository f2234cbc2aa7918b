"""Issue 19: PDF reports and certificates carry their own province and unit, not "Hà Nội" everywhere."""

from __future__ import annotations

from sqlalchemy import select

from lms.core.db import db
from lms.records.services import append_record
from lms.reports import certificates
from lms.reports.models import Certificate
from lms.reports.places import place_of, province_of
from tests.factories import gen_unit
from tests.lms.reports.conftest import days_ago
from tests.lms.reports.helpers import pdf_text


def test_place_and_province_of_units(world):
    hcm = gen_unit("HCM", "Liên đoàn Lao động Thành phố Hồ Chí Minh", "LĐLĐ tỉnh", world["tld"])
    hcm_base = gen_unit("HCM-1", "Công đoàn Công ty Điện tử Sao Vàng", "CĐCS", hcm)
    sector = gen_unit("CDGD", "Công đoàn Giáo dục Việt Nam", "Công đoàn ngành trung ương", world["tld"])
    assert province_of(world["hn_base"]).code == "HN" and province_of(world["tld"]).code == "TLD"
    assert [place_of(u) for u in (world["hn"], world["cb_base"], hcm_base, sector, world["tld"], None)] == [
        "Hà Nội", "Cao Bằng", "TP. Hồ Chí Minh", "Hà Nội", "Hà Nội", "Hà Nội"]


def test_compliance_pdf_of_cao_bang_is_dated_from_cao_bang(client, auth, world, tmp_path):
    auth.login("ql.caobang")
    response = client.get("/reports/units/CB/compliance.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "Cao Bằng, ngày" in text and "Hà Nội, ngày" not in text
    assert "LĐLĐ tỉnh Cao Bằng" in text


def test_certificate_of_a_cao_bang_cadre_names_its_federation(client, auth, world, tmp_path):
    cadre = world["cb_cadre"]
    record = append_record(cadre.id, source="online", completed_on=days_ago(5), topic="osh", hours=4,
                           module_id=world["module"].id)
    certificates.issue_for_record(record)
    db.session.commit()
    cert = db.session.scalar(select(Certificate).where(Certificate.record_id == record.id))
    auth.login("ql.caobang")
    response = client.get(f"/reports/certificates/{cert.code}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    assert "LĐLĐ TỈNH CAO BẰNG" in text and "Cao Bằng, ngày" in text
    assert "Hà Nội" not in text and "TỔNG LIÊN ĐOÀN" not in text
