"""Monthly time-series forecasts with statsmodels' ETS (exponential smoothing state-space) models.

The procedure is: fit each eligible ETS specification, keep the one with the lowest AICc (comparable because every
candidate has additive errors and is fitted to the same observations), forecast with its prediction interval. The
backtest runs *the same procedure* on the series minus its last ``holdout`` months and scores the forecast of those
months (MAPE), so the error reported is what the user should expect from this method on this series.

statsmodels is imported lazily: it is heavy and most callers of erp_core never forecast.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from erp_core.errors import Issue, validation_error

MIN_HISTORY = 8
SEASON = 12


@dataclass(frozen=True, slots=True)
class Spec:
    """One ETS specification: additive error, optional (damped) additive trend, optional additive seasonality."""

    trend: str | None
    damped: bool
    seasonal: str | None

    @property
    def name(self) -> str:
        trend = "N" if self.trend is None else ("Ad" if self.damped else "A")
        season = "N" if self.seasonal is None else "A"
        return f"ETS(A,{trend},{season})"


@dataclass(frozen=True, slots=True)
class Fitted:
    spec: Spec
    mean: list[float]
    lower: list[float]
    upper: list[float]
    aicc: float


@dataclass(frozen=True, slots=True)
class Backtest:
    holdout: int
    actual: list[float]
    predicted: list[float]
    mape: float | None  # None when every held-back value is zero
    mae: float
    method: str


@dataclass(frozen=True, slots=True)
class Forecast:
    method: str
    mean: list[float]
    lower: list[float]
    upper: list[float]
    level: float
    backtest: Backtest | None


def candidate_specs(n: int, season: int = SEASON) -> list[Spec]:
    """Specifications the data can support: seasonality needs two full cycles, a trend a handful of points."""
    specs = [Spec(None, False, None)]
    if n >= 6:
        specs += [Spec("add", False, None), Spec("add", True, None)]
    if season > 1 and n >= 2 * season:
        specs += [Spec(None, False, "add"), Spec("add", True, "add")]
    return specs


def _fit(values: Sequence[float], spec: Spec, horizon: int, level: float, season: int) -> Fitted | None:
    import numpy as np
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # A pandas series: ETS prediction results need an index to label the forecast rows.
    endog = pd.Series(np.asarray(values, dtype=float))
    model = ETSModel(endog, error="add", trend=spec.trend, damped_trend=spec.damped, seasonal=spec.seasonal,
                     seasonal_periods=season if spec.seasonal else None,
                     # Heuristic initial states (from the first two cycles) keep seasonal fits fast: estimating 12
                     # seasonal starting values by likelihood is slow and overfits a two-year history.
                     initialization_method="heuristic" if spec.seasonal else "estimated")
    with warnings.catch_warnings():
        # Convergence chatter on short series is expected; a failed fit is dropped below instead.
        warnings.simplefilter("ignore")
        try:
            result = model.fit(disp=False, maxiter=200)
            frame = result.get_prediction(start=len(endog), end=len(endog) + horizon - 1).summary_frame(
                alpha=1 - level)
        except (ValueError, np.linalg.LinAlgError):
            return None
    aicc = float(result.aicc)
    mean = [float(v) for v in frame["mean"]]
    if not math.isfinite(aicc) or not all(math.isfinite(v) for v in mean):
        return None
    return Fitted(spec, mean, [float(v) for v in frame["pi_lower"]], [float(v) for v in frame["pi_upper"]], aicc)


def fit_best(values: Sequence[float], horizon: int, level: float = 0.9, season: int = SEASON) -> Fitted:
    """Fit every eligible specification and keep the lowest AICc."""
    fits = [f for spec in candidate_specs(len(values), season)
            if (f := _fit(values, spec, horizon, level, season)) is not None]
    if not fits:
        raise validation_error([Issue("forecast_failed", "no model could be fitted to this series", "series")])
    return min(fits, key=lambda f: f.aicc)


def mape(actual: Sequence[float], predicted: Sequence[float]) -> float | None:
    """Mean absolute percentage error over the points whose actual value is not zero."""
    terms = [abs(a - p) / abs(a) for a, p in zip(actual, predicted, strict=True) if a != 0]
    return sum(terms) / len(terms) if terms else None


def backtest(values: Sequence[float], holdout: int, level: float = 0.9, season: int = SEASON) -> Backtest:
    """Forecast the last ``holdout`` points from the ones before them and score the result."""
    train, actual = list(values[:-holdout]), list(values[-holdout:])
    fitted = fit_best(train, holdout, level, season)
    mae = sum(abs(a - p) for a, p in zip(actual, fitted.mean, strict=True)) / holdout
    return Backtest(holdout=holdout, actual=actual, predicted=fitted.mean, mape=mape(actual, fitted.mean), mae=mae,
                    method=fitted.spec.name)


def default_holdout(n: int, horizon: int) -> int:
    """Hold back as many months as are forecast (at most a quarter of the series, at least 1)."""
    return max(1, min(horizon, n // 4))


def forecast(values: Sequence[float], horizon: int, *, level: float = 0.9, holdout: int | None = None,
             season: int = SEASON) -> Forecast:
    """Forecast ``horizon`` steps of a regular monthly series with an interval and a backtest error.

    Raises:
        NexusError(VALIDATION_FAILED): too little history, a bad horizon/level, or non-finite values.
    """
    issues: list[Issue] = []
    if len(values) < MIN_HISTORY:
        issues.append(Issue("history_too_short", f"need at least {MIN_HISTORY} months of history, got "
                                                 f"{len(values)}", "series"))
    if not 1 <= horizon <= 36:
        issues.append(Issue("bad_horizon", "horizon must be between 1 and 36 months", "horizon"))
    if not 0.5 <= level < 1:
        issues.append(Issue("bad_level", "interval level must be in [0.5, 1)", "level"))
    if not all(math.isfinite(v) for v in values):
        issues.append(Issue("not_finite", "series contains missing or infinite values", "series"))
    if issues:
        raise validation_error(issues)
    best = fit_best(values, horizon, level, season)
    hold = default_holdout(len(values), horizon) if holdout is None else holdout
    check = backtest(values, hold, level, season) if len(values) - hold >= MIN_HISTORY else None
    return Forecast(method=best.spec.name, mean=best.mean, lower=best.lower, upper=best.upper, level=level,
                    backtest=check)
