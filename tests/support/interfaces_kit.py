"""Shared helpers for the interface tests (auth, widget, Slack, notifications, load).

Loaded by the ``kit`` fixture in tests/conftest.py (test modules are not importable from each other
under pytest's importlib mode). Everything here is real: a real uvicorn server on 127.0.0.1, a real ERP database with
a tenant, chart and approval policy, a real recording HTTP server standing in for the Slack Web API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from agent.events import ApprovalRequired, Done, Event, Token
from erp_core import approvals, ledger
from erp_core.approvals import install_default_policies
from erp_core.db import Database
from erp_core.directory import DirectoryUser
from erp_core.identity import Actor
from erp_core.ledger import CreateAccount, JournalLineIn, PeriodRef, PostJournalEntry
from erp_core.tenancy import ensure_tenant
from retrieval.servers.supervisor import free_port

CHART = [("1000", "Assets", "asset", None, False), ("1010", "Cash - Operating", "asset", "1000", True),
         ("6000", "Operating expenses", "expense", None, False), ("6100", "Rent Expense", "expense", "6000", True)]
PEOPLE = {"alice": "accountant,employee", "carol": "controller,employee", "frank": "cfo,employee",
          "eve": "employee"}
ENTRY_DAY = dt.date(2026, 10, 5)


def setup_company(db: Database, tenant: str) -> None:
    """A tenant with a small chart, October 2026 open, the demo approval policy and the demo people."""
    root = Actor.of(f"root@{tenant}", tenant, "admin,employee")
    with db.unit_of_work() as session:
        ensure_tenant(session, tenant, functional_currency="USD")
        install_default_policies(session, tenant)
        for code, name, kind, parent, postable in CHART:
            ledger.create_account(CreateAccount(code=code, name=name, type=kind, parent_code=parent,
                                                postable=postable), root, session)
        ledger.open_period(PeriodRef(year=ENTRY_DAY.year, month=ENTRY_DAY.month), root, session)
        for name, roles in PEOPLE.items():
            session.add(DirectoryUser(tenant=tenant, user_id=f"{name}@{tenant}", display_name=name.capitalize(),
                                      roles=roles))


def actor(tenant: str, name: str) -> Actor:
    return Actor.of(f"{name}@{tenant}", tenant, PEOPLE[name])


def entry_command(amount: str, memo: str = "Office rent October") -> PostJournalEntry:
    return PostJournalEntry(date=ENTRY_DAY, memo=memo, idempotency_key=uuid.uuid4().hex, lines=[
        JournalLineIn(account_code="6100", debit=amount, currency="USD"),
        JournalLineIn(account_code="1010", credit=amount, currency="USD")])


def submit_entry(db: Database, tenant: str, amount: str = "42000.00", memo: str = "Office rent October",
                 by: str = "alice") -> dict[str, Any]:
    """Alice proposes an entry (≥ 10,000 waits for a controller); returns the pending approval's view."""
    with db.unit_of_work() as session:
        result = ledger.submit_journal_entry(entry_command(amount, memo), actor(tenant, by), session)
        view = ledger.entry_view(result.entry, session)
    with db.read() as session:
        pending = approvals.list_pending_for(actor(tenant, "carol"), session)
        match = [p for p in pending if p.document_id == view["id"]]
        assert match, f"entry {view['id']} did not wait for approval: {view.get('status')}"
        return dict(approvals.approval_view(match[0], session)) | {"entry": view}


def approval_event(view: dict[str, Any]) -> ApprovalRequired:
    """What the agent emits for a pending approval: the draft, its ledger impact and who may approve."""
    entry = view["entry"]
    draft = {"memo": entry.get("memo"), "date": str(entry.get("date")), "amount": view.get("amount"),
             "currency": view.get("currency"), "preparer_id": view.get("preparer_id"),
             "document_type": view.get("document_type"),
             "lines": [{"account": line.get("account_code"), "debit": line.get("debit"), "credit": line.get("credit")}
                       for line in entry.get("lines", [])]}
    amount = Decimal(str(view["amount"]))
    # the shape tools/proposals.py gives a journal entry's impact: each touched account before and after
    impact = {"accounts": [
        {"account_code": "6100", "account_name": "Rent Expense", "currency": "USD", "before": "1008000.00",
         "change": f"{amount:+.2f}", "after": f"{Decimal('1008000.00') + amount:.2f}"},
        {"account_code": "1010", "account_name": "Cash - Operating", "currency": "USD", "before": "2500000.00",
         "change": f"{-amount:+.2f}", "after": f"{Decimal('2500000.00') - amount:.2f}"}]}
    approvers = [f"{r['count']} × {r['role'] or r['user_id']}" for r in view["requirements"]]
    return ApprovalRequired(approval_id=view["id"], draft=draft, impact=impact, payload_hash=view["payload_hash"],
                            approvers=approvers)


Script = Callable[[Actor, str, str], list[Event]]


class ScriptedTurns:
    """A TurnService that streams scripted events (with a small delay between them, like a model would)."""

    def __init__(self, script: Script, delay_s: float = 0.02) -> None:
        self.script = script
        self.delay_s = delay_s
        self.calls: list[tuple[Actor, str, str]] = []
        self.owners: dict[str, str] = {}  # "tenant/thread_id" → the user who started it (feedback asks)

    def run(self, actor: Actor, message: str, thread_id: str) -> AsyncIterator[Event]:
        self.calls.append((actor, message, thread_id))
        self.owners.setdefault(f"{actor.tenant}/{thread_id}", actor.user_id)
        return self._stream(self.script(actor, message, thread_id))

    async def thread_owner(self, actor: Actor, thread_id: str) -> str | None:
        return self.owners.get(f"{actor.tenant}/{thread_id}")

    async def _stream(self, events: list[Event]) -> AsyncIterator[Event]:
        for event in events:
            await asyncio.sleep(self.delay_s)
            yield event


def words(text: str, thread_id: str) -> list[Event]:
    pieces = [Token(text=part) for part in text.replace(" ", " \0").split("\0")]
    return [*pieces, Done(thread_id=thread_id, usage={"input_tokens": 12, "output_tokens": len(pieces)})]


class ServerThread:
    """A real uvicorn server for ``app`` on 127.0.0.1 in a background thread (lifespan included)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                access_log=False, timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class SlackCall:
    method: str
    params: dict[str, Any]


@dataclass
class RecordingSlackAPI:
    """Stands in for the Slack Web API at ``base_url``: records each call and answers like Slack does.

    ``down = True`` makes every call fail with HTTP 503 (a Slack outage), to test retries.
    """

    calls: list[SlackCall] = field(default_factory=list)
    down: bool = False
    port: int = field(default_factory=free_port)
    socket_url: str | None = None  # what apps.connections.open hands a Socket Mode client

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def named(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout_s: float = 15) -> list[SlackCall]:
        deadline = time.monotonic() + timeout_s
        while len(self.named(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} calls, got {[c.method for c in self.calls]}")
            time.sleep(0.05)
        return self.named(method)

    def start(self) -> None:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:
                method = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                if "json" in (self.headers.get("content-type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(body).items()}
                    for key in ("blocks", "attachments"):
                        if isinstance(params.get(key), str):
                            params[key] = json.loads(params[key])
                if recorder.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                recorder.calls.append(SlackCall(method, params))
                reply: dict[str, Any] = {"ok": True}
                if method == "chat.postMessage":
                    reply |= {"channel": params.get("channel"), "ts": f"{time.time():.6f}"}
                elif method == "chat.update":
                    reply |= {"channel": params.get("channel"), "ts": params.get("ts")}
                elif method == "apps.connections.open":
                    reply |= {"url": recorder.socket_url}
                elif method == "conversations.open":
                    reply |= {"channel": {"id": "D" + str(params.get("users", "X"))[:10]}}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def sign_slack(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends: v0 HMAC-SHA256 of ``v0:<timestamp>:<body>`` with the signing secret."""
    from slack_sdk.signature import SignatureVerifier

    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or ""}


def read_sse(lines: Any) -> list[tuple[str, dict[str, Any]]]:
    """Parse ``event:``/``data:`` lines into (event, data) pairs."""
    events: list[tuple[str, dict[str, Any]]] = []
    name = "message"
    for raw in lines:
        line = raw.decode() if isinstance(raw, bytes) else raw
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[5:].strip())))
            name = "message"
    return events


def next_events(lines: Any, count: int = 1) -> list[tuple[str, dict[str, Any]]]:
    """Read SSE lines from an iterator until ``count`` events (with data) have arrived."""
    taken: list[str] = []
    while sum(1 for line in taken if line.startswith("data:")) < count:
        raw = next(lines)
        taken.append(raw.decode() if isinstance(raw, bytes) else raw)
    return read_sse(taken)
