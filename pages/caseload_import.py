"""Import caseload: bring an existing caseload in from CSV or XLSX (SECURITY 21).

The whole file is checked first; nothing is written unless every row is valid, and then all of
it is written in one transaction. Errors name the spreadsheet row and can be downloaded.
"""

import streamlit as st

from services.core.clock import local_today
from services.core.site import get_settings
from services.participants import (
    MAX_ROWS,
    check_file,
    column_guide,
    errors_csv,
    import_caseload,
    template_csv,
    upload_key,
)
from ui.session import require_page
from ui.widgets import flash, table

ctx, user = require_page("caseload_import")

st.title("Import caseload")
flash()
today = local_today(get_settings(ctx.engine).time_zone)
st.markdown(
    "1. Download the template and fill in one row per person (the header is row 1).\n"
    "2. Save it as **CSV UTF-8** or **XLSX** and upload it below.\n"
    "3. If any row has a problem, nothing is written: fix the rows listed and upload again.\n\n"
    f"At most {MAX_ROWS:,} rows and 1 MB per file. Cells may not start with = + - or @."
)
st.download_button(
    "Download the CSV template",
    template_csv(),
    file_name="lead-caseload-template.csv",
    mime="text/csv",
    icon=":material/download:",
)
with st.expander("What goes in each column", icon=":material/help:"):
    table(column_guide(), key="imp_guide")

attempt = st.session_state.setdefault("imp_attempt", 0)
upload = st.file_uploader(
    "Caseload file (CSV or XLSX)", type=["csv", "xlsx"], key=f"imp_upload_{attempt}"
)
if upload is None:
    st.stop()
data = upload.getvalue()
# Checked once per upload, not on every rerun (a hostile workbook cost seconds per check).
key = (upload_key(upload.name, data), today)
checked = st.session_state.get("imp_checked")
if checked is None or checked[0] != key:
    checked = (key, check_file(ctx.engine, user, filename=upload.name, data=data, today=today))
    st.session_state["imp_checked"] = checked
check = checked[1]
if check.errors:
    st.error(
        f"{len(check.errors)} problem(s) found, so nothing was written. Fix them and upload the "
        "file again.",
        icon=":material/error:",
    )
    table(check.errors, key="imp_errors")
    st.download_button(
        "Download the errors (CSV)",
        errors_csv(check.errors),
        file_name="lead-import-errors.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    st.stop()

st.success(f"All {len(check.rows)} row(s) are valid.", icon=":material/check_circle:")
table(
    [
        {"Row": r["row"], "LEAD id": r["lead_id"], "Preferred name": r["preferred_name"]}
        for r in check.rows[:50]
    ],
    key="imp_preview",
)
if check.matches:  # PROTOCOL B14: the one matcher's strong and possible matches, for review
    st.warning(
        f"{len(check.matches)} row(s) may be people already recorded: check them before importing.",
        icon=":material/person_search:",
    )
    table(check.matches, key="imp_matches")
if st.button(f"Import {len(check.rows)} participant(s)", type="primary", icon=":material/upload:"):
    result = import_caseload(ctx.engine, user, filename=upload.name, data=data, today=today)
    st.session_state.pop("imp_checked", None)  # the database changed: check anew
    if result.written:
        st.session_state["lead_flash"] = f"Imported {result.written} participant(s)."
        st.session_state["imp_attempt"] = attempt + 1  # a fresh, empty uploader
        st.rerun()
    st.error("Nothing was written:", icon=":material/error:")
    table(result.errors, key="imp_errors_late")
