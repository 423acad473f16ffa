"""Agenda and minutes as PDF (fpdf2) and Word (.docx, python-docx) (SECURITY 6, 8).

Each export carries the site's redisclosure notice (42 CFR 2.32) at the top, at the end and in
every page footer, writes one Disclosure row per participant named (42 CFR 2.25) and one audit
row, in the same transaction. Content comes from `services.staffing.content.session_document`,
so preparation notes and restricted fields can never reach a file. Text is set as plain text
(no markup is interpreted).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy import Engine

from models import Disclosure
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import utcnow
from services.core.db import write_session
from services.core.text import strip_controls
from services.staffing.content import session_document

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FOOTER = "Protected by 42 CFR part 2: no further disclosure without consent (see notice)."


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    mime: str
    participants_named: int


def _lines(doc: dict) -> list[tuple[str, str]]:
    """The document as (style, text) lines; styles: title, meta, notice, item, label, body.

    Control characters are removed here too: rows stored before input was cleaned may hold
    them, and Word (XML) refuses them."""
    return [(style, strip_controls(text)) for style, text in _raw_lines(doc)]


def _raw_lines(doc: dict) -> list[tuple[str, str]]:
    out = [("title", doc["title"])]
    out.append(("meta", f"Starts {doc['starts_at']}, estimated end {doc['ends_at']}"))
    if doc["place"]:
        out.append(("meta", f"Place: {doc['place']}"))
    out.append(("meta", f"Attending: {', '.join(doc['attending'])}"))
    state = f"version {doc['version']}" if doc["finalized"] else "draft (not finalized)"
    out.append(("meta", f"Agenda {state}"))
    out.append(("notice", doc["notice"]))
    for item in doc["items"]:
        name = f" · {item['name']}" if item["name"] else ""
        out.append(
            (
                "item",
                f"{item['position']}. {item['start']}-{item['end']} ({item['minutes']} min) "
                f"{item['kind_label']}: {item['heading']}{name}",
            )
        )
        for section in item["sections"]:
            out.append(("label", section["label"]))
            out += [("body", line) for line in section["lines"]]
            out += [("body", f"{label}: {value}") for label, value in section["metrics"]]
            out += [
                ("body", "; ".join(f"{k}: {v}" for k, v in row.items())) for row in section["rows"]
            ]
        if doc["kind"] == "minutes" and not item["withheld"]:
            out.append(("label", "Summary"))
            out.append(("body", item.get("summary") or "None recorded."))
            out.append(("label", "Decisions"))
            out.append(("body", item.get("decisions") or "None recorded."))
            out.append(("label", "Action items"))
            out += [("body", a) for a in item.get("actions") or ["None."]]
    out.append(("notice", doc["notice"]))
    return out


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.body_font, size=8)
        self.cell(0, 5, f"{FOOTER}  Page {self.page_no()}", align="C")


def _latin1(lines: list[tuple[str, str]]) -> bool:
    try:
        "".join(text for _, text in lines).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def render_pdf(doc: dict) -> bytes:
    pdf = _Pdf(format="Letter")
    lines = _lines(doc)
    # The core font is fast; a TrueType font (embedding takes seconds) only when text needs it.
    unicode_font = not _latin1(lines) and (FONT_DIR / "DejaVuSans.ttf").exists()
    if unicode_font:
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.body_font = "DejaVu"
    else:  # core font: Latin-1 only, anything else becomes "?"
        pdf.body_font = "Helvetica"
    pdf.set_title(strip_controls(doc["title"]))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    styles = {
        "title": ("B", 16, 9),
        "meta": ("", 10, 5),
        "notice": ("B", 9, 4.5),
        "item": ("B", 12, 7),
        "label": ("B", 10, 5.5),
        "body": ("", 10, 5),
    }
    for style, text in lines:
        weight, size, height = styles[style]
        if not unicode_font:
            text = text.encode("latin-1", "replace").decode("latin-1")
        pdf.set_font(pdf.body_font, weight, size)
        if style in ("item", "notice"):
            pdf.ln(2)
        indent = 6 if style == "body" else 0
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(
            pdf.epw - indent,
            height,
            text,
            border=1 if style == "notice" else 0,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())


def render_docx(doc: dict) -> bytes:
    document = Document()
    document.core_properties.title = strip_controls(doc["title"])
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = FOOTER
    for style, text in _lines(doc):
        if style == "title":
            document.add_heading(text, level=1)
        elif style == "item":
            document.add_heading(text, level=2)
        elif style == "label":
            document.add_heading(text, level=3)
        else:
            paragraph = document.add_paragraph()
            run = paragraph.add_run(text)
            if style == "notice":
                run.bold = True
                run.font.size = Pt(9)
            elif style == "body":
                paragraph.paragraph_format.left_indent = Pt(14)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export_session(
    engine: Engine,
    user: CurrentUser,
    *,
    session_id: int,
    kind: str,
    fmt: str,
    today,
    now: datetime | None = None,
) -> Export:
    """Render the agenda or minutes and account for the disclosure, atomically."""
    if fmt not in FORMATS:
        raise ValueError("fmt: pdf or docx")
    now = now or utcnow()
    doc = session_document(engine, user, session_id=session_id, kind=kind, today=today)
    data = render_pdf(doc) if fmt == "pdf" else render_docx(doc)
    day = doc["session_on"]
    recipient = f"Session attendees: {', '.join(doc['attending'])}"[:120]
    description = f"{kind.capitalize()} ({fmt.upper()}), session {day}, version {doc['version']}"
    purpose = f"staffing session {day}"
    with write_session(engine) as session:
        for participant_id in doc["participant_ids"]:
            session.add(
                Disclosure(
                    participant_id=participant_id,
                    at=now,
                    recipient=recipient,
                    description=description[:200],
                    purpose=purpose,
                    username=user.username,
                )
            )
        audit.append(
            session,
            actor=user.actor,
            action=f"{kind}.export",
            subject=f"session {day}",
            outcome=f"{fmt}, {len(doc['participant_ids'])} named",  # audit outcome: 32 chars
            purpose=purpose,
            now=now,
        )
    return Export(
        filename=f"lead-{kind}-{day}-v{doc['version']}.{fmt}",
        data=data,
        mime=FORMATS[fmt],
        participants_named=len(doc["participant_ids"]),
    )
