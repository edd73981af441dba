"""A value the domain refuses travels in the error's structured issue, and the agent reads it from there."""

import datetime as dt

import pytest

from erp_core.errors import Issue, NexusError
from erp_core.resolve import resolve_period
from erp_core.resolve.names import match_name
from tools.errors import classify


def test_an_unknown_name_carries_the_refused_value_to_the_tool_failure() -> None:
    with pytest.raises(NexusError) as err:
        match_name("zzz", [("6100", "Rent"), ("6200", "Utilities")], what="account")
    failure = classify(err.value)
    assert failure.refused == ("zzz",)
    assert failure.for_model().startswith("ERROR unknown_name: no account matches 'zzz'.")  # the model's text as before


def test_an_unreadable_period_carries_what_was_said() -> None:
    with pytest.raises(NexusError) as err:
        resolve_period("the blue moon", dt.date(2026, 10, 15))
    assert err.value.refused_values == ("the blue moon",)


def test_an_issue_without_a_value_serialises_as_before() -> None:
    assert Issue("no_change", "the update changes nothing").as_dict() == {
        "code": "no_change", "message": "the update changes nothing", "field": None}
    assert Issue("bad_period", "period 'x' ...", "period", "x").as_dict()["value"] == "x"
