"""The approval engine finds every document type in one explicit table, whatever was imported before."""

import subprocess
import sys

import pytest

from erp_core.approvals.registry import handler_for, registered_types
from erp_core.errors import NexusError


def test_every_document_type_is_in_the_catalog() -> None:
    assert registered_types() == ["journal_entry", "journal_import", "leave_request", "opportunity_update",
                                  "purchase_order"]


def test_an_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(NexusError) as err:
        handler_for("expense_claim")
    assert err.value.candidates == registered_types()


@pytest.mark.parametrize("name", ["leave_request", "opportunity_update", "purchase_order", "journal_import"])
def test_a_handler_is_found_in_a_fresh_process_that_imported_only_the_engine(name: str) -> None:
    code = f"from erp_core.approvals.engine import handler_for; print(type(handler_for({name!r})).__name__)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip().endswith("Handler")
