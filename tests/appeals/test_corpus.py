"""The corpus of plans in the shapes sellers use (tests/appeals/corpus/): every good plan is
understood with no error, every flawed one gets its finding; the checker's precision and
recall over the corpus are what docs/plan-of-action.md records.

Run ``python -m tests.appeals.test_corpus`` to print the figures."""

from __future__ import annotations

import io
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import docx
import pytest

from kenzen.appeals.checker import CaseContext, Finding, check
from kenzen.appeals.documents import text_of_file
from kenzen.appeals.poa import PlanOfAction
from kenzen.appeals.reader import read_text

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Sample:
    file: str
    good: bool
    context: CaseContext
    expect: frozenset[str]
    read: tuple[int, int, int] | None

    @property
    def language(self) -> str:
        return self.file.split("-")[1]


@cache
def manifest() -> dict[str, Any]:
    return tomllib.loads((CORPUS / "corpus.toml").read_text("utf-8"))


def _context(name: str) -> CaseContext:
    spec = manifest()["contexts"][name]
    return CaseContext(
        violation_ids=frozenset(spec.get("violations", [])),
        metrics=frozenset(spec.get("metrics", [])),
        listing_ids=frozenset(spec.get("listings", [])),
        categories=frozenset(spec.get("categories", [])),
        invoice_attached=spec.get("invoice_attached", False),
    )


def samples() -> list[Sample]:
    return [
        Sample(
            file=entry["file"],
            good=kind == "good",
            context=_context(entry["context"]),
            expect=frozenset(entry.get("expect", [])),
            read=tuple(entry["read"]) if "read" in entry else None,
        )
        for kind in ("good", "flawed")
        for entry in manifest()[kind]
    ]


def word_document(markup: str) -> bytes:
    """A real .docx as Word writes one: ``#`` a title, ``##`` a heading style, ``-`` a
    numbered list paragraph (Word keeps the number out of the text)."""
    document = docx.Document()
    for line in markup.splitlines():
        if line.startswith("## "):
            document.add_heading(line[3:], level=1)
        elif line.startswith("# "):
            document.add_heading(line[2:], level=0)
        elif line.startswith("- "):
            document.add_paragraph(line[2:], style="List Number")
        elif line.strip():
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def written(sample: Sample) -> str:
    """The plan's text as Kenzen gets it: pasted, or read from the uploaded file."""
    raw = (CORPUS / sample.file).read_text("utf-8")
    if sample.file.endswith(".docx.txt"):
        return text_of_file(sample.file.removesuffix(".txt"), word_document(raw))
    return raw


def findings_of(sample: Sample) -> tuple[PlanOfAction, list[Finding]]:
    text = written(sample)
    plan = read_text(text)
    return plan, check(plan, sample.context, text)


def test_the_corpus_is_as_large_as_promised_and_half_japanese() -> None:
    good = [s for s in samples() if s.good]
    flawed = [s for s in samples() if not s.good]
    assert len(good) >= 12
    assert len(flawed) >= 8
    assert Counter(s.language for s in samples())["ja"] * 2 >= len(samples())


@pytest.mark.parametrize("sample", [s for s in samples() if s.good], ids=lambda s: s.file)
def test_a_good_plan_is_understood_with_no_error_or_warning(sample: Sample) -> None:
    plan, findings = findings_of(sample)
    assert plan.language == sample.language
    assert plan.counts() == sample.read
    assert all(f.severity == "info" for f in findings), [f.message["en"] for f in findings]
    assert {f.code for f in findings} == sample.expect


@pytest.mark.parametrize("sample", [s for s in samples() if not s.good], ids=lambda s: s.file)
def test_a_flawed_plan_gets_its_finding(sample: Sample) -> None:
    plan, findings = findings_of(sample)
    assert plan.language == sample.language
    assert {f.code for f in findings} == sample.expect


def measure() -> tuple[float, float, Counter[str]]:
    """Precision and recall of the checker's finding codes over the whole corpus."""
    tally: Counter[str] = Counter()
    for sample in samples():
        found = {f.code for f in findings_of(sample)[1]}
        tally["true"] += len(found & sample.expect)
        tally["false_positive"] += len(found - sample.expect)
        tally["missed"] += len(sample.expect - found)
    precision = tally["true"] / ((tally["true"] + tally["false_positive"]) or 1)
    recall = tally["true"] / ((tally["true"] + tally["missed"]) or 1)
    return precision, recall, tally


def test_precision_and_recall_are_what_the_docs_record() -> None:
    precision, recall, _tally = measure()
    recorded = (Path(__file__).parents[2] / "docs" / "plan-of-action.md").read_text("utf-8")
    assert f"precision {precision:.2f}, recall {recall:.2f}" in recorded


if __name__ == "__main__":
    precision, recall, tally = measure()
    print(f"{len(samples())} plans: precision {precision:.2f}, recall {recall:.2f} {dict(tally)}")
