"""Picks the issuer a bearer token claims to come from, verifies it there, and returns the Actor."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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
    """Verifies bearer tokens against the trusted issuers.

    A verified token's claims are remembered until the token's own ``exp`` (at most ``cache_size`` tokens, least
    recently used dropped first): a chat client sends one token with every request and stream, and a signature check
    per request is pure repetition. Nothing is cached for a token that failed, or that has no expiry.
    """

    def __init__(self, verifiers: list[TokenVerifier], *, tenant_claim: str = "tenant",
                 client_id: str | None = None, cache_size: int = 4096,
                 clock: Callable[[], float] = time.time) -> None:
        self._verifiers = verifiers
        self._tenant_claim = tenant_claim
        self._client_id = client_id
        self._cache_size = cache_size
        self._clock = clock
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

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
        with self._lock:
            claims = self._verified.get(token)
            if claims is not None:
                if self._clock() < claims["exp"]:
                    self._verified.move_to_end(token)
                    return claims
                del self._verified[token]  # expired: the issuer's own check below gives the precise reason
        claims = self._verify_with_issuer(token)
        if isinstance(claims.get("exp"), int | float) and self._cache_size > 0:
            with self._lock:
                self._verified[token] = claims
                if len(self._verified) > self._cache_size:
                    self._verified.popitem(last=False)
        return claims

    def _verify_with_issuer(self, token: str) -> dict[str, Any]:
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
