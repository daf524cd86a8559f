"""Dynamic batching: requests for one model wait in a bounded queue; a worker thread takes the first
one, waits up to `max_wait_ms` for up to `max_batch_size - 1` more, and decodes them together.

Answers go back piece by piece through each request's `deliver` callback (from the worker thread).
A full queue refuses the request at once (the server answers 503 with Retry-After) instead of
letting every user's latency grow without bound. `close()` stops taking requests and finishes
every one already accepted (the drain of a hot swap or a shutdown).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flywheel.serving.generation import ChatModel, GenerationRequest
from flywheel.serving.settings import BatchingSettings, FaultInjection


class QueueFull(RuntimeError):
    """The model's queue is at its bound."""


class ModelClosed(RuntimeError):
    """The model is draining or stopped and takes no new requests."""


class InjectedFault(RuntimeError):
    """A failure the fault-injection settings asked for."""


@dataclass(frozen=True)
class TextEvent:
    text: str = ""
    finish_reason: str | None = None
    tokens: int = 0  # generated so far
    error: str | None = None  # set on failure; nothing more follows


@dataclass
class Ticket:
    request: GenerationRequest
    deliver: Callable[[TextEvent], None]
    enqueued_at: float = field(default_factory=time.perf_counter)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        """The caller gave up (deadline, disconnect): generate nothing more for it."""
        self.cancelled.set()


class Batcher:
    def __init__(self, model: ChatModel, settings: BatchingSettings, faults: FaultInjection | None = None,
                 on_batch: Callable[[int], None] | None = None) -> None:
        self.model, self.settings = model, settings
        self.on_batch = on_batch
        self._queue: queue.Queue[Ticket] = queue.Queue(maxsize=settings.max_queue)
        self._closing = threading.Event()
        self._running = 0
        self.faults = faults or FaultInjection()
        self._thread = threading.Thread(target=self._work, name=f"batcher:{model.path}", daemon=True)
        self._thread.start()

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    @property
    def running(self) -> int:
        return self._running

    def submit(self, request: GenerationRequest, deliver: Callable[[TextEvent], None]) -> Ticket:
        if self._closing.is_set():
            raise ModelClosed(f"{self.model.path} is draining")
        ticket = Ticket(request, deliver)
        try:
            self._queue.put_nowait(ticket)
        except queue.Full:
            raise QueueFull(f"{self.settings.max_queue} requests already waiting") from None
        return ticket

    @property
    def faults(self) -> FaultInjection:
        return self._faults

    @faults.setter
    def faults(self, faults: FaultInjection) -> None:
        self._faults, self._random = faults, random.Random(faults.seed)

    def close(self, timeout: float | None = None) -> None:
        """Take nothing new; return once every accepted request is answered (or `timeout` passes)."""
        self._closing.set()
        self._thread.join(timeout)

    def _work(self) -> None:
        while not (self._closing.is_set() and self._queue.empty()):
            try:
                first = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            batch = [first]
            deadline = time.perf_counter() + self.settings.max_wait_ms / 1000
            while len(batch) < self.settings.max_batch_size:
                remaining = deadline - time.perf_counter()
                try:
                    batch.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
                except queue.Empty:
                    break
            self._run([t for t in batch if not t.cancelled.is_set()])

    def _run(self, batch: list[Ticket]) -> None:
        batch = [t for t in batch if not self._inject_error(t)]
        if not batch:
            return
        self._running = len(batch)
        try:
            if self.faults.added_latency_s:
                time.sleep(self.faults.added_latency_s)
            if self.on_batch:
                self.on_batch(len(batch))

            def on_text(row: int, delta: str, finish_reason: str | None, tokens: int) -> None:
                if not batch[row].cancelled.is_set():
                    batch[row].deliver(TextEvent(delta, finish_reason, tokens))

            self.model.generate([t.request for t in batch], on_text)
        except Exception as error:  # one failed batch fails its requests, never the worker
            for ticket in batch:
                ticket.deliver(TextEvent(error=f"{type(error).__name__}: {error}"))
        finally:
            self._running = 0

    def _inject_error(self, ticket: Ticket) -> bool:
        if self.faults.error_rate and self._random.random() < self.faults.error_rate:
            ticket.deliver(TextEvent(error=f"{InjectedFault.__name__}: fault injection "
                                           f"(error rate {self.faults.error_rate})"))
            return True
        return False
