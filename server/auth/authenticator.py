"""Picks the issuer a bearer token claims to come from, verifies it there, and returns the Actor."""

from __future__ import annotations

from typing import Any, Protocol

import jwt

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from server.auth.claims import actor_from_claims


class TokenVerifier(Protocol):
    """One trusted issuer: ``verify`` returns the claims of a valid token or raises NexusError(UNAUTHENTICATED)."""

    @property
    def issuer(self) -> str: ...

    def verify(self, token: str) -> dict[str, Any]: ...


class Authenticator:
    def __init__(self, verifiers: list[TokenVerifier], *, tenant_claim: str = "tenant",
                 client_id: str | None = None) -> None:
        self._verifiers = verifiers
        self._tenant_claim = tenant_claim
        self._client_id = client_id

    @property
    def verifiers(self) -> tuple[TokenVerifier, ...]:
        return tuple(self._verifiers)

    @property
    def issuers(self) -> list[str]:
        return [v.issuer for v in self._verifiers]

    def authenticate(self, authorization: str | None) -> Actor:
        token = _bearer(authorization)
        return actor_from_claims(self.verify(token), tenant_claim=self._tenant_claim, client_id=self._client_id)

    def verify(self, token: str) -> dict[str, Any]:
        try:
            claimed = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise NexusError(ErrorCode.UNAUTHENTICATED, "malformed token") from None
        for verifier in self._verifiers:
            if verifier.issuer == claimed:
                return verifier.verify(token)
        raise NexusError(ErrorCode.UNAUTHENTICATED, "token issuer not accepted")


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise NexusError(ErrorCode.UNAUTHENTICATED, "missing bearer token")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NexusError(ErrorCode.UNAUTHENTICATED, "authorization must be 'Bearer <token>'")
    return token.strip()
