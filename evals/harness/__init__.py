"""The evaluation harness: load cases, run them against the agent over the seeded demo company, score them."""
