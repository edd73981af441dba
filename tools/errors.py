"""The three kinds of tool failure, decided from the domain error's code (erp_core.errors.ErrorKind).

- fixable (bad arguments, unknown or ambiguous names): goes back to the model with the message and candidates;
- refused (business rule, permission): final, told to the user;
- infrastructure: propagates and ends the turn with an error event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from erp_core.errors import ErrorKind, NexusError

Outcome = Literal["fixable", "refused"]


@dataclass(frozen=True)
class ToolFailure:
    kind: Outcome
    code: str
    message: str
    candidates: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # the values the domain refused (``NexusError.refused_values``)

    def for_model(self) -> str:
        hint = f" Did you mean one of: {', '.join(self.candidates)}?" if self.candidates else ""
        return f"ERROR {self.code}: {self.message}.{hint}"


def classify(exc: BaseException) -> ToolFailure:
    """Map an exception from a tool to a failure the agent handles; infrastructure errors are re-raised."""
    if isinstance(exc, ValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'args'}: {e['msg']}" for e in exc.errors()[:4])
        return ToolFailure("fixable", "validation_failed", problems)
    if isinstance(exc, NexusError):
        if exc.kind is ErrorKind.FIXABLE:
            detail = exc.message
            if exc.issues:
                detail = "; ".join(f"{i.field + ': ' if i.field else ''}{i.message}" for i in exc.issues[:4])
            return ToolFailure("fixable", exc.code.value, detail, tuple(exc.candidates[:5]), exc.refused_values)
        if exc.kind in (ErrorKind.REFUSED, ErrorKind.AUTH):
            return ToolFailure("refused", exc.code.value, exc.message)
    raise exc
