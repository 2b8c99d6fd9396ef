"""The catalogues: every message id the code and templates use exists in Japanese and English
with the same placeholders, the committed .mo files match their .po, plural forms, and the
choice of a reader's language."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import get_args

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from kenzen import i18n
from kenzen.complaints.brand_check import FINDING_MESSAGES
from kenzen.complaints.screening import FindingKind
from kenzen.errors import Conflict
from kenzen.i18n import N_
from kenzen.metrics.definitions import DEFINITIONS, METRIC_NAMES

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "src" / "kenzen"
#: What `make translations` extracts: Babel's defaults and its `-k` keywords.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "t": None,
    "tn": None,
    "Message": None,
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")


def _used_ids() -> dict[str, str]:
    """Every message id in the code and templates, as `pybabel extract` finds it (id → file)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found: dict[str, str] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        SOURCE, method_map, options_map, keywords=KEYWORDS
    ):
        for key in message if isinstance(message, tuple) else (message,):
            if key:
                found.setdefault(key, filename)
    return found


def _catalogue(language: str) -> dict[str, tuple[str, ...]]:
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    texts: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if key:
            texts[str(key)] = tuple(str(form or "") for form in forms)
    return texts


def _flat(value: object) -> object:
    """A plural message's forms as a tuple (.mo readers give lists, .po readers tuples)."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_every_used_message_id_is_in_both_catalogues() -> None:
    used = _used_ids()
    assert len(used) > 200  # the extraction found the code and templates
    for language in i18n.SUPPORTED:
        catalogue = _catalogue(language)
        missing = {key: where for key, where in used.items() if not any(catalogue.get(key, ()))}
        assert missing == {}, f"missing or empty in the {language} catalogue"


def test_the_catalogues_hold_the_same_ids_with_the_same_placeholders() -> None:
    japanese, english = _catalogue("ja"), _catalogue("en")
    assert set(japanese) == set(english)
    for key in english:
        names = {frozenset(PLACEHOLDER.findall(text)) for text in japanese[key] + english[key]}
        assert len(names) == 1, f"{key}: placeholders differ between forms or languages"
        assert all(japanese[key]), f"{key}: an empty Japanese translation"
        assert all(english[key]), f"{key}: an empty English translation"


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_no_text_says_itself_twice(language: str) -> None:
    """Two string literals after one msgstr are joined: a line left from an edit repeats it."""
    for key, forms in _catalogue(language).items():
        for text in forms:
            half = len(text) // 2
            assert not (half and text[:half] == text[half:]), f"{key} repeats itself"


def test_no_catalogue_keeps_ids_the_code_no_longer_uses() -> None:
    assert set(_catalogue("en")) - set(_used_ids()) == set()


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_the_committed_mo_matches_its_po(language: str) -> None:
    """`make translations` compiles them; a .po edited without it fails here."""
    folder = i18n.LOCALE_DIR / language / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as mo:
        compiled = {_flat(m.id): _flat(m.string) for m in read_mo(mo) if m.id}
    with (folder / "messages.po").open("rb") as po:
        written = {_flat(m.id): _flat(m.string) for m in read_po(po, locale=language) if m.id}
    assert compiled == written


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_each_catalogue_keeps_its_header_with_the_languages_plural_rule(language: str) -> None:
    """Without its header a catalogue is fuzzy (pybabel compile skips it) and gettext falls
    back to the English plural rule, so Japanese would get two forms."""
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    assert not catalog.fuzzy
    assert dict(catalog.mime_headers)["Plural-Forms"] == get_plural(language).plural_forms
    assert i18n.catalogue(language).info()["plural-forms"] == get_plural(language).plural_forms


def test_plural_forms_follow_each_language() -> None:
    assert i18n.tn("ui.findings_count", 1, "en") == "1 finding"
    assert i18n.tn("ui.findings_count", 2, "en") == "2 findings"
    assert i18n.tn("ui.findings_count", 0, "en") == "0 findings"
    assert i18n.tn("ui.findings_count", 1, "ja") == "指摘 1 件"
    assert i18n.tn("ui.findings_count", 3, "ja") == "指摘 3 件"


def test_a_message_takes_its_values_in_either_language() -> None:
    assert i18n.t("ui.version", "ja", number=2) == "第2版"
    assert i18n.t("ui.version", "en", number=2) == "version 2"
    assert i18n.t("ui.version", "fr", number=2) == "version 2"  # unsupported: the default


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR, ja;q=0.5", "ja"),  # French is not offered: the next wish
        ("ja;q=0.2, en;q=0.8", "en"),  # weights, not order
        ("ja;q=0, en", "en"),  # q=0 means "not this one"
        ("de", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("ja;q=abc, ;;, en-", "en"),  # garbage is ignored, not an error
    ],
)
def test_the_browser_language_is_negotiated(header: str | None, language: str) -> None:
    assert i18n.negotiate(accept_language=header) == language


def test_a_chosen_language_wins_over_the_browser() -> None:
    assert i18n.negotiate("en", "ja", accept_language="ja") == "en"
    assert i18n.negotiate(None, "ja", accept_language="en") == "ja"
    assert i18n.negotiate(None, None, accept_language="ja-JP") == "ja"


def test_pick_takes_the_reader_language_else_the_default() -> None:
    texts = {"ja": "日本語", "en": "English"}
    assert i18n.pick(texts, "ja") == "日本語"
    assert i18n.pick(texts, "en") == "English"
    assert i18n.pick(texts, "fr") == "English"


def test_every_metric_and_screening_finding_has_a_name() -> None:
    assert set(METRIC_NAMES) == set(DEFINITIONS)
    assert set(FINDING_MESSAGES) == set(get_args(FindingKind))


def test_a_label_table_that_forgets_a_member_is_refused() -> None:
    from kenzen.sellers.status import AccountStatus

    with pytest.raises(LookupError, match="AccountStatus: DEACTIVATED"):
        i18n.labels(AccountStatus, {AccountStatus.NORMAL: "a", AccountStatus.AT_RISK: "b"})


def test_a_missing_compiled_catalogue_says_how_to_make_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(i18n.CatalogueMissing, match="make translations"):
            i18n.catalogue("ja")
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


def test_templates_translate_in_the_page_language_and_escape_values() -> None:
    from kenzen.web.pages.common import templates

    page = templates.env.from_string(
        '{{ ngettext("ui.findings_count", "ui.findings_count", n) }} · '
        '{{ _("ui.root_cause_for", subject=subject) }}'
    )
    assert page.render(lang="en", n=1, subject="<b>") == "1 finding · Root cause for &lt;b&gt;"
    assert page.render(lang="en", n=4, subject="x") == "4 findings · Root cause for x"
    assert page.render(lang="ja", n=4, subject="x") == "指摘 4 件 · xの根本原因"


def test_a_stored_message_survives_json_and_renders_in_each_language() -> None:
    stored = i18n.Message(
        "entry.screening",
        {
            "findings": [
                i18n.Message("complaint.patent"),
                {"ja": "運営者の文言", "en": "the operator's words"},
                "B0A1 (A1)",
            ]
        },
    )
    again = i18n.Message.from_json(json.loads(json.dumps(stored.as_json())))
    assert again == stored
    assert again.render("en").splitlines()[1:] == ["patent", "the operator's words", "B0A1 (A1)"]
    assert again.render("ja").splitlines()[1:] == ["特許権侵害", "運営者の文言", "B0A1 (A1)"]


def test_a_value_that_is_not_a_message_value_is_refused() -> None:
    with pytest.raises(ValueError, match="not a message value"):
        i18n.Message.from_json({"id": "ui.version", "params": {"number": None}})


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """KenzenError and every class derived from it, by name, across the package."""
    known = {"KenzenError"}
    grew = True
    while grew:
        before = len(known)
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id in known for base in node.bases
                ):
                    known.add(node.name)
        grew = len(known) > before
    return known


def test_every_error_is_raised_with_a_message_id_not_words() -> None:
    """An error's text is put into the reader's language when shown, so the code hands over
    a message id (``N_``, which extraction finds) and values, never formatted English."""
    trees = {path: ast.parse(path.read_text("utf-8")) for path in SOURCE.rglob("*.py")}
    classes = _error_classes(trees)
    assert {"NotFound", "InvalidInput", "EventFormatError", "TokenRequestError"} <= classes
    worded = [
        f"{path.relative_to(SOURCE)}:{node.lineno}"
        for path, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in classes
        and any(
            isinstance(argument, ast.JoinedStr | ast.BinOp)
            or (isinstance(argument, ast.Constant) and " " in str(argument.value))
            for argument in node.args
        )
    ]
    assert worded == []


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_an_error_is_worded_in_the_readers_language_and_logged_in_english(language: str) -> None:
    error = Conflict(N_("error.case_closed"), case_id=7)
    worded = {"ja": "ケース 7 はクローズ済みです", "en": "case 7 is closed"}
    assert error.in_language(language) == worded[language]
    assert error.message == str(error) == "case 7 is closed"
