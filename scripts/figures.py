"""`make figures`: measured figures, one per line, as `FIGURE name: value`.

Each figure comes from running the real check; a check that falls short exits non-zero after
printing its line. Runs on a throwaway SQLite database under a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import logging  # noqa: E402

import services.access.auth  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)
from services.core.db import make_engine, migrate, write_session  # noqa: E402
from services.core.site import ensure_defaults  # noqa: E402

services.access.auth.BCRYPT_COST = 4  # the checks create many users; cost is tested separately
failures: list[str] = []


def figure(name: str, value: str, ok: bool = True) -> None:
    print(f"FIGURE {name}: {value}", flush=True)
    if not ok:
        failures.append(name)


def fresh_db_factory(workdir: Path):
    template = workdir / "template.db"
    url = f"sqlite:///{template}"
    migrate(url)
    engine = make_engine(url)
    with write_session(engine) as session:
        ensure_defaults(session)
    engine.dispose()
    counter = iter(range(10_000))

    def fresh() -> str:
        path = workdir / f"db{next(counter)}.db"
        shutil.copy(template, path)
        return f"sqlite:///{path}"

    return fresh


def page_guard(fresh) -> None:
    from tests.checks import page_guard as check

    url = fresh()
    os.environ.update(DATABASE_URL=url, LEAD_MODE="demo", LEAD_COOKIE_KEY="x" * 48)
    result = check(url)
    exposed = len(result["exposed"]) + len(result["errors"])
    figure(
        "page-guard",
        f"{result['pages']} pages x {result['roles']} roles, {exposed} exposed",
        exposed == 0,
    )
    for line in result["exposed"] + result["errors"]:
        print(f"  exposed: {line}")


def audit_tamper(fresh) -> None:
    from tests.checks import audit_tamper as check

    results = check(fresh)
    detected = sum(d for d, _ in results.values())
    figure("audit-tamper", f"{detected}/{len(results)} detected", detected == len(results))


def alerts_10000(fresh) -> None:
    """Open alerts for 10,000 open referrals, end to end (database read + rules), median of 5."""
    from models import Participant, Referral, ReferralType, Role
    from services.access.auth import CurrentUser
    from services.core.clock import utcnow
    from services.today import open_alerts

    engine = make_engine(fresh())
    today = date(2026, 11, 27)
    now = utcnow()
    with write_session(engine) as session:
        participants = [
            Participant(
                lead_id=f"BUR-{i:05d}",
                legal_name=f"Bench Sample {i}",
                preferred_name="Bench",
                organization_id=1,
                created_at=now,
            )
            for i in range(10_000)
        ]
        session.add_all(participants)
        session.flush()
        session.add_all(
            Referral(
                participant_id=p.id,
                referral_type=ReferralType.arrest if i % 4 else ReferralType.social_contact,
                referral_date=today - timedelta(days=i % 90),
                social_contact_approved_date=today - timedelta(days=i % 200)
                if i % 4 == 0
                else None,
                created_at=now,
            )
            for i, p in enumerate(participants)
        )
    pm = CurrentUser(1, "pm", "PM", Role.project_manager, 1, "PDA", 1)
    timings, count = [], 0
    for _ in range(5):
        start = time.perf_counter()
        count = len(open_alerts(engine, pm, today))
        timings.append((time.perf_counter() - start) * 1000)
    median = statistics.median(timings)
    figure("alerts-10000-ms", f"{median:.0f}", median < 1000)
    print(f"  ({count} alerts from 10000 open referrals; runs: {[round(t) for t in timings]} ms)")
    engine.dispose()


def area_figures(fresh) -> None:
    """Run every tests/checks_<area>.py: `figures(fresh) -> [(name, value, ok)]`."""
    import importlib

    for path in sorted((ROOT / "tests").glob("checks_*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        for name, value, ok in module.figures(fresh):
            figure(name, value, ok)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="lead-figures-") as tmp:
        fresh = fresh_db_factory(Path(tmp))
        page_guard(fresh)
        audit_tamper(fresh)
        alerts_10000(fresh)
        area_figures(fresh)
    if failures:
        print(f"Figures short of target: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
