"""Signed Slack requests in, recorded Web API calls out: mentions, DMs, /nexus, approvals, signatures, notifications."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import httpx
from sqlalchemy import select

from erp_core.ledger.models import JournalEntry
from server.notifications.store import NotificationJob

SECRET = "test-signing-secret"


def post(server: Any, kit: Any, body: str, content_type: str = "application/json",
         headers: dict[str, str] | None = None) -> httpx.Response:
    signed = kit.sign_slack(SECRET, body) | (headers or {})
    return httpx.post(f"{server.base_url}/slack/events", content=body,
                      headers={"Content-Type": content_type, **signed}, timeout=10)


def event(kind: str, user: str, text: str, channel: str = "C0FIN", **extra: Any) -> str:
    ts = f"{time.time():.6f}"
    body = {"token": "legacy", "team_id": "T0NEXUS", "api_app_id": "A0NEXUS", "type": "event_callback",
            "event_id": f"Ev{ts}", "event_time": int(time.time()),
            "event": {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts, **extra}}
    return json.dumps(body)


def form(**fields: str) -> str:
    return urllib.parse.urlencode(fields)


def test_url_verification_and_signature_checks(slack_server: Any, kit: Any) -> None:
    challenge = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "legacy"})
    assert post(slack_server, kit, challenge).json() == {"challenge": "abc123"}
    forged = httpx.post(f"{slack_server.base_url}/slack/events", content=challenge, timeout=10,
                        headers={"Content-Type": "application/json", **kit.sign_slack("wrong-secret", challenge)})
    assert forged.status_code == 401
    stale = kit.sign_slack(SECRET, challenge, timestamp=int(time.time()) - 3600)
    assert httpx.post(f"{slack_server.base_url}/slack/events", content=challenge, timeout=10,
                      headers={"Content-Type": "application/json", **stale}).status_code == 401


def test_mention_gets_a_threaded_reply_updated_while_streaming(slack_server: Any, slack_api: Any, kit: Any) -> None:
    body = event("app_mention", "UCAROL", "<@U0NEXUSBOT> what was rent in October?")
    assert post(slack_server, kit, body).status_code == 200
    mention_ts = json.loads(body)["event"]["ts"]
    opened = slack_api.wait_for("chat.postMessage")[0]
    assert opened.params["channel"] == "C0FIN" and opened.params["thread_ts"] == mention_ts
    deadline = time.monotonic() + 15
    while not any(c.params.get("text") == slack_server.answer for c in slack_api.named("chat.update")):
        assert time.monotonic() < deadline, [c.params.get("text") for c in slack_api.named("chat.update")]
        time.sleep(0.05)
    updates = slack_api.named("chat.update")
    assert len(updates) >= 2  # progressive: partial text first, the whole answer last
    assert len(updates[0].params["text"]) < len(slack_server.answer)
    assert {u.params["channel"] for u in updates} == {"C0FIN"} and len({u.params["ts"] for u in updates}) == 1
    actor, message, _ = slack_server.container.turns.inner.calls[0]
    assert actor.user_id == "carol@acme" and "controller" in actor.roles and message == "what was rent in October?"


def test_direct_message_and_bot_messages_ignored(slack_server: Any, slack_api: Any, kit: Any) -> None:
    post(slack_server, kit, event("message", "UALICE", "hello there", channel="D0ALICE", channel_type="im",
                                  bot_id="B0OTHER"))
    post(slack_server, kit, event("message", "UALICE", "trial balance please", channel="D0ALICE", channel_type="im"))
    slack_api.wait_for("chat.postMessage")
    time.sleep(0.5)
    calls = slack_server.container.turns.inner.calls
    assert [(a.user_id, m) for a, m, _ in calls] == [("alice@acme", "trial balance please")]


def test_slash_command_acks_then_answers_in_a_thread(slack_server: Any, slack_api: Any, kit: Any) -> None:
    resp = post(slack_server, kit, form(token="legacy", team_id="T0NEXUS", channel_id="C0FIN", user_id="UFRANK",
                                        command="/nexus", text="rent in October?", trigger_id="1.2",
                                        response_url="http://127.0.0.1:9/unused"),
                content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 200 and resp.text == ""  # acked at once; the answer follows through the Web API
    posts = slack_api.wait_for("chat.postMessage", 2)
    assert "asked: rent in October?" in posts[0].params["text"]
    assert posts[1].params["thread_ts"]  # the answer is threaded under the question
    # The "thinking…" placeholder is posted before the turn starts, so wait for the turn itself.
    calls = slack_server.container.turns.inner.calls
    deadline = time.monotonic() + 10
    while not calls:
        assert time.monotonic() < deadline, "the slash command never started a turn"
        time.sleep(0.05)
    assert calls[0][0].user_id == "frank@acme"


def test_unlinked_slack_user_is_told_and_nothing_runs(slack_server: Any, slack_api: Any, kit: Any) -> None:
    post(slack_server, kit, event("app_mention", "USTRANGER", "<@U0NEXUSBOT> show me payroll"))
    reply = slack_api.wait_for("chat.postMessage")[0]
    assert "not linked" in reply.params["text"]
    assert slack_server.container.turns.inner.calls == []


def _click(server: Any, kit: Any, user: str, action: str, view: dict[str, Any]) -> None:
    payload = {"type": "block_actions", "team": {"id": "T0NEXUS"}, "user": {"id": user}, "api_app_id": "A0NEXUS",
               "token": "legacy", "trigger_id": "1.2", "response_url": "http://127.0.0.1:9/unused",
               "container": {"type": "message", "channel_id": "D0CAROL", "message_ts": "1700000000.000200"},
               "channel": {"id": "D0CAROL"}, "message": {"ts": "1700000000.000200"},
               "actions": [{"action_id": action, "block_id": f"approval:{view['id']}", "type": "button",
                            "value": json.dumps({"approval_id": view["id"], "payload_hash": view["payload_hash"]}),
                            "action_ts": "1700000001.0"}]}
    assert post(server, kit, form(payload=json.dumps(payload)),
                content_type="application/x-www-form-urlencoded").status_code == 200


def test_approve_button_posts_the_entry_as_the_mapped_user(slack_server: Any, slack_api: Any, kit: Any) -> None:
    view = kit.submit_entry(slack_server.container.db, "acme")
    _click(slack_server, kit, "UCAROL", "nexus_approve", view)
    updated = slack_api.wait_for("chat.update")[0]
    assert updated.params["ts"] == "1700000000.000200" and "approved" in updated.params["text"]
    assert "actions" not in json.dumps(updated.params.get("blocks"))  # the buttons are gone
    with slack_server.container.db.read() as session:
        entry = session.get(JournalEntry, view["entry"]["id"])
        assert entry is not None and entry.status == "posted" and entry.posted_by == "carol@acme"


def test_preparer_cannot_approve_from_slack_either(slack_server: Any, slack_api: Any, kit: Any) -> None:
    view = kit.submit_entry(slack_server.container.db, "acme")
    _click(slack_server, kit, "UALICE", "nexus_approve", view)  # alice prepared it
    refusal = slack_api.wait_for("chat.postEphemeral")[0]
    assert refusal.params["user"] == "UALICE" and "segregation of duties" in refusal.params["text"]
    _click(slack_server, kit, "UCAROL", "nexus_reject", view)
    assert "rejected" in slack_api.wait_for("chat.update")[0].params["text"]


def test_waiting_approval_is_sent_as_a_dm_with_buttons_even_after_an_outage(slack_server: Any, slack_api: Any,
                                                                            kit: Any) -> None:
    slack_api.down = True  # Slack is unreachable when the approval is requested
    view = kit.submit_entry(slack_server.container.db, "acme", memo="Consulting accrual Q4")
    db = slack_server.container.db
    deadline = time.monotonic() + 15
    while True:
        with db.read() as session:
            jobs = [(j.channel, j.status, j.attempts) for j in session.scalars(
                select(NotificationJob).where(NotificationJob.approval_id == view["id"]))]
        if any(ch == "slack" and attempts >= 2 for ch, _, attempts in jobs):
            break
        assert time.monotonic() < deadline, jobs
        time.sleep(0.1)
    assert ("slack", "pending") in [(ch, st) for ch, st, _ in jobs]  # failed attempts, still queued
    slack_api.down = False
    dm = slack_api.wait_for("chat.postMessage", timeout_s=20)[0]
    assert slack_api.named("conversations.open")[0].params["users"] == "UCAROL"  # the controller, not alice
    assert "Consulting accrual Q4" in dm.params["text"]
    buttons = next(b for b in dm.params["blocks"] if b["type"] == "actions")["elements"]
    assert [b["action_id"] for b in buttons] == ["nexus_approve", "nexus_reject"]
    assert json.loads(buttons[0]["value"]) == {"approval_id": view["id"], "payload_hash": view["payload_hash"]}
    with db.read() as session:
        job = session.scalars(select(NotificationJob).where(NotificationJob.approval_id == view["id"],
                                                            NotificationJob.channel == "slack")).one()
        assert job.status == "delivered" and job.attempts >= 3
