"""Who may see and change which referrals: provider roles only, within their own agency.

Partners never search people or read referrals through intake (SECURITY 5); the project manager
sees every agency's, case management staff their own agency's.
"""

from __future__ import annotations

from models import Participant, Role
from services.access.auth import CurrentUser
from services.access.policy import PROVIDER_ROLES
from services.core.errors import ValidationError


def require_provider(user: CurrentUser) -> None:
    # Partners never search people through intake: they would learn who is known (SECURITY 5).
    if user.role not in PROVIDER_ROLES:
        raise ValidationError("Referrals: only case management staff and the project manager.")


def may_touch(user: CurrentUser, participant: Participant) -> bool:
    """The project manager sees every agency's participants, others their own agency's."""
    return user.role == Role.project_manager or participant.organization_id == user.organization_id


def in_scope(query, user: CurrentUser):
    """A query joined to Participant, narrowed to the participants this user may see."""
    if user.role == Role.project_manager:
        return query
    return query.where(Participant.organization_id == user.organization_id)
