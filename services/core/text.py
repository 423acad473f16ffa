"""Text as the app accepts and exports it: no control characters, no spreadsheet formulas.

One place for two input rules every form, import and export shares:

- `strip_controls`: control characters (a vertical tab pasted from Word, `\\x01`...) make the
  Word export fail (XML cannot hold them) and hide text on screen. Line breaks (\\n, \\r) and
  tabs stay; Word's manual line break (\\x0b) and a form feed become a line break.
  `install_flush_guard` applies it to every text column of every new or changed row, as a
  safety net under the services' own validators.
- `looks_like_formula`: a cell a spreadsheet would run as a formula, even behind leading
  spaces (SECURITY 7).
"""

from __future__ import annotations

import re
from functools import cache

from sqlalchemy import JSON, String, event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

# C0 controls but tab, line feed and carriage return; DEL, C1 controls, lone surrogates and the two
# non-characters XML 1.0 refuses.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LINE_BREAKS = re.compile(r"[\x0b\x0c]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Hash-chained rows are written exactly as hashed (services.core.audit); cleaning them after the
# hash would break the chain.
UNGUARDED_TABLES = frozenset({"auditevent", "auditanchor"})


def strip_controls(value: str) -> str:
    r"""The text without control characters; line breaks and tabs kept.

    >>> strip_controls("line one\x0bline two\x01\nend\tok")
    'line one\nline two\nend\tok'
    """
    if value.isprintable():  # the common case: nothing to do
        return value
    return CONTROL_CHARS.sub("", LINE_BREAKS.sub("\n", value))


def clean_value(value):
    """strip_controls for a str, or for each str in a list (aliases); anything else as is."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list) and any(isinstance(v, str) for v in value):
        return [strip_controls(v) if isinstance(v, str) else v for v in value]
    return value


def looks_like_formula(value: str) -> bool:
    r"""Would a spreadsheet run this cell as a formula (leading spaces do not stop it)?

    >>> looks_like_formula(" =HYPERLINK(1)"), looks_like_formula("\t1"), looks_like_formula("a=1")
    (True, True, False)
    """
    return value.startswith(FORMULA_START) or value.lstrip().startswith(FORMULA_START)


@cache
def _text_keys(mapper) -> tuple[str, ...]:
    """The mapper's columns that can hold text: strings and JSON (lists of aliases)."""
    if mapper.local_table.name in UNGUARDED_TABLES:
        return ()
    types = [(attr.key, attr.columns[0].type) for attr in mapper.column_attrs]
    return tuple(  # SQLModel's AutoString wraps String in a TypeDecorator
        key
        for key, kind in types
        if isinstance(getattr(kind, "impl_instance", kind), (String, JSON))
    )


def _clean_row(obj) -> None:
    state = instance_state(obj)
    loaded = state.dict  # only values set or loaded: reading others would query
    for key in _text_keys(state.mapper):
        value = loaded.get(key)
        cleaned = clean_value(value)
        if cleaned is not value and cleaned != value:
            setattr(obj, key, cleaned)


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty):
        _clean_row(obj)


def install_flush_guard() -> None:
    """Clean every text column of new and changed rows before each flush, in every session."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
