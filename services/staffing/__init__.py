"""Staffing sessions: the calendar, partners' names, the agenda, outcomes and action items.

PROTOCOL M1 (sessions recur: the operational workgroup every `workgroup_interval_days`, staffing
sessions every `staffing_interval_days`), M2 (partners send names with a brief reason before a
cut-off of `submission_cutoff_business_days` business days), M3 (standing items), M4 (the
workgroup informs, never decides charges) and C3 (only a person whose active release of
information covers every attending organization may be discussed).

SECURITY 5: a submission answers the same way whatever is known about the person; the consent
check runs only when the project manager builds the agenda, and partners never see why a name
was held. What an agenda item may show is decided in `services.staffing.content`.

This module holds no logic: it re-exports what other areas, pages, ui and tests use from
`vocabulary` (words and limits), `rules` (pure rules), `consent` (C3), `items` (agenda order and
shared checks), `sessions`, `submissions`, `review` (the PM's inbox), `agendas`, `suggested` and
`outcomes` (outcomes and action items). The shared screen and exports are in `content`
(with `sections` and `standing`), free text partners read in `text`, room mode in `room`.
"""

from services.staffing.agendas import (
    agenda,
    agenda_rows,
    finalize,
    move_item,
    remove_item,
    update_item,
)
from services.staffing.consent import consent_problem
from services.staffing.outcomes import (
    action_item_alerts,
    add_action_item,
    mark_action_done,
    my_action_items,
    open_action_items,
    owner_choices,
    save_outcome,
    session_action_items,
)
from services.staffing.review import (
    AGENDA_WORK,
    carry_submission,
    confirm_match,
    held_submissions,
    hold_submission,
    inbox,
    late_submissions,
    place_candidate,
    pull_in,
)
from services.staffing.rules import (
    consent_gaps,
    display_name,
    is_business_day,
    meeting_day,
    next_occurrence,
    rank_matches,
    running_times,
    submission_cutoff,
    timer_state,
)
from services.staffing.sessions import (
    _new_session,
    default_attending,
    default_session_id,
    list_sessions,
    next_session_taking_names,
    schedule_session,
    update_session,
)
from services.staffing.submissions import my_submissions, pickable_participants, submit_name
from services.staffing.suggested import add_suggestion, suggestions
from services.staffing.vocabulary import (
    ACTION_ITEMS_TITLE,
    PARTNER_STATUS_BEFORE_SESSION,
    RESCINDED_TITLE,
    SESSION_KINDS,
    STANDING_TITLES,
    SUBMITTED_MESSAGE,
    URGENCIES,
    URGENT_MARK,
)

__all__ = [
    "ACTION_ITEMS_TITLE",
    "AGENDA_WORK",
    "PARTNER_STATUS_BEFORE_SESSION",
    "RESCINDED_TITLE",
    "SESSION_KINDS",
    "STANDING_TITLES",
    "SUBMITTED_MESSAGE",
    "URGENCIES",
    "URGENT_MARK",
    "_new_session",
    "action_item_alerts",
    "add_action_item",
    "add_suggestion",
    "agenda",
    "agenda_rows",
    "carry_submission",
    "confirm_match",
    "consent_gaps",
    "consent_problem",
    "default_attending",
    "default_session_id",
    "display_name",
    "finalize",
    "held_submissions",
    "hold_submission",
    "inbox",
    "is_business_day",
    "late_submissions",
    "list_sessions",
    "mark_action_done",
    "meeting_day",
    "move_item",
    "my_action_items",
    "my_submissions",
    "next_occurrence",
    "next_session_taking_names",
    "open_action_items",
    "owner_choices",
    "pickable_participants",
    "place_candidate",
    "pull_in",
    "rank_matches",
    "remove_item",
    "running_times",
    "save_outcome",
    "schedule_session",
    "session_action_items",
    "submission_cutoff",
    "submit_name",
    "suggestions",
    "timer_state",
    "update_item",
    "update_session",
]
