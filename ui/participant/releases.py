"""The record's releases of information: record one, a treatment-information release, rescind."""

from __future__ import annotations

import streamlit as st

from services.participants.consent import (
    RELEASE_KINDS,
    add_release,
    partner_organizations,
    rescind_release,
)
from ui.fields import date_field
from ui.participant.common import RecordPage


def releases_tab(p: RecordPage) -> None:
    st.caption(
        "A release of information (ROI) lets LEAD share with the organizations it names "
        "(PROTOCOL C1). Partners see the partner-safe view only while one is active."
    )
    p.section("releases", "No release of information recorded.")
    p.section("treatment_releases", "No treatment-information release recorded.")
    if p.casework:
        release_form(p)
        with st.expander("Treatment-information release (PROTOCOL C4)", icon=":material/lock:"):
            treatment_release_form(p)
        rescind_form(p)


def release_form(p: RecordPage) -> None:
    orgs = {o["code"]: f"{o['code']} · {o['name']}" for o in partner_organizations(p.engine)}
    with st.form(p.key("rec_release")):
        st.markdown("**Record a release of information**")
        kind = st.radio(
            "Kind", list(RELEASE_KINDS), format_func=RELEASE_KINDS.get, key=p.key("rec_rel_kind")
        )
        signed = p.date_box("Signed date", "rec_rel_signed")
        covered = st.multiselect(
            "Organizations it covers", list(orgs), format_func=orgs.get, key=p.key("rec_rel_orgs")
        )
        purpose = st.text_input(
            "Purpose", "LEAD coordination and staffing sessions", key=p.key("rec_rel_purpose")
        )
        expires = date_field("Expires", None, key=p.key("rec_rel_expires"))
        if st.form_submit_button("Record release", type="primary"):
            p.save(
                lambda: add_release(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    kind=kind,
                    signed_date=signed,
                    covered=covered,
                    purpose=purpose,
                    expires_date=expires,
                    today=p.today,
                ),
                "Release of information recorded.",
            )


def treatment_release_form(p: RecordPage) -> None:
    """PROTOCOL C4: consultation about treatment needs its own written release."""
    with st.form(p.key("rec_treatment")):
        signed = p.date_box("Signed date", "rec_trt_signed")
        who = st.text_input(
            "Professionals or programs consulted (separate with ;)", key=p.key("rec_trt_who")
        )
        purpose = st.text_input("Purpose", "consultation about treatment", key=p.key("rec_trt_p"))
        expires = date_field("Expires", None, key=p.key("rec_trt_x"))
        if st.form_submit_button("Record treatment release"):
            p.save(
                lambda: add_release(
                    p.engine,
                    p.user,
                    participant_id=p.participant_id,
                    kind="written",
                    signed_date=signed,
                    covered=who.split(";"),
                    purpose=purpose,
                    expires_date=expires,
                    treatment_information=True,
                    today=p.today,
                ),
                "Treatment-information release recorded.",
            )


def rescind_form(p: RecordPage) -> None:
    rescindable = [
        r
        for key in ("releases", "treatment_releases")
        for r in p.record.sections.get(key, [])
        if not r["Rescinded"]
    ]
    if not rescindable:
        return
    with st.form(p.key("rec_rescind")):
        labels = {
            r["_id"]: f"{r['Kind']} signed {r['Signed']} · covers {r['Covers']}"
            for r in rescindable
        }
        target = st.selectbox(
            "Release to rescind", list(labels), format_func=labels.get, key=p.key("rec_resc_id")
        )
        on = p.date_box("Rescinded on", "rec_resc_on")
        if st.form_submit_button("Rescind release"):
            p.save(
                lambda: rescind_release(p.engine, p.user, release_id=target, on=on, today=p.today),
                "Release rescinded: partners lose the view at once.",
            )
