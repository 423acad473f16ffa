"""New referral: the LEAD cover sheet, screened as it is filled (PROTOCOL B1-B14, S1-S5, V1)."""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.referrals import (
    DRUG_LABELS,
    OFFENSE_LABELS,
    PROSECUTOR_OFFICES,
    REFERRAL_TYPE_LABELS,
    VERIFICATION_LABELS,
    CoverSheet,
    Person,
    case_managers,
    create_referral,
    preview,
    referring_agencies,
)
from ui.fields import date_field
from ui.referral_form import (
    conviction_choice,
    conviction_list,
    determination_fields,
    person_choice,
    screen_panel,
    section_verdict,
)
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, run_action

ctx, user = require_page("referral_new")

st.title("New referral")
st.caption(
    "The LEAD cover sheet. The screen updates as you fill it in: beside the sheet, and under "
    "each group of fields."
)
flash()
settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)
state = st.session_state
if state.pop("rn_reset", False):  # a clean sheet after a save
    for key in [k for k in state if k.startswith("rn_")]:
        del state[key]
state.setdefault("rn_convictions", [])

left_side, side = st.columns([3, 2], gap="large")
# The sheet scrolls on its own so the screen beside it stays in view while fields change.
with left_side.container(height=760, border=False):
    kind = st.radio(
        "Referral type",
        list(REFERRAL_TYPE_LABELS),
        format_func=REFERRAL_TYPE_LABELS.get,
        horizontal=True,
        key="rn_type",
    )
    arrest = kind == "arrest"
    st.subheader("When and who")
    left, right = st.columns(2)
    referred_on = date_field("Referral date", today, key="rn_date", container=left)
    referred_time = right.time_input("Time", value=None, key="rn_time")
    agencies = referring_agencies(ctx.engine)
    agency = left.selectbox(
        "Referring agency", list(agencies), format_func=agencies.get, key="rn_agency"
    )
    officer = right.text_input("Referring officer", key="rn_officer")
    sergeant = left.text_input("Supervising sergeant", key="rn_sergeant")
    prosecutor = right.selectbox(
        "Prosecutor with jurisdiction",
        list(PROSECUTOR_OFFICES),
        format_func=PROSECUTOR_OFFICES.get,
        index=None,
        placeholder="KCPAO or City Attorney",
        key="rn_prosecutor",
    )
    place = left.text_input("Place", key="rn_place")
    catchment = right.selectbox(
        f"Inside the catchment area ({plain(settings.catchment_area)})?",
        ["unknown", "yes", "no"],
        key="rn_catchment",
    )

    offense, drug, grams = "", "", None
    if arrest:
        st.subheader("Offense (B1, B2)")
        offense = st.selectbox(
            "Offense",
            list(OFFENSE_LABELS),
            format_func=OFFENSE_LABELS.get,
            index=None,
            placeholder="Choose the offense",
            key="rn_offense",
        )
        left, right = st.columns(2)
        drug = left.selectbox("Drug", list(DRUG_LABELS), format_func=DRUG_LABELS.get, key="rn_drug")
        grams = right.number_input(
            "Drug grams", min_value=0.0, max_value=10000.0, value=None, step=0.5, key="rn_grams"
        )
        offense_verdict = st.empty()
    victim = st.checkbox("A victim is involved (V1)", key="rn_victim")
    victim_sheet = None
    if victim:
        victim_sheet = date_field(
            "Date the victim information sheet was given", key="rn_victim_sheet"
        )

    st.subheader("Determinations" + (" (B3-B10)" if arrest else " (S4)"))
    determinations = determination_fields(kind)
    determinations_verdict = st.empty()

    st.subheader("Prior convictions (B9)")
    left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    conviction = conviction_choice(left)
    convicted_on = date_field("Conviction date", key="rn_conv_date", container=middle)
    convictions = conviction_list(right, conviction, convicted_on)
    convictions_verdict = st.empty()
    notes = st.text_area(
        "Warrant or DOC notes (B11, B12)", key="rn_notes", height=80
    )

    basis, last_violation, approver, approved_on = "", None, "", None
    if not arrest:
        st.subheader("Social contact (S1-S5)")
        basis = st.selectbox(
            "Verification basis (S1)",
            list(VERIFICATION_LABELS),
            format_func=VERIFICATION_LABELS.get,
            key="rn_basis",
        )
        left, right = st.columns(2)
        last_violation = date_field(
            "Last known violation (S3)", key="rn_last_violation", container=left
        )
        approved_on = date_field("Approval date (S5)", key="rn_approved_on", container=right)
        approver = left.text_input(
            "Approving sergeant or designated officer (S5)", key="rn_approver"
        )
        social_verdict = st.empty()

    st.subheader("Recommendation and consent")
    override = st.checkbox(
        "The officer recommends diversion even if the criteria are not met (B13)",
        key="rn_override",
    )
    override_reason = ""
    if override:
        override_reason = st.text_area("Override reason", key="rn_override_reason")
    incapacitated = st.checkbox(
        "Unable to consent right now: intoxicated, incapacitated or unable for mental-health "
        "reasons (C2)",
        key="rn_incapacitated",
    )

    st.subheader("Person")
    left, right = st.columns(2)
    legal = left.text_input("Legal name", key="rn_legal")
    preferred = right.text_input("Preferred name", key="rn_preferred")
    aliases = left.text_input("Aliases (separate with commas)", key="rn_aliases")
    dob = date_field("Date of birth", key="rn_dob", container=right)
    person = Person(legal, preferred, [a for a in aliases.split(",") if a.strip()], dob)
    choice = person_choice(ctx.engine, user, person, aliases)
    managers = {m["id"]: m["name"] for m in case_managers(ctx.engine, user)}
    manager = None
    if choice.participant_id is None:
        options = [None, *managers]
        manager = st.selectbox(
            "Case manager",
            options,
            index=options.index(user.id) if user.id in managers else 0,
            format_func=lambda i: "Unassigned" if i is None else managers[i],
            key="rn_manager",
        )

sheet = CoverSheet(
    referral_type=kind,
    referral_date=referred_on,
    referral_time=referred_time,
    referring_org_code=agency or "",
    referring_officer=officer,
    supervising_sergeant=sergeant,
    prosecutor_office=prosecutor or "",
    offense=offense or "",
    drug=drug,
    drug_grams=grams,
    place=place,
    in_catchment={"yes": True, "no": False}.get(catchment),
    victim_involved=victim,
    victim_sheet_date=victim_sheet,
    determinations=determinations,
    convictions=convictions,
    warrant_doc_notes=notes,
    verification_basis=basis,
    last_violation_date=last_violation,
    approving_sergeant=approver,
    approved_date=approved_on,
    override_recommended=override,
    override_reason=override_reason,
    incapacitated=incapacitated,
    case_manager_id=manager,
)

verdict = preview(sheet, today, lookback_months=settings.social_contact_lookback_months)
# Next to the fields that decide it: on a phone the screen panel is far below them.
if arrest and offense:
    section_verdict(offense_verdict, verdict, ("B1", "B2"))
section_verdict(
    determinations_verdict,
    verdict,
    ("B3", "B4", "B5", "B6", "B7", "B8") if arrest else ("S4",),
    unanswered=True,
)
if arrest:
    section_verdict(convictions_verdict, verdict, ("B9",))
else:
    section_verdict(social_verdict, verdict, ("S1", "S2", "S3"))

with side:
    screen_panel(verdict, offense_missing=arrest and not offense)
    if verdict["social_contact_route"] and offense:
        st.button(
            "Refer as a social contact instead (B13)",
            icon=":material/swap_horiz:",
            on_click=lambda: state.update(rn_type="social_contact"),
        )
    if st.button("Save referral", type="primary", icon=":material/save:"):
        saved: dict = {}
        if run_action(
            lambda: saved.update(
                create_referral(
                    ctx.engine,
                    user,
                    sheet,
                    today=today,
                    person=person if choice.new else None,
                    participant_id=choice.participant_id,
                    new_person_reason=choice.reason,
                    new_person_note=choice.note,
                )
            ),
            success="Referral saved.",
        ):
            verdict_word = "eligible" if saved["eligible"] else "excluded"
            state["lead_flash"] = (
                f"Referral saved for {saved['lead_id']} (screen: {verdict_word}). "
                "Record the initial screening below."
            )
            state["rn_reset"] = True
            state["referral_id"] = saved["referral_id"]
            st.switch_page("pages/referrals.py")
    for note in verdict["notes"]:
        st.caption(note)
