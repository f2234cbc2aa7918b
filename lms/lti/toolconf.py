"""pylti1p3's tool configuration read from ``lti_platforms`` and our keys (:mod:`lms.lti.keys`)."""

from __future__ import annotations

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select

from lms.core.db import db
from lms.lti import keys
from lms.lti.models import LtiPlatform


class ToolRegistration(Registration):
    """A registration whose key id is our stored ``kid`` (pylti1p3 would derive none from a PEM)."""

    _kid: str | None = None

    def get_kid(self) -> str | None:
        return self._kid

    def get_jwks(self) -> list:
        return keys.jwks()["keys"]


def find_platform(issuer: str | None, client_id: str | None = None) -> LtiPlatform | None:
    """The active platform with this issuer (and client id, when given)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == (issuer or ""), LtiPlatform.active.is_(True))
    if client_id is not None:
        query = query.where(LtiPlatform.client_id == client_id)
    return db.session.scalars(query.order_by(LtiPlatform.id).limit(1)).first()


def registration_for(platform: LtiPlatform) -> ToolRegistration:
    """pylti1p3's registration of ``platform`` signed with our current key."""
    key = keys.current_key()
    registration = ToolRegistration()
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id) \
        .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url) \
        .set_key_set_url(platform.key_set_url).set_tool_private_key(key.private_pem) \
        .set_tool_public_key(key.public_pem)
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    registration._kid = key.kid
    return registration


class DbToolConf(ToolConfAbstract):
    """Every issuer may have several client ids (one row per issuer + client id)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = find_platform(iss)
        return registration_for(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = find_platform(iss, client_id)
        return registration_for(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        platform = find_platform(iss)
        return Deployment().set_deployment_id(deployment_id) if platform and deployment_id in platform.deployments() \
            else None

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = find_platform(iss, client_id)
        return Deployment().set_deployment_id(deployment_id) if platform and deployment_id in platform.deployments() \
            else None
