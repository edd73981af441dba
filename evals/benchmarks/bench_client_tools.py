"""Client tools through ``/v1/chat/completions``: BFCL's simple / multiple / irrelevance cases, scored by BFCL's own
AST checker, through our endpoint and through raw ``llama_cpp.server`` with the same packaged model, in one run.

    .venv/bin/pip install --no-deps bfcl-eval==2026.3.23       # the `bench` extra; see below for --no-deps
    .venv/bin/python evals/benchmarks/bench_client_tools.py --per-category 20

``bfcl-eval`` ships the test cases, the possible answers and the checker. Installed with all its dependencies it
pins numpy 1.26 and pulls a dozen vendor SDKs, which only its model registry imports; the checker needs none of that.
So it is installed without dependencies and the checker's model registry is replaced by one entry for the client
this bench plays: an OpenAI-style function-calling client that sends "math.factorial" as "math_factorial" (OpenAI
names cannot hold dots), exactly as BFCL's own OpenAI handler does, and BFCL's ``underscore_to_dot`` flag maps back.

Both servers get the same requests, as BFCL's OpenAI function-calling handler sends them: the case's messages and its
functions converted to OpenAI tools (types mapped by BFCL's ``GORILLA_TO_OPENAPI``), ``tool_choice`` left to the
server (auto), temperature 0. The raw server uses llama-cpp-python's ``chatml-function-calling`` chat format (SmolLM2
speaks ChatML), its function-calling path. A case passes when BFCL's checker accepts the calls (simple, multiple) or
when there is no call (irrelevance). Every HTTP status >= 500 is counted. Not part of CI.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from retrieval.servers.supervisor import free_port  # noqa: E402

CHECKER_MODEL = "openai-style-client"
CATEGORIES = {"simple": "simple_python", "multiple": "multiple", "irrelevance": "irrelevance"}


@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    server_errors: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0


def _checker() -> Any:
    """BFCL's ``ast_checker``, its model registry replaced by the one client this bench plays (see module doc)."""
    if "bfcl_eval.constants.model_config" not in sys.modules:
        registry = types.ModuleType("bfcl_eval.constants.model_config")
        registry.MODEL_CONFIG_MAPPING = {  # type: ignore[attr-defined]
            CHECKER_MODEL: types.SimpleNamespace(underscore_to_dot=True)}
        sys.modules[registry.__name__] = registry
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

    return ast_checker


def load_cases(category: str, per_category: int) -> list[dict[str, Any]]:
    """``per_category`` cases spread evenly over the category (every n-th), with their possible answers."""
    data = resources.files("bfcl_eval") / "data"
    name = f"BFCL_v4_{CATEGORIES[category]}.json"
    cases = [json.loads(line) for line in (data / name).read_text().splitlines() if line.strip()]
    answers: dict[str, Any] = {}
    answer_file = data / "possible_answer" / name
    if answer_file.is_file():
        answers = {a["id"]: a["ground_truth"] for a in map(json.loads, answer_file.read_text().splitlines()) if a}
    step = max(1, len(cases) // per_category) if per_category else 1
    picked = cases[::step][:per_category] if per_category else cases
    for case in picked:
        case["possible_answer"] = answers.get(case["id"])
    return picked


def _cast_types(properties: dict[str, Any]) -> dict[str, Any]:
    """BFCL's ``_cast_to_openai_type`` for the OpenAI style (model_handler/utils.py): Python type names → JSON
    schema types, float noted in the description, nested items and properties cast too."""
    from bfcl_eval.constants.type_mappings import GORILLA_TO_OPENAPI

    for value in properties.values():
        kind = value.get("type")
        if kind is None:
            value["type"] = "string"
        else:
            if kind == "float":
                value["format"] = "float"
                value["description"] = value.get("description", "") + " This is a float type value."
            value["type"] = GORILLA_TO_OPENAPI.get(kind, "string")
        if value["type"] in ("array", "object"):
            if "properties" in value:
                value["properties"] = _cast_types(value["properties"])
            elif "items" in value:
                items = value["items"]
                items["type"] = GORILLA_TO_OPENAPI[items["type"]]
                if items["type"] == "array" and "items" in items:
                    items["items"]["type"] = GORILLA_TO_OPENAPI[items["items"]["type"]]
                elif items["type"] == "object" and "properties" in items:
                    items["properties"] = _cast_types(items["properties"])
    return properties


def openai_tools(functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """BFCL's ``convert_to_tool`` for OpenAI completions: dots in names become underscores, parameters an object."""
    tools = []
    for function in copy.deepcopy(functions):
        function["name"] = re.sub(r"\.", "_", function["name"])
        function["parameters"]["type"] = "object"
        function["parameters"]["properties"] = _cast_types(function["parameters"]["properties"])
        tools.append({"type": "function", "function": function})
    return tools


def score(case: dict[str, Any], category: str, calls: list[dict[str, Any]]) -> bool:
    if category == "irrelevance":
        return not calls
    if not calls:
        return False
    from bfcl_eval.constants.enums import Language

    decoded = [{call["name"]: call["arguments"]} for call in calls]
    result = _checker()(case["function"], decoded, case["possible_answer"], Language.PYTHON,
                        CATEGORIES[category], CHECKER_MODEL)
    return bool(result["valid"])


def ask(client: httpx.Client, url: str, model: str, token: str, case: dict[str, Any],
        max_tokens: int) -> tuple[int, list[dict[str, Any]]]:
    body = {"model": model, "messages": case["question"][0], "tools": openai_tools(case["function"]),
            "temperature": 0.0, "max_tokens": max_tokens}
    response = client.post(f"{url}/chat/completions", json=body, headers={"Authorization": f"Bearer {token}"})
    if response.status_code != 200:
        return response.status_code, []
    message = response.json()["choices"][0]["message"]
    calls = []
    for call in message.get("tool_calls") or []:
        try:
            arguments = json.loads(call["function"]["arguments"] or "{}")
        except json.JSONDecodeError:
            arguments = None  # a call BFCL could not decode: not a call for irrelevance, wrong for the others
        if isinstance(arguments, dict):
            calls.append({"name": call["function"]["name"], "arguments": arguments})
    return 200, calls


def run_side(url: str, model: str, token: str, cases: dict[str, list[dict[str, Any]]], max_tokens: int,
             verbose: bool) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    with httpx.Client(timeout=600) as client:
        for category, items in cases.items():
            tally = tallies[category] = Tally()
            started = time.perf_counter()
            for case in items:
                try:
                    status, calls = ask(client, url, model, token, case, max_tokens)
                except httpx.HTTPError as exc:
                    status, calls = 599, []
                    print(f"  {case['id']}: {type(exc).__name__}", file=sys.stderr)
                ok = status == 200 and score(case, category, calls)
                tally.total += 1
                tally.passed += ok
                tally.statuses[status] += 1
                tally.server_errors += status >= 500
                if verbose:
                    print(f"  {case['id']:<22} {'pass' if ok else 'FAIL'} {status} {json.dumps(calls)[:150]}",
                          file=sys.stderr)
            tally.seconds = time.perf_counter() - started
    return tallies


def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    from evals.benchmarks.bench_concurrency import wait_ready as wait_http

    wait_http(url, proc, timeout_s=240)  # the raw server loads slowly on 2 busy cores


def start_raw(procs: list[subprocess.Popen[bytes]], threads: int) -> str:
    from agent.backends.llama_engine import default_model_path

    port = free_port()
    procs.append(subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "8192", "--n_threads", str(threads), "--model_alias", "smollm2",
         "--chat_format", "chatml-function-calling"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    url = f"http://127.0.0.1:{port}/v1"
    wait_ready(f"{url}/models", procs[-1])
    return url


def start_ours(procs: list[subprocess.Popen[bytes]], data: str, threads: int) -> tuple[str, str]:
    from server.auth import DevIssuer

    env = {**os.environ, "NEXUS_DATA_DIR": data, "NEXUS_RATE_LIMIT_ENABLED": "false",
           "NEXUS_NOTIFICATIONS_ENABLED": "false", "NEXUS_LOG_LEVEL": "warning", "NEXUS_N_THREADS": str(threads),
           "PYTHONPATH": str(ROOT)}
    port = free_port()
    nexus = str(Path(sys.executable).with_name("nexus"))
    procs.append(subprocess.Popen([nexus, "serve", "--port", str(port)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    base = f"http://127.0.0.1:{port}"
    wait_ready(f"{base}/readyz", procs[-1])
    token = DevIssuer(Path(data) / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus").issue(
        "bench@acme", "acme", ["accountant"])
    return f"{base}/v1", token


def print_table(sides: dict[str, dict[str, Tally]], hardware: str) -> None:
    names = list(sides)
    print(f"\nBFCL (bfcl-eval 2026.3.23) simple / multiple / irrelevance, SmolLM2-135M-Instruct Q4_1; {hardware}")
    print(f"{'category':<13}" + "".join(f"{name:>34}" for name in names))
    totals = {name: Tally() for name in names}
    for category in next(iter(sides.values())):
        row = f"{category:<13}"
        for name in names:
            t = sides[name][category]
            totals[name].passed += t.passed
            totals[name].total += t.total
            totals[name].server_errors += t.server_errors
            totals[name].seconds += t.seconds
            row += f"{t.passed:>6}/{t.total:<4}= {t.passed / max(t.total, 1):.2f}  5xx {t.server_errors:<3}" \
                   f"{t.seconds / max(t.total, 1):5.1f} s/case"
        print(row)
    row = f"{'overall':<13}"
    for name in names:
        t = totals[name]
        row += f"{t.passed:>6}/{t.total:<4}= {t.passed / max(t.total, 1):.2f}  5xx {t.server_errors:<3}" \
               f"{t.seconds / max(t.total, 1):5.1f} s/case"
    print(row)
    for name in names:
        statuses = sum((t.statuses for t in sides[name].values()), Counter())
        print(f"HTTP statuses, {name}: {dict(sorted(statuses.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-category", type=int, default=20, help="cases per category (0: all of them)")
    parser.add_argument("--categories", default="simple,multiple,irrelevance")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sides", default="raw,ours", help="raw, ours or both")
    parser.add_argument("--ours-url", help="an already running nexus serve (…/v1); needs --token")
    parser.add_argument("--token", help="bearer token for --ours-url")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case on stderr")
    parser.add_argument("--save", help="also write this run's tallies to a JSON file")
    parser.add_argument("--show", nargs="+", help="print the table of saved runs (e.g. the two sides run at once "
                                                  "as two processes) and exit")
    args = parser.parse_args()
    from evals.benchmarks.bench_concurrency import hardware

    if args.show:
        saved: dict[str, dict[str, Tally]] = {}
        for path in args.show:
            for side, tallies in json.loads(Path(path).read_text()).items():
                saved[side] = {c: Tally(t["passed"], t["total"], t["server_errors"], Counter(
                    {int(k): v for k, v in t["statuses"].items()}), t["seconds"]) for c, t in tallies.items()}
        print_table(saved, hardware())
        return
    cases = {c: load_cases(c, args.per_category) for c in args.categories.split(",")}
    _checker()  # fail before any server starts when bfcl-eval is missing
    procs: list[subprocess.Popen[bytes]] = []
    sides: dict[str, dict[str, Tally]] = {}
    with tempfile.TemporaryDirectory(prefix="nexus-bfcl-") as data:
        try:
            wanted = args.sides.split(",")
            if "raw" in wanted:
                url = start_raw(procs, args.threads)
                sides["raw llama_cpp.server"] = run_side(url, "smollm2", "none", cases, args.max_tokens, args.verbose)
                procs.pop().terminate()
            if "ours" in wanted:
                if args.ours_url:
                    url, token = args.ours_url, args.token or ""
                else:
                    url, token = start_ours(procs, data, args.threads)
                sides["nexus /v1/chat/completions"] = run_side(url, "smollm2-135m-instruct", token, cases,
                                                               args.max_tokens, args.verbose)
        finally:
            for proc in procs:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
    if args.save:
        Path(args.save).write_text(json.dumps({side: {c: {"passed": t.passed, "total": t.total,
                                                          "server_errors": t.server_errors,
                                                          "statuses": dict(t.statuses), "seconds": t.seconds}
                                                      for c, t in tallies.items()}
                                               for side, tallies in sides.items()}))
    print_table(sides, hardware())


if __name__ == "__main__":
    main()
