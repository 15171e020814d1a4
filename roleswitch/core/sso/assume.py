"""The Identity Center credentials behind a target: its own SSO role's, or for a role
chained from an SSO role, that source role's (which STS then assumes the target with).

The session is looked up by name in the config files as they are now, so a session
renamed or removed since the catalogue was built is one sentence, not a stale call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from roleswitch.core.model import Credentials, Target
from roleswitch.core.sso.config import SsoSession, load_sso_config
from roleswitch.core.sso.errors import SsoError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.core.sts import Timeouts


def session_named(name: str) -> SsoSession:
    session = load_sso_config().find(name)
    if session is None:
        raise SsoError(
            f"The SSO session {name} is no longer configured; run `roleswitch list` to see the "
            "roles there are now.",
            code="config",
        )
    return session


def sso_credentials(target: Target, timeouts: Timeouts, now: Callable[[], datetime]) -> Credentials:
    """GetRoleCredentials for the SSO role the target is, or takes its source from."""
    from roleswitch.core.sso.credentials import role_credentials

    if target.sso_session is None:
        raise SsoError(f"{target.name} is not an IAM Identity Center role.", code="invalid")
    if target.sso_source is not None:
        account_id, _, role_name = target.sso_source.partition("/")
    else:
        account_id, role_name = target.account_id, target.role_name
    session = session_named(target.sso_session)
    return role_credentials(session, account_id, role_name, timeouts=timeouts, now=now)
