"""One error root with stable codes.

Every failure that crosses a layer boundary is a ``NexusError`` carrying an ``ErrorCode``. The edge (HTTP, SSE, CLI,
tool node) maps the code to a status or event in one place; nothing below the edge knows about HTTP.

The ``kind`` of a code tells the agent what to do with it:
- ``FIXABLE``: the caller (often the model) can correct its input and retry; candidates may be attached.
- ``REFUSED``: a business rule says no; final, told to the user.
- ``INFRA``: a dependency failed; the turn ends with an error event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    FIXABLE = "fixable"
    REFUSED = "refused"
    AUTH = "auth"
    INFRA = "infra"


class ErrorCode(StrEnum):
    # model/user-fixable input problems (HTTP 422)
    VALIDATION_FAILED = "validation_failed"
    UNKNOWN_NAME = "unknown_name"
    AMBIGUOUS_NAME = "ambiguous_name"
    CONTEXT_TOO_LONG = "context_too_long"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    # lookups (HTTP 404: unknown and other tenant's ids look the same)
    NOT_FOUND = "not_found"
    # business refusals (HTTP 409 / 403)
    CONFLICT = "conflict"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    INVALID_STATE = "invalid_state"
    PERIOD_CLOSED = "period_closed"
    STALE_PAYLOAD_HASH = "stale_payload_hash"
    SEGREGATION_OF_DUTIES = "segregation_of_duties"
    FORBIDDEN = "forbidden"
    LIMIT_EXCEEDED = "limit_exceeded"
    # identity (HTTP 401) and throttling (HTTP 429)
    UNAUTHENTICATED = "unauthenticated"
    RATE_LIMITED = "rate_limited"
    # infrastructure (HTTP 503 / 502 / 500)
    BACKEND_UNAVAILABLE = "backend_unavailable"
    BACKEND_FAILED = "backend_failed"
    STORE_UNAVAILABLE = "store_unavailable"
    NOT_READY = "not_ready"
    INTERNAL = "internal"


_KIND: dict[ErrorCode, ErrorKind] = {
    ErrorCode.VALIDATION_FAILED: ErrorKind.FIXABLE,
    ErrorCode.UNKNOWN_NAME: ErrorKind.FIXABLE,
    ErrorCode.AMBIGUOUS_NAME: ErrorKind.FIXABLE,
    ErrorCode.CONTEXT_TOO_LONG: ErrorKind.FIXABLE,
    ErrorCode.PAYLOAD_TOO_LARGE: ErrorKind.FIXABLE,
    ErrorCode.NOT_FOUND: ErrorKind.FIXABLE,
    ErrorCode.UNAUTHENTICATED: ErrorKind.AUTH,
    ErrorCode.FORBIDDEN: ErrorKind.AUTH,
    ErrorCode.RATE_LIMITED: ErrorKind.INFRA,
    ErrorCode.BACKEND_UNAVAILABLE: ErrorKind.INFRA,
    ErrorCode.BACKEND_FAILED: ErrorKind.INFRA,
    ErrorCode.STORE_UNAVAILABLE: ErrorKind.INFRA,
    ErrorCode.NOT_READY: ErrorKind.INFRA,
    ErrorCode.INTERNAL: ErrorKind.INFRA,
}

_RETRYABLE = {
    ErrorCode.RATE_LIMITED,
    ErrorCode.BACKEND_UNAVAILABLE,
    ErrorCode.BACKEND_FAILED,
    ErrorCode.STORE_UNAVAILABLE,
    ErrorCode.NOT_READY,
}


def kind_of(code: ErrorCode) -> ErrorKind:
    """The handling class of ``code``; codes not listed are business refusals."""
    return _KIND.get(code, ErrorKind.REFUSED)


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found by validation; bulk checks return all of them at once.

    ``value`` is the value the caller gave that was refused (an unknown name, an unreadable period), when the issue
    is about one: callers such as the agent's argument grounding read it here, never from the message text.
    """

    code: str
    message: str
    field: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        body = {"code": self.code, "message": self.message, "field": self.field}
        return body if self.value is None else {**body, "value": self.value}


@dataclass
class NexusError(Exception):
    """Root of every domain and infrastructure error that crosses a layer."""

    code: ErrorCode
    message: str
    issues: list[Issue] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    @property
    def kind(self) -> ErrorKind:
        return kind_of(self.code)

    @property
    def retryable(self) -> bool:
        return self.code in _RETRYABLE

    @property
    def refused_values(self) -> tuple[str, ...]:
        """The values this error refused, from its issues."""
        return tuple(issue.value for issue in self.issues if issue.value is not None)

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code.value, "message": self.message, "retryable": self.retryable}
        if self.issues:
            body["issues"] = [issue.as_dict() for issue in self.issues]
        if self.candidates:
            body["candidates"] = self.candidates
        return body


def validation_error(issues: list[Issue], message: str | None = None) -> NexusError:
    """A 422-class error listing every issue found."""
    summary = message or "; ".join(issue.message for issue in issues[:5])
    return NexusError(ErrorCode.VALIDATION_FAILED, summary, issues=list(issues))


def refused_value(code: ErrorCode, message: str, value: str, *, field: str | None = None,
                  candidates: Sequence[str] = ()) -> NexusError:
    """An error about one value the caller gave (an unknown name, an unreadable date): the value travels in the
    error's issue, so a caller knows which value was refused without reading the message."""
    return NexusError(code, message, issues=[Issue(code.value, message, field, value)], candidates=list(candidates))


def not_found(what: str, ident: object) -> NexusError:
    return NexusError(ErrorCode.NOT_FOUND, f"{what} {ident!s} not found")
