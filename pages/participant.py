"""A participant's record: what this role may see of it, and the casework forms (SECURITY 1-2).

Partners get the partner-safe view under an active release only; provider staff get tabs for
identity, releases of information, intake, the Individual Intervention Plan, services, contacts,
status and housing, and a timeline. Every save is validated, version-checked and audited.
"""

import streamlit as st

from models import ParticipantStatus
from services.access.policy import PARTNER_ROLES
from services.core.audit import AuditWriteError
from services.core.clock import local_today
from services.core.site import get_settings
from services.participants import (
    GENDER_IDENTITIES,
    HOUSING_SITUATIONS,
    INTERPRETER,
    RACE_ETHNICITY,
    SECTION_LABELS,
    add_goal,
    add_service,
    assign_case_manager,
    case_managers,
    change_goal_status,
    end_service,
    log_contact,
    record_housing,
    record_intake,
    set_status,
    update_identity,
    view_record,
    withdraw_service,
)
from services.participants.casework import (
    CONTACT_KINDS,
    FACTOR_ANSWERS,
    FUNDING,
    GOAL_STATUSES,
    INTAKE_FACTORS,
    PLAN_DOMAINS,
    SERVICE_CATEGORIES,
)
from services.participants.consent import (
    RELEASE_KINDS,
    add_release,
    partner_organizations,
    rescind_release,
)
from ui.cards import heading_slot, record_heading
from ui.fields import date_field
from ui.session import require_page
from ui.text import plain
from ui.widgets import conflict, flash, form_round, run_edit, seen_before, table

ctx, user = require_page("participant")

heading = heading_slot("Participant record")  # says whose record once the view is known
flash()
conflict()
participant_id = st.session_state.get("participant_id")
if participant_id is None:
    st.info("Choose a participant on the Participants page first.", icon=":material/info:")
    st.page_link("pages/participants.py", label="Go to Participants", icon=":material/group:")
    st.stop()

today = local_today(get_settings(ctx.engine).time_zone)
try:
    record = view_record(ctx.engine, user, participant_id, today, purpose="case coordination")
except AuditWriteError:
    st.error("The record cannot be shown right now because the audit trail could not be written.")
    st.stop()

if not record.allowed:
    st.error(
        "You do not have access to this record. Partners see a participant only under an active "
        "release of information covering their organization.",
        icon=":material/block:",
    )
    st.stop()
record_heading(heading, record)

GOAL = "Goal (participant's words)"
RESET = ["rec_", "recv_"]  # this page's widget keys and remembered versions
version = seen_before(f"recv_p{participant_id}", record.version)
goal_versions = seen_before(
    f"recv_g{participant_id}",
    {g["_id"]: g["_version"] for g in record.sections.get("plan_goals", [])},
)
casework = "casework" in record.edits
R = form_round()  # in every form key: a saved form comes back empty


def show_fields(labels: list[str] | None = None) -> None:
    for label, value in record.fields.items():
        if labels is None or label in labels:
            left, right = st.columns([1, 2])
            left.markdown(f"**{label}**")
            right.text(value or "—")


def section(key: str, empty: str) -> None:
    if key in record.sections:
        st.subheader(SECTION_LABELS[key])
        rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in record.sections[key]]
        table(rows, key=f"rec_table_{key}", empty=empty)


def date_box(label: str, key: str, value=today):
    return date_field(label, value, key=f"{key}_{R}")


if user.role in PARTNER_ROLES:
    consent = plain(record.consent)
    st.caption(f"Release of information (ROI) for your organization today: {consent}.")
    st.info(
        "Partner-safe view: no case notes, substance use, mental health, treatment or "
        "criminal-history detail is ever shown here (42 CFR Part 2).",
        icon=":material/shield:",
    )
    show_fields()
    section("plan_domains", "No Individual Intervention Plan goals yet.")
    section("open_deadlines", "No open deadline concerns your organization.")
    st.stop()

names = [
    ("Summary", True),
    ("Releases of information", "releases" in record.sections),
    ("Intake", "intakes" in record.sections),
    ("Individual Intervention Plan", True),
    ("Services", "services" in record.sections),
    ("Contacts", "contacts" in record.sections),
    ("Status and housing", "status_history" in record.sections),
    ("Timeline", "timeline" in record.sections),
]
# Keyed and tracked: after a save (Log contact, Add goal) the rerun stays on this tab, where the
# confirmation or the refusal shows. The key must not start with a RESET prefix.
shown_tabs = [n for n, s in names if s]
tabs = dict(
    zip(
        shown_tabs,
        st.tabs(shown_tabs, key=f"participant_tab_{participant_id}", on_change="rerun"),
        strict=True,
    )
)

with tabs["Summary"]:
    show_fields()
    section("open_deadlines", "No open deadlines.")
    if "identity" in record.edits:
        v = record.values
        with st.expander("Edit identity and demographics", icon=":material/edit:"):
            with st.form(f"rec_identity_{R}"):
                legal = st.text_input("Legal name", v["legal_name"], key=f"rec_legal_{R}")
                preferred = st.text_input(
                    "Preferred name", v["preferred_name"], key=f"rec_pref_{R}"
                )
                aliases = st.text_input(
                    "Aliases (separate with ;)", "; ".join(v["aliases"]), key=f"rec_alias_{R}"
                )
                dob = date_field("Date of birth", v["date_of_birth"], key=f"rec_dob_{R}")
                race = st.selectbox(
                    "Race and ethnicity (optional)",
                    RACE_ETHNICITY,
                    index=RACE_ETHNICITY.index(v["race_ethnicity"])
                    if v["race_ethnicity"] in RACE_ETHNICITY
                    else 0,
                    key=f"rec_race_{R}",
                )
                language = st.text_input(
                    "Primary language (optional, or declined)",
                    v["primary_language"],
                    key=f"rec_lang_{R}",
                )
                interp = [k for k, val in INTERPRETER.items() if val == v["interpreter_needed"]]
                interpreter = st.selectbox(
                    "Interpreter needed",
                    list(INTERPRETER),
                    index=list(INTERPRETER).index(interp[0]),
                    format_func=lambda k: k or "not recorded",
                    key=f"rec_interp_{R}",
                )
                gender = st.selectbox(
                    "Gender identity (optional)",
                    GENDER_IDENTITIES,
                    index=GENDER_IDENTITIES.index(v["gender_identity"])
                    if v["gender_identity"] in GENDER_IDENTITIES
                    else 0,
                    key=f"rec_gender_{R}",
                )
                if st.form_submit_button("Save identity", type="primary"):
                    run_edit(
                        lambda: update_identity(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            expected_version=version,
                            today=today,
                            values={
                                "legal_name": legal,
                                "preferred_name": preferred,
                                "aliases": aliases,
                                "date_of_birth": dob,
                                "race_ethnicity": race,
                                "primary_language": language,
                                "interpreter_needed": INTERPRETER[interpreter],
                                "gender_identity": gender,
                            },
                        ),
                        success="Identity and demographics saved.",
                        reset_keys=RESET,
                    )
    if "assign" in record.edits:
        managers = {m["id"]: m["name"] for m in case_managers(ctx.engine, user.organization_id)}
        current = record.values["case_manager_id"]
        if current not in managers and current is not None:
            managers[current] = record.fields.get("Case manager", "current")
        with st.form(f"rec_assign_{R}"):
            choice = st.selectbox(
                "Case manager",
                [None, *managers],
                format_func=lambda i: managers.get(i, "unassigned"),
                index=[None, *managers].index(current),
                key=f"rec_cm_{R}",
            )
            if st.form_submit_button("Assign case manager"):
                run_edit(
                    lambda: assign_case_manager(
                        ctx.engine,
                        user,
                        participant_id=participant_id,
                        expected_version=version,
                        case_manager_id=choice,
                    ),
                    success="Case manager assigned.",
                    reset_keys=RESET,
                )

if "Releases of information" in tabs:
    with tabs["Releases of information"]:
        st.caption(
            "A release of information (ROI) lets LEAD share with the organizations it names "
            "(PROTOCOL C1). Partners see the partner-safe view only while one is active."
        )
        section("releases", "No release of information recorded.")
        section("treatment_releases", "No treatment-information release recorded.")
        if casework:
            orgs = {
                o["code"]: f"{o['code']} · {o['name']}" for o in partner_organizations(ctx.engine)
            }
            with st.form(f"rec_release_{R}"):
                st.markdown("**Record a release of information**")
                kind = st.radio(
                    "Kind",
                    list(RELEASE_KINDS),
                    format_func=RELEASE_KINDS.get,
                    key=f"rec_rel_kind_{R}",
                )
                signed = date_box("Signed date", "rec_rel_signed")
                covered = st.multiselect(
                    "Organizations it covers",
                    list(orgs),
                    format_func=orgs.get,
                    key=f"rec_rel_orgs_{R}",
                )
                purpose = st.text_input(
                    "Purpose",
                    "LEAD coordination and staffing sessions",
                    key=f"rec_rel_purpose_{R}",
                )
                expires = date_field("Expires", None, key=f"rec_rel_expires_{R}")
                if st.form_submit_button("Record release", type="primary"):
                    run_edit(
                        lambda: add_release(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            kind=kind,
                            signed_date=signed,
                            covered=covered,
                            purpose=purpose,
                            expires_date=expires,
                            today=today,
                        ),
                        success="Release of information recorded.",
                        reset_keys=RESET,
                    )
            with st.expander("Treatment-information release (PROTOCOL C4)", icon=":material/lock:"):
                with st.form(f"rec_treatment_{R}"):
                    t_signed = date_box("Signed date", "rec_trt_signed")
                    t_who = st.text_input(
                        "Professionals or programs consulted (separate with ;)",
                        key=f"rec_trt_who_{R}",
                    )
                    t_purpose = st.text_input(
                        "Purpose",
                        "consultation about treatment",
                        key=f"rec_trt_p_{R}",
                    )
                    t_expires = date_field("Expires", None, key=f"rec_trt_x_{R}")
                    if st.form_submit_button("Record treatment release"):
                        run_edit(
                            lambda: add_release(
                                ctx.engine,
                                user,
                                participant_id=participant_id,
                                kind="written",
                                signed_date=t_signed,
                                covered=t_who.split(";"),
                                purpose=t_purpose,
                                expires_date=t_expires,
                                treatment_information=True,
                                today=today,
                            ),
                            success="Treatment-information release recorded.",
                            reset_keys=RESET,
                        )
            rescindable = [
                r
                for key in ("releases", "treatment_releases")
                for r in record.sections.get(key, [])
                if not r["Rescinded"]
            ]
            if rescindable:
                with st.form(f"rec_rescind_{R}"):
                    labels = {
                        r["_id"]: f"{r['Kind']} signed {r['Signed']} · covers {r['Covers']}"
                        for r in rescindable
                    }
                    target = st.selectbox(
                        "Release to rescind",
                        list(labels),
                        format_func=labels.get,
                        key=f"rec_resc_id_{R}",
                    )
                    on = date_box("Rescinded on", "rec_resc_on")
                    if st.form_submit_button("Rescind release"):
                        run_edit(
                            lambda: rescind_release(
                                ctx.engine, user, release_id=target, on=on, today=today
                            ),
                            success="Release rescinded: partners lose the view at once.",
                            reset_keys=RESET,
                        )

if "Intake" in tabs:
    with tabs["Intake"]:
        section("intakes", "No in-depth intake recorded yet.")
        if casework:
            with st.form(f"rec_intake_{R}"):
                st.markdown("**Record the in-depth intake**")
                intake_on = date_box("Intake date", "rec_int_on")
                cols = st.columns(2)
                factors = {
                    key: cols[i % 2].selectbox(
                        label,
                        FACTOR_ANSWERS,
                        index=len(FACTOR_ANSWERS) - 1,
                        key=f"rec_int_{key}_{R}",
                    )
                    for i, (key, label) in enumerate(INTAKE_FACTORS.items())
                }
                needs = st.text_area("Immediate needs met", key=f"rec_int_needs_{R}")
                if st.form_submit_button("Record intake", type="primary"):
                    run_edit(
                        lambda: record_intake(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            on=intake_on,
                            factors=factors,
                            immediate_needs_met=needs,
                            today=today,
                        ),
                        success="In-depth intake recorded.",
                        reset_keys=RESET,
                    )

with tabs["Individual Intervention Plan"]:
    st.caption(
        "The Individual Intervention Plan (IIP) holds goals in the participant's own words, each "
        "in a PROTOCOL P1 domain."
    )
    if "plan_goals" in record.sections:
        section("plan_goals", "No goals yet.")
        section("plan_history", "No history yet.")
    else:
        section("plan_domains", "No goals yet.")
    if casework:
        with st.form(f"rec_goal_{R}"):
            st.markdown("**Add a goal**")
            domain = st.selectbox("Domain (PROTOCOL P1)", PLAN_DOMAINS, key=f"rec_goal_domain_{R}")
            goal_text = st.text_area(
                "Goal, in the participant's own words", key=f"rec_goal_text_{R}"
            )
            goal_status = st.selectbox("Status", GOAL_STATUSES, key=f"rec_goal_status_{R}")
            goal_on = date_box("Date", "rec_goal_on")
            if st.form_submit_button("Add goal", type="primary"):
                run_edit(
                    lambda: add_goal(
                        ctx.engine,
                        user,
                        participant_id=participant_id,
                        domain=domain,
                        goal=goal_text,
                        status=goal_status,
                        on=goal_on,
                        today=today,
                    ),
                    success="Goal added to the Individual Intervention Plan.",
                    reset_keys=RESET,
                )
        goals = record.sections.get("plan_goals", [])
        if goals:
            with st.form(f"rec_goal_move_{R}"):
                st.markdown("**Change a goal's status**")
                labels = {g["_id"]: f"{g['Domain']}: {g[GOAL][:60]} ({g['Status']})" for g in goals}
                goal_id = st.selectbox(
                    "Goal", list(labels), format_func=labels.get, key=f"rec_gm_id_{R}"
                )
                new_status = st.selectbox("New status", GOAL_STATUSES, key=f"rec_gm_status_{R}")
                moved_on = date_box("Date", "rec_gm_on")
                if st.form_submit_button("Save goal status"):
                    run_edit(
                        lambda: change_goal_status(
                            ctx.engine,
                            user,
                            goal_id=goal_id,
                            expected_version=goal_versions.get(goal_id, 0),
                            status=new_status,
                            on=moved_on,
                            today=today,
                        ),
                        success="Goal status saved; the history keeps the change.",
                        reset_keys=RESET,
                    )

if "Services" in tabs:
    with tabs["Services"]:
        section("services", "No services recorded.")
        section("treatment_services", "No treatment services recorded.")
        if casework:
            with st.form(f"rec_service_{R}"):
                st.markdown("**Add a service**")
                category = st.selectbox("Service type", SERVICE_CATEGORIES, key=f"rec_svc_cat_{R}")
                provider = st.text_input("Provider", key=f"rec_svc_provider_{R}")
                start = date_field("Start", today, key=f"rec_svc_start_{R}")
                end = date_field("End (optional)", None, key=f"rec_svc_end_{R}")
                cost = st.number_input(
                    "Cost in dollars",
                    min_value=0.0,
                    step=50.0,
                    format="%.2f",
                    key=f"rec_svc_cost_{R}",
                )
                funding = st.radio(
                    "Funding (PROTOCOL P2)",
                    list(FUNDING),
                    format_func=FUNDING.get,
                    index=None,
                    key=f"rec_svc_funding_{R}",
                )
                if st.form_submit_button("Add service", type="primary"):
                    run_edit(
                        lambda: add_service(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            category=category,
                            provider=provider,
                            start_on=start,
                            end_on=end,
                            cost_dollars=cost,
                            funding=funding or "",
                            today=today,
                        ),
                        success="Service added.",
                        reset_keys=RESET,
                    )
            open_services = [
                s
                for key in ("services", "treatment_services")
                for s in record.sections.get(key, [])
                if s["_open"]
            ]
            if open_services:
                with st.form(f"rec_service_stop_{R}"):
                    st.markdown("**End or withdraw a service**")
                    labels = {
                        s["_id"]: f"{s['Type']} at {s['Provider']} from {s['Start']}"
                        for s in open_services
                    }
                    service_id = st.selectbox(
                        "Service", list(labels), format_func=labels.get, key=f"rec_ss_id_{R}"
                    )
                    how = st.radio(
                        "What happened",
                        [
                            "ended as planned",
                            "withdrawn for not making good use of it (PROTOCOL P3)",
                        ],
                        key=f"rec_ss_how_{R}",
                    )
                    stop_on = date_box("Date", "rec_ss_on")
                    reason = st.text_input("Reason (for a withdrawal)", key=f"rec_ss_reason_{R}")
                    st.caption("A withdrawal ends one service; it is not an exit from LEAD.")
                    if st.form_submit_button("Save service change"):
                        run_edit(
                            (
                                lambda: end_service(
                                    ctx.engine, user, service_id=service_id, on=stop_on, today=today
                                )
                            )
                            if how.startswith("ended")
                            else (
                                lambda: withdraw_service(
                                    ctx.engine,
                                    user,
                                    service_id=service_id,
                                    on=stop_on,
                                    reason=reason,
                                    today=today,
                                )
                            ),
                            success="Service change saved.",
                            reset_keys=RESET,
                        )

if "Contacts" in tabs:
    with tabs["Contacts"]:
        if casework:
            with st.form(f"rec_contact_{R}"):
                st.markdown("**Log a contact**")
                c_kind = st.segmented_control(
                    "Kind", CONTACT_KINDS, default="field", required=True, key=f"rec_c_kind_{R}"
                )
                c_minutes = st.number_input("Minutes", 0, 720, 15, step=5, key=f"rec_c_min_{R}")
                c_note = st.text_area("Case note", key=f"rec_c_note_{R}")
                c_on = date_box("Date", "rec_c_on")
                if st.form_submit_button("Log contact", type="primary"):
                    run_edit(
                        lambda: log_contact(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            on=c_on,
                            kind=c_kind,
                            minutes=int(c_minutes),
                            note=c_note,
                            today=today,
                        ),
                        success="Contact logged.",
                        reset_keys=RESET,
                    )
        section("contacts", "No contacts logged yet.")

if "Status and housing" in tabs:
    with tabs["Status and housing"]:
        section("status_history", "No status changes recorded.")
        if casework:
            statuses = [s.value for s in ParticipantStatus]
            with st.form(f"rec_status_{R}"):
                st.markdown("**Change status**")
                new = st.selectbox("New status", statuses, key=f"rec_st_status_{R}")
                st_on = date_box("Date", "rec_st_on")
                st_reason = st.text_input(
                    "Reason (required for inactive or exited)",
                    key=f"rec_st_reason_{R}",
                )
                if st.form_submit_button("Save status"):
                    run_edit(
                        lambda: set_status(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            expected_version=version,
                            status=new,
                            on=st_on,
                            reason=st_reason,
                            today=today,
                        ),
                        success=f"Status set to {new}.",
                        reset_keys=RESET,
                    )
        section("housing_history", "No housing recorded.")
        if casework:
            with st.form(f"rec_housing_{R}"):
                st.markdown("**Record housing**")
                situation = st.selectbox(
                    "Housing situation", HOUSING_SITUATIONS, key=f"rec_h_sit_{R}"
                )
                h_on = date_box("From", "rec_h_on")
                if st.form_submit_button("Save housing"):
                    run_edit(
                        lambda: record_housing(
                            ctx.engine,
                            user,
                            participant_id=participant_id,
                            expected_version=version,
                            situation=situation,
                            on=h_on,
                            today=today,
                        ),
                        success="Housing recorded.",
                        reset_keys=RESET,
                    )

if "Timeline" in tabs:
    with tabs["Timeline"]:
        st.caption("Everything above that you may see, newest first.")
        section("timeline", "Nothing recorded yet.")
