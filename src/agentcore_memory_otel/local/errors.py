"""AgentCore Memory error shapes, one class per AWS error, carrying its HTTP status and name.

The names and statuses are those of botocore's service model, so boto3 raises the matching
``client.exceptions.<Name>`` when the HTTP layer encodes them (``x-amzn-ErrorType`` header).
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """Base class: an error the service answers with, rather than a bug in the server."""

    status: ClassVar[int] = 500
    error_type: ClassVar[str] = "ServiceException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON error body, as rest-json services send it."""
        return {"message": self.message}


class ValidationError(ApiError):
    """HTTP 400 ``ValidationException``; ``fields`` lists ``(field name, problem)`` pairs."""

    status = 400
    error_type = "ValidationException"

    def __init__(
        self,
        fields: list[tuple[str, str]],
        *,
        reason: str = "FieldValidationFailed",
    ) -> None:
        self.fields = fields
        self.reason = reason
        count = len(fields)
        noun = "error" if count == 1 else "errors"
        details = "; ".join(
            f"Value at '{name}' failed to satisfy constraint: {problem}" for name, problem in fields
        )
        super().__init__(f"{count} validation {noun} detected: {details}")

    @classmethod
    def single(
        cls, field: str, problem: str, *, reason: str = "FieldValidationFailed"
    ) -> ValidationError:
        """A validation error about one field."""
        return cls([(field, problem)], reason=reason)

    def body(self) -> dict[str, Any]:  # noqa: D102
        return {
            "message": self.message,
            "reason": self.reason,
            "fieldList": [{"name": name, "message": problem} for name, problem in self.fields],
        }


class ResourceNotFoundError(ApiError):
    """HTTP 404 ``ResourceNotFoundException``."""

    status = 404
    error_type = "ResourceNotFoundException"


class AccessDeniedError(ApiError):
    """HTTP 403 ``AccessDeniedException``."""

    status = 403
    error_type = "AccessDeniedException"


class RetryableConflictError(ApiError):
    """HTTP 409 ``RetryableConflictException`` (modelled as retryable on CreateEvent)."""

    status = 409
    error_type = "RetryableConflictException"


class ServiceQuotaExceededError(ApiError):
    """HTTP 402 ``ServiceQuotaExceededException``."""

    status = 402
    error_type = "ServiceQuotaExceededException"


class ThrottledError(ApiError):
    """HTTP 429 ``ThrottledException``; the real service says ``Rate exceeded``."""

    status = 429
    error_type = "ThrottledException"

    def __init__(self, message: str = "Rate exceeded") -> None:
        super().__init__(message)


class ServiceError(ApiError):
    """HTTP 500 ``ServiceException``."""

    status = 500
    error_type = "ServiceException"


class UnknownOperationError(ApiError):
    """HTTP 404 for a method and path that match no AgentCore Memory operation."""

    status = 404
    error_type = "UnknownOperationException"


class MethodNotAllowedError(UnknownOperationError):
    """HTTP 405 ``UnknownOperationException``: the path is served, but not with this method."""

    status = 405

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.allowed = allowed
