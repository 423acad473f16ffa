"""Proof at scale (issue 7): failure drills and benchmarks, shared by tests and `make figures`.

- kill drill: a writer process appends Contact rows (each with its audit row) in short
  transactions and prints every id AFTER its commit; it is killed with SIGKILL at random,
  K times. Every acknowledged id must be there afterwards, and the integrity check and the
  audit chain must pass.
- concurrent writers: ten processes write for a while; every error that reaches the caller is
  counted ("database is locked" above all).
- backup and restore: `python -m services.ops.admin backup` and `restore` into a fresh database,
  then integrity, row counts and the audit chain (services.ops.backup.verify).
- page benchmarks: scripts/bench.py (run as a subprocess, see `bench_figures`).

`python -m tests.checks_scale writer <url> <user id> <participant id>` starts one drill writer
by hand (`concurrent <url> <user id> <participant id> <seconds>`: one concurrent writer).
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import OperationalError

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
DRILL_USER = "drill.writer"
FIRST_ACK_TIMEOUT_S = 60
Figure = tuple[str, str, bool]


# --- Drill database ------------------------------------------------------------------------------


def prepare_drill(url: str) -> tuple[int, int]:
    """A user and a participant for the writers to attach contacts to: (user id, participant id)."""
    from models import Organization, Participant, User
    from services.core.db import make_engine, write_session
    from services.core.site import ensure_defaults

    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        with write_session(engine) as session:
            ensure_defaults(session)
            org = session.execute(
                select(Organization.id).where(Organization.code == "CMP")
            ).scalar_one()
            user = session.execute(select(User.id).where(User.username == DRILL_USER)).scalar()
            if user is None:
                user = session.execute(
                    insert(User).returning(User.id),
                    [
                        {
                            "username": DRILL_USER,
                            "display_name": "Drill Sample-Writer",
                            "role": "case_manager",
                            "organization_id": org,
                            "password_hash": "!",  # no password: never signs in
                            "created_at": now,
                        }
                    ],
                ).scalar_one()
            participant = session.execute(
                insert(Participant).returning(Participant.id),
                [
                    {
                        "lead_id": f"DRL-{now.strftime('%H%M%S%f')}",
                        "legal_name": "Drill Q. Sample",
                        "preferred_name": "Drill",
                        "aliases": [],
                        "organization_id": org,
                        "case_manager_id": user,
                        "created_at": now,
                    }
                ],
            ).scalar_one()
        return user, participant
    finally:
        engine.dispose()


def write_one(engine, user_id: int, participant_id: int, note: str) -> int:
    """One short write transaction as a case manager's save: a contact and its audit row."""
    from models import Contact
    from services.core import audit
    from services.core.audit import Actor
    from services.core.db import write_session

    with write_session(engine) as session:
        row_id = session.execute(
            insert(Contact).returning(Contact.id),
            [
                {
                    "participant_id": participant_id,
                    "on": date.today(),
                    "kind": "phone",
                    "staff_id": user_id,
                    "minutes": 5,
                    "note": note,
                    "at": datetime.now(UTC),
                }
            ],
        ).scalar_one()
        audit.append(
            session,
            actor=Actor(username=DRILL_USER, role="case_manager"),
            action="contact.add",
            subject=f"contact {row_id}",
        )
    return row_id


def writer(url: str, user_id: int, participant_id: int) -> None:
    """Write forever; print each id only after its commit returned (the acknowledgement)."""
    from services.core.db import make_engine

    engine = make_engine(url)
    while True:
        row_id = write_one(engine, user_id, participant_id, "Sample drill note.")
        sys.stdout.write(f"{row_id}\n")
        sys.stdout.flush()


def integrity(engine) -> str:
    """SQLite's full integrity check; PostgreSQL: 'ok' once every table scans (it checksums)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return conn.execute(text("PRAGMA integrity_check")).scalar()
        from services.ops.backup import table_counts

        table_counts(conn)  # reads every table end to end
        return "ok"


# --- Kill drill ---------------------------------------------------------------------------------


def kill_drill(url: str, kills: int, seed: int = 7) -> dict:
    """Start a writer, let it commit, SIGKILL it at a random moment; K times. Then check."""
    from models import Contact
    from services.core import audit
    from services.core.db import make_engine

    user_id, participant_id = prepare_drill(url)
    rng = random.Random(seed)
    acked: list[int] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(kills):
        process = subprocess.Popen(
            [PYTHON, "-m", "tests.checks_scale", "writer", url, str(user_id), str(participant_id)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        lines: list[bytes] = []
        first = threading.Event()

        def read(stream=process.stdout, lines=lines, first=first) -> None:
            for line in stream:
                lines.append(line)
                first.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started = first.wait(FIRST_ACK_TIMEOUT_S)
        time.sleep(rng.uniform(0.02, 0.6))  # somewhere in the middle of a transaction, or not
        process.send_signal(signal.SIGKILL)
        process.wait()
        reader.join(timeout=10)
        if not started:
            raise RuntimeError("the drill writer never acknowledged a commit")
        # A line cut off by the kill (no newline) was never an acknowledgement.
        acked += [int(line) for line in lines if line.endswith(b"\n") and line.strip().isdigit()]
    engine = make_engine(url)
    try:
        present: set[int] = set()
        for start in range(0, len(acked), 500):
            batch = acked[start : start + 500]
            with engine.connect() as conn:
                present |= set(
                    conn.execute(select(Contact.id).where(Contact.id.in_(batch))).scalars()
                )
        with engine.connect() as conn:
            written = conn.execute(
                select(func.count())
                .select_from(Contact)
                .where(Contact.participant_id == participant_id)
            ).scalar()
        audit_ok, audit_message = audit.verify(engine)
        check = integrity(engine)
    finally:
        engine.dispose()
    return {
        "kills": kills,
        "acknowledged": len(acked),
        "lost": len(set(acked) - present),
        "written": written,  # acknowledged plus any committed just before a kill
        "integrity": check,
        "audit_ok": audit_ok,
        "audit_message": audit_message,
    }


# --- Concurrent writers -------------------------------------------------------------------------


def concurrent_writer(url: str, user_id: int, participant_id: int, seconds: float) -> None:
    """One of the concurrent writers: connect, say "ready", wait for "go", save for `seconds`.

    Prints one JSON line: commits, errors that reached this caller, and each save's wait.
    """
    from services.core.db import make_engine

    engine = make_engine(url)
    with engine.connect():  # connected (pragmas checked) before the start
        pass
    print("ready", flush=True)
    sys.stdin.readline()
    commits, locked, other, waits, where = 0, 0, [], [], []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        began = time.perf_counter()
        try:
            write_one(engine, user_id, participant_id, "Sample concurrent note.")
            commits += 1
            waits.append(time.perf_counter() - began)
        except OperationalError as exc:  # what a user would see as an error message
            if "locked" in str(exc) or "busy" in str(exc):
                locked += 1
                sql = [line for line in str(exc).splitlines() if line.startswith("[SQL")]
                where.append(sql[0] if sql else "?")
            else:
                other.append(str(exc).splitlines()[0][:200])
        except Exception as exc:  # noqa: BLE001 - every error a caller would see is counted
            other.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    engine.dispose()
    result = {"commits": commits, "locked": locked, "other": other, "waits": waits}
    print(json.dumps(result | {"where": where}), flush=True)


def concurrent_writers(url: str, writers: int = 10, seconds: float = 60.0) -> dict:
    """`writers` processes saving as fast as they can for `seconds`; errors counted.

    Every process imports and connects first; they all start together on one signal.
    """
    from services.core import audit
    from services.core.db import make_engine

    user_id, participant_id = prepare_drill(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [PYTHON, "-m", "tests.checks_scale", "concurrent", url]
    command += [str(user_id), str(participant_id), str(seconds)]
    processes = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(writers)
    ]
    try:
        for process in processes:
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a writer process failed to start (exit {process.wait()})")
        for process in processes:  # all waiting: start them together
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [json.loads(process.stdout.readline()) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait()
    waits = sorted(w for r in results for w in r["waits"])
    engine = make_engine(url)
    try:
        audit_ok, _ = audit.verify(engine)
        check = integrity(engine)
    finally:
        engine.dispose()
    return {
        "writers": writers,
        "seconds": seconds,
        "commits": sum(r["commits"] for r in results),
        "locked": sum(r["locked"] for r in results),
        "locked_at": sorted({w for r in results for w in r["where"]}),
        "other_errors": [e for r in results for e in r["other"]],
        "median_ms": statistics.median(waits) * 1000 if waits else 0.0,
        "max_ms": waits[-1] * 1000 if waits else 0.0,
        "p99_ms": waits[int(len(waits) * 0.99)] * 1000 if waits else 0.0,
        "audit_ok": audit_ok,
        "integrity": check,
    }


# --- Backup and restore through the operator commands ----------------------------------------


def admin(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [PYTHON, "-m", "services.ops.admin", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def backup_restore(source_url: str, fresh_url: str, workdir: Path) -> dict:
    """`backup` the source, `restore` into the fresh database; verify through the manifest."""
    from services.ops.backup import read_manifest, verify

    file = workdir / ("lead-backup.db" if source_url.startswith("sqlite") else "lead-backup.dump")
    started = time.perf_counter()
    made = admin(source_url, "backup", str(file))
    backup_s = time.perf_counter() - started
    started = time.perf_counter()
    restored = admin(fresh_url, "restore", str(file))
    restore_s = time.perf_counter() - started
    result = verify(fresh_url, read_manifest(file)) if restored.returncode == 0 else None
    return {
        "backup_rc": made.returncode,
        "restore_rc": restored.returncode,
        "backup_output": (made.stdout + made.stderr).strip(),
        "restore_output": (restored.stdout + restored.stderr).strip(),
        "verification": result,
        "backup_s": backup_s,
        "restore_s": restore_s,
        "bytes": file.stat().st_size if file.exists() else 0,
    }


# --- Figures ------------------------------------------------------------------------------------

KILLS = int(os.environ.get("LEAD_FIGURE_KILLS", "20"))
CONCURRENT_SECONDS = float(os.environ.get("LEAD_FIGURE_WRITER_SECONDS", "60"))
BACKUP_SCALE = int(os.environ.get("LEAD_FIGURE_BACKUP_SCALE", "10000"))


def _note(line: str) -> None:
    print(f"  ({line})", flush=True)


def kill_figure(fresh: Callable[[], str]) -> Figure:
    r = kill_drill(fresh(), KILLS)
    ok = r["lost"] == 0 and r["integrity"] == "ok" and r["audit_ok"]
    _note(
        f"kill-test: {r['acknowledged']} acknowledged commits, {r['written']} rows found, "
        f"integrity_check {r['integrity']}, audit chain: {r['audit_message']}"
    )
    return ("kill-test", f"{r['kills']} kills, {r['lost']} lost", ok)


def concurrent_figure(fresh: Callable[[], str]) -> Figure:
    r = concurrent_writers(fresh(), 10, CONCURRENT_SECONDS)
    errors = r["locked"] + len(r["other_errors"])
    _note(
        f"concurrent-writers: {r['commits']} commits, median {r['median_ms']:.0f} ms, "
        f"p99 {r['p99_ms']:.0f} ms, max {r['max_ms']:.0f} ms per save; other errors: "
        f"{r['other_errors'][:3]}; locked at: {r['locked_at'] or 'nowhere'}; "
        f"integrity {r['integrity']}; audit chain "
        f"{'verified' if r['audit_ok'] else 'FAILED'}"
    )
    value = (
        f"{r['writers']} writers x {r['seconds']:.0f} s, {r['commits']} commits, "
        f"{r['locked']} locked errors, {len(r['other_errors'])} other errors"
    )
    return ("concurrent-writers", value, errors == 0 and r["audit_ok"])


def backup_figure(fresh: Callable[[], str]) -> Figure:
    import shutil

    from demo.generate import cached_database

    with tempfile.TemporaryDirectory(prefix="lead-backup-") as tmp:
        work = Path(tmp)
        source = work / "source.db"
        shutil.copy(cached_database(BACKUP_SCALE), source)
        restored = work / "restored.db"
        r = backup_restore(f"sqlite:///{source}", f"sqlite:///{restored}", work)
    v = r["verification"]
    ok = r["backup_rc"] == 0 and r["restore_rc"] == 0 and v is not None and v.ok
    _note(
        f"backup-restore at {BACKUP_SCALE} participants: backup {r['backup_s']:.1f} s "
        f"({r['bytes'] / 1e6:.0f} MB), restore and verify {r['restore_s']:.1f} s; "
        + (v.summary() if v else r["backup_output"] + " / " + r["restore_output"])
    )
    return ("backup-restore", "ok" if ok else "FAILED", ok)


def bench_figures() -> list[Figure]:
    """scripts/bench.py in its own process (a clean Streamlit runtime and environment)."""
    with tempfile.TemporaryDirectory(prefix="lead-bench-") as tmp:
        out = Path(tmp) / "bench.json"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("DATABASE_URL", None)
        result = subprocess.run(
            [
                PYTHON,
                str(ROOT / "scripts" / "bench.py"),
                *("--repeats", "5", "--budget", "20"),
                *("--json", str(out), "--quiet"),
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
        if result.returncode not in (0, 1) or not out.exists():
            return [("page-bench", f"bench failed (exit {result.returncode})", False)]
        return [tuple(f) for f in json.loads(out.read_text())["figures"]]


def figures(fresh: Callable[[], str]) -> list[Figure]:
    results = [kill_figure(fresh), concurrent_figure(fresh), backup_figure(fresh)]
    if os.environ.get("LEAD_FIGURES_SKIP_BENCH") != "1":
        results += bench_figures()
    return results


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "writer":
        writer(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "concurrent":
        concurrent_writer(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        print(__doc__)
        sys.exit(2)
