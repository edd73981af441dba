"""Every document type the approval engine can decide, with its handler: the one table, read by ``handler_for``.

A new approvable document type is one line here. Nothing registers itself by being imported, so an approval
opened before a restart is decided by the same handler whatever the new process happened to import first.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from erp_core.approvals.registry import (
    JOURNAL_ENTRY,
    JOURNAL_IMPORT,
    LEAVE_REQUEST,
    OPPORTUNITY_UPDATE,
    PURCHASE_ORDER,
    DocumentHandler,
)
from erp_core.crm.approval import OpportunityUpdateHandler
from erp_core.hr.approval import LeaveRequestHandler
from erp_core.imports.approval import JournalImportHandler
from erp_core.ledger.handler import JournalEntryHandler
from erp_core.procurement.approval import PurchaseOrderHandler

DOCUMENT_TYPES: Mapping[str, DocumentHandler] = MappingProxyType({
    JOURNAL_ENTRY: JournalEntryHandler(),
    JOURNAL_IMPORT: JournalImportHandler(),
    LEAVE_REQUEST: LeaveRequestHandler(),
    OPPORTUNITY_UPDATE: OpportunityUpdateHandler(),
    PURCHASE_ORDER: PurchaseOrderHandler(),
})
