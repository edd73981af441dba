"""Forecasting backtests on known series: the reported error matches how well the method can do."""

from __future__ import annotations

import math
import random

import pytest

from erp_core.errors import NexusError
from erp_core.forecast import candidate_specs, forecast, mape


def _seasonal_trend(n: int, noise: float, seed: int = 7) -> list[float]:
    rng = random.Random(seed)
    return [1000 + 12 * t + 150 * math.sin(2 * math.pi * t / 12) + rng.gauss(0, noise) for t in range(n)]


def test_seasonal_series_is_forecast_within_a_few_percent() -> None:
    series = _seasonal_trend(48, noise=5)
    result = forecast(series[:42], 6)
    truth = series[42:]
    assert result.backtest is not None and result.backtest.mape is not None
    assert result.backtest.mape < 0.03
    assert mape(truth, result.mean) is not None and mape(truth, result.mean) < 0.03  # type: ignore[operator]
    assert "A)" in result.method  # a seasonal model was chosen
    inside = sum(lo <= y <= hi for lo, y, hi in zip(result.lower, truth, result.upper, strict=True))
    assert inside >= 5
    assert all(lo <= m <= hi for lo, m, hi in zip(result.lower, result.mean, result.upper, strict=True))


def test_linear_series_extrapolates_the_trend() -> None:
    result = forecast([100.0 + 10 * t for t in range(12)], 3, holdout=3)
    assert result.mean == pytest.approx([220.0, 230.0, 240.0], rel=0.02)
    assert result.backtest is None or (result.backtest.mape or 0) < 0.02


def test_short_series_uses_non_seasonal_models_only() -> None:
    assert all(spec.seasonal is None for spec in candidate_specs(20))
    assert any(spec.seasonal for spec in candidate_specs(24))


def test_mape_ignores_zero_actuals() -> None:
    assert mape([0.0, 100.0], [5.0, 90.0]) == pytest.approx(0.1)
    assert mape([0.0], [1.0]) is None


def test_bad_requests_list_every_issue() -> None:
    with pytest.raises(NexusError) as err:
        forecast([1.0, 2.0, float("nan")], 0, level=1.5)
    assert {i.code for i in err.value.issues} == {"history_too_short", "bad_horizon", "bad_level", "not_finite"}
