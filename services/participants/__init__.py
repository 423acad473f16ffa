"""The participants area: search, the audited record, identity edits, casework, caseloads.

Submodules, each citing its PROTOCOL ids:
- `lookup`: who sees whom, and the search (PROTOCOL C3; SECURITY 1-3, 8, 20);
- `record`, `record_sections`, `record_rows`: the audited record, filtered field by field;
- `identity`: identity, assignment, status, housing (PROTOCOL T6, P3);
- `casework`: vocabularies, who may change a record, the one activation path (T6);
- `intake` (T4), `plan` (P1 goals, P2/P3 services), `contacts`, `consent` (C3, C4);
- `caseload`, `team`, `coverage`: caseloads, team figures, hand-overs (PROTOCOL M7);
- `imports`, `import_columns`, `import_reading`: a caseload file checked, then written
  (SECURITY 7, 21).
This module only re-exports the names other areas, pages and tests use.
"""

from services.participants.caseload import (
    MAX_FLAGGED_ROWS,
    by_manager,
    caseload_clause,
    my_caseload,
    no_contact_flags,
    recent_contacts,
)
from services.participants.casework import general_releases
from services.participants.contacts import ContactCreate, log_contact
from services.participants.coverage import (
    MAX_COVERAGE_DAYS,
    add_coverage,
    case_manager_choices,
    coverages,
    end_coverage,
)
from services.participants.identity import (
    GENDER_IDENTITIES,
    HOUSING_SITUATIONS,
    INTERPRETER,
    RACE_ETHNICITY,
    STATUS_REASON_REQUIRED,
    assign_case_manager,
    case_managers,
    organization_codes,
    record_housing,
    set_status,
    update_identity,
)
from services.participants.import_columns import (
    COLUMN_NAMES,
    MAX_COLUMNS,
    MAX_ROWS,
    column_guide,
    errors_csv,
    template_csv,
)
from services.participants.import_reading import upload_key
from services.participants.imports import check_file, import_caseload
from services.participants.intake import record_intake
from services.participants.lookup import (
    MAX_QUERY_LENGTH,
    MAX_SEARCH_ROWS,
    fields_for,
    search,
    validate_query,
)
from services.participants.plan import (
    add_goal,
    add_service,
    change_goal_status,
    end_service,
    withdraw_service,
)
from services.participants.record import FIELD_LABELS, SECTION_LABELS, RecordView, view_record
from services.participants.record_rows import DEADLINE_AUDIENCE
from services.participants.record_sections import MAX_CONTACT_ROWS
from services.participants.team import (
    capacity_forecast,
    default_period,
    forecast_capacity,
    funnel,
    intake_delays,
    median_from_counts,
    months_between,
    referrals_per_month,
)

__all__ = [
    "COLUMN_NAMES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "column_guide",
    "errors_csv",
    "template_csv",
    "upload_key",
    "check_file",
    "import_caseload",
    "MAX_FLAGGED_ROWS",
    "by_manager",
    "caseload_clause",
    "my_caseload",
    "no_contact_flags",
    "recent_contacts",
    "MAX_COVERAGE_DAYS",
    "add_coverage",
    "case_manager_choices",
    "coverages",
    "end_coverage",
    "capacity_forecast",
    "default_period",
    "forecast_capacity",
    "funnel",
    "intake_delays",
    "median_from_counts",
    "months_between",
    "referrals_per_month",
    "ContactCreate",
    "log_contact",
    "record_intake",
    "add_goal",
    "add_service",
    "change_goal_status",
    "end_service",
    "withdraw_service",
    "DEADLINE_AUDIENCE",
    "FIELD_LABELS",
    "GENDER_IDENTITIES",
    "HOUSING_SITUATIONS",
    "INTERPRETER",
    "MAX_CONTACT_ROWS",
    "MAX_QUERY_LENGTH",
    "MAX_SEARCH_ROWS",
    "RACE_ETHNICITY",
    "SECTION_LABELS",
    "STATUS_REASON_REQUIRED",
    "RecordView",
    "assign_case_manager",
    "case_managers",
    "fields_for",
    "general_releases",
    "organization_codes",
    "record_housing",
    "search",
    "set_status",
    "update_identity",
    "validate_query",
    "view_record",
]
