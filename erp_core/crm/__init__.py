"""CRM: accounts, contacts, opportunities, activities; pipeline, win rate, deals at risk, account 360."""
