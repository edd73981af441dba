"""Identity at the edge: bearer JWTs from the local dev issuer or an OIDC provider (Keycloak) become an Actor."""

from server.auth.authenticator import Authenticator, TokenVerifier
from server.auth.claims import actor_from_claims
from server.auth.dev_issuer import DevIssuer

__all__ = ["Authenticator", "DevIssuer", "TokenVerifier", "actor_from_claims"]
