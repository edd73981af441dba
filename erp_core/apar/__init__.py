"""Accounts payable and receivable: vendors, customers, bills, invoices, payments, aging.

GL effects go through the ledger's posting service; control accounts are 2010 (AP) and 1100 (AR).
"""

from erp_core.apar.aging import aging_report, open_items
from erp_core.apar.commands import CreateParty, RecordDocument, RecordPayment
from erp_core.apar.models import Bill, Customer, Invoice, Payment, Vendor
from erp_core.apar.services import (
           AP_CONTROL,
           AR_CONTROL,
           Recorded,
           create_party,
           record_bill,
           record_invoice,
           record_payment,
)

__all__ = ["AP_CONTROL", "AR_CONTROL", "Bill", "CreateParty", "Customer", "Invoice", "Payment", "RecordDocument",
           "RecordPayment", "Recorded", "Vendor", "aging_report", "create_party", "open_items", "record_bill",
           "record_invoice", "record_payment"]
