"""The core must import without Textual, Rich or boto3 (a fresh interpreter proves it)."""

import subprocess
import sys


def test_core_imports_no_ui_and_no_boto3():
    code = (
        "import pkgutil, sys, importlib, roleswitch.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__): importlib.import_module('roleswitch.core.' + m.name)\n"
        "import roleswitch.cli\n"
        "heavy = ('textual', 'rich', 'boto3', 'botocore')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in heavy)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_status_command_imports_neither_boto3_nor_textual():
    code = (
        "import sys\nfrom roleswitch.cli import main\nmain(['status'])\n"
        "heavy = ('textual', 'rich', 'boto3', 'botocore')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in heavy)\n"
        "print('LOADED:' + ','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED:\n" in out.stdout + "\n"
