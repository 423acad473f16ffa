"""New referral: the LEAD cover sheet, screened as it is filled (PROTOCOL B1-B14, S1-S5, V1)."""

import streamlit as st

from services.audit import AuditWriteError
from services.clock import local_today
from services.errors import ValidationError
from services.referrals import (
    CONVICTION_LABELS,
    DETERMINATION_DEFAULTS,
    DETERMINATION_LABELS,
    DRUG_LABELS,
    OFFENSE_LABELS,
    PROSECUTOR_OFFICES,
    REFERRAL_TYPE_LABELS,
    VERIFICATION_LABELS,
    CoverSheet,
    Person,
    case_managers,
    create_referral,
    find_matches,
    preview,
    referring_agencies,
)
from services.site import get_settings
from ui.fields import date_field
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, run_action, table

ctx, user = require_page("referral_new")

st.title("New referral")
st.caption("The LEAD cover sheet. The screen on the right updates as you fill it in.")
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
    officer = right.text_input("Referring officer", max_chars=120, key="rn_officer")
    sergeant = left.text_input("Supervising sergeant", max_chars=120, key="rn_sergeant")
    prosecutor = right.selectbox(
        "Prosecutor with jurisdiction",
        list(PROSECUTOR_OFFICES),
        format_func=PROSECUTOR_OFFICES.get,
        index=None,
        placeholder="KCPAO or City Attorney",
        key="rn_prosecutor",
    )
    place = left.text_input("Place", max_chars=200, key="rn_place")
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
    victim = st.checkbox("A victim is involved (V1)", key="rn_victim")
    victim_sheet = None
    if victim:
        victim_sheet = date_field(
            "Date the victim information sheet was given", key="rn_victim_sheet"
        )

    st.subheader("Determinations" + (" (B3-B10)" if arrest else " (S4)"))
    shown = list(DETERMINATION_LABELS) if arrest else ["protective_order_with_participant"]
    determinations = {
        key: st.checkbox(
            DETERMINATION_LABELS[key], value=DETERMINATION_DEFAULTS[key], key=f"rn_det_{key}"
        )
        for key in shown
    }

    st.subheader("Prior convictions (B9)")
    left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
    conviction = left.selectbox(
        "Conviction", list(CONVICTION_LABELS), format_func=CONVICTION_LABELS.get, key="rn_conv"
    )
    convicted_on = date_field("Conviction date", key="rn_conv_date", container=middle)
    attempt = right.checkbox("Attempt", key="rn_conv_attempt")
    if st.button("Add conviction", icon=":material/add:", disabled=convicted_on is None):
        state.rn_convictions.append(
            {"offense": conviction, "date": convicted_on, "attempt": attempt}
        )
    if state.rn_convictions:
        table(
            [
                {
                    "Conviction": CONVICTION_LABELS[c["offense"]],
                    "Date": c["date"].isoformat(),
                    "Attempt": "yes" if c["attempt"] else "no",
                }
                for c in state.rn_convictions
            ],
            key="rn_conv_table",
        )
        if st.button("Remove the last conviction", icon=":material/remove:"):
            state.rn_convictions.pop()
            st.rerun()
    notes = st.text_area(
        "Warrant or DOC notes (B11, B12)", max_chars=2000, key="rn_notes", height=80
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
            "Approving sergeant or designated officer (S5)", max_chars=120, key="rn_approver"
        )

    st.subheader("Recommendation and consent")
    override = st.checkbox(
        "The officer recommends diversion even if the criteria are not met (B13)",
        key="rn_override",
    )
    override_reason = ""
    if override:
        override_reason = st.text_area("Override reason", max_chars=500, key="rn_override_reason")
    incapacitated = st.checkbox(
        "Unable to consent right now: intoxicated, incapacitated or unable for mental-health "
        "reasons (C2)",
        key="rn_incapacitated",
    )

    st.subheader("Person")
    left, right = st.columns(2)
    legal = left.text_input("Legal name", max_chars=120, key="rn_legal")
    preferred = right.text_input("Preferred name", max_chars=120, key="rn_preferred")
    aliases = left.text_input("Aliases (separate with commas)", max_chars=400, key="rn_aliases")
    dob = date_field("Date of birth", key="rn_dob", container=right)
    person = Person(legal, preferred, [a for a in aliases.split(",") if a.strip()], dob)
    # Look people up once per change of name or date of birth (each lookup is audited).
    lookup = (legal, preferred, aliases, dob)
    if state.get("rn_lookup") != lookup:
        try:
            state.rn_matches = find_matches(ctx.engine, user, person)
        except (ValidationError, AuditWriteError) as exc:
            st.error(plain(str(exc)) or "The lookup could not be audited.", icon=":material/error:")
            state.rn_matches = []
        state.rn_lookup = lookup
    matches = state.get("rn_matches", [])
    by_id = {m["participant_id"]: m for m in matches}
    chosen = None
    if matches:
        st.warning(
            "Possible earlier records of this person (B14: a prior referral does not preclude a "
            "new one). Check before creating a new person.",
            icon=":material/person_search:",
        )
        table(
            [{k: v for k, v in m.items() if k != "participant_id"} for m in matches],
            key="rn_matches_table",
        )
        chosen = st.selectbox(
            "This referral is for",
            [None, *by_id],
            format_func=lambda pid: (
                "A new person" if pid is None else f"{by_id[pid]['LEAD id']} ({by_id[pid]['Why']})"
            ),
            key="rn_person_choice",
        )
    managers = {m["id"]: m["name"] for m in case_managers(ctx.engine, user)}
    manager = None
    if chosen is None:
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
    convictions=list(state.rn_convictions),
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

with side:
    st.subheader("Screen")
    verdict = preview(sheet, today, lookback_months=settings.social_contact_lookback_months)
    if arrest and not offense:
        st.info("Choose the offense to see the screen.", icon=":material/pending:")
    elif verdict["eligible"]:
        st.success("**Eligible**: no exclusion applies.", icon=":material/check_circle:")
    else:
        st.error(f"**Excluded** by {len(verdict['reasons'])} rule(s):", icon=":material/cancel:")
        for reason in verdict["reasons"]:
            st.markdown(f"- **{reason['rule']}**: {reason['text']}")
    st.info(verdict["decision_support"], icon=":material/balance:")
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
                    person=None if chosen else person,
                    participant_id=chosen,
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
