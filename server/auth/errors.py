"""Token failures, worded for the person holding the token (never the key material)."""

from __future__ import annotations

import jwt

from erp_core.errors import ErrorCode, NexusError


def invalid_token(exc: Exception) -> NexusError:
    if isinstance(exc, jwt.ExpiredSignatureError):
        reason = "token expired"
    elif isinstance(exc, jwt.InvalidAudienceError):
        reason = "token audience not accepted"
    elif isinstance(exc, jwt.InvalidIssuerError):
        reason = "token issuer not accepted"
    elif isinstance(exc, jwt.InvalidSignatureError):
        reason = "token signature invalid"
    elif isinstance(exc, jwt.ImmatureSignatureError):
        reason = "token not yet valid"
    elif isinstance(exc, jwt.MissingRequiredClaimError):
        reason = f"token lacks required claim {exc.claim!r}"
    else:
        reason = "token invalid"
    return NexusError(ErrorCode.UNAUTHENTICATED, reason)
