"""Bulk writing: explicit primary keys per table, rows buffered and flushed as executemany.

No ORM object per row: `session.connection().execute(insert(table), rows)` once per table and
chunk of participants, with the models' defaults filling the columns a row leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, insert, select, text
from sqlmodel import SQLModel

from models import (
    ActionItem,
    AgendaItem,
    CommunityConcern,
    CommunityMeeting,
    Contact,
    Coverage,
    Disclosure,
    HousingChange,
    Intake,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReferralEvent,
    Release,
    ReportSnapshot,
    Service,
    StaffingSession,
    StatusChange,
    Submission,
    User,
)
from services.core.db import read_session, write_session


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


def _ids(engine: Engine) -> dict[str, int]:
    """The next free primary key of every table (the generator writes explicit ids)."""
    with read_session(engine) as session:
        return {
            table.name: (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            for table in SQLModel.metadata.sorted_tables
            if "id" in table.c
        }


class Writer:
    """Explicit ids per table, rows buffered per table, flushed as executemany inserts."""

    ORDER = (
        User,
        Participant,
        Referral,
        ReferralEvent,
        Release,
        Intake,
        PlanGoal,
        PlanGoalChange,
        Service,
        Contact,
        StatusChange,
        HousingChange,
        Coverage,
        StaffingSession,
        Submission,
        AgendaItem,
        ActionItem,
        CommunityMeeting,
        CommunityConcern,
        ReportSnapshot,
        Disclosure,
    )

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.next_id = _ids(engine)
        self.rows: dict[type, list[dict]] = {model: [] for model in self.ORDER}
        self.counts = Counts()
        # Core executemany wants every column in every row: the models' defaults fill the gaps.
        self.defaults = {
            model: {
                name: info.get_default(call_default_factory=True)
                for name, info in model.model_fields.items()
                if name != "id" and not info.is_required()
            }
            for model in self.ORDER
        }

    def add(self, model: type, **values) -> int:
        name = model.__tablename__
        row_id = self.next_id[name]
        self.next_id[name] = row_id + 1
        self.rows[model].append({**self.defaults[model], **values, "id": row_id})
        return row_id

    def flush(self) -> None:
        with write_session(self.engine) as session:
            if self.engine.dialect.name == "sqlite":  # index pages stay in memory while building
                session.execute(text("PRAGMA cache_size = -131072"))
            for model in self.ORDER:
                rows = self.rows[model]
                if rows:  # Core executemany: no ORM bookkeeping per row
                    session.connection().execute(insert(model.__table__), rows)
                    self.counts.add(model.__tablename__, len(rows))
                    self.rows[model] = []


def reset_sequences(engine: Engine) -> None:
    """PostgreSQL: explicit ids leave the serial sequences behind; move them past the rows."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if "id" not in table.c:
                continue
            # Table names come from the models, never from input.
            query = f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            query += f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'  # noqa: S608
            conn.execute(text(query))
