"""HR: employees and the org chart, leave policies and balances, leave requests approved by the manager.

Importing this package registers the ``leave_request`` document type with the approval engine.
"""

from erp_core.hr.approval import register as _register

_register()
