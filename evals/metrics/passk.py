"""pass^k as τ-bench defines it: the chance that *all* of k i.i.d. trials of a task succeed, averaged over tasks.

With n trials of a task of which c succeeded, the unbiased estimate for that task is C(c, k) / C(n, k)
(τ-bench, Yao et al. 2024, eq. 1); pass^1 is the plain success rate. Unlike pass@k it falls as k grows, which is the
point: an assistant that is right only some of the time is not reliable.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb


def pass_hat_k(outcomes: Sequence[Sequence[bool]], k: int) -> float:
    """Mean over tasks of C(successes, k) / C(trials, k).

    Args:
        outcomes: one list of trial outcomes per task; every task needs at least ``k`` trials.
        k: how many trials must all succeed.

    Raises:
        ValueError: ``k`` < 1, no tasks, or a task with fewer than ``k`` trials.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if not outcomes:
        raise ValueError("pass^k needs at least one task")
    total = 0.0
    for trials in outcomes:
        n = len(trials)
        if n < k:
            raise ValueError(f"a task has {n} trials, fewer than k={k}")
        total += comb(sum(1 for ok in trials if ok), k) / comb(n, k)
    return total / len(outcomes)
