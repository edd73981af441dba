"""The ragas monitors end to end: faithfulness and answer relevancy judged by a real local model over HTTP.

A 135M judge is not a good judge, so nothing here checks its opinion: the test checks that the monitors run against
an OpenAI-compatible server, score every sample within [0, 1] or report that the judge could not, and stay a monitor.
"""

from __future__ import annotations

import math

import pytest

from evals.harness.environment import ModelSpec
from evals.harness.runner import CaseRecord, TrialRecord
from evals.metrics.ragas_monitor import ragas_monitors

pytestmark = pytest.mark.model


def _answered(case_id: str, question: str, answer: str, summary: str) -> CaseRecord:
    turn = {"message": question, "answer": answer, "tool_results": [{"summary": summary}], "citations": []}
    return CaseRecord(case_id, "answers", "answer", "default", question, {}, [TrialRecord(0, True, {}, [turn])])


def test_monitors_run_against_a_local_judge(llama_server: str) -> None:
    records = [
        _answered("a1", "What was rent in October 2026?", "Rent in October 2026 was 42,000.00 USD.",
                  "Rent Expense (6100), October 2026: total debits 42,000.00 USD"),
        _answered("tool-only", "Show the trial balance", "", "Trial balance: 31 accounts"),  # no answer: skipped
    ]
    monitors = ragas_monitors({"default": records}, ModelSpec(llama_server, "smollm2"))
    assert monitors["gate"] is False and monitors["judge"] == llama_server
    scored = monitors["default"]
    assert scored["samples"] == 1  # one sample keeps this under a few minutes on two cores
    for metric in ("faithfulness", "answer_relevancy"):
        value = scored[metric]
        assert math.isnan(value) or 0.0 <= value <= 1.0, (metric, value)  # NaN: the judge's output was unusable
