"""Forecasting of monthly series (accounts, KPIs) with an interval and a backtest error next to every forecast."""

from erp_core.forecast.model import Backtest, Forecast, backtest, candidate_specs, forecast, mape

__all__ = ["Backtest", "Forecast", "backtest", "candidate_specs", "forecast", "mape"]
