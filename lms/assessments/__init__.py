"""Assessments: question banks (versioned questions, plugin types), quizzes, server-graded attempts,
item statistics. A pass appends a TrainingRecord and satisfies the "quiz_passed" completion condition.
"""

from __future__ import annotations

import importlib.util

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, navigation, the learner's home panel and the "quiz_passed" condition."""
    from lms.assessments import models  # noqa: F401  (tables for migrations)
    from lms.assessments.views import bp, learner_panel_context
    from lms.core.roles import Role
    from lms.home import NavItem, Panel, register_nav, register_panel

    app.register_blueprint(bp)
    register_nav(NavItem("assessments.my_quizzes", "Bài kiểm tra", "Quizzes", (Role.learner,), 30))
    register_nav(NavItem("assessments.banks", "Ngân hàng câu hỏi", "Question banks", (Role.lecturer,), 60))
    register_nav(NavItem("assessments.manage", "Đề kiểm tra", "Quizzes", (Role.lecturer,), 61))
    register_panel(Panel(Role.learner, "assessments/_panel.html", learner_panel_context, 30))
    _register_condition()


def _register_condition() -> None:
    """Make "quiz_passed" usable in module completion rules (when the player feature is present)."""
    if importlib.util.find_spec("lms.player") is None or importlib.util.find_spec("lms.player.rules") is None:
        return
    from lms.assessments.services import quiz_passed
    from lms.player.rules import register_condition

    register_condition("quiz_passed", quiz_passed)
