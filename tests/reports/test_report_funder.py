"""Funder and policy reports: the BHRD client-level export (notice, formula neutralisation,
disclosures, audit), the monthly performance summary, and the printable PDFs
(PROTOCOL M5, M6; SECURITY 6-8, 22-23)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models import AuditEvent, Contact, Disclosure, Role, Service, StatusChange, User
from services.core.audit import SYSTEM
from services.core.clock import utcnow
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings, update_settings
from services.core.text import looks_like_formula
from services.reports import funder, handout
from services.reports.funder import export_bhrd, neutralise, performance_summary, suppress_months
from services.reports.report_back import Period, build_figures, raw_counts
from tests.checks_reports import found_in, identifiers, pdf_text
from tests.factories import make_user, sign_in
from tests.factories_reports import add_people

OCTOBER = Period("month", date(2026, 10, 1), date(2026, 10, 31))
Q3 = Period("quarter", date(2026, 7, 1), date(2026, 9, 30))
NOW = datetime(2026, 11, 5, 17, 0, tzinfo=UTC)


@pytest.fixture
def pm(engine):
    make_user(engine, "pm.funder", Role.project_manager)
    return sign_in(engine, "pm.funder")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("=1+1", "'=1+1", id="an-equals-sign-is-neutralised"),
        pytest.param("+1", "'+1", id="a-plus-sign-is-neutralised"),
        pytest.param("-1", "'-1", id="a-minus-sign-is-neutralised"),
        pytest.param("@SUM(A1)", "'@SUM(A1)", id="an-at-sign-is-neutralised"),
        pytest.param("\tx", "'\tx", id="a-leading-tab-is-neutralised"),
        pytest.param("\rx", "'\rx", id="a-leading-carriage-return-is-neutralised"),
        pytest.param(
            " =HYPERLINK(1)", "' =HYPERLINK(1)", id="a-formula-behind-a-space-is-neutralised"
        ),
        pytest.param(
            "\u00a0 @SUM(A1)", "'\u00a0 @SUM(A1)", id="a-formula-behind-a-nbsp-is-neutralised"
        ),
        pytest.param("a\x0bb\x01", "a\nb", id="control-characters-are-removed-from-a-cell"),
        pytest.param("White", "White", id="ordinary-text-is-left-alone"),
        pytest.param("a=b", "a=b", id="an-equals-sign-inside-is-left-alone"),
        pytest.param("", "", id="an-empty-cell-is-left-alone"),
        pytest.param(12, 12, id="a-number-is-left-alone"),
    ],
)
def test_spreadsheet_cells_are_neutralised(value, expected):
    assert neutralise(value) == expected


def _october_people(engine) -> list[int]:
    """Two served in October (one with formula-like demographics), one only referred, one
    active only until September."""
    served = add_people(
        engine,
        2,
        referred=date(2026, 9, 1),
        intake=date(2026, 9, 5),
        race_ethnicity='=HYPERLINK("http://example.invalid","x")',
        gender_identity="@SUM(1)",
        housing_situation="-unsheltered",
    )
    add_people(engine, 1, referred=date(2026, 10, 20), first_number=3001)
    gone = add_people(
        engine, 1, referred=date(2026, 8, 1), intake=date(2026, 8, 2), first_number=4001
    )
    with write_session(engine) as session:
        session.add(
            StatusChange(
                participant_id=gone[0], on=date(2026, 9, 20), status="exited", username="t",
                at=utcnow(),
            )
        )  # fmt: skip
        staff_id = session.exec(select(User.id)).first()
        for day in (3, 10, 17):
            session.add(
                Contact(
                    participant_id=served[0], on=date(2026, 10, day), kind="field",
                    staff_id=staff_id, at=utcnow(),
                )
            )  # fmt: skip
        session.add(
            Service(
                participant_id=served[0], category="housing", provider="Demo Motel",
                start_on=date(2026, 10, 2), cost_cents=185_050, funding="new_capacity",
                username="t", at=utcnow(),
            )
        )  # fmt: skip
    return served


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_served_count_reads_less_and_counts_the_same(engine, pm):
    """The page's count of people served (served_only) equals the full load's count."""
    from services.reports.report_back import load_activity

    _october_people(engine)
    with read_session(engine) as session:
        full = load_activity(session, OCTOBER.start, OCTOBER.end, contact_rows=True)
        light = load_activity(
            session, OCTOBER.start, OCTOBER.end, contact_rows=True, served_only=True
        )
    assert funder.served(full, OCTOBER) == funder.served(light, OCTOBER)
    assert funder.served_count(engine, OCTOBER) == len(funder.served(full, OCTOBER)) == 2
    assert light.contacts_by_month == {} and full.contacts_by_month  # the counts were skipped


def test_the_bhrd_csv_has_the_notice_a_row_per_person_served_and_no_live_formulas(engine, pm):
    served = _october_people(engine)
    export = export_bhrd(engine, pm, OCTOBER, fmt="csv", now=NOW)
    rows = _csv_rows(export.data)
    assert rows[0] == [get_settings(engine).redisclosure_notice]
    header = rows[3]
    assert header == list(funder.BHRD_COLUMNS)
    body = [dict(zip(header, row, strict=True)) for row in rows[4:]]
    assert [r["LEAD id"] for r in body] == ["BUR-2001", "BUR-2002"]
    assert export.participants == len(served) == 2
    first = body[0]
    assert first["Race or ethnicity"] == '\'=HYPERLINK("http://example.invalid","x")'
    assert first["Gender identity"] == "'@SUM(1)"
    assert first["Housing at month end"] == "'-unsheltered"
    assert first["Status at month end"] == "active" and first["Status since"] == "2026-09-05"
    assert (
        first["Referral type"] == "Arrest diversion" and first["Intake completed"] == "2026-09-05"
    )
    assert (first["Services started in month"], first["Spend in month (USD)"]) == ("1", "1850.5")
    assert first["Contacts in month"] == "3"
    assert (
        "legal_name" not in " ".join(header).lower() and "Placeholder" not in export.data.decode()
    )
    for row in rows:
        for cell in row:
            assert not looks_like_formula(cell), cell


def test_the_bhrd_xlsx_stores_formula_like_text_as_plain_text(engine, pm):
    _october_people(engine)
    export = export_bhrd(engine, pm, OCTOBER, fmt="xlsx", now=NOW)
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert sheet["A1"].value == get_settings(engine).redisclosure_notice
    cell = sheet.cell(row=5, column=2)
    assert cell.value.startswith("'=") and cell.data_type == "s"
    assert sheet.cell(row=5, column=9).value.date() == date(2026, 9, 1)  # a real date cell
    assert export.file_name == "lead-bhrd-2026-10.xlsx"


def test_each_export_records_a_disclosure_per_participant_and_one_audit_row(engine, pm):
    served = _october_people(engine)
    export_bhrd(engine, pm, OCTOBER, fmt="csv", now=NOW)
    with read_session(engine) as session:
        disclosures = list(session.exec(select(Disclosure)))
        audits = list(
            session.exec(select(AuditEvent).where(AuditEvent.action == funder.EXPORT_ACTION))
        )
    assert sorted(d.participant_id for d in disclosures) == sorted(served)
    assert {(d.recipient, d.description, d.username) for d in disclosures} == {
        (get_settings(engine).funder_name, "Monthly client-level report, October 2026", "pm.funder")
    }
    assert [(a.subject, a.purpose) for a in audits] == [
        ("BHRD 2026-10", "2 participants disclosed to BHRD (csv)")
    ]
    assert funder.last_export(engine, OCTOBER)["by"] == "pm.funder"
    assert funder.last_export(engine, Period("month", date(2026, 9, 1), date(2026, 9, 30))) is None


def test_the_disclosures_name_the_funder_the_site_settings_name(engine, pm):
    served = _october_people(engine)
    version = get_settings(engine).version
    update_settings(
        engine,
        actor=SYSTEM,
        expected_version=version,
        changes={"funder_name": "Sample County Behavioral Health Fund"},
        now=NOW,
    )
    export_bhrd(engine, pm, OCTOBER, fmt="csv", now=NOW)
    with read_session(engine) as session:
        recipients = list(session.exec(select(Disclosure.recipient)))
    assert sorted(recipients) == ["Sample County Behavioral Health Fund"] * len(served)


@pytest.mark.parametrize(
    ("role", "period", "fmt", "message"),
    [
        pytest.param(
            Role.case_manager, OCTOBER, "csv", "only the project manager",
            id="a-case-manager-cannot",
        ),
        pytest.param(
            Role.project_manager, Q3, "csv", "one calendar month", id="a-quarter-is-refused"
        ),
        pytest.param(
            Role.project_manager, OCTOBER, "pdf", "CSV or XLSX", id="pdf-is-not-offered"
        ),
    ],
)  # fmt: skip
def test_a_refused_export_records_nothing(engine, role, period, fmt, message):
    make_user(engine, "someone", role)
    with pytest.raises(ValidationError, match=message):
        export_bhrd(engine, sign_in(engine, "someone"), period, fmt=fmt, now=NOW)
    with read_session(engine) as session:
        assert list(session.exec(select(Disclosure))) == []


@pytest.mark.parametrize(
    ("active", "expected"),
    [
        pytest.param([20, 20, 20], [20, 20, 20], id="a-steady-count-is-shown-every-month"),
        pytest.param([20, 25, 40], [20, None, 40], id="five-more-than-a-shown-month-is-hidden"),
        pytest.param([20, 25, 31], [20, None, 31], id="eleven-more-than-the-last-shown-is-shown"),
        pytest.param([20, 25, 28], [20, None, None], id="close-to-any-shown-month-is-hidden"),
        pytest.param([5, 12, 30], [None, 12, 30], id="a-hidden-month-is-not-differenced"),
    ],
)
def test_the_monthly_active_count_is_checked_against_every_other_month(active, expected):
    values = [dict.fromkeys(k for k, _ in funder.KEY_FIGURES) for _ in active]
    for month, count in zip(values, active, strict=True):
        month.update({k: 0 for k in month} | {"active": count, "services": 12, "spend": 500})
        month["categories"] = {"Housing": 12, "Food": 0}
    shown = suppress_months(values, 11)
    assert [m["active"] for m in shown] == expected
    assert [m["spend"] for m in shown] == [500, 500, 500]


def test_spend_is_shown_only_with_its_services_count():
    values = [
        dict.fromkeys((k for k, _ in funder.KEY_FIGURES), 0)
        | {"services": 4, "spend": 900, "categories": {"Housing": 4}}
    ]
    assert suppress_months(values, 11)[0]["spend"] is None


@pytest.mark.parametrize(
    ("categories", "shown"),
    [
        pytest.param({"Housing": 12, "Food": 0}, True, id="every-category-shown-or-none"),
        pytest.param({"Housing": 11, "Food": 1}, False, id="one-small-category-hides-spend"),
        pytest.param(
            {"Housing": 4, "Food": 4, "Benefits": 4}, False, id="all-categories-small-total-12"
        ),
    ],
)
def test_monthly_spend_is_hidden_when_any_service_category_of_the_month_is_small(categories, shown):
    """SECURITY 30: the month's spend is the all-categories spend of its report-back, so next
    to the shown categories it would give away what the hidden ones cost."""
    month = dict.fromkeys((k for k, _ in funder.KEY_FIGURES), 0) | {
        "services": sum(categories.values()),
        "spend": 5_500,
        "categories": categories,
    }
    assert (suppress_months([month], 11)[0]["spend"] is not None) == shown


def test_the_performance_summary_covers_twelve_months_to_the_chosen_one(engine):
    add_people(engine, 12, referred=date(2026, 10, 3))
    summary = performance_summary(engine, OCTOBER)
    assert summary["months"][0] == "Nov 2025" and summary["months"][-1] == "Oct 2026"
    referred = next(f for f in summary["figures"] if f["key"] == "referred")
    assert referred["values"] == [0] * 11 + [12]
    assert funder.summary_table(summary)[0]["Oct 2026"] == "12"


# --- The PDFs ------------------------------------------------------------------------------------


def _figures() -> dict:
    counts = raw_counts(funder.Activity(), Q3)
    counts["referrals_by_type"] = {
        "Arrest diversion": 16,
        "Social contact referral": 11,
        "Department of Corrections referral": 0,
    }
    counts["referrals_by_month"] = {"July 2026": 12, "August 2026": 15, "September 2026": 0}
    counts["housing_gained"] = 4
    return build_figures(counts, Q3, threshold=11, others=[])


def test_the_handout_holds_the_summary_every_table_and_no_identifiers(engine, monkeypatch):
    add_people(engine, 3, referred=date(2026, 7, 3), intake=date(2026, 7, 9))
    monkeypatch.setattr(handout, "render_png", lambda spec, scale=2.0: _tiny_png())
    text = pdf_text(
        handout.handout_pdf(
            _figures(), site_name="Burien LEAD", published="October 2026", compress=False
        )
    )
    flat = " ".join(text.split())
    assert "Between July and September 2026, 27 people were referred to LEAD" in flat
    assert "Published October 2026" in flat and "DRAFT" not in flat
    assert "People referred, by kind of referral" in flat and "fewer than 11" in flat
    for title in (
        "People taking part: housing at the end of the period",
        "Contacts with participants",
    ):
        assert title in flat
    assert found_in(text, identifiers(engine)) == []
    assert found_in(text + " BUR-2001", identifiers(engine)) == ["BUR-2001"]  # the scan bites


def test_an_unpublished_handout_says_it_is_a_draft(monkeypatch):
    monkeypatch.setattr(handout, "render_png", lambda spec, scale=2.0: _tiny_png())
    text = pdf_text(handout.handout_pdf(_figures(), site_name="Burien LEAD", compress=False))
    assert "DRAFT: not published" in text


def test_the_performance_summary_pdf_is_one_page_with_its_chart_rendered(engine):
    add_people(engine, 12, referred=date(2026, 10, 3))
    data = handout.performance_pdf(
        performance_summary(engine, OCTOBER), site_name="Burien LEAD", compress=False
    )
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") == 1
    assert b"/Subtype /Image" in data  # the trend chart, rendered server-side
    text = " ".join(pdf_text(data).split())
    assert "monthly performance summary, October 2026" in text and "People referred" in text


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (40, 20), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_summary_is_computed_once_per_state_of_the_data(engine, pm):
    """Reruns at the same audit head reuse the figures; an audited change recomputes them."""
    from services.participants import log_contact

    people = add_people(engine, 12, referred=date(2026, 10, 3), intake=date(2026, 10, 4))
    funder.FIGURES.clear()
    first = performance_summary(engine, OCTOBER)
    first["figures"].clear()  # a caller's change to its copy stays in its copy
    again = performance_summary(engine, OCTOBER)
    assert (funder.FIGURES.hits, funder.FIGURES.misses) == (1, 1)

    def october_contacts(summary) -> int | None:
        return next(f for f in summary["figures"] if f["key"] == "contacts")["values"][-1]

    assert october_contacts(again) == 0
    make_user(engine, "cm.funder", Role.case_manager)
    cm = sign_in(engine, "cm.funder")
    for pid in people:  # each an audited change
        log_contact(
            engine, cm, participant_id=pid, on=date(2026, 10, 20), kind="field", minutes=15,
            note="", today=date(2026, 10, 21),
        )  # fmt: skip
    assert october_contacts(performance_summary(engine, OCTOBER)) == 12
    assert funder.FIGURES.misses == 2
