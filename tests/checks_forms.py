"""Form truth (SECURITY 33, issue 11): what a form stores is what its screen showed.

`form_truth(base, engine)` signs in as a person would, types into date fields (into the React
Aria spinbuttons, YYYYMMDD) a day inside and a day outside the range the field once enforced,
and into text boxes more than their limit, submits, and compares the database with the screen:
either the stored value equals the typed one, or nothing was stored and a refusal is visible.
tests/stories/test_browser_forms.py runs two cases as tests; scripts/figures.py prints the figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import func, select

from demo.seed import DEMO_PASSWORD
from models import ActionItem, CommunityConcern, Contact, PlanGoal, Submission
from services.core.db import read_session
from services.participants.caseload import my_caseload
from tests.browser import click_and_wait, dismiss_page_not_found, shot, submit_sign_in, wait_idle
from tests.factories import sign_in as service_sign_in

ERROR = "[data-testid='stAlertContentError'] [data-testid='stMarkdownContainer']"
SUCCESS = "[data-testid='stAlertContentSuccess'] [data-testid='stMarkdownContainer']"


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/")
    wait_idle(page, 400, 60_000)
    dismiss_page_not_found(page)
    submit_sign_in(page, username, DEMO_PASSWORD)
    page.get_by_text("Signed in as").first.wait_for(state="attached", timeout=60_000)
    wait_idle(page, 1000, 60_000)


def go(page, link: str, heading: str) -> None:
    """Open a page from the sidebar (on a phone, behind the menu button)."""
    size = page.viewport_size
    if size and size["width"] < 700:
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_role("link", name=link, exact=True).first.click()
    wait_idle(page, 800, 40_000)
    page.get_by_role("heading", name=heading).first.wait_for()
    if page.locator("[data-testid='stSidebar'][data-collapsed='false']").count() and (
        size and size["width"] < 700
    ):
        page.get_by_role("button", name="Collapse sidebar").click(force=True)
        page.locator("[data-testid='stSidebar'][data-collapsed='true']").wait_for(state="attached")


def form(page, text: str):
    """The Streamlit form holding `text` (a heading, a field label or its button)."""
    return page.locator("[data-testid='stForm']").filter(has_text=text).first


def type_date(scope, label: str, day: date) -> None:
    """Type a day like a person: click the year segment, type YYYYMMDD, leave the field."""
    year = scope.get_by_role("spinbutton", name=re.compile(rf"^year, {re.escape(label)}"))
    year.first.scroll_into_view_if_needed()
    year.first.click()
    scope.page.keyboard.type(day.strftime("%Y%m%d"))
    scope.page.keyboard.press("Tab")


def shown_date(scope, label: str) -> date | None:
    """The day the field shows now (its three spinbuttons), or None when it is empty."""
    parts = []
    for part in ("year", "month", "day"):
        box = scope.get_by_role("spinbutton", name=re.compile(rf"^{part}, {re.escape(label)}"))
        value = box.first.get_attribute("aria-valuenow")
        if value is None:
            return None
        parts.append(int(value))
    return date(*parts)


def pick(page, scope, label: str, text: str) -> None:
    """Choose the option holding `text` in a searchable selectbox."""
    box = scope.get_by_role("combobox", name=label)
    box.scroll_into_view_if_needed()
    box.click()
    box.fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def submit(page, scope, button: str) -> None:
    click_and_wait(scope.get_by_role("button", name=button))
    wait_idle(page, 800, 40_000)


def visible(page, selector: str, text: str) -> bool:
    return page.locator(selector).filter(has_text=text).count() > 0


def count(engine, model, *where) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


@dataclass
class Case:
    """One field tried: what was typed, what the screen then said, what the database holds."""

    form: str
    field: str
    typed: object
    stored: object  # the new row's value, or None when nothing was stored
    refused: str  # the visible refusal, "" when none

    @property
    def truthful(self) -> bool:
        if self.stored is None:
            return bool(self.refused)
        return self.stored == self.typed and not self.refused


def caseload_person(engine, username: str, today: date) -> dict:
    return my_caseload(engine, service_sign_in(engine, username), today)[0]


def newest(engine, model, column):
    with read_session(engine) as session:
        return session.exec(select(column).order_by(model.id.desc())).first()


def try_case(
    page,
    engine,
    *,
    model,
    column,
    form_name: str,
    field: str,
    typed,
    fill: Callable,
    button: str,
    filled=None,
) -> Case:
    """Fill the form with `fill(scope)`, submit, and read what was stored and what was shown."""
    scope = form(page, form_name)
    before = count(engine, model)
    fill(scope)
    submit(page, scope, button)
    after = count(engine, model)
    stored = newest(engine, model, column) if after > before else None
    refusal = page.locator(ERROR)
    refused = refusal.first.inner_text() if refusal.count() else ""
    return Case(form_name, field, typed if filled is None else filled, stored, refused)


def contact_date_cases(page, base: str, engine, today: date) -> list[Case]:
    """Log a contact (cm1): a day after today (refused) and three days ago (stored as typed)."""
    person = caseload_person(engine, "cm1", today)
    cases = []
    for day in (today + timedelta(days=22), today - timedelta(days=3)):
        go(page, "Log a contact", "Log a contact")
        scope = form(page, "Log contact")
        pick(page, scope, "Participant", person["lead_id"])
        cases.append(
            try_case(
                page,
                engine,
                model=Contact,
                column=Contact.on,
                form_name="Log contact",
                field="Date",
                typed=day,
                fill=lambda s, d=day: type_date(s, "Date", d),
                button="Log contact",
            )
        )
        shot(page, f"forms-contact-date-{len(cases)}")
    return cases


def reason_length_case(page, base: str, engine) -> Case:
    """Submit names (bpd): a pasted 5,000-character reason is refused and stays in the box."""
    go(page, "Submit names", "Submit names")
    text = " ".join(["Seen daily near the station."] * 173)  # 5,016 characters
    reason = "Why discuss this person (required, brief)"

    def fill(scope):
        scope.get_by_label("Person's name").fill("Jordan Fake-Person")
        scope.get_by_label(reason).fill(text)

    case = try_case(
        page,
        engine,
        model=Submission,
        column=Submission.reason,
        form_name="Send the name",
        field="Why discuss this person",
        typed=text,
        fill=fill,
        button="Send the name",
    )
    kept = form(page, "Send the name").get_by_label(reason).input_value()
    if case.stored is None and kept != text:  # refused, but the box lost the text
        case.refused = ""
    return case


def kept_or_unrefused(page, case: Case, form_name: str, label: str, text: str) -> Case:
    """A refusal counts only when the box still holds what was typed (nothing dropped)."""
    kept = form(page, form_name).get_by_label(label).input_value()
    if case.stored is None and kept != text:
        case.refused = ""
    return case


def contact_note_case(page, engine, today: date) -> Case:
    """Log a contact (cm1): a pasted 5,001-character case note is refused and kept."""
    person = caseload_person(engine, "cm1", today)
    go(page, "Log a contact", "Log a contact")
    scope = form(page, "Log contact")
    pick(page, scope, "Participant", person["lead_id"])
    text = "n" * 5001
    case = try_case(
        page,
        engine,
        model=Contact,
        column=Contact.note,
        form_name="Log contact",
        field="Case note",
        typed=text,
        fill=lambda s: s.get_by_label("Case note (optional)").fill(text),
        button="Log contact",
    )
    return kept_or_unrefused(page, case, "Log contact", "Case note (optional)", text)


def submission_dob_cases(page, engine) -> list[Case]:
    """Submit names (bpd): a date of birth in 2030 is refused (it left the name with none), one
    in 1980 is stored as typed."""
    cases = []
    for day in (date(2030, 1, 1), date(1980, 5, 17)):
        go(page, "Submit names", "Submit names")

        def fill(scope, day=day):
            scope.get_by_label("Person's name").fill("Avery Sample")
            scope.get_by_label("Why discuss this person (required, brief)").fill("Seen daily.")
            type_date(scope, "Date of birth (optional)", day)

        cases.append(
            try_case(
                page,
                engine,
                model=Submission,
                column=Submission.person_dob,
                form_name="Send the name",
                field="Date of birth",
                typed=day,
                fill=fill,
                button="Send the name",
            )
        )
    return cases


def open_expander(page, title: str, field: str) -> None:
    if not page.get_by_label(field).first.is_visible():
        page.get_by_text(title, exact=True).first.click()
        page.get_by_label(field).first.wait_for()


def concern_cases(page, engine, today: date) -> list[Case]:
    """Community log (pm): "Raised on" after today (refused), a week ago (stored as typed), and
    a 301-character behaviour (refused and kept)."""
    cases = []
    title, area = "Add an area of concern", "Area (a hot spot, e.g. a park entrance or a block)"
    for day, behaviour in (
        (today + timedelta(days=5), "Loitering"),
        (today - timedelta(days=7), "Loitering"),
        (today, "b" * 301),
    ):
        go(page, "Community log", "Community log")
        open_expander(page, title, area)

        def fill(scope, day=day, behaviour=behaviour):
            scope.get_by_label(area).fill("Demo park entrance")
            scope.get_by_label("Behaviour seen there").fill(behaviour)
            type_date(scope, "Raised on", day)

        long = len(behaviour) > 300
        case = try_case(
            page,
            engine,
            model=CommunityConcern,
            column=CommunityConcern.behaviour if long else CommunityConcern.raised_on,
            form_name="Add the concern",
            field="Behaviour seen there" if long else "Raised on",
            typed=behaviour if long else day,
            fill=fill,
            button="Add the concern",
        )
        if long:
            case = kept_or_unrefused(
                page, case, "Add the concern", "Behaviour seen there", behaviour
            )
        cases.append(case)
    return cases


def action_due_cases(page, engine, today: date) -> list[Case]:
    """Session outcomes (pm): an action item due yesterday (refused; it was saved due today) and
    one due in a month (stored as typed)."""
    cases = []
    for day in (today - timedelta(days=1), today + timedelta(days=30)):
        go(page, "Session outcomes", "Session outcomes")

        def fill(scope, day=day):
            scope.get_by_label("Action").fill("Demo: call the shelter about a bed")
            pick(page, scope, "Owner organization", "CMP")
            type_date(scope, "Due", day)

        cases.append(
            try_case(
                page,
                engine,
                model=ActionItem,
                column=ActionItem.due_on,
                form_name="Add the action item",
                field="Due",
                typed=day,
                fill=fill,
                button="Add the action item",
            )
        )
    return cases


def open_record(page, lead_id: str, tab: str) -> None:
    """Participants -> search -> one tap on the result -> the tab (a tracked tab reruns the
    script)."""
    go(page, "Participants", "Participants")
    page.get_by_role("textbox", name="Search by name, alias or LEAD id").fill(lead_id)
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name=lead_id).first.click()  # one tap on the result's row
    wait_idle(page, 800, 40_000)
    page.get_by_role("heading", name=lead_id).first.wait_for()  # "<preferred name> · <LEAD id>"
    page.get_by_role("tab", name=tab).click()
    wait_idle(page)


def goal_cases(page, engine, today: date) -> list[Case]:
    """Participant record (cm1), Add a goal: a date after today (refused), two days ago (stored
    as typed), and 1,001 characters of goal (refused and kept)."""
    person = caseload_person(engine, "cm1", today)
    open_record(page, person["lead_id"], "Individual Intervention Plan")
    label = "Goal, in the participant's own words"
    cases = []
    for day, words in (
        (today + timedelta(days=10), "Demo: a room of my own"),
        (today - timedelta(days=2), "Demo: a room of my own"),
        (today, "g" * 1001),
    ):

        def fill(scope, day=day, words=words):
            scope.get_by_label(label).fill(words)
            type_date(scope, "Date", day)

        long = len(words) > 1000
        case = try_case(
            page,
            engine,
            model=PlanGoal,
            column=PlanGoal.goal if long else PlanGoal.started_on,
            form_name="Add a goal",
            field="Goal" if long else "Date",
            typed=words if long else day,
            fill=fill,
            button="Add goal",
        )
        if long:
            case = kept_or_unrefused(page, case, "Add a goal", label, words)
        cases.append(case)
    return cases


def form_truth(base: str, engine, today: date) -> list[Case]:
    """Every case above, each group signed in as the role that uses the form."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_browser

    cases: list[Case] = []
    groups = (
        ("cm1", lambda page: contact_date_cases(page, base, engine, today)),
        ("cm1", lambda page: [contact_note_case(page, engine, today)]),
        ("bpd", lambda page: [reason_length_case(page, base, engine)]),
        ("bpd", lambda page: submission_dob_cases(page, engine)),
        ("pm", lambda page: concern_cases(page, engine, today)),
        ("pm", lambda page: action_due_cases(page, engine, today)),
        ("cm1", lambda page: goal_cases(page, engine, today)),
    )
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        for username, run in groups:
            page = chromium.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(30_000)
            sign_in(page, base, username)
            cases.extend(run(page))
            page.context.close()
        chromium.close()
    return cases


def figures(fresh) -> list[tuple[str, str, bool]]:
    from demo.seed import seed_demo
    from services.core.clock import local_today
    from services.core.db import make_engine
    from tests.browser import app_server

    url = fresh()
    engine = make_engine(url)
    seed_demo(engine)
    with app_server(url) as base:
        cases = form_truth(base, engine, local_today("America/Los_Angeles"))
    engine.dispose()
    untrue = [c for c in cases if not c.truthful]
    for case in cases:
        shown = case.refused or "saved"
        typed = case.typed if isinstance(case.typed, date) else f"{len(case.typed)} characters"
        print(f"  {case.form} / {case.field}: typed {typed}; {shown[:70]}")
    return [
        (
            "form-truth",
            f"{len(cases)} fields tried, {len(untrue)} saved other than shown",
            not untrue and len(cases) > 0,
        )
    ]
