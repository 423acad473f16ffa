"""Community report-back: aggregate figures for a period, suppressed, summarised and published.

PROTOCOL M6 (report-back, aggregate only) and SECURITY 22-23 (small cells, no identifiers).
Three steps, the last two pure:

1. `load_activity` (activity.py) reads what the figures need from the database as plain tuples;
2. `raw_counts` (counts.py) counts one period from it (whole numbers, never published as such);
3. `build_figures` (figures.py) turns the counts into the publishable figures: every count goes
   through `services.reports` suppression with the site's threshold; shares, medians, rates and
   spend are derived only from shown cells; stock rows are checked against every other
   published period so that no hidden cell can be worked out by subtraction.

Then reading.py writes the figures as text and tables, charting.py as charts, and
publishing.py freezes a finished period into a snapshot. periods.py names the periods,
vocabulary.py maps staff-entered text onto fixed labels.

Public output never holds a name, an id, an exact date or a place: periods are named by month
("July to September 2026"), categories come from fixed vocabularies (free text entered by staff
is mapped onto them, never shown), and nothing is broken down by geography.

This module only re-exports the names pages, other areas, demo and tests use.
"""

from services.reports.report_back.activity import Activity, active_spans, load_activity
from services.reports.report_back.charting import charts, more_rows, vega_lite
from services.reports.report_back.counts import raw_counts
from services.reports.report_back.figures import ROWS, SINGLE_LABELS, build_figures
from services.reports.report_back.periods import (
    KINDS,
    MONTH_NAMES,
    Period,
    month_label,
    period_containing,
    recent_periods,
)
from services.reports.report_back.publishing import (
    figures_in,
    periods_to_publish,
    preview,
    publish,
    published,
)
from services.reports.report_back.reading import cell_text, summary, table_rows
from services.reports.report_back.vocabulary import (
    GENDER_LABELS,
    HOUSED,
    MULTIRACIAL,
    NOT_RECORDED,
    OTHER_DOMAIN,
    OTHER_HOUSING,
    OTHER_RACE,
    RACE_LABELS,
    REFERRAL_TYPES,
    domain_group,
    gender_group,
    housing_group,
    language_group,
    race_group,
)

__all__ = [
    "GENDER_LABELS",
    "HOUSED",
    "KINDS",
    "MONTH_NAMES",
    "MULTIRACIAL",
    "NOT_RECORDED",
    "OTHER_DOMAIN",
    "OTHER_HOUSING",
    "OTHER_RACE",
    "RACE_LABELS",
    "REFERRAL_TYPES",
    "ROWS",
    "SINGLE_LABELS",
    "Activity",
    "Period",
    "active_spans",
    "build_figures",
    "cell_text",
    "charts",
    "domain_group",
    "figures_in",
    "gender_group",
    "housing_group",
    "language_group",
    "load_activity",
    "month_label",
    "more_rows",
    "period_containing",
    "periods_to_publish",
    "preview",
    "publish",
    "published",
    "race_group",
    "raw_counts",
    "recent_periods",
    "summary",
    "table_rows",
    "vega_lite",
]
