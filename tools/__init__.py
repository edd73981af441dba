"""Typed tools: one thin function per capability, its argument schema a domain command, all listed in one registry.

Tools only read their dependencies from the ``ToolContext``, call one service, and return a compact ``ToolOutput``.
No tool posts or approves: proposal tools create drafts that wait for a human (erp_core's approval engine).
"""
