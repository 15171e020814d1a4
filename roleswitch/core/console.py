"""Opening the AWS console as a session: which credentials, which URL, which browser.

One policy for the command line and the app. The credentials are the active
session's (read from roleswitch's section of the credentials file), a target's
(assumed with the usual MFA policy, never written to the credentials file: opening
a console must not change what every terminal uses, and several accounts can be
opened side by side), or a source profile's. Long-term IAM user keys cannot sign in
to the console, so a federated user's credentials are asked for first
(GetFederationToken), and the person is told.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from roleswitch.core.aws import federation
from roleswitch.core.browser import colour_for, open_url
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.model import Catalogue, Credentials, Settings, Target

DEFAULT_REGION = "us-east-1"
# A source whose credentials are themselves a role's: assuming a role with them is role chaining.
_ROLE_SOURCE_KEYS = ("role_arn", "sso_session", "sso_start_url", "sso_account_id", "web_identity_token_file")
_ROLE_CREDENTIAL_SOURCES = ("Ec2InstanceMetadata", "EcsContainer")


@dataclass(frozen=True, slots=True)
class ConsoleOptions:
    """What the person asked for: all optional."""

    region: str | None = None
    destination: str | None = None  # a service (s3) or a console URL
    duration: int | None = None  # seconds of console session


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose credentials these are, as far as the console needs to know."""

    label: str  # the target's name, or the profile's
    arn: str | None  # a role or assumed-role ARN: gives the partition
    region: str | None
    account: str  # the key for the container's colour
    chained: bool = False  # assumed with role credentials: no SessionDuration
    federation_token: bool = False  # GetFederationToken credentials: their duration is the console's


@dataclass(frozen=True, slots=True)
class ConsoleSignIn:
    """A ready login URL and who it signs in as. The URL is never in `repr`."""

    url: federation.SignInUrl = field(repr=False)
    label: str
    container: str
    colour: str
    region: str
    note: str | None = None  # said to the person: e.g. a federation token was used

    def __repr__(self) -> str:
        return f"ConsoleSignIn(label={self.label!r}, region={self.region!r}, url='***')"


class ConsoleOpener:
    """Builds sign-in URLs and opens them. Holds no secrets itself."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        timeouts: federation.FederationTimeouts | None = None,
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self.timeouts = timeouts or federation.FederationTimeouts()

    def __repr__(self) -> str:
        return "ConsoleOpener()"

    def check(self, identity: Identity, options: ConsoleOptions) -> tuple[str, str, str, int | None]:
        """Every option checked, before any credentials are fetched or sent:
        (region, destination URL, federation endpoint, SessionDuration)."""
        region = federation.check_region(
            options.region or identity.region or federation.default_region(identity.arn)
        )
        partition = federation.partition_for(region, identity.arn)
        destination = federation.destination_url(partition, region, options.destination)
        endpoint = federation.federation_endpoint(partition, self.environ)
        duration = None
        if not identity.federation_token:  # there the duration went to GetFederationToken
            duration = federation.session_duration(
                options.duration, chained=identity.chained, who=identity.label
            )
        return region, destination, endpoint, duration

    def sign_in(
        self,
        credentials: Credentials,
        identity: Identity,
        options: ConsoleOptions,
        *,
        note: str | None = None,
    ) -> ConsoleSignIn:
        """Check the options (nothing is sent for a bad one), then get a sign-in token."""
        region, destination, endpoint, duration = self.check(identity, options)
        token = federation.fetch_signin_token(
            endpoint, credentials, duration=duration, timeouts=self.timeouts
        )
        return ConsoleSignIn(
            url=federation.login_url(endpoint, token, destination),
            label=identity.label,
            container=identity.label,
            colour=colour_for(identity.account),
            region=region,
            note=note,
        )

    def open(self, sign_in: ConsoleSignIn, browser: str | None) -> str:
        """Open it in the browser (the `browser` setting's command, else the system's)."""
        return open_url(sign_in.url.url, template=browser, container=sign_in.container, colour=sign_in.colour)


# --- whose credentials ------------------------------------------------------------------------


def chained(target: Target, config_profile: Callable[[str], dict[str, str] | None]) -> bool:
    """Whether assuming `target` is role chaining: its source's credentials are a role's
    (a role profile, SSO, web identity, an instance or container role)."""
    if target.sso_chained:  # a TOML role whose source is an Identity Center role
        return True
    if target.credential_source in _ROLE_CREDENTIAL_SOURCES:
        return True
    if not target.source_profile:
        return False
    values = config_profile(target.source_profile) or {}
    return any(values.get(key) for key in _ROLE_SOURCE_KEYS) or (
        values.get("credential_source") in _ROLE_CREDENTIAL_SOURCES
    )


def config_profile(name: str) -> dict[str, str] | None:
    """The values of `[profile NAME]` in the AWS config file, as botocore reads them."""
    from roleswitch.core import paths
    from roleswitch.core.config_profiles import find_profile
    from roleswitch.core.regular_file import read_regular_file

    try:
        data = read_regular_file(paths.aws_config_path())
    except (OSError, RoleswitchError):
        return None
    if data is None:
        return None
    sections = find_profile(data, name)
    return dict(sections[-1].values) if sections else None


def target_identity(target: Target, region: str | None = None) -> Identity:
    return Identity(
        label=target.name,
        arn=target.role_arn,
        region=region or target.region,
        account=target.account_id or target.name,
        chained=chained(target, config_profile),
    )


def active_credentials(
    credentials_file, profile: str, catalogue: Catalogue, now: datetime
) -> tuple[Credentials, Identity]:
    """The active session's credentials and identity; one sentence when there is none to use."""
    session = credentials_file.read_active(profile)
    credentials = credentials_file.read_credentials(profile) if session is not None else None
    if session is None or credentials is None or not credentials.session_token:
        raise RoleswitchError(
            f"No roleswitch session in [{profile}] to open the console with; assume a role first, or "
            "name one: roleswitch console TARGET."
        )
    name = session.target_name or session.role_arn or profile
    if credentials.expiration <= now:
        raise RoleswitchError(f"The session of {name} in [{profile}] has expired; renew it, then try again.")
    target = catalogue.find(session.target_name or "")
    is_chained = chained(target, config_profile) if target is not None else False
    account = target.account_id if target is not None else (session.role_arn or name)
    identity = Identity(name, session.role_arn or session.assumed_arn, session.region, account, is_chained)
    return credentials, identity


def source_credentials(
    profile: str, settings: Settings, options: ConsoleOptions
) -> tuple[Credentials, Identity, str | None]:
    """A profile that is not a target (an IAM user, SSO, credential_process): its own
    credentials, or a federation token's when they are long-term keys."""
    import boto3
    from botocore import exceptions as bx

    from roleswitch.core.sts import default_session_name, map_error

    session = boto3.Session(profile_name=profile)
    region = options.region or session.region_name or settings.region or DEFAULT_REGION
    stand_in = Target(
        name=profile, origin="aws-config", role_arn="", account_id="", role_name="", source_profile=profile
    )
    try:
        found = session.get_credentials()
        frozen = found.get_frozen_credentials() if found is not None else None
    except (bx.BotoCoreError, bx.ClientError) as error:
        raise map_error(error, stand_in) from None
    if frozen is None or not frozen.access_key:
        raise map_error(bx.NoCredentialsError(), stand_in)
    identity = Identity(label=profile, arn=None, region=region, account=profile)
    if frozen.token:  # temporary already (SSO, a role, a process): they sign in as they are
        # Their expiry is botocore's business (it refreshes them); the console never reads it.
        unknown_expiry = datetime.max.replace(tzinfo=UTC)
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token, unknown_expiry), identity, None
    name = settings.session_name or default_session_name()
    credentials = federation.federation_token(
        session, profile=profile, name=name, duration=options.duration, region=region
    )
    user = federation.federated_user_name(name)
    note = (
        f"Profile '{profile}' has long-term IAM user keys, which cannot sign in to the console; "
        f"roleswitch got a federation token for it (GetFederationToken, federated user {user})."
    )
    return credentials, Identity(profile, None, region, profile, federation_token=True), note
