"""`roleswitch demo`: the real app on a sandbox, with a local STS endpoint.

moto's server runs on 127.0.0.1 and a free port; a sandbox folder holds its own
AWS config, credentials file and roleswitch config; this process's environment
points at them (HOME included, so nothing under the person's ~/.aws is read or
written). The app itself is unchanged. moto lives in the `demo` extra.

Next to moto: the local console sign-in endpoint, and a local IAM Identity Center
(roleswitch.local.identity_center) behind an `[sso-session roleswitch-demo]` of the sandbox's
AWS config, with a few accounts (one shared with the TOML's Production, so its rows
group) and several roles each; its device step is approved by the app's demo key,
by the local approval page, or by one `curl` line that `--shell` prints. moto also
holds an organisation made by the demo user's account, which the TOML's
`[[discover.organizations]]` table lists.

The demo writes `.aws` files into its folder, so `--dir` takes only a folder that
is missing, empty, or marked as the demo's own (`.roleswitch-demo`): `--dir ~`
must never overwrite real keys. `--shell` runs the sandbox without the app and
prints the lines that point another terminal at it, for as long as it runs: the
endpoint is this process's, so printing it after the demo ended would be a lie.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shlex
import shutil
import stat
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from roleswitch.core.environment import ALL_AWS_AND_ROLESWITCH

TYPE_CHECKING = False
if TYPE_CHECKING:  # moto lives in the demo extra: imported only when the demo starts
    from moto.server import ThreadedMotoServer

    from roleswitch.local.federation import FederationStandIn
    from roleswitch.local.identity_center import IdentityCenter

DEMO_USER = "demo-user"
REGION = "eu-west-1"
SECURITY_ACCOUNT = "123456789012"  # moto's own account: its roles have real trust policies
MFA_SERIAL = f"arn:aws:iam::{SECURITY_ACCOUNT}:mfa/demo-user"
MARKER = ".roleswitch-demo"  # in a sandbox folder: the demo made it and may rewrite it
EXIT_USAGE = 2

SSO_SESSION = "roleswitch-demo"  # the [sso-session] of the sandbox's AWS config
# Not plain "demo": `demo --shell` sign-ins land in the person's own ~/.aws/sso/cache, keyed
# by the session name, and must never replace the token of a real session called "demo".
SSO_PROFILE = "demo-sso"  # a profile naming one of its roles, as `aws configure sso` writes them
SSO_SHARED_ACCOUNT = "111111111111"  # also the TOML's Production: one account row, named once
# The Identity Center's assignments: (account id, name, roles).
SSO_ACCOUNTS = (
    (SSO_SHARED_ACCOUNT, "Production", ("AdministratorAccess", "ReadOnlyAccess", "SupportUser")),
    ("444444444444", "Data Platform", ("DataEngineer", "ReadOnlyAccess", "AdministratorAccess")),
    ("888888888888", "Log Archive", ("SecurityAudit", "ReadOnlyAccess")),
    ("999999999999", "Shared Services", ("NetworkAdministrator", "PowerUserAccess", "ReadOnlyAccess")),
)
# Member accounts of the organisation moto holds (the demo user's account is its management account).
ORGANIZATION_ACCOUNTS = ("Analytics", "Marketing", "Research")
ORGANIZATION_ROLE = "OrganizationAccountAccessRole"

# What another terminal needs to use the sandbox (HOME stays the person's own).
SHELL_VARIABLES = (
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "ROLESWITCH_CONFIG",
    "ROLESWITCH_CACHE_DIR",
    "ROLESWITCH_STATE_DIR",  # the demo's pins and recent roles never join the person's own
    "ROLESWITCH_FEDERATION_ENDPOINT",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_ORGANIZATIONS",
    "AWS_ENDPOINT_URL_STS",  # last: what reads these lines may stop at it
)

# Environment variables that could point this process at the person's own AWS setup:
# all cleared, then the sandbox sets its own.
_CLEARED = ALL_AWS_AND_ROLESWITCH

ROLESWITCH_TOML = f"""\
# roleswitch demo organisation. Accounts get display names; roles default to
# arn:aws:iam::ID:role/NAME.
[settings]
active_profile = "default"
duration = "1h"
renew_margin = "10m"
session_name = "demo-user"
source_profile = "demo"

# Environments: rows, the session bar and the session list wear their colour.
# Production asks before every assume and renewal (y/N), and auto-renew asks once.
[environments.production]
colour = "red"
confirm = true

[environments.staging]
colour = "orange"

[environments.development]
colour = "green"

[accounts.production]
id = "111111111111"
name = "Production"
region = "{REGION}"
environment = "production"   # also the IAM Identity Center roles of this account
tags = ["customer-data"]

[[accounts.production.roles]]
name = "ReadOnly"

[[accounts.production.roles]]
name = "Deploy"
external_id = "deploy-pipeline-7"

[[accounts.production.roles]]
name = "Admin"

[[accounts.production.roles]]
name = "BreakGlass"
mfa_serial = "{MFA_SERIAL}"
duration = "15m"

[accounts.staging]
id = "222222222222"
name = "Staging"
region = "{REGION}"
environment = "staging"

[[accounts.staging.roles]]
name = "ReadOnly"

[[accounts.staging.roles]]
name = "Deploy"

[[accounts.staging.roles]]
name = "Admin"

[accounts.development]
id = "333333333333"
name = "Development"
region = "us-east-1"
environment = "development"

[[accounts.development.roles]]
name = "Developer"

[[accounts.development.roles]]
name = "Admin"

[accounts.security]
id = "{SECURITY_ACCOUNT}"
name = "Security"
region = "{REGION}"

[[accounts.security.roles]]
name = "Auditor"
source_profile = "auditor"   # no keys issued yet: a clear error, nothing written

[[accounts.security.roles]]
name = "ReadOnly"

[accounts.sandbox]
id = "555555555555"
name = "Sandbox"
region = "us-west-2"

[[accounts.sandbox.roles]]
name = "Admin"
profile = "sandbox"   # always assumed into [sandbox], next to the default session

# The organisation's member accounts, listed through the demo user's keys (it is the
# management account), each offered with the role AWS Organizations creates there.
[[discover.organizations]]
name = "org"
source_profile = "demo"
role_name = "{ORGANIZATION_ROLE}"
region = "{REGION}"
"""

AWS_CONFIG = f"""\
# The demo's AWS config: one source profile with long-term keys, role profiles the
# way people already write them, and an IAM Identity Center sign-in (local).
[default]
region = {REGION}

[profile demo]
region = {REGION}

[profile billing-viewer]
role_arn = arn:aws:iam::666666666666:role/BillingViewer
source_profile = demo
region = us-east-1

[profile auditor]
# Keys for the audit team have not been issued yet.
region = {REGION}

[profile old-prototype]
role_arn = arn:aws:iam::777777777777:role/Prototype

[sso-session {SSO_SESSION}]
sso_start_url = {{start_url}}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

[profile {SSO_PROFILE}]
sso_session = {SSO_SESSION}
sso_account_id = {SSO_SHARED_ACCOUNT}
sso_role_name = ReadOnlyAccess
region = {REGION}
"""


def moto_missing_message() -> str:
    return (
        "roleswitch demo needs moto's server, which is not installed; run: "
        "pip install 'roleswitch[demo]'  (or: pip install \"moto[server]\")"
    )


def sandbox_folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot hold the sandbox, or None: the demo writes `.aws/config`,
    `.aws/credentials` and a TOML there, so it takes a missing or empty folder, or
    one it made itself."""
    if not folder.exists() and not folder.is_symlink():
        return None
    advice = "give --dir a new or empty folder, so nothing of yours is overwritten"
    if not folder.is_dir():
        return f"{folder} is not a folder; {advice}."
    try:
        entries = os.listdir(folder)
    except OSError as error:
        return f"{folder} cannot be read ({error.strerror}); {advice}."
    if not entries or (folder / MARKER).is_file():
        return None
    return f"{folder} is not empty and was not made by roleswitch demo; {advice}."


class DemoSandbox:
    """A local STS/IAM endpoint plus a folder of AWS and roleswitch files that use it."""

    def __init__(self, folder: Path | None = None) -> None:
        self.keep = folder is not None
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="roleswitch-demo-"))
        self.url = ""
        self._server: ThreadedMotoServer | None = None
        # the local console sign-in endpoint (ctrl+b, roleswitch console)
        self._federation: FederationStandIn | None = None
        # the local IAM Identity Center (roleswitch login, the app's sign-in key)
        self.identity_center: IdentityCenter | None = None
        self._saved_env: dict[str, str | None] = {}

    def __enter__(self) -> DemoSandbox:
        try:
            self.start()
        except BaseException:  # a half-started sandbox: stop its server, restore the environment
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        from roleswitch.local.federation import FederationStandIn
        from roleswitch.local.identity_center import Account, IdentityCenter

        self.identity_center = IdentityCenter(
            [Account(*account) for account in SSO_ACCOUNTS], region=REGION
        ).start()
        # moto does not know the Identity Center's role credentials: the console asks it first.
        self._federation = FederationStandIn(self.url, verify=self._sso_identity).start()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.folder / MARKER).write_text(
            "Made by `roleswitch demo`, which may rewrite or delete this folder.\n"
        )
        self._forget_last_run()
        self._point_environment_here()
        # moto's backends are shared by every server in a process: start from nothing, so a
        # sandbox made after another (the tests make many) does not find its users taken.
        self._post("/moto-api/reset", "")
        self._seed()

    def stop(self) -> None:
        if self._server is not None:
            # moto keeps auth enforcement in a process-wide setting: turn it off again.
            with contextlib.suppress(OSError):
                self._post("/moto-api/reset-auth", "inf")
            self._server.stop()
            self._server = None
        if self._federation is not None:
            self._federation.stop()
            self._federation = None
        if self.identity_center is not None:
            self.identity_center.stop()
            self.identity_center = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def aws_folder(self) -> Path:
        return self.folder / ".aws"

    @property
    def cache_folder(self) -> Path:
        """The sandbox's ROLESWITCH_CACHE_DIR."""
        return self.folder / ".cache" / "roleswitch"

    @property
    def state_folder(self) -> Path:
        """The sandbox's ROLESWITCH_STATE_DIR: pins and recent use of the demo's roles."""
        return self.folder / ".local" / "state" / "roleswitch"

    @property
    def sso_cache_folder(self) -> Path:
        """The SSO token cache under the sandbox's HOME (where the app's sign-ins go)."""
        return self.aws_folder / "sso" / "cache"

    def _forget_last_run(self) -> None:
        """A kept sandbox starts clean: its last run's discovered accounts (moto makes new
        ids each run) and sign-ins (to a portal that is gone) are removed, so the app lists
        them afresh. Only those files, only inside the sandbox folder: a folder on the way
        that is a symlink is left alone, and what it points at with it."""
        from roleswitch.core.catalogue_cache import DISCOVERY_PREFIXES

        for folder, prefixes in ((self.cache_folder, DISCOVERY_PREFIXES), (self.sso_cache_folder, ("",))):
            if not _plain_folder_within(self.folder, folder):
                continue
            with os.scandir(folder) as entries:
                stale = [
                    entry.path
                    for entry in entries
                    if entry.name.startswith(prefixes)
                    and entry.name.endswith(".json")
                    and not entry.is_dir(follow_symlinks=False)
                ]
            for path in stale:  # unlink never follows a symlink: only the sandbox's entry goes
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def environment(self) -> dict[str, str]:
        return {
            "HOME": str(self.folder),
            "USERPROFILE": str(self.folder),
            "AWS_CONFIG_FILE": str(self.aws_folder / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.aws_folder / "credentials"),
            "ROLESWITCH_CONFIG": str(self.folder / "roleswitch.toml"),
            "ROLESWITCH_CACHE_DIR": str(self.cache_folder),
            "ROLESWITCH_STATE_DIR": str(self.state_folder),
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_ENDPOINT_URL_IAM": self.url,
            "AWS_ENDPOINT_URL_ORGANIZATIONS": self.url,
            "AWS_ENDPOINT_URL_SSO": self.identity_center.url if self.identity_center else "",
            "AWS_ENDPOINT_URL_SSO_OIDC": self.identity_center.url if self.identity_center else "",
            "ROLESWITCH_FEDERATION_ENDPOINT": self._federation.endpoint if self._federation else "",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def export_lines(self) -> str:
        """`export` lines pointing a POSIX shell at this sandbox, valid while it runs."""
        env = self.environment()
        return "\n".join(f"export {name}={shlex.quote(env[name])}" for name in SHELL_VARIABLES)

    def approve_device(self, user_code: str) -> None:
        """The person approves a sign-in's user code, as on the portal's page (the app's demo key)."""
        if self.identity_center is None:
            raise RuntimeError("the demo's Identity Center is not running")
        self.identity_center.approve(user_code)

    def approval_lines(self) -> str:
        """How a terminal approves a `roleswitch login` while the sandbox runs (no browser needed)."""
        url = self.identity_center.url if self.identity_center else ""
        return (
            f"# Sign in with: roleswitch login {SSO_SESSION}; approve its code at {url}/device,\n"
            f"# or from any terminal: curl -s -d user_code=CODE {url}/device/approve >/dev/null\n"
            "# (the sign-in is kept in your ~/.aws/sso/cache under its own name, as the AWS CLI keeps it;\n"
            f"# `roleswitch logout --sso {SSO_SESSION}` removes it)"
        )

    def _sso_identity(self, key_id: str, secret: str, token: str) -> tuple[str, str] | None:
        """Who role credentials from the demo's Identity Center are, as STS would name them
        (an `AWSReservedSSO_` role, as IAM Identity Center makes it); None if it did not
        issue them or they expired."""
        center = self.identity_center
        issued = center.issued_role(key_id, secret, token) if center is not None else None
        if issued is None:
            return None
        suffix = hashlib.sha256(f"{issued.account_id}/{issued.role_name}".encode()).hexdigest()[:16]
        role = f"AWSReservedSSO_{issued.role_name}_{suffix}"
        return f"arn:aws:sts::{issued.account_id}:assumed-role/{role}/{DEMO_USER}", issued.account_id

    def _point_environment_here(self) -> None:
        env = self.environment()
        for name in (*_CLEARED, *env):
            self._saved_env.setdefault(name, os.environ.get(name))
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(env)

    def _post(self, path: str, body: str) -> None:
        request = urllib.request.Request(
            self.url + path, data=body.encode(), method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(request, timeout=5).read()

    def _seed(self) -> None:
        """IAM state in moto, then the files."""
        iam = self._moto_client("iam", "AKIAIOSFODNN7EXAMPLE", "demo-setup")
        user = iam.create_user(UserName=DEMO_USER)["User"]
        iam.put_user_policy(
            UserName=DEMO_USER,
            PolicyName="assume-roles",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["sts:AssumeRole", "sts:GetCallerIdentity"],
                            "Resource": "*",
                        }
                    ],
                }
            ),
        )
        key = iam.create_access_key(UserName=DEMO_USER)["AccessKey"]
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}],
        }
        iam.create_role(RoleName="ReadOnly", AssumeRolePolicyDocument=json.dumps(trust))
        self._seed_organization(key["AccessKeyId"], key["SecretAccessKey"])

        self.aws_folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        start_url = self.identity_center.start_url if self.identity_center else ""
        (self.aws_folder / "config").write_text(AWS_CONFIG.replace("{start_url}", start_url))
        credentials = self.aws_folder / "credentials"
        credentials.write_text(
            "# The demo's long-term keys (moto's, good only for this local endpoint).\n"
            f"[demo]\naws_access_key_id = {key['AccessKeyId']}\n"
            f"aws_secret_access_key = {key['SecretAccessKey']}\n"
        )
        credentials.chmod(0o600)
        (self.folder / "roleswitch.toml").write_text(ROLESWITCH_TOML)
        # moto's auth enforcement stays off: under it, moto refuses the credentials its own
        # GetSessionToken hands out, and the demo shows MFA sessions.

    def _moto_client(self, service: str, key_id: str, secret: str):
        """A client of this sandbox's moto server; the keys decide whose account it acts in."""
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )

    def _seed_organization(self, key_id: str, secret: str) -> None:
        """An organisation whose management account is the demo user's, with named members."""
        organizations = self._moto_client("organizations", key_id, secret)
        organizations.create_organization(FeatureSet="ALL")
        for name in ORGANIZATION_ACCOUNTS:
            organizations.create_account(
                Email=f"aws+{name.lower()}@example.com", AccountName=name, RoleName=ORGANIZATION_ROLE
            )


def _plain_folder_within(root: Path, folder: Path) -> bool:
    """Whether each folder from `root` down to `folder` exists and none is a symlink."""
    path = root
    for part in folder.relative_to(root).parts:
        path = path / part
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return False
        except OSError:
            return False
    return True


def run_demo(folder: str | None, *, shell: bool = False) -> int:
    path = Path(folder).expanduser().absolute() if folder else None
    problem = sandbox_folder_problem(path) if path else None
    if problem:
        print(f"roleswitch: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        import moto.server  # noqa: F401
    except ImportError:
        print(f"roleswitch: {moto_missing_message()}", file=sys.stderr)
        return 1
    sandbox = DemoSandbox(path)
    if shell:
        return _serve(sandbox)
    from roleswitch.ui.launch import launch

    with sandbox:
        code = launch(badge="DEMO · local AWS", approve_device=sandbox.approve_device)
    if sandbox.keep:
        where = (
            f" The sandbox is kept in {sandbox.folder}: `roleswitch demo --dir {shlex.quote(str(path))} "
            "--shell` serves it again, with new keys, and prints the lines that point a terminal at it."
        )
    else:
        where = " The sandbox is removed; `roleswitch demo --shell` runs one for the command line."
    print(f"roleswitch demo ended; its local STS endpoint is stopped.{where}")
    return code


def _serve(sandbox: DemoSandbox) -> int:
    """`--shell`: the endpoint and the files without the app, until Ctrl-C or SIGTERM."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    with sandbox:
        print(
            "# roleswitch demo: paste these lines into another terminal; they work while this\n"
            "# command runs (Ctrl-C stops the endpoint). Then try: roleswitch list\n"
            + sandbox.approval_lines()
            + "\n"
            + sandbox.export_lines(),
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    kept = f"; the sandbox is kept in {sandbox.folder}" if sandbox.keep else ""
    ended = f"roleswitch demo ended; its local STS endpoint is stopped{kept}."
    print(ended + _sign_in_note(), file=sys.stderr)
    return 0


def _sign_in_note() -> str:
    """Where a `roleswitch login roleswitch-demo` from another terminal left its token (the
    person's own ~/.aws/sso/cache: the printed lines do not export HOME), and how to remove
    it; "" when there is none. Called once the sandbox has given HOME back."""
    from roleswitch.core.sso.config import AWS_CONFIG, SsoSession
    from roleswitch.core.sso.token_cache import TokenCache

    path = TokenCache().path(SsoSession(SSO_SESSION, "", REGION, (), AWS_CONFIG))
    if not os.path.lexists(path):
        return ""
    return (
        f" Its sign-in ({SSO_SESSION}) is kept in {path}: `roleswitch logout --sso {SSO_SESSION}`, "
        "in a terminal that still has the demo's lines, removes it, or delete that file."
    )
