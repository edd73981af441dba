"""The agent as the server's TurnService: runs the graph per turn with a checkpointer, streams its events, and
resumes a thread that waits for an approval once erp_core says a human decided.

Thread ids are scoped by tenant, and only the user who started a thread may continue it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.types import Command
from sqlalchemy import select

from agent.config import AgentSettings
from agent.events import Done, Error, Event
from agent.graph import build_graph
from agent.routing import ToolRouter
from agent.state import AgentContext, new_turn
from erp_core.approvals.engine import get_approval
from erp_core.approvals.models import ApprovalDecision, ApprovalStatus
from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from tools.context import ToolContext
from tools.registry import ToolRegistry


class AgentTurns:
    """``run`` streams one turn; ``resume`` continues a thread whose approval was decided."""

    def __init__(self, *, model: Callable[[], BaseChatModel], db: Database, registry: ToolRegistry,
                 router: Callable[[], ToolRouter], checkpointer: Callable[[], Any],
                 documents: Callable[[], Any] | None = None, graph: Callable[[], Any] | None = None,
                 anomaly_scorer: Any = None, settings: AgentSettings | None = None) -> None:
        self._model = model
        self._db = db
        self._registry = registry
        self._router = router
        self._checkpointer = checkpointer
        self._documents = documents
        self._graph_store = graph
        self._scorer = anomaly_scorer
        self._settings = settings or AgentSettings()
        self._graph: Any = None
        self._saver: Any = None
        self._init_lock: asyncio.Lock | None = None

    async def graph(self) -> Any:
        if self._init_lock is None:  # created inside the serving event loop, not at construction
            self._init_lock = asyncio.Lock()
        async with self._init_lock:
            if self._graph is None:
                saver = self._checkpointer()
                if asyncio.iscoroutine(saver):
                    saver = await saver
                self._saver = saver
                self._graph = build_graph(saver)
        return self._graph

    async def aclose(self) -> None:
        """Close the checkpointer's connection (its worker thread would otherwise outlive the server)."""
        saver, self._saver, self._graph = self._saver, None, None
        if saver is None:
            return
        conn = getattr(saver, "conn", None)
        if conn is not None and hasattr(conn, "close"):
            result = conn.close()
            if asyncio.iscoroutine(result):
                await result

    async def _ready_router(self) -> ToolRouter:
        if getattr(self._router, "ready", False):
            return self._router()  # built: no thread hop on every turn
        return await asyncio.to_thread(self._router)  # the first turn embeds the tool catalogue (seconds)

    def _context(self, actor: Actor, thread_id: str, router: ToolRouter) -> AgentContext:
        s = self._settings
        tools = ToolContext(actor=actor, db=self._db, documents_provider=self._documents,
                            graph_provider=self._graph_store, anomaly_scorer=self._scorer, thread_id=thread_id,
                            today=s.today or dt.date.today())
        return AgentContext(model=self._model(), registry=self._registry, router=router, tools=tools, settings=s)

    @staticmethod
    def _config(actor: Actor, thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": f"{actor.tenant}/{thread_id}"}, "recursion_limit": 25}

    async def run(self, actor: Actor, message: str, thread_id: str) -> AsyncIterator[Event]:
        started = time.perf_counter()
        graph = await self.graph()
        config = self._config(actor, thread_id)
        snapshot = await graph.aget_state(config)
        values = snapshot.values or {}
        if values and values.get("owner") != actor.user_id:
            raise NexusError(ErrorCode.NOT_FOUND, f"thread {thread_id} not found")
        router = await self._ready_router()
        context = self._context(actor, thread_id, router)
        if snapshot.next:  # paused at an approval
            outcome = self._decided(actor, values.get("pending") or {})
            if outcome is None:
                pending = values.get("pending") or {}
                yield Error(code=ErrorCode.INVALID_STATE.value, retryable=False,
                            message=f"this thread waits for approval {pending.get('approval_id')}; approve or "
                                    "reject it first, or start a new thread")
                yield Done(thread_id=thread_id, latency_ms=_ms(started), extra={"pending_approval": pending})
                return
            async for event in self._stream(graph, Command(resume=outcome), config, context):
                yield event
        try:
            async for event in self._stream(graph, new_turn(actor.user_id, message), config, context):
                yield event
        except NexusError as exc:
            if exc.code is ErrorCode.CONTEXT_TOO_LONG:
                await self._forget_turn(graph, config, snapshot)
            raise
        yield await self._done(graph, config, thread_id, started)

    async def _forget_turn(self, graph: Any, config: dict[str, Any], before: Any) -> None:
        """Put a thread back as it was before a turn the model could not take (its message does not fit the context
        window). The failed run left that message, and the step it failed in, as the thread's newest checkpoint: every
        later turn would resume into the same failure."""
        if before.values:  # the thread's pre-turn checkpoint becomes its newest again
            await graph.aupdate_state(before.config, None, as_node="__copy__")
        else:  # the oversized message was the thread's first: the thread never began
            await self._saver.adelete_thread(config["configurable"]["thread_id"])

    async def resume(self, actor: Actor, thread_id: str) -> AsyncIterator[Event]:
        """Continue a thread after its approval was decided (the widget calls this right after approve/reject)."""
        started = time.perf_counter()
        graph = await self.graph()
        config = self._config(actor, thread_id)
        snapshot = await graph.aget_state(config)
        values = snapshot.values or {}
        if not values or values.get("owner") != actor.user_id:
            raise NexusError(ErrorCode.NOT_FOUND, f"thread {thread_id} not found")
        if not snapshot.next:
            raise NexusError(ErrorCode.INVALID_STATE, f"thread {thread_id} is not waiting for an approval")
        outcome = self._decided(actor, values.get("pending") or {})
        if outcome is None:
            raise NexusError(ErrorCode.INVALID_STATE, "the approval is still pending")
        router = await self._ready_router()
        async for event in self._stream(graph, Command(resume=outcome), config,
                                        self._context(actor, thread_id, router)):
            yield event
        yield await self._done(graph, config, thread_id, started)

    async def thread_owner(self, actor: Actor, thread_id: str) -> str | None:
        """Who started ``thread_id`` in the actor's tenant; None when the tenant has no such thread."""
        graph = await self.graph()
        values = (await graph.aget_state(self._config(actor, thread_id))).values or {}
        owner = values.get("owner")
        return str(owner) if owner else None

    def _decided(self, actor: Actor, pending: dict[str, Any]) -> dict[str, Any] | None:
        """The human decision as erp_core recorded it, or None while still pending. Never taken from the client."""
        approval_id = pending.get("approval_id")
        if not approval_id:
            return {"status": "unknown"}
        with self._db.unit_of_work() as session:  # the primary: a replica may lag behind the decision
            request = get_approval(str(approval_id), actor, session)
            if request.status == ApprovalStatus.PENDING.value:
                return None
            last = session.scalars(select(ApprovalDecision.approver_id)
                                   .where(ApprovalDecision.request_id == request.id)
                                   .order_by(ApprovalDecision.id.desc())).first()
            return {"status": request.status, "by": last or "the approver", "reason": request.reason,
                    "detail": "posted" if request.status == ApprovalStatus.APPROVED.value else request.status}

    @staticmethod
    async def _stream(graph: Any, payload: Any, config: dict[str, Any], context: AgentContext) -> AsyncIterator[Event]:
        # A turn lasts seconds: it is checkpointed when it ends or pauses at an approval, not after every node.
        # A crash mid-turn loses only that turn (the user asks again); a pending approval is always saved.
        async for chunk in graph.astream(payload, config, context=context, stream_mode="custom", durability="exit"):
            if isinstance(chunk, Event):
                yield chunk

    @staticmethod
    async def _done(graph: Any, config: dict[str, Any], thread_id: str, started: float) -> Done:
        snapshot = await graph.aget_state(config)
        values = snapshot.values or {}
        extra: dict[str, Any] = {"grounding": values.get("grounding"), "tools": [r["tool"] for r in
                                                                                values.get("results", [])]}
        if snapshot.next:
            extra["pending_approval"] = (values.get("pending") or {}).get("approval_id")
        return Done(thread_id=thread_id, usage=values.get("usage") or {}, latency_ms=_ms(started), extra=extra)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
