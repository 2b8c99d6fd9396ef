"""Start-up of the ``kenzen`` command: how long before a command does its work.

Each command runs ``--runs`` times as a fresh ``python -m kenzen`` process; the median
wall-clock and CPU (user + system, from the child's rusage) are printed. ``--before SRC``
runs the same commands again with another checkout's ``src`` on ``PYTHONPATH`` (e.g. a
``git worktree`` of an older commit), interleaved with this tree's runs so that both see
the same load; the bare interpreter (``python -c pass``) is the floor. A run that ends with
another exit status than the command's own (0; 1 for the unsigned mail, SUSPICIOUS) is
reported as failed with the last line of its stderr instead of a figure: a refusal (say, an
older tree that finds the database's schema newer than its own) is not the command's work.

``kenzen verify mail.eml`` checks an unsigned mail against a migrated, empty SQLite database;
``kenzen verify notice.eml`` a genuine, signed notice of the demo (its DKIM signatures are
verified and its case entry printed); ``kenzen report sp-api`` prints a demo seller's report.
The demo home (``--demo-home``) is prepared once and kept between runs: ``kenzen db upgrade``,
``kenzen demo --if-empty`` and, while it holds no mail, ``kenzen worker --once``, which
writes the notices as .eml files (together a few minutes).

    .venv/bin/python bench/startup.py --runs 9 --demo-home /tmp/kenzen-bench-demo \
        --before /tmp/kenzen-before/src
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src"
MAIL = (
    "From: account-health@jp.kenzen.test\r\nTo: seller@example.test\r\n"
    "Subject: Your account\r\n\r\nPlease log in.\r\n"
)


class Failed(Exception):
    """A run ended with another exit status than the command's own."""


def run_once(command: list[str], env: dict[str, str], status: int) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one process running ``command``, which must end with
    exit ``status``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != status:
        last = (done.stderr.strip().splitlines() or [""])[-1]
        raise Failed(f"FAILED: exit {done.returncode}: {last}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--before", type=Path, help="Another checkout's src directory.")
    parser.add_argument(
        "--demo-home", type=Path, required=True, help="KENZEN_HOME of the demo (made if empty)."
    )
    parser.add_argument("--seller", default="S0001", help="The demo seller of the report.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        mail = Path(home) / "mail.eml"
        mail.write_text(MAIL, encoding="utf-8")
        base = {**os.environ, "KENZEN_HOME": home}
        base.pop("KENZEN_DATABASE_URL", None)
        trees = {"after": SOURCE} | ({"before": options.before} if options.before else {})
        envs = {name: {**base, "PYTHONPATH": str(src)} for name, src in trees.items()}
        subprocess.run(
            [sys.executable, "-m", "kenzen", "db", "upgrade"], env=envs["after"], check=True
        )
        demo = {**envs["after"], "KENZEN_HOME": str(options.demo_home)}
        mail_dir = options.demo_home / "mail"
        steps = [["db", "upgrade"], ["demo", "--if-empty"]]
        if not any(mail_dir.glob("*.eml")):
            steps.append(["worker", "--once"])
        for step in steps:
            subprocess.run([sys.executable, "-m", "kenzen", *step], env=demo, check=True)  # noqa: S603
        notice = min(mail_dir.glob("*.eml"))
        demo_envs = {
            name: {**env, "KENZEN_HOME": str(options.demo_home)} for name, env in envs.items()
        }
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "kenzen --help": [sys.executable, "-m", "kenzen", "--help"],
            "kenzen verify --help": [sys.executable, "-m", "kenzen", "verify", "--help"],
            "kenzen verify mail.eml": [sys.executable, "-m", "kenzen", "verify", str(mail)],
            "kenzen verify notice.eml": [sys.executable, "-m", "kenzen", "verify", str(notice)],
            "kenzen report sp-api": [
                sys.executable, "-m", "kenzen", "report", "sp-api", "--seller", options.seller
            ],
        }  # fmt: skip
        print(f"load average at start: {os.getloadavg()[0]:.2f}; {options.runs} runs each")
        print(f"{'command':26} {'tree':7} {'wall median':>12} {'CPU median':>11}")
        for label, command in commands.items():
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in envs}
            failed: dict[str, str] = {}
            on_demo = label in {"kenzen verify notice.eml", "kenzen report sp-api"}
            chosen = demo_envs if on_demo else envs
            status = 1 if label == "kenzen verify mail.eml" else 0
            for _ in range(options.runs):
                for name, env in chosen.items():
                    if name in failed:
                        continue
                    try:
                        samples[name].append(run_once(command, env, status))
                    except Failed as failure:
                        failed[name] = str(failure)
            for name, measured in samples.items():
                if name in failed:
                    print(f"{label:26} {name:7} {failed[name]}")
                    continue
                wall = statistics.median(w for w, _ in measured)
                cpu = statistics.median(c for _, c in measured)
                print(f"{label:26} {name:7} {wall:10.3f} s {cpu:9.3f} s")
        print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
