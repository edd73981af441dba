"""Approval notifications (durable jobs, retries, badge events) and thumbs up/down feedback."""

from __future__ import annotations

import time

from sqlalchemy import select

from server.interface_db import ensure_tables
from server.notifications.service import NotificationService
from server.notifications.store import NotificationJob


class FlakyChannel:
    """A channel that is down for its first ``failures`` attempts, then works."""

    name = "slack"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[tuple[str, str]] = []

    def deliver(self, job: NotificationJob) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("slack is down")
        self.delivered.append((job.recipient, job.approval_id))


def test_pending_approval_is_delivered_after_the_channel_comes_back(make_app, kit) -> None:
    _, container = make_app()
    kit.setup_company(container.db, "acme")
    ensure_tables(container.db)
    channel = FlakyChannel(failures=2)
    service = NotificationService(container.db, [channel], poll_s=0.01, max_backoff_s=0.05)
    view = kit.submit_entry(container.db, "acme")
    assert service.feed_once() == 1 and service.feed_once() == 0  # enqueued once, never twice
    delivered = 0
    for _ in range(50):
        delivered += service.deliver_once()
        if delivered:
            break
        time.sleep(0.02)
    assert channel.delivered == [("carol@acme", view["id"])]  # the controller, not alice who prepared it
    with container.db.read() as session:
        job = session.scalars(select(NotificationJob).where(NotificationJob.approval_id == view["id"])).one()
        assert job.status == "delivered" and job.attempts == 3 and job.last_error is None
    assert service.deliver_once() == 0  # delivered jobs are not sent again


def test_jobs_stay_pending_while_the_channel_is_down(make_app, kit) -> None:
    _, container = make_app()
    kit.setup_company(container.db, "acme")
    ensure_tables(container.db)
    service = NotificationService(container.db, [FlakyChannel(failures=10**6)], poll_s=0.01, max_backoff_s=0.02)
    kit.submit_entry(container.db, "acme")
    service.feed_once()
    for _ in range(5):
        service.deliver_once()
        time.sleep(0.03)
    with container.db.read() as session:
        job = session.scalars(select(NotificationJob)).one()
        assert job.status == "pending" and job.attempts >= 2 and "slack is down" in (job.last_error or "")


def test_widget_badge_is_pushed_to_open_streams(make_app, kit, bearer) -> None:
    client, container = make_app()
    kit.setup_company(container.db, "acme")
    carol = bearer(container, "carol@acme", ("controller", "employee"))
    service = container.notifications()
    with client.stream("GET", "/v1/events", headers=carol) as resp:
        lines = resp.iter_lines()
        first = kit.next_events(lines)
        assert first == [("approvals", {"pending": 0})]
        deadline = time.monotonic() + 5
        while container.event_hub.listeners("acme", "carol@acme") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        view = kit.submit_entry(container.db, "acme")
        service.poll_once()
        pushed = kit.next_events(lines)
    assert pushed[0][0] == "approvals" and pushed[0][1]["pending"] == 1
    assert pushed[0][1]["approval"]["id"] == view["id"]


class ThreadsOf:
    """Turns whose threads (``tenant/thread_id`` → owner) exist already: feedback asks the turn service who owns one."""

    def __init__(self, owners: dict[str, str]) -> None:
        self.owners = owners

    async def thread_owner(self, actor, thread_id: str) -> str | None:
        return self.owners.get(f"{actor.tenant}/{thread_id}")


def test_feedback_is_stored_with_the_thread_and_tenant_scoped(make_app, bearer) -> None:
    client, container = make_app(turns=ThreadsOf({"acme/th-1": "alice@acme"}))
    alice = bearer(container)
    up = client.post("/v1/feedback", headers=alice, json={"thread_id": "th-1", "rating": "up", "message_id": "m1"})
    assert up.status_code == 201 and up.json()["rating"] == "up"
    client.post("/v1/feedback", headers=alice, json={"thread_id": "th-1", "rating": "down", "comment": "wrong"})
    listed = client.get("/v1/feedback/th-1", headers=alice).json()
    assert [f["rating"] for f in listed] == ["up", "down"] and listed[1]["comment"] == "wrong"
    intruder = bearer(container, "alice@globex", ("accountant",))
    assert client.get("/v1/feedback/th-1", headers=intruder).status_code == 404
    stolen = client.post("/v1/feedback", headers=intruder, json={"thread_id": "th-1", "rating": "down"})
    assert stolen.status_code == 404 and "rating" not in stolen.text
    bad = client.post("/v1/feedback", headers=alice, json={"thread_id": "th-1", "rating": "meh"})
    assert bad.status_code == 422


def test_widget_assets_and_demo_sign_in(make_app) -> None:
    client, container = make_app()
    js = client.get("/widget.js")
    assert js.status_code == 200 and "attachShadow" in js.text
    assert js.headers["content-type"].startswith("text/javascript")
    page = client.get("/")
    assert page.status_code == 200 and '<script src="/widget.js">' in page.text
    local = {"host": "127.0.0.1:8000"}  # demo sign-in answers loopback addresses only
    session = client.get("/demo/token", headers=local).json()
    assert session["user"] == "carol@acme" and "controller" in session["roles"]
    actor = container.authenticator.authenticate(f"Bearer {session['token']}")
    assert actor.user_id == "carol@acme" and actor.tenant == "acme"
    assert client.get("/demo/token", params={"user": "mallory@acme"}, headers=local).status_code == 404


def test_demo_sign_in_is_off_without_the_dev_issuer(make_app) -> None:
    client, _ = make_app(auth_mode="oidc", oidc_server_url="http://127.0.0.1:9/")
    assert client.get("/demo/token").status_code == 404
