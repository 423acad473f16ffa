"""Table tests for the eligibility screen (PROTOCOL B1-B14, S1-S4), services.rules.eligibility."""

import re

import pytest

from services.rules.eligibility import screen

SCREEN_DATE = "2026-03-01"


def arrest(**fields):
    """An arrest referral that passes every criterion unless ``fields`` say otherwise."""
    return {
        "referral_type": "arrest",
        "date": SCREEN_DATE,
        "offense": "vucsa_possession",
        **fields,
    }


def social(**fields):
    """A social contact referral that meets S1-S4 unless ``fields`` say otherwise."""
    return {
        "referral_type": "social_contact",
        "date": SCREEN_DATE,
        "verified": True,
        "in_catchment": True,
        "last_violation_date": "2025-12-01",
        **fields,
    }


def conviction(offense, date, attempt=False):
    return {"offense": offense, "date": date, "attempt": attempt}


def assert_screened(case, reasons):
    result = screen(case)
    assert result["reasons"] == reasons
    assert result["eligible"] is (not reasons)
    assert all(isinstance(note, str) for note in result["notes"])


@pytest.mark.parametrize(
    ("offense", "reasons"),
    [
        pytest.param("vucsa_possession", [], id="drug-possession-is-eligible"),
        pytest.param("vucsa_delivery", [], id="drug-delivery-is-eligible"),
        pytest.param("vucsa_pwi", [], id="possession-with-intent-is-eligible"),
        pytest.param("drug_traffic_loitering", [], id="drug-traffic-loitering-is-eligible"),
        pytest.param("prostitution", [], id="prostitution-is-eligible"),
        pytest.param("theft_misdemeanor", [], id="misdemeanor-theft-is-eligible"),
        pytest.param(
            "property_destruction_misdemeanor",
            [],
            id="misdemeanor-property-destruction-is-eligible",
        ),
        pytest.param("criminal_trespass", [], id="criminal-trespass-is-eligible"),
        pytest.param("obstructing", [], id="obstructing-an-officer-is-eligible"),
        pytest.param("unlawful_bus_conduct", [], id="unlawful-bus-conduct-is-eligible"),
        pytest.param("park_violation", [], id="park-violation-is-eligible"),
        pytest.param("theft_felony", ["B1"], id="an-offense-off-the-list-is-excluded-by-b1"),
    ],
)
def test_the_offense_must_be_on_the_b1_list(offense, reasons):
    assert_screened(arrest(offense=offense), reasons)


@pytest.mark.parametrize(
    ("fields", "reasons"),
    [
        pytest.param(
            {"drug": "other", "drug_grams": 6.99},
            [],
            id="just-under-seven-grams-is-eligible",
        ),
        pytest.param(
            {"drug": "other", "drug_grams": 7.0},
            [],
            id="exactly-seven-grams-is-not-above-limit",
        ),
        pytest.param(
            {"drug": "other", "drug_grams": 7.01},
            ["B2"],
            id="just-over-seven-grams-excludes",
        ),
        pytest.param(
            {"offense": "vucsa_delivery", "drug": "marijuana", "drug_grams": 28},
            [],
            id="marijuana-delivery-ignores-the-amount",
        ),
        pytest.param(
            {"offense": "vucsa_pwi", "drug": "marijuana", "drug_grams": 28},
            [],
            id="marijuana-possession-with-intent-ignores-the-amount",
        ),
        pytest.param(
            {"offense": "vucsa_possession", "drug": "marijuana", "drug_grams": 28},
            ["B2"],
            id="marijuana-simple-possession-keeps-the-amount-limit",
        ),
        pytest.param(
            {
                "offense": "vucsa_possession",
                "drug": "prescription_pills",
                "drug_grams": 28,
            },
            [],
            id="pill-possession-ignores-the-amount",
        ),
        pytest.param(
            {
                "offense": "vucsa_delivery",
                "drug": "prescription_pills",
                "drug_grams": 28,
            },
            [],
            id="pill-delivery-ignores-the-amount",
        ),
        pytest.param(
            {"offense": "vucsa_pwi", "drug": "prescription_pills", "drug_grams": 28},
            [],
            id="pill-possession-with-intent-ignores-the-amount",
        ),
        pytest.param(
            {
                "offense": "drug_traffic_loitering",
                "drug": "prescription_pills",
                "drug_grams": 28,
            },
            ["B2"],
            id="pills-outside-a-vucsa-charge-keep-the-amount-limit",
        ),
    ],
)
def test_a_drug_amount_above_seven_grams_excludes_unless_excepted(fields, reasons):
    assert_screened(arrest(**fields), reasons)


@pytest.mark.parametrize(
    ("fields", "reasons"),
    [
        pytest.param({"amenable": False}, ["B3"], id="not-amenable-excludes"),
        pytest.param(
            {"offense": "vucsa_delivery", "dealing_for_profit": True},
            ["B4"],
            id="dealing-for-profit-on-delivery-excludes",
        ),
        pytest.param(
            {"offense": "vucsa_possession", "dealing_for_profit": True},
            ["B4"],
            id="dealing-for-profit-excludes-whatever-the-charge",
        ),
        pytest.param({"exploits_others": True}, ["B5"], id="exploiting-others-excludes"),
        pytest.param(
            {"promoting_prostitution": True},
            ["B6"],
            id="promoting-prostitution-excludes",
        ),
        pytest.param(
            {"protective_order_with_participant": True},
            ["B7"],
            id="protective-order-with-a-participant-excludes",
        ),
        pytest.param({"safety_concern": True}, ["B8"], id="officer-safety-concern-excludes"),
    ],
)
def test_each_officer_determination_excludes_by_its_own_rule(fields, reasons):
    assert_screened(arrest(**fields), reasons)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("murder_1", id="murder-1"),
        pytest.param("murder_2", id="murder-2"),
        pytest.param("arson_1", id="arson-1"),
        pytest.param("robbery_1", id="robbery-1"),
        pytest.param("assault_1", id="assault-1"),
        pytest.param("kidnapping", id="kidnapping"),
        pytest.param("vufa_1", id="vufa-1"),
        pytest.param("sex_offense", id="any-sex-offense"),
    ],
)
def test_a_lifetime_conviction_excludes_however_old_it_is(code):
    assert_screened(arrest(convictions=[conviction(code, "1976-03-01")]), ["B9"])


@pytest.mark.parametrize(
    ("code", "convicted", "anniversary", "day_after"),
    [
        pytest.param("robbery_2", "2016-06-15", "2026-06-15", "2026-06-16", id="robbery-2"),
        pytest.param("assault_2", "2016-06-15", "2026-06-15", "2026-06-16", id="assault-2"),
        pytest.param("assault_3", "2016-06-15", "2026-06-15", "2026-06-16", id="assault-3"),
        pytest.param("burglary_1", "2016-06-15", "2026-06-15", "2026-06-16", id="burglary-1"),
        pytest.param("assault_4_dv", "2021-06-15", "2026-06-15", "2026-06-16", id="assault-4-dv"),
        pytest.param(
            "dv_nco_violation",
            "2021-06-15",
            "2026-06-15",
            "2026-06-16",
            id="dv-no-contact-order-violation",
        ),
        pytest.param(
            "dv_protection_order_violation",
            "2021-06-15",
            "2026-06-15",
            "2026-06-16",
            id="dv-protection-order-violation",
        ),
        pytest.param("burglary_2", "2021-06-15", "2026-06-15", "2026-06-16", id="burglary-2"),
        pytest.param("vufa_2", "2021-06-15", "2026-06-15", "2026-06-16", id="vufa-2"),
    ],
)
def test_a_timed_conviction_excludes_on_its_anniversary_and_not_the_day_after(
    code, convicted, anniversary, day_after
):
    convictions = [conviction(code, convicted)]
    assert_screened(arrest(date=anniversary, convictions=convictions), ["B9"])
    assert_screened(arrest(date=day_after, convictions=convictions), [])


@pytest.mark.parametrize(
    ("convictions", "screened", "reasons"),
    [
        pytest.param(
            [conviction("burglary_2", "2021-06-15")],
            "2026-06-14",
            ["B9"],
            id="burglary-2-the-day-before-5-years-excludes",
        ),
        pytest.param(
            [conviction("robbery_2", "2016-06-15")],
            "2026-06-14",
            ["B9"],
            id="robbery-2-the-day-before-10-years-excludes",
        ),
        pytest.param(
            [conviction("burglary_2", "2020-02-29")],
            "2025-02-28",
            ["B9"],
            id="leap-day-conviction-5th-anniversary-falls-on-28-february",
        ),
        pytest.param(
            [conviction("burglary_2", "2020-02-29")],
            "2025-03-01",
            [],
            id="leap-day-conviction-clears-on-1-march-five-years-on",
        ),
        pytest.param(
            [conviction("robbery_2", "2016-02-29")],
            "2026-02-28",
            ["B9"],
            id="leap-day-conviction-10th-anniversary-falls-on-28-february",
        ),
        pytest.param(
            [conviction("vufa_2", "2019-02-28")],
            "2024-02-29",
            [],
            id="28-february-conviction-clears-on-the-leap-day-after-its-anniversary",
        ),
        pytest.param(
            [conviction("murder_1", "1990-05-01", attempt=True)],
            SCREEN_DATE,
            ["B9"],
            id="attempted-murder-excludes-like-murder",
        ),
        pytest.param(
            [conviction("vufa_2", "2021-03-01", attempt=True)],
            SCREEN_DATE,
            ["B9"],
            id="an-attempt-excludes-through-the-same-5-year-anniversary",
        ),
        pytest.param(
            [conviction("theft_3", "2026-02-01"), conviction("dui", "2025-01-01")],
            SCREEN_DATE,
            [],
            id="convictions-off-the-list-do-not-disqualify",
        ),
        pytest.param(
            [
                conviction("assault_1", "2000-01-01"),
                conviction("burglary_2", "2024-01-01"),
            ],
            SCREEN_DATE,
            ["B9"],
            id="several-disqualifying-convictions-give-b9-once",
        ),
    ],
)
def test_criminal_history_windows_at_their_boundaries(convictions, screened, reasons):
    assert_screened(arrest(date=screened, convictions=convictions), reasons)


@pytest.mark.parametrize(
    ("case", "reasons"),
    [
        pytest.param(social(), [], id="a-social-contact-meeting-s1-to-s4-is-eligible"),
        pytest.param(social(verified=False), ["S1"], id="unverified-violations-fail-s1"),
        pytest.param(
            social(verified=None, in_catchment=None),
            ["S1", "S2"],
            id="verification-and-catchment-default-to-unmet",
        ),
        pytest.param(social(in_catchment=False), ["S2"], id="outside-the-catchment-fails-s2"),
        pytest.param(
            social(last_violation_date="2024-03-01"),
            [],
            id="a-violation-exactly-24-months-back-is-within-s3",
        ),
        pytest.param(
            social(last_violation_date="2024-02-29"),
            ["S3"],
            id="a-violation-24-months-and-a-day-back-fails-s3",
        ),
        pytest.param(
            social(date="2028-02-29", last_violation_date="2026-02-28"),
            [],
            id="screened-on-a-leap-day-the-window-reaches-back-to-28-february",
        ),
        pytest.param(
            social(date="2026-03-31", last_violation_date="2024-03-30"),
            ["S3"],
            id="screened-on-the-31st-the-window-starts-on-the-31st-24-months-back",
        ),
        pytest.param(social(last_violation_date=None), ["S3"], id="no-violation-date-fails-s3"),
        pytest.param(
            social(last_violation_date="2026-03-02"),
            [],
            id="a-violation-dated-after-screening-counts-as-within-24-months",
        ),
        pytest.param(
            social(protective_order_with_participant=True),
            ["S4"],
            id="a-protective-order-with-a-participant-fails-s4",
        ),
        pytest.param(
            social(
                offense="murder",
                drug_grams=100,
                safety_concern=True,
                convictions=[conviction("murder_1", "2020-01-01")],
            ),
            [],
            id="social-contacts-are-not-screened-against-arrest-criteria",
        ),
        pytest.param(
            social(referral_type="doc"),
            [],
            id="a-doc-referral-meeting-s1-to-s4-is-eligible",
        ),
        pytest.param(
            {
                "referral_type": "doc",
                "date": SCREEN_DATE,
                "protective_order_with_participant": True,
            },
            ["S1", "S2", "S3", "S4"],
            id="a-doc-referral-is-screened-like-a-social-contact",
        ),
    ],
)
def test_social_contact_and_doc_prerequisites(case, reasons):
    assert_screened(case, reasons)


@pytest.mark.parametrize(
    ("case", "reasons"),
    [
        pytest.param(
            arrest(
                convictions=[conviction("kidnapping", "1999-09-09")],
                protective_order_with_participant=True,
                amenable=False,
                drug="other",
                drug_grams=12,
                offense="robbery",
            ),
            ["B1", "B2", "B3", "B7", "B9"],
            id="several-exclusions-are-listed-in-rule-order",
        ),
        pytest.param(
            arrest(
                offense="vucsa_delivery",
                drug="other",
                drug_grams=8,
                amenable=False,
                dealing_for_profit=True,
                exploits_others=True,
                promoting_prostitution=True,
                protective_order_with_participant=True,
                safety_concern=True,
                convictions=[conviction("burglary_2", "2025-01-01")],
            ),
            ["B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"],
            id="every-exclusion-but-b1-at-once",
        ),
    ],
)
def test_every_excluding_rule_is_reported_once_in_order(case, reasons):
    assert_screened(case, reasons)


@pytest.mark.parametrize(
    ("case", "key"),
    [
        pytest.param({"date": SCREEN_DATE}, "referral_type", id="missing-referral-type"),
        pytest.param(
            arrest(referral_type="citation"),
            "referral_type",
            id="unknown-referral-type",
        ),
        pytest.param({"referral_type": "social_contact"}, "date", id="missing-screening-date"),
        pytest.param(arrest(date="2026-02-30"), "date", id="impossible-screening-date"),
        pytest.param(arrest(date="03/01/2026"), "date", id="non-iso-screening-date"),
        pytest.param(arrest(offense=None), "offense", id="arrest-without-an-offense"),
        pytest.param(arrest(drug_grams="8"), "drug_grams", id="grams-given-as-text"),
        pytest.param(arrest(drug="heroin"), "drug", id="drug-outside-the-listed-values"),
        pytest.param(arrest(safety_concern="yes"), "safety_concern", id="flag-given-as-text"),
        pytest.param(
            arrest(convictions={"offense": "murder_1"}),
            "convictions",
            id="convictions-not-a-list",
        ),
        pytest.param(
            arrest(convictions=[{"offense": "murder_1"}]),
            "convictions[0].date",
            id="conviction-without-a-date",
        ),
        pytest.param(
            arrest(convictions=[{"date": "2020-01-01"}]),
            "convictions[0].offense",
            id="conviction-without-an-offense",
        ),
        pytest.param(social(verified="true"), "verified", id="social-contact-flag-as-text"),
        pytest.param(
            social(last_violation_date="last spring"),
            "last_violation_date",
            id="malformed-last-violation-date",
        ),
    ],
)
def test_a_missing_or_malformed_key_raises_value_error_naming_it(case, key):
    with pytest.raises(ValueError, match=re.escape(key)):
        screen(case)


@pytest.mark.parametrize(
    ("case", "rule", "present"),
    [
        pytest.param(
            arrest(convictions=[conviction("murder_2", "2001-01-01")]),
            "B13",
            True,
            id="an-excluded-arrest-notes-the-social-contact-fallback",
        ),
        pytest.param(arrest(), "B13", False, id="an-eligible-arrest-has-no-fallback-note"),
        pytest.param(
            social(referral_type="doc"),
            "B11",
            True,
            id="a-doc-referral-notes-the-nci-decision",
        ),
    ],
)
def test_notes_carry_the_non_excluding_rules(case, rule, present):
    notes = screen(case)["notes"]
    assert any(f"PROTOCOL {rule}" in note for note in notes) is present


def test_unknown_keys_are_ignored():
    case = arrest(officer_badge="1234", drug_grams_estimate="lots", convictions_note=None)
    assert screen(case) == screen(arrest())
    assert screen(case)["eligible"] is True


@pytest.mark.parametrize(
    ("last_violation", "months", "reasons"),
    [
        pytest.param("2025-03-01", 12, [], id="exactly-12-months-back-is-inside"),
        pytest.param("2025-02-28", 12, ["S3"], id="12-months-and-a-day-is-outside"),
        pytest.param("2023-03-01", 36, [], id="a-36-month-window-reaches-further"),
        pytest.param("2024-02-29", 24, ["S3"], id="the-default-is-the-protocols-24"),
    ],
)
def test_the_s3_window_is_a_parameter_of_the_screen(last_violation, months, reasons):
    case = social(last_violation_date=last_violation)
    assert screen(case, violation_months=months)["reasons"] == reasons


@pytest.mark.parametrize("months", [0, -1, 1.5, True, "24"])
def test_a_malformed_s3_window_raises_value_error_naming_it(months):
    with pytest.raises(ValueError, match="violation_months"):
        screen(social(), violation_months=months)
