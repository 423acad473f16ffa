"""Glossary: the protocol's words for new partners."""

import streamlit as st

from ui.session import require_page

ctx, user = require_page("glossary")

TERMS = {
    "LEAD (Law Enforcement Assisted Diversion)": "Police divert people arrested for low-level "
    "drug, theft and sex-work offenses to case management instead of jail.",
    "Arrest diversion": "A person arrested for an eligible offense is referred to case "
    "management before booking (PROTOCOL B1-B14, T1).",
    "Social contact referral": "A person referred before any arrest, verified by a LEAD-trained "
    "sergeant; an approval is good for 6 months (PROTOCOL S1-S6).",
    "Release of information (ROI)": "The participant's consent to share information among the "
    "operational partners and discuss them at staffing sessions (PROTOCOL C1-C4).",
    "Individual Intervention Plan (IIP)": "The participant's own plan: housing, treatment, "
    "education, jobs, benefits and more (PROTOCOL P1).",
    "In-depth intake": "The full assessment, due within 30 days of an arrest referral unless "
    "extended (PROTOCOL T4).",
    "Prosecutor notice": "When the intake deadline is missed, the provider tells the prosecutor "
    "with jurisdiction within one week (PROTOCOL T5).",
    "Staffing session": "The bi-weekly operational workgroup that reviews participants and the "
    "program (PROTOCOL M1-M4).",
    "KCPAO": "King County Prosecuting Attorney's Office.",
    "BHRD": "King County Behavioral Health and Recovery Division, the funder (PROTOCOL M5).",
    "DOC NCI": "Department of Corrections Neighborhood Corrections Initiative team (PROTOCOL B11).",
    "PDA": "Public Defender Association, home of the LEAD project manager.",
}

st.title("Glossary")
st.write("The words the LEAD protocol and this dashboard use, in plain language.")
for term, meaning in TERMS.items():
    st.markdown(f"**{term}**  \n{meaning}")
