"""Notices through ``kill -9``: lost, duplicated, and waits after the restart.

Runs the fault test's kill trials (``tests/notify/killing.py``) with more of them: a real
``kenzen worker`` process delivering to an SMTP server (aiosmtpd) on loopback, killed with
SIGKILL at random points and started again at once. ``--worker-src`` runs the worker of
another checkout (e.g. the code before the change) against the same database.

    .venv/bin/python bench/outbox_kill.py --home /tmp/kenzen-kill --trials 100
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from aiosmtpd.controller import Controller  # noqa: E402
from tests.conftest import build_world  # noqa: E402
from tests.notify.killing import ArrivalLog, KillTrials  # noqa: E402

from kenzen.access import SYSTEM  # noqa: E402
from kenzen.db import Database  # noqa: E402
from kenzen.notify import service as notices  # noqa: E402
from kenzen.notify.keys import Keyring  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="emptied first")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--per-trial", type=int, default=8, help="notices queued per trial")
    parser.add_argument("--database-url", help="default: SQLite under --home")
    parser.add_argument("--worker-src", type=Path, default=ROOT / "src")
    parser.add_argument("--wait-seconds", type=float, default=60.0)
    parser.add_argument("--settle-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()

    shutil.rmtree(args.home, ignore_errors=True)
    args.home.mkdir(parents=True)
    url = args.database_url or f"sqlite:///{args.home / 'kenzen.db'}"
    database = Database(url)
    database.upgrade()
    build_world(database)
    with database.transaction() as session:
        notices.set_mail_domain(session, SYSTEM, "JP", "amazon.co.jp")
        for algorithm in ("rsa", "ed25519"):
            notices.generate_dkim_key(
                session, SYSTEM, Keyring(args.home / "keys"), "JP", algorithm=algorithm
            )

    log = ArrivalLog()
    controller = Controller(log, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = {
        **os.environ,
        "PYTHONPATH": str(args.worker_src),
        "KENZEN_HOME": str(args.home),
        "KENZEN_DATABASE_URL": url,
        "KENZEN_SMTP_HOST": "127.0.0.1",
        "KENZEN_SMTP_PORT": str(controller.port),
        "KENZEN_SMTP_STARTTLS": "false",
    }
    try:
        report = KillTrials(
            database,
            log,
            env,
            worker_log=args.home / "worker.log",
            rng=random.Random(args.seed),
            per_trial=args.per_trial,
            wait_seconds=args.wait_seconds,
            settle_seconds=args.settle_seconds,
        ).run(args.trials)
    finally:
        controller.stop()
        database.dispose()
    print(report.summary())
    print(
        json.dumps(
            {
                "load_average_1min_at_end": os.getloadavg()[0],
                "lost": len(report.lost),
                "duplicated": len(report.duplicated),
                "waits_s": [round(w, 3) for w in sorted(report.waits)],
                "startups_s": [round(w, 3) for w in sorted(report.startups)],
            }
        )
    )


if __name__ == "__main__":
    main()
