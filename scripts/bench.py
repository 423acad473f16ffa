"""Page benchmarks at scale (issue 7): `make bench`, and part of `make figures`.

For every page in services.access.policy.PAGES, signed in as the project manager (or, for a page the
project manager may not open, the first role that may: clinical supervisor, case manager,
partner), on a copy of the generated database data/scale-<N>.db:

- the median script time of repeated AppTest reruns of the page, measured side by side in
  the same process with an empty Streamlit page (the framework's floor), and their ratio
  (target at most 3.0);
- the first (cold-cache) run of the page, with st.cache_data cleared (target under 1 s);
- the growth from 1,000 to 10,000 participants (target under 1.5x);
- the peak memory (VmHWM) of a `streamlit run app.py` server after a browser (Playwright,
  Debian's Chromium) opened every page once (target under 500 MB);
- with --postgres, the same AppTest figures on PostgreSQL (a database generated into the
  server at LEAD_BENCH_PG_URL or LEAD_TEST_PG_URL, e.g. under scripts/with_postgres.sh).

    .venv/bin/python scripts/bench.py                  # 1,000 and 10,000 on SQLite, memory
    .venv/bin/python scripts/bench.py --repeats 9 --scales 10000 --no-memory
    scripts/with_postgres.sh .venv/bin/python scripts/bench.py --postgres --no-memory

Exit status 1 when a target is missed (the figures still print).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

logging.getLogger("streamlit").setLevel(logging.ERROR)

from sqlalchemy import create_engine, func, select, text  # noqa: E402

import services.access.auth  # noqa: E402
from demo.generate import cached_database, generate, text_progress  # noqa: E402
from models import Contact, Referral, Role  # noqa: E402
from services.access.policy import PAGES, PageSpec  # noqa: E402
from services.core.clock import utcnow  # noqa: E402
from services.core.db import make_engine, migrate  # noqa: E402

RATIO_TARGET = 3.0
COLD_TARGET_MS = 1000.0
GROWTH_TARGET = 1.5
MEMORY_TARGET_MB = 500.0
# Who opens a page in the benchmark: the project manager when allowed, else the first of these.
ROLE_ORDER = (
    Role.project_manager,
    Role.clinical_supervisor,
    Role.case_manager,
    Role.law_enforcement,
    Role.prosecutor,
    Role.corrections,
    Role.community,
)
ROLE_USER = {
    Role.project_manager: "pm",
    Role.clinical_supervisor: "supervisor",
    Role.case_manager: "cm1",
    Role.law_enforcement: "bpd",
    Role.prosecutor: "kcpao",
    Role.corrections: "doc",
    Role.community: "community",
}
PASSWORD = "lead-demo-pass"  # demo.generate.DEMO_PASSWORD
EMPTY_PAGE = "import streamlit as st  # noqa: F401  (the framework's floor: an empty page)\n"

figures: list[tuple[str, str, bool]] = []
quiet = False
verbose = False


def figure(name: str, value: str, ok: bool) -> None:
    figures.append((name, value, ok))
    if not quiet:
        print(f"FIGURE {name}: {value}", flush=True)


def note(line: str) -> None:
    print(f"  ({line})", flush=True)


def page_role(spec: PageSpec) -> Role:
    return next(role for role in ROLE_ORDER if role in spec.roles)


# --- AppTest timings ------------------------------------------------------------------------


def _ms(seconds: float) -> float:
    return seconds * 1000.0


class QueryCounter:
    """SQL statements sent by any engine in this process, with their time, by statement text.

    A query per row shows up as one statement run hundreds of times; an unindexed filter as one
    statement taking most of the page's time.
    """

    def __init__(self) -> None:
        from sqlalchemy import Engine, event

        self.count = 0
        self.by_statement: dict[str, list[float]] = {}
        self._started: list[float] = []
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, *_args) -> None:
        self.count += 1
        self._started.append(time.perf_counter())

    def _after(self, _conn, _cursor, statement, *_args) -> None:
        if self._started:
            took = time.perf_counter() - self._started.pop()
            key = " ".join(statement.split())[:160]
            self.by_statement.setdefault(key, [0, 0.0])
            self.by_statement[key][0] += 1
            self.by_statement[key][1] += took

    def reset(self) -> None:
        self.by_statement = {}

    def top(self, n: int = 3) -> list[str]:
        ranked = sorted(self.by_statement.items(), key=lambda kv: kv[1][1], reverse=True)
        return [f"{_ms(t):.0f} ms in {c} x {sql}" for sql, (c, t) in ranked[:n]]

    def total_ms(self) -> float:
        return _ms(sum(t for _c, t in self.by_statement.values()))


class ScriptProfiler:
    """cProfile around every script run (AppTest runs scripts in their own thread)."""

    def __init__(self) -> None:
        import cProfile

        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

        self.profile = cProfile.Profile()
        self.enabled = False
        original = ScriptRunner._run_script
        profiler = self

        def run_script(runner, rerun_data):
            if not profiler.enabled:
                return original(runner, rerun_data)
            profiler.profile.enable()
            try:
                return original(runner, rerun_data)
            finally:
                profiler.profile.disable()

        ScriptRunner._run_script = run_script

    def print(self, lines: int = 30) -> None:
        import pstats

        stats = pstats.Stats(self.profile)
        stats.sort_stats("cumulative")
        stats.print_stats(str(ROOT), lines)


def _prepare(url: str) -> dict:
    """Sign-ins for every role, and what the record pages open, in one generated database."""
    engine = make_engine(url)
    expires = utcnow().timestamp() + 12 * 3600
    sessions = {
        role: services.access.auth.start_session(engine, ROLE_USER[role], token_exp=expires + n)
        for n, role in enumerate(ROLE_ORDER)
    }
    with engine.connect() as conn:
        # The record pages open the participant with the most contacts (the heaviest record).
        busiest = conn.execute(
            select(Contact.participant_id)
            .group_by(Contact.participant_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
        open_referral = conn.execute(
            select(Referral.id).where(Referral.closed_date.is_(None)).limit(1)
        ).scalar()
    engine.dispose()
    return {"url": url, "sessions": sessions, "participant": busiest, "referral": open_referral}


def bench_pages(
    urls: dict[int, str],
    repeats: int,
    workdir: Path,
    pages: tuple[PageSpec, ...] = PAGES,
    profiler: ScriptProfiler | None = None,
    budget_s: float = 60.0,
) -> dict[int, dict[str, dict]]:
    """Per scale and page: median rerun time beside the empty page, and the first (cold) run.

    The scales of one page run side by side with the empty page in this process (the app reads
    DATABASE_URL on every run), so machine load moves them together: growth and ratios compare
    runs taken within seconds of each other.
    """
    import streamlit as st
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    logger.set_log_level("error")
    for name in ("scriptrunner_utils.script_run_context", "caching.cache_data_api"):
        # "missing ScriptRunContext" / "No runtime found": cache clears outside a script run
        logging.getLogger(f"streamlit.runtime.{name}").disabled = True
    os.environ.update(LEAD_MODE="demo", LEAD_COOKIE_KEY=secrets.token_urlsafe(48))
    st.cache_data.clear()
    st.cache_resource.clear()
    dbs = {scale: _prepare(url) for scale, url in urls.items()}
    empty_path = workdir / "empty_page.py"
    empty_path.write_text(EMPTY_PAGE)
    empty = AppTest.from_file(str(empty_path), default_timeout=300)
    empty.run()
    counter = QueryCounter()
    results: dict[int, dict[str, dict]] = {scale: {} for scale in urls}
    largest = max(urls)
    for spec in pages:
        role = page_role(spec)
        apps, cold, errors = {}, {}, {}
        for scale, db in dbs.items():
            os.environ["DATABASE_URL"] = db["url"]
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.session_state["lead_session_id"] = db["sessions"][role]
            at.session_state["participant_id"] = db["participant"]
            at.session_state["referral_id"] = db["referral"]
            at.run()
            st.cache_data.clear()
            started = time.perf_counter()
            at.switch_page(spec.path).run()
            cold[scale] = _ms(time.perf_counter() - started)
            errors[scale] = _problem(at)
            apps[scale] = at
        times: dict[int, list[float]] = {scale: [] for scale in dbs}
        queries: dict[int, list] = {scale: [0, 0.0, []] for scale in dbs}
        empty_times: list[float] = []
        if profiler:
            profiler.enabled = True
        for _ in range(repeats):
            if times[largest] and sum(times[largest]) > budget_s * 1000:
                break  # a very slow page: fewer reruns, said in the notes
            started = time.perf_counter()
            empty.run()
            empty_times.append(_ms(time.perf_counter() - started))
            for scale, at in apps.items():
                os.environ["DATABASE_URL"] = dbs[scale]["url"]
                before = counter.count
                counter.reset()
                started = time.perf_counter()
                at.run()
                times[scale].append(_ms(time.perf_counter() - started))
                queries[scale][0] += counter.count - before
                queries[scale][1] += counter.total_ms()
                queries[scale][2] = counter.top()
                errors[scale] = errors[scale] or _problem(at)
        if profiler:
            profiler.enabled = False
        empty_ms = statistics.median(empty_times)
        for scale in dbs:
            page_ms = statistics.median(times[scale])
            runs = len(times[scale])
            results[scale][spec.key] = {
                "role": role.value,
                "median_ms": page_ms,
                "empty_ms": empty_ms,
                "ratio": page_ms / empty_ms if empty_ms else float("inf"),
                "cold_ms": cold[scale],
                "runs_ms": [round(t) for t in times[scale]],
                "queries_per_run": queries[scale][0] / runs,
                "sql_ms_per_run": queries[scale][1] / runs,
                "top_sql": queries[scale][2],
                "error": errors[scale],
            }
    return results


def _problem(at) -> str:
    """An exception, or the guard's refusal, on the page: the timing would not be of the page."""
    if at.exception:
        trace = [line.strip() for line in at.exception[0].stack_trace if line.strip()]
        return "exception: " + " | ".join(trace[-3:])[:400]
    errors = [e.value for e in at.error]
    if any("do not have access" in e or "Sign in" in e for e in errors):
        return f"refused: {errors[0][:200]}"
    return ""


def report_scale(results: dict[str, dict], scale: int, where: str = "") -> None:
    suffix = f" at {scale} participants{where}"
    for key, r in results.items():
        ok = r["ratio"] <= RATIO_TARGET and not r["error"]
        figure(
            f"page-ms {key}{suffix}",
            f"median {r['median_ms']:.0f} ms, empty {r['empty_ms']:.0f} ms, ratio {r['ratio']:.1f}",
            ok,
        )
        detail = (
            f"{key}: as {r['role']}, median of {len(r['runs_ms'])} reruns, "
            f"{r['queries_per_run']:.0f} SQL statements ({r['sql_ms_per_run']:.0f} ms) per run"
        )
        note(detail + (f"; {r['error']}" if r["error"] else ""))
        if verbose:
            for line in r["top_sql"]:
                note(f"  {key} SQL: {line}")
    worst = max(results, key=lambda k: results[k]["ratio"])
    ratio = results[worst]["ratio"]
    figure(
        "page-ratio-max" + ("-postgres" if where else ""),
        f"{ratio:.1f} at {scale} participants{where} ({worst})",
        ratio <= RATIO_TARGET,
    )
    for key, r in results.items():
        figure(
            f"page-cold-ms {key}{suffix}", f"{r['cold_ms']:.0f} ms", r["cold_ms"] < COLD_TARGET_MS
        )
    slowest = max(results, key=lambda k: results[k]["cold_ms"])
    figure(
        "page-cold-max" + ("-postgres" if where else ""),
        f"{results[slowest]['cold_ms']:.0f} ms at {scale} participants{where} ({slowest})",
        results[slowest]["cold_ms"] < COLD_TARGET_MS,
    )


def report_growth(small: dict[str, dict], large: dict[str, dict], low: int, high: int) -> None:
    growth = {
        key: large[key]["median_ms"] / small[key]["median_ms"]
        for key in large
        if key in small and small[key]["median_ms"]
    }
    for key, g in growth.items():
        figure(
            f"page-growth {key}",
            f"{g:.2f}x ({small[key]['median_ms']:.0f} ms at {low} -> "
            f"{large[key]['median_ms']:.0f} ms at {high} participants)",
            g < GROWTH_TARGET,
        )
    worst = max(growth, key=growth.get)
    figure(
        "page-growth-max",
        f"{growth[worst]:.2f}x ({low} -> {high} participants, {worst})",
        growth[worst] < GROWTH_TARGET,
    )


# --- Server memory --------------------------------------------------------------------------


def peak_memory_mb(url: str, timeout_ms: int = 120_000) -> tuple[float, list[str]]:
    """Serve app.py on `url`, open every page once in Chromium, return (VmHWM in MB, notes)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import free_port, launch_browser, sign_in, wait_idle

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LEAD_MODE": "demo",
        "LEAD_COOKIE_KEY": secrets.token_urlsafe(48),
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
    ]
    notes: list[str] = []
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        by_role: dict[Role, list[PageSpec]] = {}
        for spec in PAGES:
            by_role.setdefault(page_role(spec), []).append(spec)
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            for role, specs in by_role.items():
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.set_default_timeout(timeout_ms)
                sign_in(page, base, ROLE_USER[role], PASSWORD)
                for spec in specs:
                    started = time.perf_counter()
                    page.get_by_role("link", name=spec.title, exact=True).first.click()
                    wait_idle(page, timeout_ms=timeout_ms)
                    shown = page.locator("[data-testid='stException']").count()
                    notes.append(
                        f"{spec.key} as {role.value}: {_ms(time.perf_counter() - started):.0f} ms"
                        + (" (exception shown)" if shown else "")
                    )
                context.close()
            browser.close()
        return _vm_hwm_mb(process.pid), notes
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(base: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError("streamlit did not become healthy")


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError("VmHWM not found")


# --- PostgreSQL -----------------------------------------------------------------------------


def postgres_database(base_url: str, scale: int) -> str:
    """A fresh database on the server at base_url, migrated and generated at `scale`."""
    name = f"lead_bench_{scale}"
    admin = create_engine(f"{base_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = f"{base_url}/{name}"
    migrate(url)
    engine = make_engine(url)
    started = time.perf_counter()
    generate(engine, participants=scale, progress=text_progress(sys.stderr))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    note(f"generated {scale} participants into PostgreSQL in {time.perf_counter() - started:.0f} s")
    return url


# --- Main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    global quiet, verbose
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1000,10000", help="participants, comma-separated")
    parser.add_argument("--repeats", type=int, default=7, help="reruns per page (median)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds of reruns per page at most"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the server memory run")
    parser.add_argument("--postgres", action="store_true", help="also bench on PostgreSQL")
    parser.add_argument("--json", type=Path, help="write figures and timings here")
    parser.add_argument("--quiet", action="store_true", help="no FIGURE lines (notes only)")
    parser.add_argument("--pages", help="only these page keys, comma-separated")
    parser.add_argument("--verbose", action="store_true", help="the slowest SQL of each page")
    parser.add_argument("--profile", action="store_true", help="cProfile the pages' reruns")
    args = parser.parse_args(argv)
    quiet, verbose = args.quiet, args.verbose
    chosen = set(args.pages.split(",")) if args.pages else None
    pages = tuple(p for p in PAGES if chosen is None or p.key in chosen)
    profiler = ScriptProfiler() if args.profile else None
    services.access.auth.BCRYPT_COST = 4  # sign-in sessions are created directly; nothing is hashed
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    timings: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="lead-bench-") as tmp:
        workdir = Path(tmp)
        urls = {}
        for scale in scales:
            source = cached_database(scale, progress=text_progress(sys.stderr))
            copy = workdir / f"scale-{scale}.db"  # sign-ins and audit rows go to a copy
            shutil.copy(source, copy)
            urls[scale] = f"sqlite:///{copy}"
        started = time.perf_counter()
        by_scale = bench_pages(urls, args.repeats, workdir, pages, profiler, args.budget)
        seconds = time.perf_counter() - started
        note(f"{len(pages)} pages at {', '.join(map(str, scales))} participants in {seconds:.0f} s")
        for scale in sorted(by_scale, reverse=True):
            timings[f"sqlite-{scale}"] = by_scale[scale]
            report_scale(by_scale[scale], scale)
        if len(scales) >= 2:
            low, high = min(scales), max(scales)
            report_growth(timings[f"sqlite-{low}"], timings[f"sqlite-{high}"], low, high)
        if not args.no_memory:
            high = max(scales)
            mb, notes = peak_memory_mb(f"sqlite:///{workdir / f'scale-{high}.db'}")
            for line in notes:
                note(f"browser: {line}")
            figure(
                "server-peak-mb",
                f"{mb:.0f} MB at {high} participants (VmHWM after every page once)",
                mb < MEMORY_TARGET_MB,
            )
        if args.postgres:
            base = os.environ.get("LEAD_BENCH_PG_URL") or os.environ.get("LEAD_TEST_PG_URL")
            if not base:
                print("--postgres needs LEAD_BENCH_PG_URL or LEAD_TEST_PG_URL", file=sys.stderr)
                return 2
            high = max(scales)
            url = postgres_database(base, high)
            on_postgres = bench_pages({high: url}, args.repeats, workdir, pages, None, args.budget)
            timings[f"postgres-{high}"] = on_postgres[high]
            report_scale(timings[f"postgres-{high}"], high, " on PostgreSQL")
    if profiler:
        profiler.print()
    if args.json:
        args.json.write_text(json.dumps({"figures": figures, "timings": timings}, indent=2))
    return 0 if all(ok for _, _, ok in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
