"""`roleswitch serve`'s options, kept apart from the server so that building the parser
imports no HTTP code."""

from __future__ import annotations

USAGE = (
    "roleswitch serve [-h] [--port N] [--host H] [--duration D] [--mfa-code CODE] [--yes] "
    "[--renew-before D] TARGET [-- COMMAND ...]"
)


def add_arguments(parser, checked, add_assume_options) -> None:
    """`checked` turns a validate function into an argparse type (a bad value exits 2);
    `add_assume_options` adds `--duration`, `--mfa-code` and `--yes` as `assume` has them
    (`--yes`: a target whose environment asks first is confirmed once, for every renewal)."""
    from roleswitch.core import validate

    def port_number(value: str) -> int:
        from roleswitch.core.errors import ValidationError

        if not (value.isascii() and value.isdigit()) or int(value) > 65535:
            raise ValidationError(f"port '{value}' must be a number from 0 to 65535 (0: any free port).")
        return int(value)

    def renew_before(value: str) -> int:
        from roleswitch.core.errors import ValidationError

        seconds = validate.parse_seconds(value, what="renew-before")
        if not 60 <= seconds <= 12 * 3600:
            raise ValidationError(f"renew-before {seconds}s must be between 60s and 12h.")
        return seconds

    def loopback(value: str) -> str:
        from roleswitch.serve.server import loopback_host

        return loopback_host(value)

    port_number.__name__, renew_before.__name__, loopback.__name__ = "port", "renew-before", "host"
    parser.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    parser.add_argument(
        "--port", metavar="N", type=checked(port_number), default=0, help="port (default: any free one)"
    )
    parser.add_argument(
        "--host",
        metavar="H",
        type=checked(loopback),
        default="127.0.0.1",
        help="loopback address to listen on (anything else is refused)",
    )
    add_assume_options(parser)
    parser.add_argument(
        "--renew-before",
        metavar="D",
        type=checked(renew_before),
        help="renew this long before expiry (default 16m, a third of shorter sessions)",
    )
    parser.usage = USAGE
