"""CRM: accounts, contacts, opportunities, activities; pipeline, win rate, deals at risk, account 360.

Importing this package registers the ``opportunity_update`` document type with the approval engine.
"""

from erp_core.crm.approval import register as _register

_register()
