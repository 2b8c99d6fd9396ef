"""Kill trials: ``kenzen worker`` as a real process, killed with SIGKILL at random points while it
delivers notices to a real SMTP server on loopback, then started again at once.

Each trial queues a few notices, lets the running worker deliver them and kills it: in every
other trial at a random moment after its first delivery, in the others from inside the SMTP
server at a random message, after the server has taken the whole message and before it
answers (the moment that made at-least-once delivery send twice). The next trial's worker is
started right after the kill. The report counts notices that arrived once, twice or never,
and for each notice still pending at a kill, how long after the restart it arrived.

Used by the slow fault test (``tests/notify/test_kill_trials.py``) and by
``bench/outbox_kill.py`` (more trials, or another checkout's worker).
"""

from __future__ import annotations

import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from functools import partial
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from kenzen.access import SYSTEM, Visibility
from kenzen.cases import service as cases
from kenzen.cases.models import CaseKind, EntryKind
from kenzen.db import Database
from kenzen.i18n import Message
from kenzen.outbox.models import Notice


@dataclass
class ArrivalLog:
    """An aiosmtpd handler that notes when each notice arrives; it can kill the sender once,
    after taking a message and before answering it."""

    arrivals: dict[str, list[float]] = field(default_factory=dict)
    kill_at_message: int = 0
    """Count down the messages; at zero, call ``kill`` before replying (0: never)."""
    kill: Callable[[], None] = lambda: None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.original_content or b""
        headers = BytesParser(policy=default_policy).parsebytes(content, headersonly=True)
        with self.lock:
            self.arrivals.setdefault(str(headers["X-Kenzen-Notice-Id"]), []).append(
                time.monotonic()
            )
            self.kill_at_message -= 1
            if self.kill_at_message == 0:
                self.kill()
        return "250 OK"

    def arrived(self, notice_ids: list[str]) -> list[str]:
        with self.lock:
            return [n for n in notice_ids if n in self.arrivals]

    def first_arrival(self, notice_id: str) -> float:
        with self.lock:
            return self.arrivals[notice_id][0]


@dataclass
class Report:
    trials: int
    queued: int
    lost: list[str]
    duplicated: list[str]
    waits: list[float]
    """Seconds from the restarted worker being up to the arrival, for each notice pending at
    a kill."""
    startups: list[float]
    """Seconds from starting each restarted worker's process to its being up."""
    kills_before_reply: int

    def summary(self) -> str:
        return (
            f"{self.trials} kills ({self.kills_before_reply} before the server's reply), "
            f"{self.queued} notices: {len(self.lost)} lost, {len(self.duplicated)} duplicated; "
            f"{len(self.waits)} pending at a kill waited after the restarted worker was up: "
            f"p50 {percentile(self.waits, 50):.2f} s, p99 {percentile(self.waits, 99):.2f} s, "
            f"max {max(self.waits, default=0.0):.2f} s; the worker's start-up took "
            f"p50 {percentile(self.startups, 50):.2f} s, "
            f"max {max(self.startups, default=0.0):.2f} s"
        )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)] if ordered else 0.0


def queue_notices(database: Database, count: int) -> list[str]:
    """``count`` mandatory notices for seller S1, in one case of their own."""
    with database.transaction() as session:
        case = cases.open_case(
            session, seller_id="S1", kind=CaseKind.GENERAL, title=Message("case.inquiry.title")
        )
        for number in range(count):
            cases.append_entry(
                session,
                case,
                SYSTEM,
                visibility=Visibility.SELLER,
                kind=EntryKind.WARNING,
                text=f"message {number + 1} of {count}",
            )
        session.flush()
        return list(session.scalars(select(Notice.id).where(Notice.case_id == case.id)))


READY_LINE = b"worker: delivering"
"""What ``kenzen worker`` prints once it has started, just before it starts delivering."""


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    started: float
    ready: threading.Event = field(default_factory=threading.Event)
    ready_at: float = 0.0


@dataclass
class KillTrials:
    database: Database
    log: ArrivalLog
    env: dict[str, str]
    """The worker's environment: KENZEN_HOME, the database, the SMTP server."""
    worker_log: Path
    rng: random.Random
    per_trial: int = 8
    wait_seconds: float = 60.0
    """How long a trial waits for the pending notices before counting them lost."""
    settle_seconds: float = 10.0
    """How long the last worker runs on after the last trial, so late duplicates show."""

    def _start(self) -> WorkerProcess:
        process = subprocess.Popen(
            [sys.executable, "-m", "kenzen", "worker"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        worker = WorkerProcess(process, started=time.monotonic())
        threading.Thread(target=self._follow, args=(worker,), daemon=True).start()
        return worker

    def _follow(self, worker: WorkerProcess) -> None:
        """Copy the worker's output to the log, noting when it says it is delivering."""
        assert worker.process.stdout is not None
        with self.worker_log.open("ab") as output:
            for line in worker.process.stdout:
                if line.startswith(READY_LINE) and not worker.ready.is_set():
                    worker.ready_at = time.monotonic()
                    worker.ready.set()
                output.write(line)

    def _wait_for(self, check: Callable[[], bool], seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not check():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _any_arrived(self, notice_ids: list[str]) -> bool:
        return bool(self.log.arrived(notice_ids))

    def _all_arrived(self, notice_ids: list[str]) -> bool:
        return len(self.log.arrived(notice_ids)) == len(notice_ids)

    def run(self, trials: int) -> Report:
        queued: list[str] = []
        waits: list[float] = []
        startups: list[float] = []
        before_reply = 0
        worker = self._start()
        try:
            for trial in range(trials):
                ids = queue_notices(self.database, self.per_trial)
                queued += ids
                victim = worker
                if trial % 2 == 0:
                    before_reply += 1
                    with self.log.lock:
                        self.log.kill = partial(os.kill, victim.process.pid, signal.SIGKILL)
                        self.log.kill_at_message = self.rng.randint(1, self.per_trial)
                else:
                    self._wait_for(partial(self._any_arrived, ids), self.wait_seconds)
                    time.sleep(self.rng.uniform(0, 0.5))
                    victim.process.send_signal(signal.SIGKILL)
                if victim.process.wait(timeout=self.wait_seconds) != -signal.SIGKILL:
                    raise RuntimeError(f"the worker ended by itself; see {self.worker_log}")
                with self.log.lock:
                    self.log.kill_at_message = 0
                pending = [n for n in queued if n not in set(self.log.arrived(queued))]
                worker = self._start()
                if not worker.ready.wait(self.wait_seconds):
                    raise RuntimeError(f"the worker did not start; see {self.worker_log}")
                startups.append(worker.ready_at - worker.started)
                self._wait_for(partial(self._all_arrived, pending), self.wait_seconds)
                waits += [
                    self.log.first_arrival(n) - worker.ready_at for n in self.log.arrived(pending)
                ]
            time.sleep(self.settle_seconds)
        finally:
            worker.process.terminate()
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        arrived = set(self.log.arrived(queued))
        with self.log.lock:
            duplicated = [n for n in queued if len(self.log.arrivals.get(n, [])) > 1]
        return Report(
            trials=trials,
            queued=len(queued),
            lost=[n for n in queued if n not in arrived],
            duplicated=duplicated,
            waits=waits,
            startups=startups,
            kills_before_reply=before_reply,
        )
