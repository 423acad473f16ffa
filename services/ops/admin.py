"""Operator commands: `python -m services.ops.admin <command>`.

migrate                  apply every database migration (alembic upgrade head)
check                    refuse (exit 1) unless the database is migrated and intact
seed-demo                seed the synthetic demo into an empty database
create-user              create a user; the password is read from standard input
verify-audit             walk the keyed audit chain, compare its head with the external anchor
                         file; name the first bad row (exit 1)
demo-sign-ins            print the demo sign-ins
backup FILE              write a consistent copy of the database (and FILE.manifest.json)
restore FILE             restore a backup into a fresh, empty database; verify it (exit 1)
generate                 build data/scale-<N>.db of synthetic people (--participants N)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from models import Role
from services.core import audit
from services.core.audit import SYSTEM
from services.core.config import load_config
from services.core.db import (
    make_engine,
    migrate,
    quick_check,
    require_current_schema,
    write_session,
)
from services.core.site import ensure_defaults


def _engine():
    return make_engine(load_config().database_url)


def cmd_migrate(_args) -> int:
    url = load_config().database_url
    migrate(url)
    engine = make_engine(url)
    with write_session(engine) as session:
        ensure_defaults(session)
    print("Database migrated to the latest revision.")
    return 0


def cmd_check(_args) -> int:
    engine = _engine()
    require_current_schema(engine)
    quick_check(engine)
    print("Database is migrated and passes its integrity check.")
    return 0


def cmd_seed_demo(args) -> int:
    from demo.seed import seed_demo

    if seed_demo(_engine(), participants=args.participants):
        print(f"Seeded the synthetic demo ({args.participants} fake participants).")
    else:
        print("The database already has users: demo not seeded.")
    return 0


def cmd_demo_sign_ins(_args) -> int:
    from demo.seed import DEMO_PASSWORD, DEMO_USERS

    print(f"Demo sign-ins (password for every one: {DEMO_PASSWORD}):")
    for username, name, role, org in DEMO_USERS:
        print(f"  {username:<11} {role.value:<20} {org:<6} {name}")
    return 0


def cmd_create_user(args) -> int:
    from services.access.users import create_user

    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 10 characters): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    user = create_user(
        _engine(),
        actor=SYSTEM,
        username=args.username,
        display_name=args.name,
        role=Role(args.role),
        org_code=args.org,
        password=password,
    )
    print(f"Created {user.username} ({user.role.value}).")
    return 0


def cmd_verify_audit(_args) -> int:
    url = load_config().database_url
    ok, message = audit.verify(make_engine(url))
    print(("OK: " if ok else "TAMPERED: ") + message)
    print(f"Keyed with LEAD_AUDIT_KEY; external anchor: {audit.anchor_path(url)}")
    return 0 if ok else 1


def cmd_backup(args) -> int:
    from services.ops.backup import backup

    manifest = backup(load_config().database_url, args.file)
    rows = sum(manifest["counts"].values())
    print(f"Backed up {len(manifest['counts'])} tables, {rows} rows, to {args.file}.")
    return 0


def cmd_restore(args) -> int:
    from services.ops.backup import restore

    result = restore(args.file, load_config().database_url)
    print(("Restored and verified: " if result.ok else "RESTORE FAILED: ") + result.summary())
    for mismatch in result.mismatches:
        print(f"  {mismatch}")
    return 0 if result.ok else 1


def cmd_generate(args) -> int:
    from demo import generate

    progress = generate.text_progress(sys.stderr)
    if args.into_database:
        url = load_config().database_url
        counts = generate.generate(
            make_engine(url), participants=args.participants, seed=args.seed, progress=progress
        )
        print(f"Generated {counts.get('participant', 0)} synthetic participants into {url}.")
        return 0
    path = generate.cached_database(
        args.participants, seed=args.seed, rebuild=args.rebuild, progress=progress
    )
    manifest = generate.cached_manifest(args.participants) or {}
    rows = manifest.get("rows", {})
    print(f"{path}: {rows.get('participant')} participants, {rows.get('contact')} contacts.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.ops.admin",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate").set_defaults(func=cmd_migrate)
    commands.add_parser("check").set_defaults(func=cmd_check)
    seed = commands.add_parser("seed-demo")
    seed.add_argument("--participants", type=int, default=30)
    seed.set_defaults(func=cmd_seed_demo)
    commands.add_parser("demo-sign-ins").set_defaults(func=cmd_demo_sign_ins)
    create = commands.add_parser("create-user")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--org", required=True, help="organization code, e.g. PDA")
    create.set_defaults(func=cmd_create_user)
    commands.add_parser("verify-audit").set_defaults(func=cmd_verify_audit)
    backup = commands.add_parser("backup")
    backup.add_argument("file", type=Path)
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore")
    restore.add_argument("file", type=Path)
    restore.set_defaults(func=cmd_restore)
    generate = commands.add_parser("generate")
    generate.add_argument("--participants", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=2026)
    generate.add_argument("--rebuild", action="store_true", help="rebuild the cached file")
    generate.add_argument(
        "--into-database",
        action="store_true",
        help="fill DATABASE_URL (migrated, no participants) instead of data/scale-<N>.db",
    )
    generate.set_defaults(func=cmd_generate)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:  # an operator gets the message, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
