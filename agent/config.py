"""How the agent behaves: one configuration object, read by the turn service and, through ``AgentContext``, by the
graph's nodes. The server builds it from its Settings in one place (``server.agent_wiring.agent_settings``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class AgentSettings:
    max_steps: int = 6  # model decisions per turn
    max_retries: int = 2  # model-fixable errors fed back per turn
    route_k: int = 3  # tools offered to the model
    route_margin: float = 0.04  # how far "answer directly" must lead to be small talk
    answer_threshold: float = 0.5  # below this best tool score, answering directly is offered
    small_talk_threshold: float = 0.3  # below this best tool score, nothing fits
    answer_max_tokens: int = 200  # model prose per answer
    today: dt.date | None = None  # pinned business date (evals, demos); None: the real date
    answer_style: str = "composed"  # what the user reads after a tool ran: composed | checked | model (agent.compose)
