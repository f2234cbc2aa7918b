"""Deep Linking (LTI DL 2.0): the teacher picks one of our published modules; we answer the platform
with a signed ``LtiDeepLinkingResponse`` holding one ltiResourceLink (custom ``module``, a line item
out of 100 so the platform creates the grade column)."""

from __future__ import annotations

from flask import url_for
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from sqlalchemy import select

from lms.api import results as targets
from lms.catalog.models import Module
from lms.core.db import db
from lms.lti.launches import ToolMessageLaunch, is_teacher
from lms.lti.refusals import refusal
from lms.lti.storage import DbLaunchDataStorage
from lms.lti.toolconf import DbToolConf


def choosable_modules() -> list[Module]:
    """Active modules with a published package, by code."""
    return list(db.session.scalars(select(Module).where(Module.active.is_(True),
                                                        Module.published_version_id.is_not(None))
                                   .order_by(Module.code)))


def resource_for(module: Module) -> DeepLinkResource:
    lineitem = LineItem().set_score_maximum(100).set_label(module.title_vi).set_resource_id(module.code)
    return (DeepLinkResource().set_url(url_for("lti.launch", _external=True)).set_title(module.title_vi)
            .set_custom_params({"module": module.code}).set_lineitem(lineitem))


def respond(request, launch_id: str, code: str) -> str:
    """The auto-submitting form carrying the signed response, for the launch ``launch_id`` (validated
    moments ago, used once) and the module ``code``."""
    storage = DbLaunchDataStorage()
    if not launch_id.startswith("lti1p3-launch-") or storage.get_value(launch_id) is None:
        raise refusal("lti_ticket")
    message = ToolMessageLaunch.from_cache(launch_id, request, DbToolConf(), launch_data_storage=storage)
    if not message.is_deep_link_launch() or not is_teacher(message.get_launch_data()):
        raise refusal("lti_role")
    module = targets.get_module_or_refuse(code)
    html = message.get_deep_link().output_response_form([resource_for(module)])
    storage.pop(launch_id)
    return html
