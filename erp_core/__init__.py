"""Deterministic ERP domain: ledger, approvals, audit, EPM, CRM, HR, service desk.

Pure Python + SQLAlchemy. Nothing here imports a web or LLM framework; every business invariant is checked here, once.
"""
