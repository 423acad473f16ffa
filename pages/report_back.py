"""Report-back: the project manager builds and publishes a period's figures; community
representatives see published snapshots only (PROTOCOL M6, SECURITY 22-23)."""

import streamlit as st

from models import Role
from services.core.clock import local_today
from services.core.site import get_settings
from services.reports.handout import handout_file_name, handout_pdf
from services.reports.report_back import (
    KINDS,
    charts,
    more_rows,
    periods_to_publish,
    preview,
    publish,
    published,
    summary,
    table_rows,
    vega_lite,
)
from ui.session import require_page
from ui.text import plain
from ui.widgets import flash, full_table, run_action

ctx, user = require_page("report_back")

settings = get_settings(ctx.engine)
today = local_today(settings.time_zone)


def show(figures: dict, *, key: str, published_in: str | None) -> None:
    """Summary, charts with their tables, every other table, and the printable handout."""
    st.subheader(f"How LEAD is going: {figures['label']}")
    for sentence in summary(figures):  # built from fixed labels and numbers, no user text
        st.markdown(sentence.replace("$", "\\$"))
    st.download_button(
        "Download the printable handout (PDF)",
        data=lambda: handout_pdf(figures, site_name=settings.name, published=published_in),
        file_name=handout_file_name(figures),
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key=f"{key}_handout",
    )
    for chart in charts(figures):
        left, right = st.columns([3, 2])
        if chart.bars:
            # The Vega-Lite spec as it is: an Altair chart is schema-validated on every rerun.
            left.vega_lite_chart(vega_lite(chart), width="stretch", key=f"{key}_{chart.key}_chart")
        else:
            left.markdown(f"**{chart.title}**")
        left.caption(chart.description)
        with right:
            full_table(chart.table, key=f"{key}_{chart.key}_table")
    with st.expander("More figures", icon=":material/table:", expanded=True):
        for row_key in more_rows(figures):
            st.markdown(f"**{figures['rows'][row_key]['title']}**")
            full_table(table_rows(figures, row_key), key=f"{key}_{row_key}_more")


st.title("Report-back")
flash()
snapshots = published(ctx.engine, settings.time_zone)
if user.role == Role.project_manager:
    build, archive = st.tabs(["Build and publish", "Published reports"])
    with build:
        kind = st.radio("Period", KINDS, format_func=str.capitalize, horizontal=True)
        choices = periods_to_publish(ctx.engine, today, kind)
        choice = st.selectbox("Which one", choices, format_func=lambda c: c["choice_label"])
        if choice["published"]:
            st.success(f"{plain(choice['blocked_by'])} is published; its numbers are frozen.")
        elif choice["blocked_by"]:
            st.warning(
                f"{plain(choice['blocked_by'])} is already published and overlaps this period, "
                "so this one cannot be published (the two could be subtracted)."
            )
        else:
            st.info("Preview: not published yet. Read it through, then publish to freeze it.")
            agreed = st.checkbox("I have checked these figures and the summary.")
            if st.button(
                f"Publish {choice['period'].label}",
                type="primary",
                icon=":material/publish:",
                disabled=not agreed,
            ) and run_action(
                lambda: publish(ctx.engine, user, choice["period"], today=today),
                success=f"Published {choice['period'].label}: community representatives see it.",
            ):
                st.rerun()
            show(preview(ctx.engine, choice["period"]), key="preview", published_in=None)
else:
    archive = st.container()

with archive:
    if not snapshots:
        st.info("Nothing has been published yet.", icon=":material/info:")
        st.stop()
    chosen = st.selectbox(
        "Published report",
        snapshots,
        format_func=lambda s: f"{s['label']} (published {s['published']})",
    )
    show(chosen["figures"], key="published", published_in=chosen["published"])
