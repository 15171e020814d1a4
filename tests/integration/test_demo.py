"""The demo sandbox: seeded for real, pointed only at itself, gone afterwards."""

from __future__ import annotations

import os
import subprocess
import sys

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import AssumeError
from roleswitch.core.mfa_sessions import MfaSessionStore
from roleswitch.core.sts import StsClient
from roleswitch.demo import DemoSandbox


def test_sandbox_assumes_denies_restores_env_and_cleans_up(home):
    before_env = dict(os.environ)
    before_home = {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()}
    with DemoSandbox() as sandbox:
        folder = sandbox.folder
        assert os.environ["HOME"] == str(folder)
        catalogue = load_catalogue()
        assert {a.name for a in catalogue.accounts()} >= {
            "Production",
            "Staging",
            "Development",
            "Security",
            "Sandbox",
        }
        assert catalogue.find("production/BreakGlass").needs_mfa
        assert catalogue.find("production/Deploy").external_id
        assert not catalogue.find("old-prototype").valid
        sts = StsClient(mfa_sessions=MfaSessionStore())
        result = sts.assume(catalogue.find("security/ReadOnly"), settings=catalogue.settings)
        CredentialsFile().write("default", result)
        try:
            sts.assume(catalogue.find("security/Auditor"), settings=catalogue.settings)
        except AssumeError as error:
            assert error.code == "bad-source"
            assert str(error).startswith("No credentials were found for source profile 'auditor'")
        else:
            raise AssertionError("the Auditor role has no source keys and should fail")
        breakglass = catalogue.find("production/BreakGlass")
        assert sts.assume(breakglass, settings=catalogue.settings, mfa_code="123456")
        assert sts.assume(breakglass, settings=catalogue.settings)  # the MFA session serves it
    assert not folder.exists()
    assert dict(os.environ) == before_env
    assert {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()} == before_home


def test_demo_without_moto_says_how_to_install_it(home):
    code = (
        "import sys; sys.modules['moto'] = None; sys.modules['moto.server'] = None\n"
        "from roleswitch.cli import main; raise SystemExit(main(['demo']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "pip install 'roleswitch[demo]'" in proc.stderr
