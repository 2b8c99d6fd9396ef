"""A real worker process killed with SIGKILL in the middle of an evaluation: the seller stays
marked, nothing of the evaluation is kept, and the worker started again evaluates it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from kenzen import clock
from kenzen.access import Role
from kenzen.policy import proposals
from kenzen.policy.document import Policy
from kenzen.policy.enforcement import record_reviewed_violation
from kenzen.sellers.models import EvaluationMark
from tests.conftest import World

#: A worker whose evaluation of S1 stops, transaction open, once the enforcement is done.
STUCK_WORKER = """
import sys, threading
from pathlib import Path
from kenzen.db import Database
from kenzen.policy import continuous
from kenzen.policy.document import PolicyHolder

enforce = continuous.enforce_seller

def enforce_then_hang(session, actor, policy, seller_id, as_of):
    outcome = enforce(session, actor, policy, seller_id, as_of)
    if seller_id == "S1":
        session.flush()
        print("enforced", outcome.actions, flush=True)
        threading.Event().wait()
    return outcome

continuous.enforce_seller = enforce_then_hang
events = Path(sys.argv[2])
database = Database(sys.argv[1], events_dir=events)
continuous.Evaluator(database, events, PolicyHolder(None)).run_once()
"""


def _marked(world: World) -> list[str]:
    with world.database.transaction() as session:
        return list(session.scalars(select(EvaluationMark.seller_id)))


def _pending(world: World) -> list[str]:
    with world.database.transaction() as session:
        return [p.kind for p in proposals.pending(session, "S1")]


def test_a_worker_killed_mid_evaluation_leaves_the_seller_marked_for_the_next(
    world: World, policy: Policy, tmp_path: Path
) -> None:
    with world.database.transaction() as session:
        for days_ago in (1, 2):  # two restricted products: the cap proposes a deactivation
            record_reviewed_violation(
                session,
                world.actors[Role.ACCOUNT_SPECIALIST],
                policy,
                "S1",
                category="restrictedProductPolicyViolations",
                reason="found in review",
                occurred_at=clock.now() - timedelta(days=days_ago),
            )
    assert _marked(world) == ["S1"]
    env = {
        **os.environ,
        "KENZEN_HOME": str(tmp_path),
        "KENZEN_DATABASE_URL": world.database.url,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    stuck = subprocess.Popen(
        [sys.executable, "-c", STUCK_WORKER, world.database.url, str(tmp_path / "events")],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert stuck.stdout is not None
        line = stuck.stdout.readline()  # blocks until S1 is enforced, transaction open
        assert line.startswith("enforced ['PROPOSED DEACTIVATE (caps.restricted_products)"), line
    finally:
        os.kill(stuck.pid, signal.SIGKILL)
        stuck.wait(timeout=60)
    assert stuck.returncode == -signal.SIGKILL
    assert "S1" in _marked(world)
    assert _pending(world) == []  # rolled back with the transaction
    restarted = subprocess.run(
        [sys.executable, "-m", "kenzen", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert restarted.returncode == 0, restarted.stderr
    assert "seller(s) evaluated" in restarted.stderr
    assert _pending(world) == ["DEACTIVATE"]
    assert _marked(world) == []
