"""/metrics (requests, TTFT, tokens, tool calls, approvals) and OpenTelemetry spans (turns, model calls, SQL)."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from agent.direct import DirectTurns
from agent.events import ApprovalRequired, Done, Token, ToolCall, ToolResult


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def tool_script(kit):
    def script(actor, message, thread_id):
        return [ToolCall(id="c1", tool="trial_balance", args={"period": "2026-10"}),
                ToolResult(id="c1", ok=True, summary="12 accounts"),
                ToolCall(id="c2", tool="propose_journal_entry", args={}),
                ToolResult(id="c2", ok=False, summary="period closed"),
                ApprovalRequired(approval_id="a1", draft={}, impact={}, payload_hash="0" * 64,
                                 approvers=["controller"]),
                Token(text="Done "), Token(text="here."),
                Done(thread_id=thread_id, usage={"input_tokens": 30, "output_tokens": 2})]
    return kit.ScriptedTurns(script, delay_s=0)


def test_metrics_count_requests_ttft_tokens_tools_and_approvals(make_app, bearer, kit) -> None:
    client, container = make_app(turns=tool_script(kit))
    with client.stream("POST", "/v1/chat", json={"message": "close October"}, headers=bearer(container)) as resp:
        assert resp.status_code == 200
        "".join(resp.iter_text())
    client.get("/v1/models", headers=bearer(container))
    body = client.get("/metrics", headers={"host": "127.0.0.1:8000"})  # loopback scrapers only
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/plain")
    s = samples(body.text)
    assert s[("nexus_http_requests_total", (("method", "GET"), ("route", "/v1/models"), ("status", "200")))] == 1
    assert s[("nexus_http_requests_total", (("method", "POST"), ("route", "/v1/chat"), ("status", "200")))] == 1
    assert s[("nexus_chat_ttft_seconds_count", (("surface", "sse"),))] == 1
    assert s[("nexus_llm_tokens_total", (("kind", "input"),))] == 30
    assert s[("nexus_llm_tokens_total", (("kind", "output"),))] == 2
    assert s[("nexus_tool_calls_total", (("outcome", "ok"), ("tool", "trial_balance")))] == 1
    assert s[("nexus_tool_calls_total", (("outcome", "error"), ("tool", "propose_journal_entry")))] == 1
    assert s[("nexus_approvals_total", (("channel", "sse"), ("event", "requested")))] == 1
    assert s[("nexus_http_request_duration_seconds_count", (("method", "POST"), ("route", "/v1/chat")))] == 1


def test_spans_around_turn_model_call_and_sql(make_app, bearer) -> None:
    # The real model path, under instrumentation.
    client, container = make_app(turns_of=lambda models: DirectTurns(models.get))
    exporter = InMemorySpanExporter()
    container.telemetry.add_span_processor(SimpleSpanProcessor(exporter))
    with client.stream("POST", "/v1/chat", json={"message": "hi"}, headers=bearer(container)) as resp:
        "".join(resp.iter_text())
    client.get("/v1/approvals", headers=bearer(container))
    names = [span.name for span in exporter.get_finished_spans()]
    assert "nexus.turn" in names
    assert any(name.startswith("llm.") for name in names), names
    assert any(name == "db.select" for name in names), names
    turn = next(s for s in exporter.get_finished_spans() if s.name == "nexus.turn")
    model = next(s for s in exporter.get_finished_spans() if s.name.startswith("llm."))
    assert model.parent is not None and model.parent.span_id == turn.context.span_id  # nested in its turn
    assert turn.attributes["nexus.outcome"] == "ok"


def test_json_logs_carry_the_request_id(make_app, bearer) -> None:
    import json
    import logging

    from server.logging_setup import JsonFormatter

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))  # formatted inside the request, like the real handler

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("nexus.ratelimit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        client, container = make_app(rate_limit_user="1/minute")
        headers = bearer(container) | {"X-Request-ID": "req-abc123"}
        client.get("/v1/models", headers=headers)
        resp = client.get("/v1/models", headers=headers)
    finally:
        logger.removeHandler(handler)
    assert resp.status_code == 429 and resp.headers["x-request-id"] == "req-abc123"
    entry = json.loads(lines[-1])
    assert entry["request_id"] == "req-abc123" and entry["level"] == "info" and "rate limited" in entry["msg"]


class Resumable:
    """A turn service whose threads resume after their approval: the resumed turn streams a posted answer."""

    def run(self, actor, message, thread_id):
        raise AssertionError("only resume is called here")

    async def resume(self, actor, thread_id):
        yield Token(text="Approved and posted.")
        yield Done(thread_id=thread_id, usage={"input_tokens": 0, "output_tokens": 3})


def test_resumed_turns_are_counted_and_traced_like_new_ones(make_app, bearer) -> None:
    client, container = make_app(turns=Resumable())
    exporter = InMemorySpanExporter()
    container.telemetry.add_span_processor(SimpleSpanProcessor(exporter))
    with client.stream("POST", "/v1/chat/threads/t-1/resume", headers=bearer(container)) as resp:
        assert resp.status_code == 200
        assert "Approved and posted." in "".join(resp.iter_text())
    s = samples(client.get("/metrics", headers={"host": "127.0.0.1:8000"}).text)
    assert s[("nexus_chat_turns_total", (("outcome", "ok"), ("surface", "sse")))] == 1
    assert s[("nexus_llm_tokens_total", (("kind", "output"),))] == 3
    turn = next(span for span in exporter.get_finished_spans() if span.name == "nexus.turn")
    assert turn.attributes["nexus.thread_id"] == "t-1"


def test_a_turn_service_that_keeps_no_threads_cannot_resume(make_app, bearer) -> None:
    client, container = make_app(turns_of=lambda models: DirectTurns(models.get))
    resp = client.post("/v1/chat/threads/t-1/resume", headers=bearer(container))
    assert resp.status_code == 409 and "cannot be resumed" in resp.text
