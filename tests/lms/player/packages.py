"""Test packages for the run-time rules (issue 15): manifests written here, the SCO page and script of
``tests/e2e/sco_fixtures/common``; an asset page. Used by the server tests and the Chromium tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from tests.e2e.sco_fixtures import HERE

NS_2004 = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
           'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
           'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')
NS_12 = 'xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'

#: SCORM 2004 4th ed.: two SCOs sharing a bucket, objectives and limits on the first, a hidden folder
#: whose child stays visible, an asset; the organization lets the learner flow (continue/previous)
RTE_2004 = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="RTE2004" version="1.0" {NS_2004}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG1">
    <organization identifier="ORG1">
      <title>RTE 2004</title>
      <item identifier="sco_a" identifierref="res_sco" parameters="?page=a">
        <title>Bài A</title>
        <adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>
        <adlcp:dataFromLMS>from-manifest-a</adlcp:dataFromLMS>
        <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.8"/>
        <imsss:sequencing>
          <imsss:limitConditions attemptAbsoluteDurationLimit="PT1H"/>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="obj_primary" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
            <imsss:objective objectiveID="obj_second"/>
          </imsss:objectives>
        </imsss:sequencing>
        <adlcp:data>
          <adlcp:map targetID="urn:test:notes" readSharedData="true" writeSharedData="true"/>
          <adlcp:map targetID="urn:test:fixed" readSharedData="true" writeSharedData="false"/>
        </adlcp:data>
      </item>
      <item identifier="sco_b" identifierref="res_sco" parameters="?page=b">
        <title>Bài B</title>
        <adlcp:data><adlcp:map targetID="urn:test:notes"/></adlcp:data>
      </item>
      <item identifier="folder" isvisible="false">
        <title>Thư mục ẩn</title>
        <item identifier="sco_c" identifierref="res_sco" parameters="?page=c"><title>Bài C</title></item>
      </item>
      <item identifier="handout" identifierref="res_asset"><title>Tài liệu</title></item>
      <imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_sco" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
    <resource identifier="res_asset" type="webcontent" adlcp:scormType="asset" href="handout.html">
      <file href="handout.html"/>
    </resource>
  </resources>
</manifest>"""

#: SCORM 1.2: a SCO with a mastery score and time limits, a plain SCO, an asset
RTE_12 = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="RTE12" version="1.0" {NS_12}>
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG1">
    <organization identifier="ORG1">
      <title>RTE 1.2</title>
      <item identifier="sco1" identifierref="res_sco" parameters="?page=one">
        <title>Bài 1</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
        <adlcp:maxtimeallowed>00:30:00</adlcp:maxtimeallowed>
        <adlcp:timelimitaction>exit,no message</adlcp:timelimitaction>
        <adlcp:datafromlms>from-manifest-1</adlcp:datafromlms>
      </item>
      <item identifier="sco2" identifierref="res_sco" parameters="?page=two"><title>Bài 2</title></item>
      <item identifier="handout" identifierref="res_asset"><title>Tài liệu</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
    <resource identifier="res_asset" type="webcontent" adlcp:scormtype="asset" href="handout.html">
      <file href="handout.html"/>
    </resource>
  </resources>
</manifest>"""

HANDOUT = '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tài liệu</title></head>' \
          '<body data-ready="1"><h1>Tài liệu đọc thêm</h1></body></html>'


def build(name: str, manifest: str, version: str, out_dir: Path) -> Path:
    """A zip of ``manifest`` with the common test SCO (for ``version``) and the asset page."""
    out = out_dir / f"{name}.zip"
    page = (HERE / "common" / "index.html").read_text(encoding="utf-8").replace("__VERSION__", version)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("index.html", page)
        zf.write(HERE / "common" / "sco.js", "sco.js")
        zf.writestr("handout.html", HANDOUT)
    return out


def module_from(tmp_path: Path, manifest: str, version: str, code: str, **fields):
    """A published module (4 hours, topic osh) playing ``manifest``."""
    module = create_module(code, f"Học phần {code}", topic="osh", hours=4, **fields)
    import_package(module, build(code, manifest, version, tmp_path))
    db.session.commit()
    return module
