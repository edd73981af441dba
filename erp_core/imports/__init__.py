"""Bringing a company's own data in (tenants, chart of accounts, master data, ledger history) and back out.

Every importer reads a whole file, reports every problem at once with ``file:line`` (``erp_core.errors.Issue`` with
the location in ``field``), and writes nothing unless the whole file is valid.
"""
