"""The local development issuer: an RSA key made on first run signs RS256 tokens printed by ``nexus token``.

It is meant for a laptop: the server enables it by default only when bound to a loopback address, and says so loudly.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from server.auth.errors import invalid_token


class DevIssuer:
    """Signs and verifies tokens with a key kept at ``key_path`` (created with mode 0600 when missing)."""

    def __init__(self, key_path: Path, *, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
        self._private_key = _load_or_create_key(key_path)
        self._public_key = self._private_key.public_key()
        der = self._public_key.public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        self.key_id = hashlib.sha256(der).hexdigest()[:16]

    def issue(self, user: str, tenant: str, roles: list[str] | tuple[str, ...], *, ttl_s: int = 3600,
              audience: str | None = None, name: str | None = None, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience or self.audience,
            "sub": user,
            "preferred_username": user,
            "tenant": tenant,
            "realm_access": {"roles": sorted(set(roles))},
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_s,
            "jti": uuid.uuid4().hex,
        }
        if name:
            claims["name"] = name
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.key_id})

    def verify(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(token, self._public_key, algorithms=["RS256"], audience=self.audience,
                              issuer=self.issuer, leeway=5, options={"require": ["exp", "iat", "sub", "iss", "aud"]})
        except jwt.PyJWTError as exc:
            raise invalid_token(exc) from None


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} is not an RSA private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Write to a temp file with 0600 and rename, so two processes starting at once never see half a key.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    if path.exists():  # another process won the race: use its key
        tmp.unlink()
        return _load_or_create_key(path)
    tmp.replace(path)
    return key
