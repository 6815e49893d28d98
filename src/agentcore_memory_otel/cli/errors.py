"""Failures the command line explains in a line or two: what is wrong, and what to do."""

from __future__ import annotations

import errno
import sqlite3
from enum import IntEnum
from urllib.parse import urlparse

from ..client.paging import PagingError
from .arguments import SERVE_PORT

CREDENTIALS_HINT = (
    "set up AWS credentials (AWS_PROFILE, `aws configure`, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY)"
)


class ExitStatus(IntEnum):
    """The command's exit status."""

    OK = 0
    FAILURE = 1  # the command was right, something it met was not
    USAGE = 2  # the command itself was wrong (argparse uses 2 as well)


class CliError(Exception):
    """A failure to report as its message alone (no traceback), with an exit status."""

    def __init__(self, message: str, status: ExitStatus = ExitStatus.FAILURE) -> None:
        super().__init__(message)
        self.status = status


def no_credentials(purpose: str) -> CliError:
    """The error for a command that needs AWS credentials and has none."""
    return CliError(f"{purpose} needs AWS credentials and none were found: {CREDENTIALS_HINT}")


def explain(exc: BaseException) -> str | None:
    """One or two lines for a failure a user can fix, or ``None`` for an unexpected one."""
    from botocore import exceptions as aws

    if isinstance(exc, aws.EndpointConnectionError):
        return _unreachable(str(exc.kwargs.get("endpoint_url", "")))
    if isinstance(exc, aws.NoCredentialsError):
        return f"no AWS credentials found: {CREDENTIALS_HINT}, or use a local --endpoint-url"
    if isinstance(exc, aws.NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION"
    if isinstance(exc, aws.SSLError):
        return _tls_failed(str(exc.kwargs.get("endpoint_url", "")), exc.kwargs.get("error"))
    if isinstance(exc, aws.ClientError):
        return _client_error(exc)
    if isinstance(exc, aws.ParamValidationError):
        return " ".join(str(exc).split())
    if isinstance(exc, ValueError) and str(exc).startswith("Invalid endpoint"):
        # botocore's words for a malformed endpoint from where the CLI does not check it
        # (the flag and the environment variables are checked first), e.g. the AWS config.
        return (
            f"{exc}: an endpoint is http://HOST:PORT or https://HOST, e.g. "
            "http://127.0.0.1:8765; check endpoint_url in the AWS config file"
        )
    if isinstance(exc, PagingError):
        return f"AgentCore Memory's pages cannot be read to the end: {exc}; check --endpoint-url"
    if isinstance(exc, sqlite3.DatabaseError):
        return f"the SQLite database cannot be used: {exc}"
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"{exc.strerror}: another process listens there; stop it or pick another --port"
    return None


def _unreachable(url: str) -> str:
    from ..wire.loopback import is_loopback  # boto3: loaded when needed, not at start-up

    parsed = urlparse(url)
    base = f"{parsed.scheme}://{parsed.netloc}" if parsed.netloc else url
    if is_loopback(base):
        # `serve` listens on 127.0.0.1 unless told: another loopback address needs --host.
        host = parsed.hostname or ""
        host = f" --host {host}" if host not in ("127.0.0.1", "localhost") else ""
        port = f" --port {parsed.port}" if parsed.port and parsed.port != SERVE_PORT else ""
        return (
            f"no AgentCore Memory server at {base} — start one with "
            f"`agentcore-memory-otel serve{host}{port}`"
        )
    return f"cannot reach AgentCore Memory at {base}: check --endpoint-url, --region, the network"


def _tls_failed(url: str, error: object) -> str:
    from ..wire.loopback import is_loopback

    parsed = urlparse(url)
    base = f"{parsed.scheme}://{parsed.netloc}" if parsed.netloc else url
    hint = (
        f"the local server speaks plain HTTP: use http://{parsed.netloc}"
        if is_loopback(base)
        else "check --endpoint-url, and AWS_CA_BUNDLE if a proxy re-signs TLS"
    )
    return f"TLS with {base} failed ({error}); {hint}"


def _client_error(exc: Exception) -> str:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or str(exc)
    operation = getattr(exc, "operation_name", "")
    if code == "ResourceNotFoundException":
        return f"{message} ({operation}): check --memory-id, and --endpoint-url or --region"
    if code in ("AccessDeniedException", "UnrecognizedClientException"):
        return f"{operation} was refused: {message}. Check the AWS credentials and their policy"
    return f"{operation} failed with {code}: {message}"
