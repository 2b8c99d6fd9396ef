"""``kenzen poa check`` reads a plan as the seller wrote it: a Word file or plain text."""

from __future__ import annotations

from pathlib import Path

from kenzen.db import Database
from tests.appeals.test_corpus import CORPUS, word_document
from tests.cli.test_commands import kenzen


def test_a_word_plan_is_checked_from_the_command_line(database: Database, tmp_path: Path) -> None:
    plan = tmp_path / "plan.docx"
    plan.write_bytes(word_document((CORPUS / "good-en-word.docx.txt").read_text("utf-8")))
    checked = kenzen(database.url, tmp_path, "poa", "check", str(plan))
    assert checked.exit_code == 0, checked.output
    assert checked.stderr.strip() == "0 finding(s), 0 error(s)"


def test_a_plan_without_a_cause_exits_1_with_the_finding(
    database: Database, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.txt"
    plan.write_text("対策\n・出品を削除しました\n再発防止策\n・毎日確認します", encoding="cp932")
    checked = kenzen(database.url, tmp_path, "poa", "check", str(plan))
    assert checked.exit_code == 1
    assert "根本原因が書かれていません" in checked.stdout
