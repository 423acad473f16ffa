"""Real browser, issue 11 "What the screen shows is what is saved" (SECURITY 33).

Typed like a person (the date field's spinbuttons, YYYYMMDD; a pasted reason): a contact dated
after today is refused and nothing is stored (it was stored as today), a contact three days ago
is stored with that day; a 5,000-character reason is refused with its length and stays in the
box (it vanished); after "Log contact" on a record the Contacts tab stays open. Screenshots:
test-artifacts/screenshots/forms-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Contact
from services.core.clock import local_today
from tests.browser import shot
from tests.checks_forms import (
    ERROR,
    SUCCESS,
    caseload_person,
    contact_date_cases,
    count,
    form,
    open_record,
    reason_length_case,
    sign_in,
    submit,
    type_date,
    visible,
)

pytestmark = pytest.mark.browser

ROOM = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo(server, module_engine):
    """conftest's server on this module's demo database, and its engine."""
    return server, module_engine


def new_page(chromium, viewport=ROOM, **options):
    page = chromium.new_context(viewport=viewport, **options).new_page()
    page.set_default_timeout(30_000)
    return page


def test_a_contact_typed_for_a_day_after_today_is_refused_not_saved_as_today(demo, chromium):
    base, engine = demo
    today = local_today("America/Los_Angeles")
    page = new_page(chromium)
    sign_in(page, base, "cm1")
    later, earlier = contact_date_cases(page, base, engine, today)
    shot(page, "forms-01-contact-earlier-day-saved")
    assert (later.stored, later.refused) == (None, "Date: it cannot be in the future.")
    assert (earlier.stored, earlier.refused) == (today - timedelta(days=3), "")


def test_a_pasted_5000_character_reason_is_refused_with_its_length_and_kept(demo, chromium):
    base, engine = demo
    page = new_page(chromium, PHONE, is_mobile=True, has_touch=True)
    sign_in(page, base, "bpd")
    case = reason_length_case(page, base, engine)
    shot(page, "forms-02-reason-too-long-phone", full_page=True)
    assert case.stored is None
    assert case.refused == "The reason is 5,016 characters long; at most 300."


def test_after_log_contact_on_a_record_the_contacts_tab_stays_open(demo, chromium):
    base, engine = demo
    today = local_today("America/Los_Angeles")
    person = caseload_person(engine, "cm1", today)
    page = new_page(chromium)
    sign_in(page, base, "cm1")
    open_record(page, person["lead_id"], "Contacts")
    contacts = page.get_by_role("tab", name="Contacts")
    before = count(engine, Contact)

    log = form(page, "Log a contact")
    type_date(log, "Date", today + timedelta(days=22))
    submit(page, log, "Log contact")
    shot(page, "forms-03-record-contact-refused")
    assert visible(page, ERROR, "Date: it cannot be in the future.")
    assert contacts.get_attribute("aria-selected") == "true"
    assert count(engine, Contact) == before

    log = form(page, "Log a contact")
    type_date(log, "Date", today - timedelta(days=1))
    submit(page, log, "Log contact")
    page.locator(SUCCESS).filter(has_text="Contact logged.").first.wait_for()
    shot(page, "forms-04-record-contact-logged")
    assert contacts.get_attribute("aria-selected") == "true"
    assert count(engine, Contact) == before + 1
