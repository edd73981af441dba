"""How a forecast reads: money in its currency's minor units, a count or a ratio to one decimal."""

from __future__ import annotations

from erp_core.epm.forecasting import ForecastPoint, ForecastView
from tools.present_epm import forecast


def view(unit: str) -> ForecastView:
    point = ForecastPoint(period="2026-11", value="150.87437281934777", lower="149.21546439367202",
                          upper="152.53328124502352")
    return ForecastView(subject="kpi:headcount", unit=unit, currency="USD", method="ETS(A,N,N)", interval_level=0.9,
                        history=[("2026-10", "151.0")], forecast=[point], backtest=None, note="")


def test_a_headcount_forecast_reads_to_one_decimal() -> None:
    shown = forecast(view("count"))
    assert "November 2026 150.9 (90% interval 149.2 to 152.5)" in shown.headline
    (table,) = shown.tables
    assert table.rows[-1] == ("November 2026", "150.9", "forecast", "149.2", "152.5")
    assert table.rows[0][1] == "151.0"


def test_a_money_forecast_keeps_the_currency_places() -> None:
    shown = forecast(view("money"))
    assert "150.87 USD (90% interval 149.22 USD to 152.53 USD)" in shown.headline
