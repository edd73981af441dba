"""The demo company generator behind ``nexus seed`` (facts in docs/demo-company.md)."""
