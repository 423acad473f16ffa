"""Synthetic data at scale: N participants with years of history, deterministic (issue 7).

The same seed and anchor date always give the same rows (password hashes aside: bcrypt salts
them). Every person is clearly fake ("Avery Q. Sample"); every note says "Sample". Rows are
written with bulk inserts (`session.execute(insert(Model), rows)`, one executemany per table and
chunk of participants) and explicit primary keys: no ORM object per row.

Shapes (at 10,000 participants, about eight years of history):
- referrals: ~75% arrest, ~20% social contact, ~5% DOC; ~3% still open with T4/T5 clocks
  running, ~7% closed without an intake (declined, lapsed, charges filed); intake delays mostly
  1-2 days (the T4 optimum), some up to 30, a few extended; some people referred twice (B14);
- releases of information: most cover BPD and KCPAO, renewed every two years while engaged;
  some expired, some rescinded, some treatment-information releases (C4);
- intakes, Individual Intervention Plan goals by P1 domain with their history, services with
  P2 funding (some withdrawn, P3), about 100 contacts per participant (10,000 -> 1,000,000),
  status and housing history;
- case managers at one per 25 active participants (M7), the demo's sign-ins (`pm`, `cm1`,
  `bpd`...; password `lead-demo-pass`) so a scale database can be opened in a browser;
- staffing sessions every 28 days and workgroups every 14 (M1) with partners' submissions
  (M2), agenda and action items; quarterly community meetings and concerns (M6); the last four
  quarters published through services.reports.report_back (its own figures, frozen);
- a handful of audit rows, appended one by one through the chain (never in bulk).

Generated databases are cached as data/scale-<N>.db (git-ignored) with a data/scale-<N>.json
manifest, rebuilt only when missing or when GENERATOR_VERSION changes:
`python -m services.ops.admin generate --participants 10000`.

The package: `vocabulary` (settings and word tables), `people` (the skeletons), `writer` (bulk
inserts), `users`, `participant` (one participant and their rows), `program` (program-level
rows), `build` (`generate`, the order of the work), `cache` (row counts, the cached files) and
`progress` (the text progress bar).
"""

from demo.generate.build import GenerateError, generate
from demo.generate.cache import cache_path, cached_database, cached_manifest, row_counts
from demo.generate.program import SNAPSHOT_QUARTERS
from demo.generate.progress import Progress, text_progress
from demo.generate.vocabulary import (
    CONTACTS_PER_PARTICIPANT,
    DATA_DIR,
    DEFAULT_SEED,
    GENERATOR_VERSION,
    LAST_NAMES,
    SCALES,
)

__all__ = [
    "CONTACTS_PER_PARTICIPANT",
    "DATA_DIR",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "LAST_NAMES",
    "SCALES",
    "SNAPSHOT_QUARTERS",
    "GenerateError",
    "Progress",
    "cache_path",
    "cached_database",
    "cached_manifest",
    "generate",
    "row_counts",
    "text_progress",
]
