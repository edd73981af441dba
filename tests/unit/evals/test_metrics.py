"""The harness's own metrics on hand-made cases: pass^k, retrieval metrics, numeric and argument matching."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evals.metrics import (
    arguments_match,
    context_precision_ids,
    context_recall_ids,
    extract_numbers,
    figure_matches,
    pass_hat_k,
    percentile,
    recall_at_k,
    reciprocal_rank,
)


class TestPassHatK:
    def test_k1_is_the_success_rate(self) -> None:
        assert pass_hat_k([[True, False, True, True]], 1) == pytest.approx(0.75)

    def test_taubench_estimator_per_task(self) -> None:
        # 4 trials, 3 successes: C(3,2)/C(4,2) = 3/6; all four succeeding needs C(3,4)=0.
        assert pass_hat_k([[True, True, True, False]], 2) == pytest.approx(0.5)
        assert pass_hat_k([[True, True, True, False]], 4) == 0.0

    def test_averages_over_tasks_and_falls_with_k(self) -> None:
        outcomes = [[True, True, True], [True, False, False], [False, False, False]]
        k1, k2, k3 = (pass_hat_k(outcomes, k) for k in (1, 2, 3))
        assert k1 == pytest.approx((1 + 1 / 3 + 0) / 3)
        assert k2 == pytest.approx((1 + 0 + 0) / 3)
        assert k1 >= k2 >= k3 == pytest.approx(1 / 3)

    @pytest.mark.parametrize(("outcomes", "k"), [([[True]], 0), ([], 1), ([[True]], 2)])
    def test_rejects_impossible_requests(self, outcomes: list[list[bool]], k: int) -> None:
        with pytest.raises(ValueError):
            pass_hat_k(outcomes, k)


class TestRetrieval:
    def test_recall_at_k_counts_distinct_ids_in_the_top_k(self) -> None:
        retrieved = ["a", "a", "x", "b", "y", "c"]
        assert recall_at_k(retrieved, {"a", "b", "c"}, 3) == pytest.approx(2 / 3)  # a, x, b
        assert recall_at_k(retrieved, {"a", "b", "c"}, 5) == 1.0
        assert recall_at_k([], {"a"}, 5) == 0.0

    def test_reciprocal_rank_uses_the_first_relevant_hit(self) -> None:
        assert reciprocal_rank(["x", "y", "a", "b"], {"a", "b"}) == pytest.approx(1 / 3)
        assert reciprocal_rank(["x", "x", "a"], {"a"}) == pytest.approx(1 / 2)  # duplicates do not push it down
        assert reciprocal_rank(["x"], {"a"}) == 0.0
        assert reciprocal_rank(["x", "x", "a"], {"a"}, distinct=False) == pytest.approx(1 / 3)  # chunk rank

    def test_id_based_context_precision_and_recall(self) -> None:
        assert context_precision_ids(["a", "x", "b", "y"], {"a", "b", "c"}) == pytest.approx(0.5)
        assert context_recall_ids(["a", "x", "b", "y"], {"a", "b", "c"}) == pytest.approx(2 / 3)
        assert context_precision_ids([], {"a"}) == 0.0

    def test_recall_needs_a_reference(self) -> None:
        with pytest.raises(ValueError):
            recall_at_k(["a"], set(), 5)


class TestNumbers:
    @pytest.mark.parametrize(("text", "value"), [
        ("balance 42,000.00 USD", Decimal("42000.00")),
        ("it was $1,250", Decimal("1250")),
        ("18.500,00 € per month", Decimal("18500.00")),
        ("about 1.2 million", Decimal("1200000")),
        ("42k of rent", Decimal("42000")),
        ("a loss of (1,250.50)", Decimal("-1250.50")),
        ("-4036660.28", Decimal("-4036660.28")),
    ])
    def test_extracts_the_ways_answers_write_figures(self, text: str, value: Decimal) -> None:
        assert value in extract_numbers(text)

    def test_matches_within_tolerance_and_ignores_sign(self) -> None:
        assert figure_matches(Decimal("1008000.00"), "The balance was 1,008,000.00 USD.")
        assert figure_matches("42000", "rent of 42,100", rel_tol=0.005)  # 0.24% off
        assert not figure_matches("42000", "rent of 43,000", rel_tol=0.005)
        assert figure_matches("-4036660.28", "cash is 4,036,660.28 EUR overdrawn")
        assert not figure_matches("21.67", "You have 20 days left.")
        assert figure_matches("21.67", "You have 21.67 days left.")

    def test_percentile_interpolates(self) -> None:
        assert percentile([10, 20, 30, 40], 50) == pytest.approx(25)
        assert percentile([5], 95) == 5
        assert percentile([], 50) is None


class TestArguments:
    def test_strings_match_by_containment_and_alternatives(self) -> None:
        assert arguments_match({"account": ["rent", "6100"]}, {"account": "Rent Expense", "as_of": "today"})
        assert arguments_match({"account": ["rent", "6100"]}, {"account": "6100"})
        assert not arguments_match({"account": "rent"}, {"account": "travel"})
        assert not arguments_match({"account": "rent"}, {})

    def test_numbers_match_numerically(self) -> None:
        assert arguments_match({"amount": "180000"}, {"amount": "180,000.00"})
        assert not arguments_match({"amount": "180000"}, {"amount": "18000"})
