"""Procurement: requisitions, purchase orders approved by amount, goods receipts that raise AP bills."""
