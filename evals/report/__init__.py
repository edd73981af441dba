"""Eval reports: a JSON summary (the machine-readable contract), a self-contained HTML page, run comparison."""
