"""The learner's side: "Học tập của tôi" (the home panel) and the learner's module page."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register "my learning" as the learner's home panel (it takes the place of the requirement and
    module panels of standards and player: one page, requirements first)."""
    from lms.core.roles import Role
    from lms.core.templating import label
    from lms.home import Panel, register_panel
    from lms.learning.services import topic_label
    from lms.learning.views import home_context

    app.add_template_global(lambda code: label(topic_label(code)), "topic_name")

    register_panel(Panel(Role.learner, "learning/_home.html", home_context, order=5, wide=True,
                         replaces=("standards/_learner_panel.html", "player/_home_panel.html")))
