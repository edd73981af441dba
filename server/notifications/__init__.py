"""Approval notifications: a durable job queue (SQL) fed from pending approvals, delivered to Slack DMs and to the
widget's pending-approvals badge, retried with backoff until each channel took it.

The package imports nothing: ``store`` (the jobs), ``service`` (the worker), ``channels``, ``hub`` (the widget's live
event streams) and ``wiring`` (building the service from settings) are imported by name.
"""
