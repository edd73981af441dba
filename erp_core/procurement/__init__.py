"""Procurement: requisitions, purchase orders approved by amount, goods receipts that raise AP bills.

Importing this package registers the ``purchase_order`` document type with the approval engine.
"""

from erp_core.procurement.approval import register as _register

_register()
