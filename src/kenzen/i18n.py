"""Text people read, in Japanese and English, from the gettext catalogues under ``locale/``.

Message ids are stable dotted keys (``entry.appeal_received``); the catalogues
``locale/{ja,en}/LC_MESSAGES/messages.po`` hold their wording with ``%(name)s`` placeholders
and plural forms. ``make translations`` extracts the ids the code and templates use
(``pybabel extract``), adds new ones to both catalogues (``pybabel update``) and compiles the
``.mo`` files that ship in the package (``pybabel compile``); the tests fail when an id is
missing from either catalogue or a ``.mo`` is older than its ``.po``.

This module is also the one place that decides a reader's language (``negotiate``) and picks
the right language from operator-edited bilingual texts (``pick``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from gettext import GNUTranslations
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypeVar, cast, get_args

if TYPE_CHECKING:
    from jinja2 import Environment

Language = Literal["ja", "en"]
SUPPORTED: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT: Final[Language] = "en"
LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"

_T = TypeVar("_T")
_E = TypeVar("_E", bound=enum.Enum)


class CatalogueMissing(RuntimeError):
    """A compiled catalogue is not where the package expects it (run ``make translations``)."""


def N_(key: str) -> str:  # noqa: N802 (the gettext convention extractors look for)
    """Mark a message id for extraction where it is chosen, and translate it later."""
    return key


def supported(language: str | None) -> Language:
    """``language`` if Kenzen speaks it, else the default."""
    return next((known for known in SUPPORTED if known == language), DEFAULT)


@cache
def catalogue(language: Language) -> GNUTranslations:
    """The compiled catalogue (the standard library reads ``.mo`` files, plural forms too)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not path.is_file():
        raise CatalogueMissing(f"{path} is missing: run `make translations`")
    with path.open("rb") as compiled:
        return GNUTranslations(compiled)


def t(key: str, language: str, /, **values: object) -> str:
    """The message ``key`` in ``language`` (the default language when it is not supported)."""
    text = catalogue(supported(language)).gettext(key)
    return text % values if values else text


def tn(key: str, count: int, language: str, /, **values: object) -> str:
    """The plural form of ``key`` for ``count`` (``%(num)s`` in the text is the count)."""
    text = catalogue(supported(language)).ngettext(key, key, count)
    return text % {"num": count, **values}


def pick(texts: Mapping[Any, _T], language: str) -> _T:
    """The text in ``language`` from an operator-edited ``{"ja": …, "en": …}`` table."""
    return texts[language] if language in texts else texts[DEFAULT]


#: A value in a stored message: plain (a SKU, a count, words a person typed), another message
#: (a metric's name), an operator's bilingual text from TOML ``{"ja": …, "en": …}``, or a
#: list of those, shown one per line.
Param: TypeAlias = "str | int | float | Message | Mapping[str, str] | list[Param]"


@dataclass(frozen=True, slots=True)
class Message:
    """Text kept as a message id and its values, and put into words when someone reads it, in
    their language: stored case titles and entries are these, not rendered text."""

    id: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def render(self, language: str) -> str:
        values = {name: _render(value, language) for name, value in self.params.items()}
        return t(self.id, language, **values)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "params": {k: _as_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Message:
        return cls(str(data["id"]), {k: _from_json(v) for k, v in data["params"].items()})


def in_words(message: Message | None, literal: str | None, language: str) -> str:
    """A stored title or text for its reader: the message put into words in their language,
    else the literal text (a note as typed, or text stored before messages were)."""
    return message.render(language) if message else (literal or "")


def _render(value: Param, language: str) -> str | int | float:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, Mapping):
        return pick(value, language)
    if isinstance(value, list):
        return "\n".join(str(_render(item, language)) for item in value)
    return value


def _as_json(value: Param) -> Any:
    if isinstance(value, Message):
        return value.as_json()
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return dict(value) if isinstance(value, Mapping) else value


def _from_json(value: Any) -> Param:
    if isinstance(value, Mapping):
        return Message.from_json(value) if "id" in value else {k: str(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, str | int | float):
        return value
    raise ValueError(f"not a message value: {value!r}")


def accepted_languages(header: str | None) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (RFC 9110 §12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(*chosen: str | None, accept_language: str | None = None) -> Language:
    """The reader's language: the first of ``chosen`` Kenzen speaks (a user's setting, a
    seller's account language), else the best match of the browser's ``Accept-Language``
    (Babel's negotiation, so ``ja-JP`` finds ``ja``), else the default."""
    from babel import Locale, UnknownLocaleError  # only where a browser's header is read

    for language in chosen:
        if language in SUPPORTED:
            return supported(language)
    try:
        best = Locale.negotiate(accepted_languages(accept_language), SUPPORTED, sep="-")
    except (UnknownLocaleError, ValueError):
        best = None
    return supported(best.language if best is not None else None)


def labels(kind: type[_E], table: Mapping[_E, str]) -> Mapping[_E, str]:
    """A table naming every member of ``kind`` by message id; refused when one is missing."""
    missing = [member.name for member in kind if member not in table]
    if missing:
        raise LookupError(f"no message id for {kind.__name__}: {', '.join(missing)}")
    return table


def install(environment: Environment) -> None:
    """Give templates ``_``, ``gettext`` and ``ngettext`` (``jinja2.ext.i18n``, new style:
    ``_("ui.version", number=2)``, values escaped) in the ``lang`` of the rendering."""
    from jinja2 import pass_context
    from jinja2.runtime import Context

    @pass_context
    def _gettext(context: Context, key: str) -> str:
        return catalogue(supported(context.get("lang"))).gettext(key)

    @pass_context
    def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
        return catalogue(supported(context.get("lang"))).ngettext(singular, plural, count)

    environment.add_extension("jinja2.ext.i18n")
    cast(Any, environment).install_gettext_callables(_gettext, _ngettext, newstyle=True)
    environment.globals["pick"] = pick
