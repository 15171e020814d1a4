"""Boundary values on both sides for every input STS constrains."""

import pytest

from roleswitch.core import validate
from roleswitch.core.errors import ValidationError


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:role/Admin",
        "arn:aws:iam::123456789012:role/path/to/Admin",
        "arn:aws-us-gov:iam::123456789012:role/a",
        "arn:aws:iam::123456789012:role/" + "r" * 64,
    ],
)
def test_role_arn_accepts(arn):
    assert validate.role_arn(arn) == arn


@pytest.mark.parametrize(
    "arn",
    [
        "",
        "arn:aws:iam::12345678901:role/Admin",
        "arn:aws:iam::1234567890123:role/Admin",
        "arn:aws:iam::123456789012:user/Admin",
        "arn:aws:sts::123456789012:role/Admin",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role/" + "r" * 65,
        "arn:aws:iam::123456789012:role/has space",
    ],
)
def test_role_arn_rejects(arn):
    with pytest.raises(ValidationError, match="not an IAM role ARN"):
        validate.role_arn(arn)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (900, 900),
        (43200, 43200),
        ("3600", 3600),
        ("1h", 3600),
        ("90m", 5400),
        ("1h30m", 5400),
        ("15m", 900),
        ("12h", 43200),
    ],
)
def test_duration_accepts(value, seconds):
    assert validate.duration(value) == seconds


@pytest.mark.parametrize("value", [899, 43201, "14m59s", "12h1s", "0", "soon", "", True, -1])
def test_duration_rejects(value):
    with pytest.raises(ValidationError):
        validate.duration(value)


@pytest.mark.parametrize(
    "value",
    [
        "\u00b3\u2076\u2070\u2070",
        "\u0663\u0666\u0660\u0660",
        "\uff11h",
        "1\u0660m",
        "\uff13\uff16\uff10\uff10s",
    ],
)
def test_parse_seconds_takes_ascii_digits_only(value):
    """Unicode digits pass `str.isdigit()` (and `\\d`), then `int()` crashes or guesses."""
    with pytest.raises(ValidationError, match="is not understood"):
        validate.parse_seconds(value)


@pytest.mark.parametrize("name", ["ab", "a" * 64, "alice.ops@corp", "x+y=z,w-_"])
def test_session_name_accepts(name):
    assert validate.session_name(name) == name


@pytest.mark.parametrize("name", ["a", "a" * 65, "DOMAIN\\alice", "first last", "a/b", "é" * 3])
def test_session_name_rejects(name):
    with pytest.raises(ValidationError):
        validate.session_name(name)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("DOMAIN\\alice", "alice"),
        ("first last", "first-last"),
        ("a", "roleswitch-a"),
        ("", "roleswitch"),
        ("x" * 80, "x" * 64),
        ("ann/ops", "ann-ops"),
        ("José", "Jos"),
    ],
)
def test_clean_session_name_always_valid(raw, clean):
    assert validate.clean_session_name(raw) == clean
    validate.session_name(validate.clean_session_name(raw))


@pytest.mark.parametrize("value", ["ab", "x" * 1224, "a:b/c=d,e.f@g-h_i+j"])
def test_external_id_accepts(value):
    assert validate.external_id(value) == value


@pytest.mark.parametrize("value", ["a", "x" * 1225, "has space", "semi;colon"])
def test_external_id_rejects(value):
    with pytest.raises(ValidationError):
        validate.external_id(value)


@pytest.mark.parametrize("code", ["000000", "123456", " 123456 "])
def test_mfa_code_accepts(code):
    assert validate.mfa_code(code) == code.strip()


@pytest.mark.parametrize("code", ["12345", "1234567", "12345a", "", "١٢٣٤٥٦"])
def test_mfa_code_rejects(code):
    with pytest.raises(ValidationError, match="6 digits"):
        validate.mfa_code(code)


@pytest.mark.parametrize(
    ("serial", "ok"),
    [
        ("GAHT12345", True),
        ("GAHT1234", False),
        ("arn:aws:iam::123456789012:mfa/alice", True),
        ("x" * 256, True),
        ("x" * 257, False),
    ],
)
def test_mfa_serial_bounds(serial, ok):
    if ok:
        assert validate.mfa_serial(serial) == serial
    else:
        with pytest.raises(ValidationError):
            validate.mfa_serial(serial)


@pytest.mark.parametrize("typed", ["123 456", "123-456", " 123456\n", "12 34 56"])
def test_an_mfa_code_as_apps_show_it_is_accepted(typed):
    """The CLI prompt refused `123 456`, which the app's code box and the README accept."""
    assert validate.mfa_code(typed) == typed.replace(" ", "").replace("-", "").strip()
