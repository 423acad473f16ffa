"""The presenter's room mode: an agenda item split into screens a room can read (issue 11).

At 1920x1080 with 32 px body text a screen holds about LINES_PER_SCREEN lines of
CHARS_PER_LINE characters. Lines are wrapped here, not by the browser, so the count is exact
and an item that needs more than one screen is shown as "part 1 of 2", never cut off or
scrolled. Pure functions over the sections services.staffing.content builds.
"""

from __future__ import annotations

import textwrap

LINES_PER_SCREEN = 16  # below the controls and the heading (tests/stories/test_browser_room.py)
CHARS_PER_LINE = 100
LABEL_LINES = 2  # a section label, with the space above it


def section_lines(section: dict) -> list[str]:
    """A section's content as text lines: figures as "label: value" pairs (no metric boxes,
    whose labels a narrow column truncates), table rows as "column: value; ..." lines.

    >>> section_lines({"label": "x", "lines": ["a"], "metrics": [("Contacts", "3"),
    ...     ("Goals achieved", "1")], "rows": [{"Due": "2026-12-10", "Owner": "CMP"}]})
    ['a', 'Contacts: 3 · Goals achieved: 1', 'Due: 2026-12-10; Owner: CMP']
    """
    lines = list(section["lines"])
    if section["metrics"]:
        lines.append(" · ".join(f"{label}: {value}" for label, value in section["metrics"]))
    lines += ["; ".join(f"{k}: {v}" for k, v in row.items()) for row in section["rows"]]
    return lines


def wrap(lines: list[str], width: int = CHARS_PER_LINE) -> list[str]:
    """Lines wrapped at `width` characters, continuation lines indented.

    >>> wrap(["one two three four"], width=9)
    ['one two', '  three', '  four']
    """
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(
            line, width, subsequent_indent="  ", break_long_words=True, break_on_hyphens=False
        ) or [""]
    return out


def paginate(
    sections: list[dict], *, lines: int = LINES_PER_SCREEN, width: int = CHARS_PER_LINE
) -> list[list[dict]]:
    """Screens of {"label", "lines"}: whole sections while they fit, a long one continued on the
    next screen under "<label> (continued)". Always at least one screen.

    >>> parts = paginate([{"label": "A", "lines": ["x"] * 5, "metrics": [], "rows": []},
    ...     {"label": "B", "lines": ["y"] * 3, "metrics": [], "rows": []}], lines=8)
    >>> [[(s["label"], len(s["lines"])) for s in part] for part in parts]
    [[('A', 5)], [('B', 3)]]
    """
    parts: list[list[dict]] = [[]]
    used = 0
    for section in sections:
        rest, label = wrap(section_lines(section), width), section["label"]
        while True:
            room = lines - used - LABEL_LINES
            fits_whole = len(rest) <= room
            if not fits_whole and parts[-1] and (room < 2 or len(rest) <= lines - LABEL_LINES):
                parts.append([])  # start the section on a fresh screen
                used = 0
                continue
            take = max(room, 1)
            parts[-1].append({"label": label, "lines": rest[:take]})
            used += LABEL_LINES + len(rest[:take])
            rest = rest[take:]
            if not rest:
                break
            parts.append([])
            used = 0
            label = f"{section['label']} (continued)"
    return parts
