"""Access tokens from an OIDC provider (Keycloak), discovered and keyed through python-keycloak.

python-keycloak does discovery (``well_known``) and fetches the JWKS (``certs``); PyJWT checks signature, issuer,
audience and expiry so each failure gets its own precise reason. Keys are cached and re-fetched (at most once a
minute) when a token names a key id we have not seen, which is how key rotation shows up.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt

from erp_core.errors import ErrorCode, NexusError
from server.auth.errors import invalid_token

_REFRESH_MIN_INTERVAL_S = 60.0


class OIDCVerifier:
    def __init__(self, server_url: str, realm: str, client_id: str, *, audience: str,
                 client_secret: str | None = None, timeout_s: float = 5.0, leeway_s: int = 5) -> None:
        from keycloak import KeycloakOpenID  # lazy: pulls in requests/jwcrypto

        self.audience = audience
        self.leeway_s = leeway_s
        # Keycloak's issuer by convention: used to route tokens while the provider cannot be reached (the token is
        # then refused with 503 at key lookup, rather than the server failing to start).
        self.expected_issuer = f"{server_url.rstrip('/')}/realms/{realm}"
        self._client = KeycloakOpenID(server_url=server_url, realm_name=realm, client_id=client_id,
                                      client_secret_key=client_secret, timeout=int(max(timeout_s, 1)))
        self._lock = threading.Lock()
        self._issuer: str | None = None
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0

    @property
    def client(self) -> Any:
        """The underlying ``KeycloakOpenID`` (token endpoint for tests and the CLI)."""
        return self._client

    @property
    def issuer(self) -> str:
        if self._issuer is None:
            try:
                self._refresh(force=True)
            except NexusError:
                return self.expected_issuer
        assert self._issuer is not None
        return self._issuer

    def _refresh(self, *, force: bool = False) -> None:
        with self._lock:
            if not force and time.monotonic() - self._fetched_at < _REFRESH_MIN_INTERVAL_S:
                return
            try:
                discovery = self._client.well_known()
                jwks = self._client.certs()
            except Exception as exc:  # the provider is down or unreachable: that is infrastructure, not the token
                raise NexusError(ErrorCode.STORE_UNAVAILABLE, f"OIDC provider unreachable: {type(exc).__name__}") \
                    from exc
            self._issuer = str(discovery["issuer"])
            keys: dict[str, Any] = {}
            for jwk in jwks.get("keys", []):
                if jwk.get("use", "sig") == "sig" and "kid" in jwk:
                    keys[jwk["kid"]] = jwt.PyJWK.from_dict(jwk)
            self._keys = keys
            self._fetched_at = time.monotonic()

    def _key_for(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise invalid_token(exc) from None
        if not self._keys:
            self._refresh(force=True)
        if kid not in self._keys:
            self._refresh()
        if kid not in self._keys:
            raise NexusError(ErrorCode.UNAUTHENTICATED, "token signed with an unknown key")
        return self._keys[kid]

    def verify(self, token: str) -> dict[str, Any]:
        key = self._key_for(token)
        try:
            return jwt.decode(token, key, algorithms=["RS256", "RS384", "RS512", "ES256", "PS256"],
                              audience=self.audience, issuer=self.issuer, leeway=self.leeway_s,
                              options={"require": ["exp", "iat", "iss"]})
        except jwt.PyJWTError as exc:
            raise invalid_token(exc) from None
