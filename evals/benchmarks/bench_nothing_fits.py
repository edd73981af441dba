"""How the router's "nothing fits" outcome was chosen: decline rates over the evaluation requests, per threshold.

    python -m evals.benchmarks.bench_nothing_fits            # the grid, the chosen values and the old behaviour
    python -m evals.benchmarks.bench_nothing_fits --show     # also every request's outcome with the chosen values

Each request of the ``tool_use``, ``tool_use_holdout`` and ``out_of_scope`` suites is ranked as its user by the
product's router (int8 ONNX MiniLM over the tool catalogue, the direct-answer and the out-of-scope examples) and
decided as ``agent.nodes.route`` decides: small talk when answering directly leads, else ``nothing_fits``, else the
best tool. No model runs: this measures the routing decision only.

- in-scope requests (their expected tools are tools) must not be declined: "in-scope declined" should be 0;
- out-of-scope requests (``out_of_scope`` cases expecting no tool) should be declined (or answered as small talk):
  "out-of-scope caught";
- policy questions (``out_of_scope`` cases expecting ``search_documents``) should rank document search first.
The row "old" is the behaviour before the outcome existed: nothing was declined, the nearest tool was offered.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.routing import Ranking

for _var, _value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HAYSTACK_TELEMETRY_ENABLED": "False"}.items():
    os.environ.setdefault(_var, _value)

SUITES = ("tool_use", "tool_use_holdout", "out_of_scope")
ROUTE_MARGIN = 0.04  # AgentSettings.route_margin: how far "answer directly" must lead to be small talk
FLOORS = (0.25, 0.3, 0.35, 0.4, 0.45)
MARGINS = (-0.05, -0.02, 0.0, 0.02, 0.05, 0.1)


@dataclass(frozen=True)
class Routed:
    case_id: str
    suite: str
    message: str
    expected: tuple[str, ...]
    ranking: Ranking


def outcome(ranking: Ranking, floor: float, margin: float) -> str:
    """What ``agent.nodes.route`` makes of the ranking: "answer" (small talk), "declined", or the first tool."""
    from agent.routing import nothing_fits, split_direct

    routed, direct = split_direct(ranking.tools, 3)
    if routed and direct is not None and direct - routed[0].score >= ROUTE_MARGIN:
        return "answer"
    if nothing_fits(ranking, [], floor=floor, margin=margin) is not None:
        return "declined"
    return routed[0].name if routed else "answer"


def summary(groups: dict[str, list[Routed]], label: str, floor: float, margin: float) -> str:
    def count(group: str, right: Callable[[str, Routed], bool]) -> str:
        rows = groups[group]
        return f"{sum(right(outcome(r.ranking, floor, margin), r) for r in rows):>3}/{len(rows)}"

    return "   ".join([
        f"{label:<18}", f"in-scope declined {count('in', lambda o, _: o == 'declined')}",
        f"first tool right {count('in', lambda o, r: o in r.expected)}",
        f"out-of-scope caught {count('out', lambda o, _: o in ('declined', 'answer'))}",
        f"small talk kept {count('talk', lambda o, _: o == 'answer')}",
        f"policy → documents {count('policy', lambda o, _: o == 'search_documents')}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="print every request's outcome with the chosen values")
    args = parser.parse_args()

    from agent.routing import NOTHING_FITS_FLOOR, UNSUPPORTED_MARGIN, ToolRouter, out_of_scope_capabilities
    from evals.harness.cases import load_suites
    from retrieval.embedding import SentenceTransformerEmbedder
    from retrieval.onnx_query import query_embedder, routing_embedder
    from tools.catalog import load_all
    from tools.registry import direct_utterances

    models = Path(tempfile.gettempdir()) / "nexus-bench-models"
    embedder = query_embedder(SentenceTransformerEmbedder(device="cpu"), models)
    router = ToolRouter(routing_embedder(embedder, models), load_all().all(), direct_utterances(),
                        out_of_scope_capabilities())
    routed = [Routed(c.id, c.suite, c.message, tuple(c.expect.get("tools") or ()), router.rank(c.actor, c.message))
              for c in load_suites(names=list(SUITES))]
    groups = {
        "in": [r for r in routed if "answer" not in r.expected],
        "out": [r for r in routed if r.suite == "out_of_scope" and r.expected == ("answer",)],
        "talk": [r for r in routed if r.suite != "out_of_scope" and r.expected == ("answer",)],
        "policy": [r for r in routed if r.suite == "out_of_scope" and r.expected == ("search_documents",)],
    }
    print(f"{len(groups['in'])} in-scope requests (of them {len(groups['policy'])} policy questions), "
          f"{len(groups['out'])} out-of-scope, {len(groups['talk'])} small talk\n")
    print(summary(groups, "old (no decline)", float("-inf"), float("inf")))
    for floor in FLOORS:
        for margin in MARGINS:
            print(summary(groups, f"floor {floor:.2f} m {margin:+.2f}", floor, margin))
    print(summary(groups, f"chosen {NOTHING_FITS_FLOOR:.2f} {UNSUPPORTED_MARGIN:+.2f}", NOTHING_FITS_FLOOR,
                  UNSUPPORTED_MARGIN))
    if args.show:
        for r in routed:
            said = outcome(r.ranking, NOTHING_FITS_FLOOR, UNSUPPORTED_MARGIN)
            good = said in r.expected or (said == "declined" and r.expected == ("answer",))
            top = r.ranking.tools[0] if r.ranking.tools else None
            lacking = r.ranking.unsupported
            print(f"{'ok ' if good else 'BAD'} {r.case_id:<6} {said:<22} "
                  f"top={top.name if top else None}:{top.score if top else 0:.3f} "
                  f"lacking={lacking.score if lacking else 0:.3f} {r.message[:70]}")


if __name__ == "__main__":
    main()
