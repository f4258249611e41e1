"""Whether the bootstrap may set the application user's password, or must leave it to a rotation.

A deploy can run while a rotation of the app secret is between its setSecret (the database has the
AWSPENDING password) and its finishSecret (AWSCURRENT still names the old one). Setting the password back
to AWSCURRENT then would lock the app out as soon as finishSecret promotes the pending one. So the
launcher sends both, and the password is reset only when neither logs in (issue 18, item 4).
"""

from __future__ import annotations

from .connect import login_works

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .request import BootstrapRequest

CURRENT = "current"
PENDING = "pending"
RESET = "reset"
PENDING_NOTE = (
    "a rotation of the app secret is under way: the database already has its AWSPENDING password, which "
    "was kept (the rotation's finishSecret makes it AWSCURRENT)"
)


def password_note(decision: str | None) -> str | None:
    """The response's "password" entry: the pending note, or RESET when the bootstrap set the password of
    an existing user (the launcher then re-reads the secret: a rotation may have finished meanwhile)."""
    if decision == PENDING:
        return PENDING_NOTE
    if decision == RESET:
        return RESET
    return None


def password_decision(request: BootstrapRequest) -> str:
    """CURRENT: the secret's current password logs in; PENDING: the rotation's pending one does (keep it);
    RESET: neither does, the bootstrap sets the current one."""
    if login_works(request, request.app_user, request.app_password or ""):
        return CURRENT
    pending = request.app_password_pending
    if pending and login_works(request, request.app_user, pending):
        return PENDING
    return RESET
