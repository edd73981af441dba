"""Dev issuer, claim mapping and token validation: expired, wrong signature, wrong audience are refused."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from erp_core.errors import ErrorCode, NexusError
from server.auth import Authenticator, DevIssuer, actor_from_claims
from server.auth.oidc import OIDCVerifier


@pytest.fixture()
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer(tmp_path / "keys" / "dev.pem", issuer="nexus-dev", audience="nexus")


def _refused(auth: Authenticator, header: str | None) -> str:
    with pytest.raises(NexusError) as info:
        auth.authenticate(header)
    assert info.value.code is ErrorCode.UNAUTHENTICATED
    return info.value.message


def test_dev_token_round_trip(issuer: DevIssuer) -> None:
    token = issuer.issue("alice@acme", "acme", ["accountant", "employee"])
    actor = Authenticator([issuer]).authenticate(f"Bearer {token}")
    assert actor.user_id == "alice@acme"
    assert actor.tenant == "acme"
    assert actor.roles == frozenset({"accountant", "employee"})


def test_key_is_created_once_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "dev.pem"
    first = DevIssuer(path, issuer="i", audience="a")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    second = DevIssuer(path, issuer="i", audience="a")
    assert first.key_id == second.key_id
    second.verify(first.issue("u", "t", []))


def test_expired_token_refused(issuer: DevIssuer) -> None:
    token = issuer.issue("alice@acme", "acme", [], ttl_s=60, now=time.time() - 3600)
    assert _refused(Authenticator([issuer]), f"Bearer {token}") == "token expired"


def test_wrong_signature_refused(issuer: DevIssuer, tmp_path: Path) -> None:
    impostor = DevIssuer(tmp_path / "other.pem", issuer="nexus-dev", audience="nexus")
    token = impostor.issue("mallory@acme", "acme", ["admin"])
    assert _refused(Authenticator([issuer]), f"Bearer {token}") == "token signature invalid"


def test_tampered_claims_refused(issuer: DevIssuer) -> None:
    header, _payload, signature = issuer.issue("eve@acme", "acme", ["employee"]).split(".")
    forged = jwt.encode({"sub": "eve@acme", "tenant": "globex", "iss": "nexus-dev", "aud": "nexus",
                         "exp": int(time.time()) + 60, "iat": int(time.time())}, "k", algorithm="HS256")
    token = f"{header}.{forged.split('.')[1]}.{signature}"
    assert _refused(Authenticator([issuer]), f"Bearer {token}") == "token signature invalid"


def test_wrong_audience_refused(issuer: DevIssuer) -> None:
    token = issuer.issue("alice@acme", "acme", [], audience="someone-else")
    assert _refused(Authenticator([issuer]), f"Bearer {token}") == "token audience not accepted"


def test_unknown_issuer_and_bad_headers_refused(issuer: DevIssuer, tmp_path: Path) -> None:
    auth = Authenticator([issuer])
    other = DevIssuer(tmp_path / "o.pem", issuer="elsewhere", audience="nexus")
    assert _refused(auth, f"Bearer {other.issue('a', 't', [])}") == "token issuer not accepted"
    assert _refused(auth, None) == "missing bearer token"
    assert _refused(auth, "Basic abc") == "authorization must be 'Bearer <token>'"
    assert _refused(auth, "Bearer not-a-jwt") == "malformed token"


def test_claims_need_subject_and_tenant() -> None:
    with pytest.raises(NexusError):
        actor_from_claims({"sub": "x"})
    with pytest.raises(NexusError):
        actor_from_claims({"tenant": "acme"})
    actor = actor_from_claims({"sub": "id-1", "preferred_username": "bob", "tenant": "acme",
                               "realm_access": {"roles": ["hr"]},
                               "resource_access": {"nexus": {"roles": ["cfo"]}, "other": {"roles": ["admin"]}}},
                              client_id="nexus")
    assert actor.user_id == "bob"
    assert actor.roles == frozenset({"hr", "cfo"})


class _FakeKeycloak:
    """Stands in for python-keycloak's discovery and JWKS calls; the verification itself is the real code."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        self.cert_calls = 0

    def well_known(self) -> dict[str, Any]:
        return {"issuer": "http://127.0.0.1:1/realms/nexus"}

    def certs(self) -> dict[str, Any]:
        self.cert_calls += 1
        return self.jwks


def _oidc_with_key(key: rsa.RSAPrivateKey, kid: str) -> tuple[OIDCVerifier, _FakeKeycloak]:
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    verifier = OIDCVerifier("http://127.0.0.1:1/", "nexus", "nexus", audience="nexus")
    fake = _FakeKeycloak({"keys": [jwk]})
    verifier._client = fake
    return verifier, fake


def _kc_token(key: rsa.RSAPrivateKey, kid: str, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": "http://127.0.0.1:1/realms/nexus", "aud": "nexus", "sub": "u1", "preferred_username": "carol",
              "tenant": "acme", "realm_access": {"roles": ["controller"]}, "iat": now, "exp": now + 300}
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_oidc_validation() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier, fake = _oidc_with_key(key, "k1")
    auth = Authenticator([verifier], client_id="nexus")
    actor = auth.authenticate(f"Bearer {_kc_token(key, 'k1')}")
    assert (actor.user_id, actor.tenant, actor.roles) == ("carol", "acme", frozenset({"controller"}))
    assert _refused(auth, f"Bearer {_kc_token(key, 'k1', exp=int(time.time()) - 100)}") == "token expired"
    assert _refused(auth, f"Bearer {_kc_token(key, 'k1', aud='account')}") == "token audience not accepted"
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _refused(auth, f"Bearer {_kc_token(stranger, 'k1')}") == "token signature invalid"
    assert _refused(auth, f"Bearer {_kc_token(stranger, 'k9')}") == "token signed with an unknown key"
    assert fake.cert_calls >= 1


class CountingIssuer:
    """Wraps a real issuer and counts the signature checks that reach it."""

    def __init__(self, inner: DevIssuer) -> None:
        self.inner, self.checks = inner, 0

    @property
    def issuer(self) -> str:
        return self.inner.issuer

    def verify(self, token: str) -> dict[str, Any]:
        self.checks += 1
        return self.inner.verify(token)


def test_a_verified_token_is_checked_once_until_it_expires(issuer: DevIssuer) -> None:
    now = [time.time()]
    counting = CountingIssuer(issuer)
    auth = Authenticator([counting], cache_size=2, clock=lambda: now[0])  # type: ignore[list-item]
    token = issuer.issue("alice@acme", "acme", ["accountant"], ttl_s=60, now=now[0])
    for _ in range(3):
        assert auth.authenticate(f"Bearer {token}").user_id == "alice@acme"
    assert counting.checks == 1
    others = [issuer.issue(f"u{i}@acme", "acme", [], ttl_s=60, now=now[0]) for i in range(2)]
    for other in others:  # two newer tokens push the first out of a cache of two
        auth.authenticate(f"Bearer {other}")
    auth.authenticate(f"Bearer {token}")
    assert counting.checks == 4
    now[0] += 61  # past exp by the cache's clock: it no longer answers, the issuer checks again
    auth.authenticate(f"Bearer {token}")
    assert counting.checks == 5


def test_a_refused_token_is_not_remembered(issuer: DevIssuer, tmp_path: Path) -> None:
    impostor = DevIssuer(tmp_path / "other.pem", issuer="nexus-dev", audience="nexus")
    counting = CountingIssuer(issuer)
    auth = Authenticator([counting])  # type: ignore[list-item]
    forged = impostor.issue("mallory@acme", "acme", ["admin"])
    for _ in range(2):
        assert _refused(auth, f"Bearer {forged}") == "token signature invalid"
    assert counting.checks == 2
