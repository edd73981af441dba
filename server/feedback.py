"""Thumbs up/down on an answer, stored with its thread in the SQL database (the interface layer's own table).

Feedback belongs to the thread's owner: the user who started the conversation, as the turn service records it. Anyone
else (another tenant, a colleague, or a thread id that never existed) gets 404, exactly like an unknown thread: no
data and no hint that it exists. Rows are also stored and read per tenant and user, so a thread id reused by another
tenant never mixes with this one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from erp_core.errors import not_found
from erp_core.identity import Actor
from erp_core.tenancy import as_utc, utcnow
from server.interface_base import InterfaceBase


class Feedback(InterfaceBase):
    __tablename__ = "nexus_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(200))
    thread_id: Mapped[str] = mapped_column(String(128), index=True)
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    surface: Mapped[str] = mapped_column(String(16), default="widget")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _view(row: Feedback) -> dict[str, Any]:
    return {"id": row.id, "thread_id": row.thread_id, "message_id": row.message_id, "rating": row.rating,
            "comment": row.comment, "user_id": row.user_id, "surface": row.surface,
            "created_at": as_utc(row.created_at).isoformat()}


def _thread_rows(session: Session, actor: Actor, thread_id: str) -> list[Feedback]:
    return list(session.scalars(select(Feedback).where(
        Feedback.tenant == actor.tenant, Feedback.user_id == actor.user_id, Feedback.thread_id == thread_id,
    ).order_by(Feedback.id)))


def check_owner(actor: Actor, thread_id: str, owner: str | None) -> None:
    """NOT_FOUND unless ``actor`` started the thread (``owner`` is the turn service's answer for the actor's tenant)."""
    if owner is None or owner != actor.user_id:
        raise not_found("thread", thread_id)


def record(session: Session, actor: Actor, thread_id: str, rating: str, *, message_id: str | None = None,
           comment: str | None = None, surface: str = "widget") -> dict[str, Any]:
    """Store one rating of the actor's own thread (callers check ownership first with ``check_owner``)."""
    row = Feedback(tenant=actor.tenant, user_id=actor.user_id, thread_id=thread_id, message_id=message_id,
                   rating=rating, comment=comment, surface=surface, created_at=utcnow())
    session.add(row)
    session.flush()
    return _view(row)


def for_thread(session: Session, actor: Actor, thread_id: str) -> list[dict[str, Any]]:
    """The actor's feedback on their own thread (empty until they rate an answer)."""
    return [_view(row) for row in _thread_rows(session, actor, thread_id)]
