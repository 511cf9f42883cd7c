"""The emulator CLI's ``--api-gateway-*`` flags (README "Local emulator")."""

from __future__ import annotations

import pytest

from emulator.cli import api_gateway_from_args, build_parser


def test_off_without_a_port() -> None:
    assert api_gateway_from_args(build_parser().parse_args([])) is None


def test_port_keys_and_limits() -> None:
    args = build_parser().parse_args(
        ["--timeout", "120", "--api-gateway-port", "0", "--api-gateway-key", "a", "--api-gateway-key", "b"]
    )
    options = api_gateway_from_args(args)
    assert options is not None
    assert (options.port, options.api_keys) == (0, ("a", "b"))
    assert (options.limits.idle_timeout_s, options.limits.integration_timeout_s) == (300.0, 120.0)
    args = build_parser().parse_args(
        ["--api-gateway-port", "3001", "--api-gateway-idle-timeout", "30", "--api-gateway-integration-timeout", "900"]
    )
    options = api_gateway_from_args(args)
    assert options is not None
    assert (options.limits.idle_timeout_s, options.limits.integration_timeout_s) == (30.0, 900.0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--api-gateway-key", "a"], "need --api-gateway-port"),
        (["--api-gateway-port", "0", "--api-gateway-integration-timeout", "901"], "integration timeout"),
    ],
)
def test_bad_combinations(argv: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        api_gateway_from_args(build_parser().parse_args(argv))
