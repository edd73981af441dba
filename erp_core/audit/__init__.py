"""Append-only, hash-chained audit log (one chain per tenant) and its verifier."""

from erp_core.audit.chain import AuditEvent, append, append_many, verify_chain
from erp_core.audit.hashing import canonical_json, payload_hash
from erp_core.audit.models import AuditChainHead, AuditRecord

__all__ = ["AuditChainHead", "AuditEvent", "AuditRecord", "append", "append_many", "canonical_json", "payload_hash",
           "verify_chain"]
