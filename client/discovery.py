"""Find the Function URL of a deployed stack from its CloudFormation outputs (``describe_stacks``).

The stack publishes the URL as the output ``FunctionUrl`` (infra/stack.py). boto3 honours the standard
``AWS_ENDPOINT_URL_CLOUDFORMATION`` variable, which is how tests point this at a CloudFormation mock.
"""

from __future__ import annotations

import os

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from client.errors import ConfigError, ConnectError, CredentialsError

__all__ = ["API_URL_OUTPUT_KEY", "OUTPUT_KEY", "discover_url"]

OUTPUT_KEY = "FunctionUrl"
API_URL_OUTPUT_KEY = "ApiUrl"
"""The API Gateway front door's URL (``frontDoor: "apiGateway"``, infra/api_gateway_front.py)."""


def discover_url(
    stack_name: str,
    *,
    region: str | None = None,
    profile: str | None = None,
    output_key: str = OUTPUT_KEY,
) -> str:
    """The value of output ``output_key`` of stack ``stack_name``, without a trailing slash.

    Raises ``ConfigError`` when the stack or the output does not exist or no Region is configured,
    ``CredentialsError`` without credentials, ``ConnectError`` when CloudFormation cannot be reached.
    """
    try:
        session = boto3.Session(profile_name=profile, region_name=region or os.environ.get("AWS_REGION") or None)
        cloudformation = session.client("cloudformation")
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except NoRegionError as exc:
        raise ConfigError("no AWS Region for the stack lookup: pass --region or set AWS_REGION") from exc
    except NoCredentialsError as exc:
        raise CredentialsError("no AWS credentials found to read the stack outputs") from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message = str(error.get("Message", exc))
        if error.get("Code") == "ValidationError" and "does not exist" in message:
            raise ConfigError(f"stack {stack_name!r} not found in {session.region_name}: {message}") from exc
        if error.get("Code") in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "AccessDenied"):
            raise CredentialsError(f"cannot read stack {stack_name!r}: {message}") from exc
        raise ConfigError(f"cannot read stack {stack_name!r}: {message}") from exc
    except BotoCoreError as exc:  # ProfileNotFound, EndpointConnectionError, ...
        if "connect" in type(exc).__name__.lower():
            raise ConnectError(f"cannot reach CloudFormation: {exc}") from exc
        raise ConfigError(f"cannot read stack {stack_name!r}: {exc}") from exc
    if not stacks:
        raise ConfigError(f"stack {stack_name!r} not found")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if output_key not in outputs:
        available = ", ".join(sorted(outputs)) or "none"
        raise ConfigError(
            f"stack {stack_name!r} has no output {output_key!r} (outputs: {available}); is it a bedrock-stream stack?"
        )
    return str(outputs[output_key]).rstrip("/")
