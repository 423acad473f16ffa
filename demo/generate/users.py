"""The generated sign-ins: the demo's users and one case manager per 25 actives (PROTOCOL M7).

The core users are the demo's own (`pm`, `supervisor`, `bpd`...; password `lead-demo-pass`), so
a scale database can be opened in a browser; case managers `cm1`...`cmK` scale with the caseload.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from demo.generate.vocabulary import CORE_USERS, FIRST_NAMES
from models import Role, User


@dataclass
class Users:
    ids: dict[str, int]  # username -> id
    case_managers: list[tuple[int, str]]  # (id, username)


def add_users(writer, people, orgs, password_hash, start, caseload) -> Users:
    actives = sum(p.status == "active" for p in people)
    managers = max(2, math.ceil(actives / caseload))  # PROTOCOL M7: 1 FTE per 25 actives
    created = datetime(start.year, start.month, start.day, 17, tzinfo=UTC)
    ids: dict[str, int] = {}

    def user(username, name, role, org):
        ids[username] = writer.add(
            User,
            username=username,
            display_name=name,
            role=role,
            organization_id=orgs[org],
            password_hash=password_hash,
            disabled=False,
            failed_logins=0,
            sessions_valid_after=datetime(2000, 1, 1, tzinfo=UTC),
            created_at=created,
            version=1,
        )

    for username, name, role, org in CORE_USERS:
        user(username, name, role, org)
    case_managers = []
    for n in range(1, managers + 1):
        username = f"cm{n}"
        first = FIRST_NAMES[(n - 1) % len(FIRST_NAMES)]
        user(username, f"{first} Demo-Casework {n}", Role.case_manager, "CMP")
        case_managers.append((ids[username], username))
    # Actives spread evenly (25 each); everyone else keeps the manager who last had them.
    for k, person in enumerate(p for p in people if p.status == "active"):
        person.case_manager = k % managers
    for person in people:
        if person.status != "active":
            person.case_manager = (person.index * 13) % managers
    return Users(ids=ids, case_managers=case_managers)
