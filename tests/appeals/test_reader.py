"""The forgiving reader: the usual section names in any heading form, items of every usual
kind, the introduction and closing set aside, and files from Word or a text editor."""

from __future__ import annotations

import io

import docx
import pytest

from kenzen.appeals.documents import MAX_PLAN_FILE_BYTES, MAX_UNPACKED_BYTES, text_of_file
from kenzen.appeals.poa import PlanOfAction
from kenzen.appeals.reader import (
    MAX_PLAN_TEXT,
    Section,
    boxes_text,
    heading_of,
    language_of,
    plan_text,
    read_text,
)
from kenzen.errors import InvalidInput


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("Root Cause", Section.CAUSE),
        ("## Root cause", Section.CAUSE),
        ("Reason:", Section.CAUSE),
        ("1. Root cause of the issue:", Section.CAUSE),
        ("What was the root cause of the issue?", Section.CAUSE),
        ("【根本原因】", Section.CAUSE),
        ("［原因］", Section.CAUSE),
        ("1. 問題の根本原因", Section.CAUSE),
        ("第1 根本原因", Section.CAUSE),
        ("■ 問題の原因", Section.CAUSE),
        ("**Corrective Actions**", Section.ACTIONS),
        ("Immediate actions", Section.ACTIONS),
        ("Actions taken to resolve the issue:", Section.ACTIONS),
        ("2. 実施した是正措置", Section.ACTIONS),
        ("## 対策", Section.ACTIONS),
        ("（2）対応", Section.ACTIONS),
        ("【是正措置】", Section.ACTIONS),
        ("Preventive Measures", Section.PREVENTION),
        ("Preventative measures:", Section.PREVENTION),
        ("Steps taken to prevent…", Section.PREVENTION),
        ("Actions to prevent recurrence", Section.PREVENTION),
        ("3. 今後の再発防止策", Section.PREVENTION),
        ("## 再発防止", Section.PREVENTION),
        ("今後の対策：", Section.PREVENTION),
        ("【予防策】", Section.PREVENTION),
        ("Affected listings", Section.LISTINGS),
        ("対象の出品", Section.LISTINGS),
    ],
)
def test_every_usual_section_name_in_every_heading_form(line: str, section: Section) -> None:
    heading = heading_of(line)
    assert heading is not None
    assert heading.section is section


@pytest.mark.parametrize(
    "line",
    [
        "1. 原因を調べ、出品を削除しました。",
        "- Actions were taken the same day.",
        "Cause of delay was a strike at the carrier.",
        "We will prevent this by checking every order.",
        "対策として、出荷作業日数を2日にしました。",
        "# 改善計画書",
    ],
)
def test_sentences_and_items_are_not_headings(line: str) -> None:
    assert heading_of(line) is None


def test_a_label_with_text_after_the_colon_keeps_the_text() -> None:
    heading = heading_of("Root cause of the issue: we did not check the brand")
    assert heading is not None
    assert heading.rest == "we did not check the brand"


@pytest.mark.parametrize(
    "marker", ["- ", "* ", "・", "• ", "1. ", "1) ", "(1) ", "①", "１．", "a) ", "一、"]
)
def test_items_of_every_usual_kind(marker: str) -> None:
    plan = read_text(
        f"根本原因\n商標を確認しなかった\n対策\n{marker}出品を削除した\n"
        f"{marker}在庫を返品した\n再発防止策\n{marker}出品前に商標を確認する"
    )
    [cause] = plan.root_causes
    assert cause.actions == ("出品を削除した", "在庫を返品した")
    assert cause.preventive_measures == ("出品前に商標を確認する",)


def test_several_causes_and_one_list_of_actions_stay_untied() -> None:
    plan = read_text(
        "Root causes\n- No brand check.\n- No supplier invoices.\n"
        "Corrective actions\n- Deleted the listing.\nPreventive measures\n- Checklist."
    )
    assert [c.text for c in plan.root_causes] == ["No brand check.", "No supplier invoices."]
    assert all(not c.actions for c in plan.root_causes)
    assert (plan.actions, plan.preventive_measures) == (("Deleted the listing.",), ("Checklist.",))


def test_repeated_headings_give_each_cause_its_own_actions() -> None:
    plan = read_text(
        "## Root cause 1: no brand check (violation 3)\n### Actions taken\n- Deleted B01\n"
        "### Preventive measures\n- Checklist\n"
        "## Root cause 2: late shipping (metric: late_shipment_rate_30d)\n"
        "### Actions taken\n- Handling time 2 days\n### Preventive measures\n- Daily report"
    )
    first, second = plan.root_causes
    assert (first.text, first.violation_id, first.actions) == (
        "no brand check",
        3,
        ("Deleted B01",),
    )
    assert (second.metric, second.preventive_measures) == (
        "late_shipment_rate_30d",
        ("Daily report",),
    )
    assert plan.actions == ()


def test_a_lead_in_sentence_before_numbered_causes_is_not_a_cause() -> None:
    plan = read_text(
        "【根本原因】\n原因は以下の2点です。\n1. 確認の手順がなかった\n2. 請求書を確認しなかった"
    )
    assert [c.text for c in plan.root_causes] == ["確認の手順がなかった", "請求書を確認しなかった"]


def test_details_under_a_cause_sentence_belong_to_it() -> None:
    plan = read_text(
        "## Root cause\nWe listed without a brand check.\n- The supplier said unbranded.\n"
        "  (and we believed it)\n## Actions taken\n- Deleted it"
    )
    [cause] = plan.root_causes
    assert (
        cause.text
        == "We listed without a brand check.\nThe supplier said unbranded.\n(and we believed it)"
    )


def test_introduction_closing_and_signature_are_set_aside() -> None:
    plan = read_text(
        "Dear Seller Performance Team,\nWe are writing about our account.\n\n"
        "Root cause: no brand check.\nActions taken:\n- Deleted the listing.\n"
        "Preventive measures:\n- A checklist before listing.\n\n"
        "Thank you for your time.\nBest regards,\nTaro Yamada\nSeller ID: A1B2C3"
    )
    assert plan.introduction == "Dear Seller Performance Team,\nWe are writing about our account."
    assert plan.root_causes[0].preventive_measures == ("A checklist before listing.",)
    assert plan.closing == "Thank you for your time.\nBest regards,\nTaro Yamada\nSeller ID: A1B2C3"


def test_a_japanese_signature_without_a_closing_phrase_is_set_aside() -> None:
    plan = read_text(
        "原因\n確認の手順がなかった\n対策\n・出品を削除した\n株式会社ソラノ\n2026年11月20日"
    )
    assert plan.root_causes[0].actions == ("出品を削除した",)
    assert plan.closing == "株式会社ソラノ\n2026年11月20日"


def test_text_without_any_section_is_kept_as_the_introduction() -> None:
    plan = read_text("今後気をつけます。よろしくお願いします。")
    assert plan.root_causes == ()
    assert plan.introduction == "今後気をつけます。よろしくお願いします。"


def test_listing_answers_are_read_and_other_lines_join_them() -> None:
    plan = read_text(
        "Root cause: x\nActions taken\n- y\nAffected listings\n"
        "- B0A1: deleted\n  and refunded\n- B0A2 - gone"
    )
    assert [(a.listing_id, a.text) for a in plan.listings] == [
        ("B0A1", "deleted\nand refunded\nB0A2 - gone")
    ]


def test_language_follows_the_text_not_a_brand_name() -> None:
    assert language_of("We removed the ソラノ listing after checking the register.") == "en"
    assert language_of("ソラノ社の商品を B0SORANO1 として出品していました。") == "ja"


def test_the_three_boxes_are_read_as_the_three_sections() -> None:
    text = boxes_text("商標を確認しなかった", "・出品を削除した", "・出品前に確認する")
    assert text.startswith("根本原因:\n商標を確認しなかった")
    [cause] = read_text(text).root_causes
    assert (cause.actions, cause.preventive_measures) == (
        ("出品を削除した",),
        ("出品前に確認する",),
    )
    assert boxes_text("No brand check", "", "").startswith("Root cause:")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_structured_plan_written_out_reads_back_the_same(language: str) -> None:
    plan = PlanOfAction.model_validate(
        {
            "language": language,
            "root_causes": [
                {
                    "text": "first line\nsecond line",
                    "violation_id": 4,
                    "actions": ["a1", "a2"],
                    "preventive_measures": ["p1\nmore"],
                },
                {
                    "text": "other cause",
                    "metric": "late_shipment_rate_30d",
                    "actions": ["a3"],
                    "preventive_measures": ["p2"],
                },
            ],
            "listings": [{"listing_id": "B0A1", "text": "deleted"}],
        }
    )
    assert read_text(plan_text(plan)) == plan


def test_limits_of_a_text_plan() -> None:
    items = "".join(f"- {n:04d} " + "y" * 490 + "\n" for n in range(50))
    text = "Root cause: x\nActions taken\n" + items
    read_text(text + "Preventive measures\n- " + "z" * (MAX_PLAN_TEXT - len(text) - 22))
    with pytest.raises(InvalidInput, match=f"text: the plan has {MAX_PLAN_TEXT + 1} characters"):
        read_text("x" * (MAX_PLAN_TEXT + 1))
    with pytest.raises(InvalidInput, match=r"root_causes\.0\.text is longer than 5000"):
        read_text("Root cause: " + "x" * 5001)
    with pytest.raises(InvalidInput, match="actions has more than 50 items"):
        read_text("Root cause: x\nActions taken\n" + "- y\n" * 51)


def _word(*paragraphs: tuple[str, str | None]) -> bytes:
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "再発防止策"
    table.rows[0].cells[1].text = "毎日15時に担当者が確認します"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_keeps_headings_lists_and_tables() -> None:
    data = _word(
        ("改善計画書", "Title"),
        ("根本原因", "Heading 1"),
        ("出品前に商標を確認していなかった", None),
        ("対策", "Heading 1"),
        ("出品を削除した", "List Bullet"),
        ("在庫を返品した", "List Number"),
    )
    text = text_of_file("plan.docx", data)
    assert text.splitlines()[:6] == [
        "# 改善計画書",
        "# 根本原因",
        "出品前に商標を確認していなかった",
        "# 対策",
        "- 出品を削除した",
        "- 在庫を返品した",
    ]
    [cause] = read_text(text).root_causes
    assert cause.actions == ("出品を削除した", "在庫を返品した")
    assert cause.preventive_measures == ("毎日15時に担当者が確認します",)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("根本原因：確認不足".encode(), "根本原因：確認不足"),
        ("根本原因：確認不足".encode("cp932"), "根本原因：確認不足"),
        ("\ufeffRoot cause: x".encode(), "Root cause: x"),
        ("Root cause: x".encode("utf-16"), "Root cause: x"),
    ],
)
def test_text_files_in_the_usual_encodings(data: bytes, text: str) -> None:
    assert text_of_file("plan.txt", data) == text


def _zip(name: str, size: int) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"<" + b" " * size)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file: plan.docx is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Word .doc file; save it as .docx"),
        (b"%PDF-1.7\n\x00\x01", "is neither a .docx nor a text file"),
        (b"\xff\xfe\xff", "file: plan.docx is not valid utf-16 text"),
        (b"\x81\x20\xff\xfe", "unknown encoding; save it as UTF-8"),
        (_zip("hello.txt", 10), "is a ZIP archive but not a Word document"),
        (_zip("word/document.xml", MAX_UNPACKED_BYTES), "unpacks to more than"),
        (_zip("word/document.xml", 10), "is not a readable Word document"),
        (b"x" * (MAX_PLAN_FILE_BYTES + 1), f"larger than {MAX_PLAN_FILE_BYTES} bytes"),
    ],
)
def test_bad_files_are_refused_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace(".", r"\.")):
        text_of_file("plan.docx", data)


def test_a_file_at_the_size_limit_is_read() -> None:
    data = b"Root cause: x\n" + b"y" * (MAX_PLAN_FILE_BYTES - 14)
    assert len(text_of_file("plan.txt", data)) == MAX_PLAN_FILE_BYTES
