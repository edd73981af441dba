"""Enterprise performance management: budgets, budget vs. actual, KPIs (defined once, in ``kpis``), forecasts.

Actuals always come from the posted GL; nothing here stores a second copy of them.
"""
