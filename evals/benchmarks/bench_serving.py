"""TTFT and decode speed through our server vs. raw llama-cpp-python, same prompt, same run, same machine.

    .venv/bin/python evals/benchmarks/bench_serving.py [--runs 10]

Both sides use the default model with a ~1,200-token system prompt. "cold" = a system prompt the model has never
seen (a fresh nonce at its start); "warm" = the same system prompt with a different user/thread suffix each time,
so the static prefix must come from the KV cache. The server side goes over HTTP (OpenAI-compatible streaming
endpoint, a real `nexus serve` process). The two sides run one after the other, never at once (2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.backends.llama_engine import default_model_path
from retrieval.servers.supervisor import free_port

POLICY = ("Expense policy: economy class below six hours of flight; hotels capped at 250 USD per night; per-diem meals "
          "75 USD; receipts above 25 USD; submit within 30 days. Journal entries below 10,000 USD post directly, "
          "from 10,000 a controller approves, from 100,000 the CFO approves as well. ")


def system_prompt(nonce: str = "") -> str:
    return f"{nonce}You are Nexus, the ERP assistant of Acme Robotics. " + POLICY * 13


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def raw_side(runs: int, max_tokens: int) -> dict[str, list[float]]:
    import llama_cpp
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    llm = llama_cpp.Llama(model_path=str(default_model_path()), n_ctx=4096, n_threads=2, n_threads_batch=2,
                          verbose=False)
    fmt = Jinja2ChatFormatter(template=llm.metadata["tokenizer.chat_template"],
                              eos_token="<|im_end|>", bos_token="<|im_start|>")

    def one(system: str, user: str) -> tuple[float, float, int]:
        prompt = fmt(messages=[{"role": "system", "content": system}, {"role": "user", "content": user}]).prompt
        start = time.perf_counter()
        first = 0.0
        n = 0
        for chunk in llm.create_completion(prompt, max_tokens=max_tokens, temperature=0, stream=True,
                                           stop=["<|im_end|>"]):
            if chunk["choices"][0]["text"]:  # type: ignore[index]
                n += 1
                if not first:
                    first = time.perf_counter() - start
        total = time.perf_counter() - start
        return first, total, n

    out: dict[str, list[float]] = {"cold": [], "warm": [], "decode": []}
    for i in range(3):
        first, _, _ = one(system_prompt(f"[{uuid.uuid4().hex}] "), f"user {i}: hello")
        out["cold"].append(first)
    base = system_prompt()
    one(base, "prime")
    for i in range(runs):
        first, total, n = one(base, f"user-{i}@acme asks: what is the hotel cap? ({i})")
        out["warm"].append(first)
        if n > 1:
            out["decode"].append((n - 1) / (total - first))
    return out


def server_side(runs: int, max_tokens: int, interval_ms: float | None = None) -> dict[str, list[float]]:
    data = Path(tempfile.mkdtemp(prefix="nexus-bench-"))
    port = free_port()
    env = {**os.environ, "NEXUS_DATA_DIR": str(data), "NEXUS_N_CTX": "4096", "NEXUS_MAX_TOKENS": str(max_tokens),
           "NEXUS_LOG_LEVEL": "warning"}
    if interval_ms is not None:
        env["NEXUS_STREAM_INTERVAL_MS"] = str(interval_ms)
    nexus = shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))
    proc = subprocess.Popen([nexus, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not become ready")
            time.sleep(0.2)
        from server.auth import DevIssuer

        issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
        client = httpx.Client(base_url=base, timeout=120)

        def one(system: str, user: str, who: str) -> tuple[float, float, int]:
            headers = {"Authorization": f"Bearer {issuer.issue(who, 'acme', ['accountant'])}"}
            body = {"stream": True, "max_tokens": max_tokens, "temperature": 0,
                    "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
            start = time.perf_counter()
            first = 0.0
            n = chunks = 0
            with client.stream("POST", "/v1/chat/completions", json=body, headers=headers) as resp:
                if resp.status_code != 200:
                    resp.read()
                    raise SystemExit(f"server answered {resp.status_code}: {resp.text}")
                for line in resp.iter_lines():
                    if not line.startswith("data:") or line.endswith("[DONE]"):
                        continue
                    chunk = json.loads(line[5:])
                    if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                        chunks += 1
                        if not first:
                            first = time.perf_counter() - start
                    if chunk.get("usage"):
                        n = chunk["usage"]["completion_tokens"]
            # a chunk may hold several tokens (NEXUS_STREAM_INTERVAL_MS): tokens are counted from the usage
            return first, time.perf_counter() - start, n or chunks

        out: dict[str, list[float]] = {"cold": [], "warm": [], "decode": []}
        for i in range(3):
            first, _, _ = one(system_prompt(f"[{uuid.uuid4().hex}] "), f"user {i}: hello", f"cold{i}@acme")
            out["cold"].append(first)
        base_prompt = system_prompt()
        one(base_prompt, "prime", "prime@acme")
        for i in range(runs):
            # a different user and thread each time: the static prefix must still be reused
            first, total, n = one(base_prompt, f"user-{i}@acme asks: what is the hotel cap? ({i})", f"u{i}@acme")
            out["warm"].append(first)
            if n > 1:
                out["decode"].append((n - 1) / (total - first))
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--intervals", default="", help="comma-separated NEXUS_STREAM_INTERVAL_MS values: one "
                                                        "server side per value (default: the server's default)")
    args = parser.parse_args()
    # The server's engine process waits passively unless told otherwise (agent/backends/engine_process.py); the raw
    # side waits the same way, so the comparison measures the serving path, not the OpenMP policy
    # (bench_llama_builds.py measures that). Set OMP_WAIT_POLICY to compare both sides under another policy.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp

    tokens = len(llama_cpp.Llama(model_path=str(default_model_path()), vocab_only=True, verbose=False)
                 .tokenize(system_prompt().encode()))
    print(f"model: {default_model_path().name}; system prompt: {tokens} tokens; 2 threads; runs: {args.runs}; "
          f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']} on both sides")
    raw = raw_side(args.runs, args.max_tokens)
    intervals: list[float | None] = [float(v) for v in args.intervals.split(",") if v] or [None]
    servers = {("nexus server (HTTP)" if ms is None else f"server, {ms:g} ms frames"): server_side(
        args.runs, args.max_tokens, ms) for ms in intervals}
    print(f"{'':24}{'raw llama-cpp-python':>22}" + "".join(f"{name:>26}" for name in servers))
    for label, key in (("cold TTFT p50", "cold"), ("warm TTFT p50", "warm")):
        r = statistics.median(raw[key]) * 1000
        print(f"{label:24}{r:>19.1f} ms" + "".join(
            f"{statistics.median(ours[key]) * 1000:>12.1f} ms ({statistics.median(ours[key]) * 1000 - r:+7.1f})"
            for ours in servers.values()))
    r95 = pct(raw["warm"], 0.95) * 1000
    print(f"{'warm TTFT p95':24}{r95:>19.1f} ms" + "".join(
        f"{pct(ours['warm'], 0.95) * 1000:>12.1f} ms ({pct(ours['warm'], 0.95) * 1000 - r95:+7.1f})"
        for ours in servers.values()))
    rd = statistics.median(raw["decode"])
    print(f"{'decode tokens/s p50':24}{rd:>22.1f}" + "".join(
        f"{statistics.median(ours['decode']):>17.1f} ({statistics.median(ours['decode']) / rd:.2f}x)"
        for ours in servers.values()))

if __name__ == "__main__":
    main()
