"""The content demo step publishes every shipped module once."""

from sqlalchemy import func, select

from lms.catalog.models import Module, PackageVersion
from lms.content.demo import seed_modules
from lms.core.db import db


def test_demo_publishes_each_shipped_module_once(app):
    lines: list[str] = []
    seed_modules(lines.append)
    db.session.commit()
    modules = db.session.scalars(select(Module).order_by(Module.code)).all()
    assert [m.code for m in modules] == ["ATVSLD", "DTDC", "LCD2024", "TCCD"]
    assert all(m.published_version is not None for m in modules)
    assert {m.published_version.scorm_version for m in modules} == {"2004-4th"}
    assert {m.topic for m in modules} == {"osh", "democracy", "union_law", "finance"}
    assert len(lines) == 4

    seed_modules(lines.append)  # again: nothing new
    db.session.commit()
    assert db.session.scalar(select(func.count(PackageVersion.id))) == 4
    assert len(lines) == 4


def test_corrected_sources_become_a_new_published_version(app, tmp_path):
    """On a database holding an older build, the corrected module is imported as the next version and
    published; the old version (which running attempts keep) is left as it was."""
    from dataclasses import replace

    from lms.catalog import services as catalog
    from lms.content.builder import COURSES_DIR, package_source, registry_for
    from lms.content.source import load_course
    from scorm.build import build_package

    course = load_course(COURSES_DIR / "TCCD")
    old = replace(course, summary_vi=course.summary_vi + " (bản trước khi sửa)")
    module = catalog.create_module("TCCD", course.title_vi, topic="finance", hours=4)
    zip_path = build_package(package_source(old, registry_for(COURSES_DIR / "TCCD")), "2004-4th", tmp_path / "old.zip")
    v1 = catalog.import_package(module, zip_path, publish=True)
    db.session.commit()
    v1_digest = v1.sha256

    lines: list[str] = []
    seed_modules(lines.append)
    db.session.commit()
    db.session.refresh(module)
    assert [v.number for v in module.versions] == [1, 2]
    assert module.published_version.number == 2
    assert module.versions[0].sha256 == v1_digest
    assert any(line.startswith("  TCCD:") and "(v2," in line for line in lines)


def test_corrected_bank_questions_become_new_question_versions(app, tmp_path):
    """Re-seeding the TCCD bank after the correction adds a version to each changed question (the old
    version, which submitted quizzes point to, stays) and leaves unchanged questions alone."""
    from lms.assessments.demo import seed_course
    from lms.assessments.models import Question, QuestionVersion
    from lms.content.builder import COURSES_DIR
    from tests.content.test_check import _copy_course

    old = _copy_course(tmp_path)
    bank = old / "questions.toml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("2.530.000 đồng (áp dụng từ 01/07/2026 theo Nghị định "
                                                              "161/2026/NĐ-CP, Điều 3) là 253.000", "2.340.000 đồng là 234.000"),
                    encoding="utf-8")
    seed_course(old)
    db.session.commit()
    seed_course(COURSES_DIR / "TCCD")
    db.session.commit()
    question = db.session.scalar(select(Question).where(Question.ident == "FIN-009"))
    versions = db.session.scalars(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                  .order_by(QuestionVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert "234.000" in versions[0].explanation_vi and "253.000" in versions[1].explanation_vi
    assert question.current_version_id == versions[1].id
    unchanged = db.session.scalar(select(Question).where(Question.ident == "FIN-010"))
    assert db.session.scalar(select(func.count(QuestionVersion.id)).where(
        QuestionVersion.question_id == unchanged.id)) == 1
