"""Printable PDFs: the community report-back handout and the one-page performance summary.

fpdf2 lays out the words and tables; charts are rendered server-side from the same Vega-Lite
specs the pages show (vl-convert, no browser). Everything prints in black and white: bars
are dark grey with their numbers written on them, trend points are labelled, tables have
ruled cells, and nothing relies on colour. Only the figures go in (already suppressed): no
names, ids, exact dates or places (SECURITY 23).
"""

from __future__ import annotations

import io
import json

from fpdf import FPDF
from fpdf.fonts import FontFace

from services.reports.funder import TREND_FIGURES, summary_table, trend_description, trend_spec
from services.reports.report_back.charting import charts, more_rows, vega_lite
from services.reports.report_back.reading import summary, table_rows

GREY = (225, 225, 225)


def _latin1(text: str) -> str:
    """The core PDF fonts are Latin-1: swap typographic characters, drop anything else."""
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    return text.encode("latin-1", "replace").decode("latin-1")


def render_png(spec: dict, *, scale: float = 2.0) -> bytes:
    """A Vega-Lite spec as a PNG, rendered on the server."""
    import vl_convert

    return vl_convert.vegalite_to_png(json.dumps(spec), scale=scale)


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, _latin1(f"{self.footer_text}   Page {self.page_no()} of {{nb}}"))


def _document(footer: str, *, orientation: str = "portrait", compress: bool = True) -> _Document:
    pdf = _Document(orientation=orientation, unit="mm", format="letter")
    pdf.footer_text = footer
    pdf.set_compression(compress)
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str, size: int = 13) -> None:
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, size * 0.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, *, size: int = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, size * 0.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, rows: list[dict], *, size: int = 9, first_width: float = 2.5) -> None:
    if not rows:
        return
    columns = list(rows[0])
    widths = (first_width, *([1] * (len(columns) - 1)))
    pdf.set_font("Helvetica", size=size)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *(["RIGHT"] * (len(columns) - 1))),
        headings_style=FontFace(emphasis="BOLD", fill_color=GREY),
        line_height=size * 0.5,
        padding=1,
    ) as table:
        table.row([_latin1(c) for c in columns])
        for row in rows:
            table.row([_latin1(str(row[c])) for c in columns])
    pdf.ln(3)


def _image(pdf: FPDF, png: bytes, *, scale: float = 2.0) -> None:
    """Place a chart at its natural size (96 px to the inch at `scale`), narrowed to fit."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        width, height = image.width / scale * 25.4 / 96, image.height / scale * 25.4 / 96
    if width > pdf.epw:
        width, height = pdf.epw, height * pdf.epw / width
    if pdf.will_page_break(height + 20):
        pdf.add_page()
    pdf.image(io.BytesIO(png), w=width)
    pdf.ln(1)


def handout_file_name(figures: dict) -> str:
    """'lead-report-back-july-to-september-2026.pdf'."""
    return f"lead-report-back-{figures['label'].lower().replace(' ', '-')}.pdf"


def handout_pdf(
    figures: dict,
    *,
    site_name: str,
    published: str | None = None,
    compress: bool = True,
) -> bytes:
    """The report-back handout: summary, charts with their tables, then every other table.

    `published` is a month ('October 2026'); without it the handout is marked as a draft.
    """
    status = f"Published {published}" if published else "DRAFT: not published"
    pdf = _document(
        f"{site_name} community report-back, {figures['label']}. Aggregate figures only.",
        compress=compress,
    )
    _heading(pdf, f"{site_name}: how LEAD is going", 18)
    _paragraph(pdf, f"Community report-back for {figures['label']}. {status}.", size=11)
    pdf.ln(3)
    _heading(pdf, "Summary")
    for sentence in summary(figures):
        _paragraph(pdf, sentence)
        pdf.ln(1)
    pdf.ln(2)
    for chart in charts(figures):
        if pdf.will_page_break(40):
            pdf.add_page()
        _paragraph(pdf, chart.title, size=11, style="B")  # as text, not only inside the image
        if chart.bars:
            spec = vega_lite(chart, width=380)
            del spec["title"]
            _image(pdf, render_png(spec))
        _paragraph(pdf, chart.description, size=9, style="I")
        pdf.ln(1)
        _table(pdf, chart.table)
    _heading(pdf, "More figures")
    for key in more_rows(figures):
        row = figures["rows"][key]
        if pdf.will_page_break(8 + 5 * (len(row["cells"]) + 1)):
            pdf.add_page()
        _paragraph(pdf, row["title"], size=10, style="B")
        pdf.ln(1)
        _table(pdf, table_rows(figures, key))
    _paragraph(
        pdf,
        "About these numbers: LEAD (Law Enforcement Assisted Diversion) publishes aggregate "
        "figures only. 'Not shown' means the number is small, or is hidden so that a small "
        "number cannot be worked out from the others or from another report.",
        size=9,
    )
    return bytes(pdf.output())


def performance_pdf(summary_: dict, *, site_name: str, compress: bool = True) -> bytes:
    """The one-page monthly performance summary for the policy coordinating group."""
    pdf = _document(
        f"{site_name} performance summary to {summary_['month_labels'][-1]}. Aggregate only; "
        f"counts from 1 to {summary_['threshold'] - 1} are not shown.",
        orientation="landscape",
        compress=compress,
    )
    pdf.set_auto_page_break(auto=False)
    _heading(pdf, f"{site_name}: monthly performance summary, {summary_['label']}", 15)
    _paragraph(
        pdf,
        "For the policy coordinating group (PROTOCOL M5). The key figures for each of the last "
        "12 months; 'not shown' marks a number hidden to protect privacy.",
        size=9,
    )
    pdf.ln(2)
    rows = summary_table(summary_)
    _table(pdf, rows, size=7, first_width=3.2)

    def trend(key: str) -> dict:
        spec = trend_spec(summary_, key, width=330, height=105)
        del spec["$schema"]
        return spec

    chart = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "vconcat": [
            {"hconcat": [trend(key) for key in TREND_FIGURES[:2]]},
            {"hconcat": [trend(key) for key in TREND_FIGURES[2:]]},
        ],
    }
    remaining = pdf.h - pdf.get_y() - 26
    png = render_png(chart)
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        ratio = image.height / image.width
    width = min(pdf.epw, remaining / ratio)
    pdf.image(io.BytesIO(png), w=width)
    pdf.ln(1)
    _paragraph(
        pdf,
        " ".join(trend_description(summary_, key) for key in TREND_FIGURES[:1])
        + " The other lines read the same way.",
        size=8,
        style="I",
    )
    return bytes(pdf.output())
