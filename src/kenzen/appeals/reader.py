"""Reading a Plan of Action from the text a seller actually wrote, in Japanese or English.

Sellers write plans in Word, in the Seller Central text box or from a published template,
so the reader is forgiving: the three sections are found by their many usual names in any
heading form (Markdown ``#``, 【】, ［］, ``1.`` or ``第1`` numbering, a label ending in a
colon, a line on its own); items are bullets or numbers of every usual kind, or plain
lines; the introduction, the closing and the signature are set aside, never refused.

Causes: a cause section with bullets or numbers gives one cause per item; plain lines give
one cause. Headings that repeat ("Root cause 1 … Actions … Root cause 2 … Actions") give
each cause its own actions. Several causes with one list of actions stay one list on the
plan, untied; the checker suggests tying them. A cause may name what it explains:
``(violation 12)``, ``(違反 12)``, ``(metric: late_shipment_rate_30d)``.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from kenzen.appeals.poa import MAX_ITEMS, MAX_TEXT, PlanOfAction
from kenzen.errors import InvalidInput
from kenzen.i18n import N_

#: The longest plan read as text: Amazon's box takes far less; a Word plan fits easily.
MAX_PLAN_TEXT = 30_000


class Section(enum.Enum):
    CAUSE = "root_causes"
    ACTIONS = "actions"
    PREVENTION = "preventive_measures"
    LISTINGS = "listings"


_DIGIT = "0-9０-９"
_CIRCLED = "①-⑳"
_KANJI_NUMBER = "一二三四五六七八九十"
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
#: A list item's marker: bullets, ``1.``, ``1)``, ``(1)``, ``①``, ``一、``, ``a)``.
_MARKER = re.compile(
    rf"""^(?P<marker>
        [-*+・•●○◦▪▫■□◆◇▶►▸→※✓✔☐☑]
      | [{_DIGIT}]{{1,3}}\s*[.．。、)）:：](?![{_DIGIT}])
      | [(（][{_DIGIT}]{{1,3}}[)）]
      | [(（]?[a-zA-Zａ-ｚ][)）]
      | [{_CIRCLED}]
      | [{_KANJI_NUMBER}]{{1,2}}[、.．]
      | [{_ROMAN}][.．、]?
      | [IVX]{{1,4}}[.)]
    )\s*(?P<rest>.*)$""",
    re.VERBOSE,
)
_HASHES = re.compile(r"^#{1,6}\s*(?P<rest>.*?)\s*#*$")
_BRACKETS = re.compile(
    r"^[【\[［〔〈《<]\s*(?P<label>[^】\]］〕〉》>]+?)\s*[】\]］〕〉》>]\s*(?P<rest>.*)$"
)
_BOLD = re.compile(r"^(?:\*\*|__)(?P<label>.+?)(?:\*\*|__)\s*(?P<rest>.*)$")
_NUMBERED = re.compile(
    rf"""^(?:第\s*[{_DIGIT}{_KANJI_NUMBER}]+\s*[章節項部条]?
      | (?:step|part|section|q)\s*[{_DIGIT}]+\s*[.:)\-–]?
      | [{_DIGIT}]{{1,2}}\s*[.．。、)）:](?![{_DIGIT}])
      | [(（][{_DIGIT}]{{1,2}}[)）]
      | [{_CIRCLED}]
      | [{_KANJI_NUMBER}][、.．]
      | [{_ROMAN}][.．、]?
      | [IVX]{{1,4}}\.
      | [■□◆◇●○▼▽▶►★☆◎◇※]
    )\s*(?P<rest>.*)$""",
    re.VERBOSE | re.IGNORECASE,
)
_COLON = re.compile(r"\s*[:：]\s*")
_TRAILING_NUMBER = re.compile(rf"\s*(?:#|no\.?\s*)?[{_DIGIT}{_CIRCLED}]+$", re.IGNORECASE)

# Section names, matched against the whole normalised label (NFKC, case-folded, without a
# trailing number, "?" or "…"): the names sellers, templates and Amazon's own form use.
_W = r"(?:\s+[\w'’-]+)"
_SUBJECT = (
    r"(?:\s+(?:the|this|these|my|our|an?))?(?:\s+[\w-]+){0,3}?\s+(?:issues?|problems?|violations?|"
    r"complaints?|deactivation|suspension|shipments?|cancellations?|defects?|rate|claims?|"
    r"feedback|errors?|delays?|orders?|it|this)"
)
_WE = r"(?:\s+(?:have|has|will|we|you|i|already))*"
_JA_OF = r"(?:[^\s、。:：]{1,15}?(?:の|に対する|への|に関する))?"
_JA_SUFFIX = (
    r"(?:について|の詳細|の内容|の説明|と経緯|と背景|の特定|の分析|分析|"
    r"は何(?:ですか|でしたか)?|は)?"
)
_NAMES: dict[Section, tuple[str, ...]] = {
    Section.PREVENTION: (
        r"(?:what\s+)?(?:(?:the|our)\s+)?(?:(?:long[- ]term|future|additional)\s+)?"
        r"(?:preventi?ve|preventative|prevention)"
        rf"(?:\s+(?:measures?|actions?|steps?|plan|controls?))?{_W}{{0,6}}",
        rf"(?:what\s+)?(?:(?:the|our)\s+)?(?:(?:long[- ]term|future|additional)\s+)?"
        rf"(?:steps?|actions?|measures?|plan|changes|controls){_WE}"
        r"(?:\s+(?:taken|implemented|take|made|put\s+in\s+place))?"
        rf"\s+to\s+(?:prevent|avoid|stop|ensure){_W}{{0,10}}",
        rf"how\s+(?:we|i)\s+will\s+(?:prevent|avoid){_W}{{0,8}}",
        rf"(?:preventing|avoiding)\s+(?:recurrence|this|future){_W}{{0,6}}",
        r"(?:future|long[- ]term)\s+(?:measures|actions|steps|plan|prevention)|going\s+forward",
        _JA_OF + r"(?:今後の)?(?:再発防止|予防|防止)"
        r"(?:策|措置|対策|のための(?:対策|措置|取り組み|取組み|仕組み)|"
        r"に向けた(?:対策|取り組み|取組み)|に向けて)?" + _JA_SUFFIX,
        r"今後の(?:対策|取り組み|取組み|取組|対応|改善策|防止策|体制)" + _JA_SUFFIX,
    ),
    Section.ACTIONS: (
        r"(?:what\s+)?(?:(?:the|our)\s+)?(?:(?:immediate|corrective|remedial|resolution)\s+)*"
        rf"(?:actions?|measures|steps|changes){_WE}(?:\s+(?:taken|implemented|made|completed))?"
        rf"(?:\s+(?:to|for)\s+(?:resolve|fix|address|correct|remedy|resolving|fixing){_SUBJECT}?)?",
        rf"what\s+(?:we|i)\s+(?:have\s+)?(?:did|done|changed){_W}{{0,5}}",
        rf"resolution|corrective\s+action\s+plan|how\s+we\s+(?:fixed|resolved){_W}{{0,4}}",
        _JA_OF + r"(?:(?:既に|すでに)?"
        r"(?:実施した|実施済みの|実施済の|講じた|行った|取った|とった|対応した))?"
        r"(?:是正措置|是正処置|是正策|是正|対策|対応|対応策|対処|措置|改善策|改善措置|即時対応|"
        r"応急処置|実施事項)"
        r"(?:内容)?" + _JA_SUFFIX,
        r"(?:問題を?)?(?:解決|改善)(?:のため|するため)に(?:実施|対応)した(?:こと|対策|内容)",
    ),
    Section.CAUSE: (
        r"(?:what\s+(?:is|was|were)\s+)?(?:the\s+)?(?:identified\s+)?(?:root\s+)?(?:causes?|reasons?)"
        rf"(?:\s+analysis)?(?:\s+(?:of|for|behind){_SUBJECT})?",
        rf"what\s+(?:caused|went\s+wrong|happened)(?:{_SUBJECT})?",
        r"why\s+(?:did\s+)?(?:it|this|the\s+\w+)\s+happen(?:ed)?",
        _JA_OF
        + r"(?:根本|主な|真の|根本的な|発生)?(?:原因|要因|理由|問題点)(?:と(?:経緯|背景))?"
        + _JA_SUFFIX,
        r"(?:問題|違反)(?:が|の)?発生した(?:原因|理由)" + _JA_SUFFIX,
    ),
    Section.LISTINGS: (
        r"(?:the\s+)?affected\s+(?:listings?|asins?|products?|items?|skus?)",
        r"(?:対象|該当)の?(?:出品|商品|asin|sku)(?:一覧|について)?",
    ),
}
_SECTION_NAMES = [
    (section, re.compile(f"(?:{'|'.join(names)})", re.IGNORECASE))
    for section, names in _NAMES.items()
]
_CLOSING = re.compile(
    r"^(?:thank\s+you|thanks|sincerely|(?:best|kind|warm)?\s*regards|respectfully|yours\b|"
    r"we\s+(?:appreciate|look\s+forward|hope|kindly\s+ask|respectfully|humbly|would\s+be\s+grateful)|"
    r"please\s+(?:reinstate|consider|let\s+us\s+know)|"
    r"以上(?:$|です|となります|、|。)|(?:どうぞ|何卒|なにとぞ)?(?:よろしく|宜しく)お願い|何卒|敬具|草々|"
    r"ご(?:確認|検討|審査|査収)(?:の|を|いただ|くださ)|お手数|心より(?:感謝|お詫び)|"
    r"(?:アカウント|販売)の?(?:再開|復活|復旧)を)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^(?:(?:seller|merchant|store|shop|company|business)\s*(?:id|name|token)?|name|email|date|"
    r"出品者(?:名|id|ID)?|ストア名|ショップ名|会社名|代表者?|氏名|担当者?名|メール|日付|提出日)\s*[:：]"
    r"|^[\d０-９]{4}\s*[年/.-]\s*[\d０-９]{1,2}\s*[月/.-]\s*[\d０-９]{1,2}\s*日?$"
    r"|(?:株式会社|合同会社|有限会社|\bInc\b|\bLLC\b|\bLtd\b|\bGmbH\b)",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(r"(?:[:：]$|以下|下記|次の|following|below|as\s+follows)", re.IGNORECASE)
_REF_VIOLATION = re.compile(
    r"[ \t\u3000]*[(（]\s*(?:violation|違反)\s*(?:no\.?|#|番号)?\s*(\d+)\s*[)）]", re.I
)
_REF_METRIC = re.compile(
    r"[ \t\u3000]*[(（]\s*(?:metric|指標)\s*[:：]\s*([a-z0-9_]+)\s*[)）]", re.IGNORECASE
)
_LISTING_ITEM = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]{1,31})\s*[:：]\s*(.+)$", re.DOTALL)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Heading:
    section: Section
    rest: str
    """Text after the label on the same line ("Root cause: we did not check")."""


def heading_of(line: str) -> Heading | None:
    """The section a line opens, if it is a heading in any of the usual forms."""
    text = line.strip()
    decorated = False
    for _ in range(4):
        stripped = _strip_decoration(text)
        if stripped is None:
            break
        text, decorated = stripped, True
    label, _colon, rest = _split_label(text)
    if label is None:
        return None
    if not (decorated or _colon) and (len(label) > 80 or label.endswith((".", "。"))):
        return None
    name = _normalise(label)
    for section, pattern in _SECTION_NAMES:
        if pattern.fullmatch(name):
            return Heading(section, rest.strip())
    return None


def _strip_decoration(text: str) -> str | None:
    for pattern in (_HASHES, _BRACKETS, _BOLD):
        if match := pattern.match(text):
            groups = match.groupdict()
            label = groups.get("label")
            rest = groups["rest"].strip()
            if label is None:
                return rest
            rest = rest.lstrip(":：").strip()
            return f"{label.strip()}: {rest}" if rest else label.strip()
    if match := _NUMBERED.match(text):
        return match.group("rest").strip()
    return None


def _split_label(text: str) -> tuple[str | None, bool, str]:
    parts = _COLON.split(text, maxsplit=1)
    label = parts[0].strip().strip("*_ ").strip()
    if not label:
        return None, False, ""
    return label, len(parts) == 2, parts[1] if len(parts) == 2 else ""


def _normalise(label: str) -> str:
    name = unicodedata.normalize("NFKC", label).casefold()
    name = _TRAILING_NUMBER.sub("", name.strip(" .。?？!-–—()（）"))
    return re.sub(r"\s+", " ", name).strip()


@dataclass
class _Item:
    text: str
    marked: bool
    indent: int


@dataclass
class _Part:
    section: Section
    rest: str
    items: list[_Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rest and not self.items


def language_of(text: str) -> str:
    """``ja`` when Japanese letters are a fair share of the text, else ``en``."""
    japanese = len(_JAPANESE.findall(text))
    latin = len(_LATIN.findall(text))
    return "ja" if japanese and japanese * 3 >= latin else "en"


def read_text(text: str) -> PlanOfAction:
    """The structured view of a plan written as text (plain, Markdown, or from Word)."""
    if len(text) > MAX_PLAN_TEXT:
        raise InvalidInput(
            N_("error.appeals.plan_too_long"), length=len(text), max_plan_text=MAX_PLAN_TEXT
        )
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    introduction: list[str] = []
    parts: list[_Part] = []
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            continue
        heading = heading_of(line)
        if heading is not None:
            parts.append(_Part(heading.section, heading.rest))
        elif not parts:
            introduction.append(line.strip())
        else:
            parts[-1].items.append(_item(line))
    closing = _set_aside_closing(parts)
    plan: dict[str, Any] = {
        "language": language_of(text),
        "introduction": "\n".join(introduction),
        "closing": "\n".join(closing),
        **_assemble([p for p in parts if not p.empty]),
    }
    return _validated(plan)


def _item(line: str) -> _Item:
    indent = len(line) - len(line.lstrip())
    body = line.strip()
    if match := _MARKER.match(body):
        rest = match.group("rest").strip()
        if rest:
            return _Item(rest, True, indent)
    return _Item(body, False, indent)


def _set_aside_closing(parts: list[_Part]) -> list[str]:
    """Thanks and the signature after the last section are kept apart from its items."""
    if not parts:
        return []
    items = parts[-1].items
    start = next(
        (i for i, item in enumerate(items) if not item.marked and _CLOSING.match(item.text)),
        len(items),
    )
    while start > 0 and _signature(items[start - 1]):
        start -= 1
    closing = [item.text for item in items[start:]]
    del items[start:]
    return closing


def _signature(item: _Item) -> bool:
    """A name, a company, a seller id or a date at the foot of the plan."""
    return not item.marked and len(item.text) <= 60 and bool(_SIGNATURE.search(item.text))


def _entries(part: _Part, *, one_when_plain: bool) -> list[str]:
    """The items of a section: marked items (with their continuation lines) or plain lines.

    In a cause section plain lines are one explanation; in the others each line is one item."""
    entries: list[list[str]] = []
    leading: list[str] = [part.rest] if part.rest else []
    has_marks = any(item.marked for item in part.items)
    current_indent = -1
    for item in part.items:
        if item.marked and (not entries or item.indent <= current_indent):
            entries.append([item.text])
            current_indent = item.indent
        elif entries and (item.indent > current_indent or (one_when_plain and not item.marked)):
            entries[-1].append(item.text)
        elif entries:
            entries.append([item.text])
            current_indent = item.indent
        else:
            leading.append(item.text)
    if one_when_plain:
        lead = "\n".join(leading)
        if entries and (not lead or _LEAD_IN.search(lead)):
            return ["\n".join(entry) for entry in entries]
        whole = "\n".join([*leading, *(line for entry in entries for line in entry)])
        return [whole] if whole else []
    plain = [line for line in leading if not (has_marks and _LEAD_IN.search(line))]
    return [*plain, *("\n".join(entry) for entry in entries)]


def _assemble(parts: list[_Part]) -> dict[str, Any]:
    """Group sections into causes: consecutive cause sections are one group of causes; the
    action and prevention sections after a group belong to it."""
    groups: list[tuple[list[str], list[str], list[str]]] = []
    untied_actions: list[str] = []
    untied_prevention: list[str] = []
    listings: list[dict[str, str]] = []
    previous: Section | None = None
    for part in parts:
        if part.section is Section.LISTINGS:
            listings += _listing_answers(part)
            continue
        if part.section is Section.CAUSE:
            if previous is not Section.CAUSE or not groups:
                groups.append(([], [], []))
            groups[-1][0].extend(_entries(part, one_when_plain=True))
        else:
            entries = _entries(part, one_when_plain=False)
            if not groups:
                target = untied_actions if part.section is Section.ACTIONS else untied_prevention
                target.extend(entries)
            else:
                groups[-1][1 if part.section is Section.ACTIONS else 2].extend(entries)
        previous = part.section
    causes: list[dict[str, Any]] = []
    if len(groups) == 1 and len(groups[0][0]) > 1:
        texts, actions, prevention = groups[0]
        causes = [_cause(text, [], []) for text in texts]
        untied_actions += actions
        untied_prevention += prevention
    else:
        for texts, actions, prevention in groups:
            if texts:
                causes.append(_cause("\n".join(texts), actions, prevention))
            else:
                untied_actions += actions
                untied_prevention += prevention
    if len(causes) == 1:
        causes[0]["actions"] += untied_actions
        causes[0]["preventive_measures"] += untied_prevention
        untied_actions, untied_prevention = [], []
    return {
        "root_causes": causes,
        "actions": untied_actions,
        "preventive_measures": untied_prevention,
        "listings": listings,
    }


def _cause(text: str, actions: list[str], prevention: list[str]) -> dict[str, Any]:
    violation = _REF_VIOLATION.search(text)
    metric = _REF_METRIC.search(text)
    clean = _REF_METRIC.sub("", _REF_VIOLATION.sub("", text)).strip()
    return {
        "text": clean or text,
        "violation_id": int(violation.group(1)) if violation else None,
        "metric": metric.group(1) if metric else None,
        "actions": list(actions),
        "preventive_measures": list(prevention),
    }


def _listing_answers(part: _Part) -> list[dict[str, str]]:
    answers: list[dict[str, str]] = []
    for entry in _entries(part, one_when_plain=False):
        match = _LISTING_ITEM.match(entry)
        if match:
            answers.append({"listing_id": match.group(1), "text": match.group(2).strip()})
        elif answers:
            answers[-1]["text"] += "\n" + entry
    return answers


def _validated(plan: dict[str, Any]) -> PlanOfAction:
    try:
        return PlanOfAction.model_validate(plan)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        if first["type"] == "string_too_long":
            raise InvalidInput(
                N_("error.appeals.text_longer_characters"), where=where, max_text=MAX_TEXT
            ) from None
        if first["type"] == "too_long":
            raise InvalidInput(
                N_("error.appeals.text_has_more_items"), where=where, max_items=MAX_ITEMS
            ) from None
        raise InvalidInput(
            N_("error.appeals.text_invalid"), where=where, reason=first["msg"]
        ) from None


_BOX_LABELS = {
    "ja": ("根本原因", "実施した対策", "再発防止策"),
    "en": ("Root cause", "Actions taken", "Preventive measures"),
}


def boxes_text(root_cause: str, actions: str, preventive_measures: str) -> str:
    """Amazon's appeal form has three boxes; the plan's text is the three under their names."""
    language = language_of(f"{root_cause}\n{actions}\n{preventive_measures}")
    labels = _BOX_LABELS[language]
    boxes = (root_cause, actions, preventive_measures)
    return "\n\n".join(
        f"{label}:\n{box.strip()}" for label, box in zip(labels, boxes, strict=True) if box.strip()
    )


def plan_text(poa: PlanOfAction) -> str:
    """A structured plan written out as text in its language, which the reader reads back."""
    labels = _BOX_LABELS[poa.language]
    out: list[str] = [poa.introduction] if poa.introduction else []
    for cause in poa.root_causes:
        reference = (
            f" ({'違反' if poa.language == 'ja' else 'violation'} {cause.violation_id})"
            if cause.violation_id is not None
            else f" (metric: {cause.metric})"
            if cause.metric
            else ""
        )
        first, *more = cause.text.split("\n")
        out.append(f"## {labels[0]}: {first}{reference}")
        out += [f"  {line}" for line in more]
        for label, items in ((labels[1], cause.actions), (labels[2], cause.preventive_measures)):
            if items:
                out.append(f"### {label}")
                out += [_bullet(item) for item in items]
    for label, items in ((labels[1], poa.actions), (labels[2], poa.preventive_measures)):
        if items:
            out.append(f"## {label}")
            out += [_bullet(item) for item in items]
    if poa.listings:
        out.append("## " + ("対象の出品" if poa.language == "ja" else "Affected listings"))
        out += [_bullet(f"{answer.listing_id}: {answer.text}") for answer in poa.listings]
    if poa.closing:
        out.append(poa.closing)
    return "\n".join(out)


def _bullet(item: str) -> str:
    first, *more = item.split("\n")
    return "\n".join([f"- {first}", *(f"  {line}" for line in more)])
