"""HR: employees and the org chart, leave policies and balances, leave requests approved by the manager."""
