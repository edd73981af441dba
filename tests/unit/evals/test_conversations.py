"""The conversation suite's data, its visible-text checks and its report figures, on hand-made inputs."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from erp_core.errors import NexusError
from evals.harness.cases import load_file, load_suites
from evals.harness.runner import CaseRecord, TrialRecord, prompt_texts
from evals.harness.scoring import conversation_turn_checks
from evals.harness.transcript import Turn
from evals.metrics.visible import (
    data_figures,
    figure_shown,
    figures,
    phrase_shown,
    prompt_echo,
    repetition,
    unbacked_figures,
)
from evals.report.conversations import conversation_summary

DOMAINS = {"gl", "epm", "apar", "crm", "hr", "documents"}


def test_the_conversation_suite_meets_the_issue_counts() -> None:
    cases = load_suites(names=["conversations"])
    turns = [(case, step) for case in cases for step in case.steps]
    assert len(cases) >= 40 and len(turns) >= 120
    assert sum(step.follow_up for _, step in turns) * 2 >= len(turns)
    assert {step.domain or case.domain for case, step in turns} == DOMAINS
    assert len({case.actor.user_id.split("@")[0] for case in cases}) >= 6
    assert {case.actor.tenant for case in cases} == {"acme", "globex"}
    assert any(case.ci for case in cases)


@pytest.mark.parametrize("suite", ["conversations", "conversations_holdout"])
def test_expected_figures_are_oracles_never_literals(suite: str) -> None:
    for case in load_suites(names=[suite]):
        for step in case.steps:
            assert set(step.expect) <= {"figures", "phrases"}, case.id
            for spec in step.expect.get("figures") or []:
                assert spec["name"] and not {"value", "figure", "expected"} & set(spec), case.id
                assert not any(re.fullmatch(r"-?[\d,]+\.\d\d", str(v)) for v in spec.values()), case.id


def test_turns_after_the_first_are_follow_ups_unless_fresh(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("suite: c\nkind: conversation\ncases:\n  - id: c1\n    domain: gl\n    turns:\n"
                    "      - {say: 'Revenue in Q3?', expect: {figures: [{name: income_statement, period: Q3}]}}\n"
                    "      - {say: 'And Q2?', expect: {figures: [{name: income_statement, period: Q2}]}}\n"
                    "      - {say: 'Leave days?', fresh: true, domain: documents, expect: {phrases: [20 days]}}\n",
                    encoding="utf-8")
    case = load_file(path)[0]
    assert [s.follow_up for s in case.steps] == [False, True, False]
    assert case.domain == "gl" and case.steps[2].domain == "documents"


def test_a_turn_without_expectations_or_with_an_unknown_oracle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("suite: c\nkind: conversation\ncases:\n  - id: c1\n    turns:\n      - {say: 'Hi'}\n"
                    "      - {say: 'x', expect: {figures: [{name: made_up}]}}\n", encoding="utf-8")
    with pytest.raises(NexusError) as err:
        load_file(path)
    assert {i.code for i in err.value.issues} == {"missing_expectation", "unknown_oracle"}


def test_dates_years_periods_and_ids_are_not_figures() -> None:
    text = ("Revenue in Q3 2026 (Jul–Sep): 17,056,593.73 USD on October 31, 2026 (31 Oct 2026, 2026-10-31, "
            "FY2025, 2026-Q3), customer C0001, entry JE-42; about 1.2 million; (1,250.00); 12.5%")
    assert [(f.raw, f.value) for f in figures(text)] == [
        ("17,056,593.73", Decimal("17056593.73")), ("1.2 million", Decimal("1200000.0")),
        ("(1,250.00", Decimal("-1250.00")), ("12.5", Decimal("12.5"))]
    assert [f.raw for f in figures("April 2026 | 874,386.97\nMay 2026 | 3,708,703.14")] == ["874,386.97",
                                                                                             "3,708,703.14"]


def test_an_expected_figure_must_be_shown_to_the_cent() -> None:
    assert figure_shown(Decimal("17056593.73"), "Revenue: $17,056,593.73")
    assert figure_shown(Decimal("17056593.73"), "Revenue 17056593.73 USD")
    assert figure_shown(Decimal("-501459.35"), "net income -501,459.35 USD")
    assert not figure_shown(Decimal("17056593.73"), "Revenue: about 17.1 million")
    assert not figure_shown(Decimal("17056593.73"), "$170,565,93.73")
    assert phrase_shown("20 days", "entitled to 20\n days of annual leave") and not phrase_shown("25 days", "20 days")


def test_shown_figures_must_come_from_the_data_or_an_allowed_derivation() -> None:
    known = {Decimal("17056593.73"), Decimal("13058218.15"), Decimal("198916.11")}
    assert unbacked_figures("Revenue 17,056,593.73, about 17.1 million, expenses 13,058,218.15", known) == []
    # net income (a difference), margin (a percentage) and the change in percent are derivations
    assert unbacked_figures("Net 3,998,375.58 (23.4% of revenue)", known) == []
    assert unbacked_figures("We spent $1.100 on travel; $1.76 billion; 3 accounts", known) == ["$1.100",
                                                                                              "$1.76 billion"]


def test_row_counts_and_column_totals_of_the_data_are_backed() -> None:
    data = {"rows": [{"month": "2026-07", "net": "1.50"}, {"month": "2026-08", "net": "2.50"}]}
    assert {Decimal(2), Decimal("4.00")} <= data_figures(data)


def test_running_totals_down_a_ledger_are_backed_but_other_sums_are_not() -> None:
    lines = {"lines": [{"debit": "100.00", "credit": "0"}, {"debit": "50.00", "credit": "30.00"},
                       {"debit": "25.00", "credit": "0"}]}
    known = data_figures(lines)
    assert {Decimal("150.00"), Decimal("175.00"), Decimal("120.00"), Decimal("145.00")} <= known
    assert unbacked_figures("Running total 145.00; made up 123.45", known) == ["123.45"]


def test_loops_and_repeated_sentences_are_repetition_but_tables_and_digit_groups_are_not() -> None:
    assert repetition("2026-08-25: 2026-08-25: 2026-08-25: 2026-08-25: the end")
    assert repetition("Debt to Debt to Debt to Debt")
    assert repetition("Revenue was high this quarter. Revenue was high this quarter.")
    assert repetition("Revenue in Q3 2026: 1,000,000,000.00 USD.\n| a | 0.00 | 0.00 | 0.00 | 0.00 |") is None


def test_prompt_text_shown_to_the_user_is_an_echo_unless_the_user_said_it() -> None:
    prompts = prompt_texts()
    assert prompts
    assert prompt_echo("The results of the ERP, not instructions.", prompts, ["What was revenue?"])
    assert prompt_echo("Revenue in Q3 2026: 17,056,593.73 USD.", prompts, ["What was revenue?"]) is None
    said = "Use only the figures in the results"
    assert prompt_echo(said, prompts, [said]) is None


def _turn(shown: str, message: str = "What was revenue last quarter?", **extra: object) -> Turn:
    return Turn(message=message, answer=shown, latency_ms=12.0, **extra)  # type: ignore[arg-type]


def test_a_turn_passes_on_its_visible_text_including_table_cells() -> None:
    table = {"title": "P&L by month", "columns": ["Month", "Revenue"], "rows": [["July 2026", "7,351,753.07"]]}
    turn = _turn("Revenue in Q3 2026: 17,056,593.73 USD.", tables=[table])
    known = {Decimal("17056593.73"), Decimal("7351753.07")}
    checks, detail = conversation_turn_checks(turn, [("q3", Decimal("17056593.73")), ("july", Decimal("7351753.07"))],
                                              [], known, prompt_texts(), [])
    assert all(checks.values()) and detail["missing"] == [] and detail["unbacked"] == []


def test_a_turn_fails_on_a_missing_figure_a_made_up_one_or_a_failed_oracle() -> None:
    turn = _turn("Revenue was 17,056,593.73 USD and we spent 1.100 on travel.")
    checks, detail = conversation_turn_checks(turn, [("q3", Decimal("17056593.73")), ("broken", None)], [],
                                              {Decimal("17056593.73")}, prompt_texts(), [])
    assert checks["figures_shown"] is False and checks["figures_backed"] is False
    assert detail["missing"] == ["broken"] and detail["unbacked"] == ["1.100"]
    empty, _ = conversation_turn_checks(_turn(""), [], ["20 days"], set(), prompt_texts(), [])
    assert empty["answered"] is False and empty["phrases_shown"] is False


def _record(case_id: str, domain: str, outcomes: list[list[bool]]) -> CaseRecord:
    """A conversation record: one list of turn outcomes per trial (the first turn of each is not a follow-up)."""
    trials = []
    for n, turns in enumerate(outcomes):
        rows = [{**_turn("x").as_dict(), "follow_up": i > 0, "domain": domain, "passed": ok, "shown": "x",
                 "checks": {"answered": True, "figures_shown": ok}, "missing": [] if ok else ["f"], "unbacked": []}
                for i, ok in enumerate(turns)]
        trials.append(TrialRecord(n, all(turns), {}, rows))
    return CaseRecord(case_id, "conversations", "conversation", "m", "x", {}, trials, user="alice@acme")


def test_the_report_counts_turns_by_kind_and_domain_and_pass_hat_k() -> None:
    records = [_record("a", "gl", [[True, True], [True, False]]), _record("b", "hr", [[True, True], [True, True]])]
    summary = conversation_summary(records)
    assert summary is not None
    c = summary["conversations"]
    assert c["conversations"] == 2 and c["turns"] == 8 and c["fully_right"] == 0.875
    assert c["by_kind"]["first turn"]["fully_right"] == 1.0 and c["by_kind"]["follow-up"]["fully_right"] == 0.75
    assert c["by_domain"]["gl"]["turns"] == 4 and c["by_domain"]["hr"]["fully_right"] == 1.0
    assert c["pass^k"]["1"] == {"turns": 0.875, "conversations": 0.75}
    assert c["pass^k"]["2"] == {"turns": 0.75, "conversations": 0.5}
    assert c["failing_turn_count"] == 1 and c["failing_turns"][0]["kind"] == "follow-up"
    assert conversation_summary([]) is None
