"""``culture``: run a night, grant per-unit access, generate a landing drop, benchmark. Each
command calls the package."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import warnings
from pathlib import Path


def _date(text: str) -> dt.date:
    from culture_warehouse.parameters import ParameterError, parse_as_of

    try:
        return parse_as_of(text)
    except ParameterError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="culture", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run one nightly load end to end through the Airflow DAG")
    run.add_argument("--landing", help="landing folder or fsspec URL (default: CULTURE_LANDING)")
    run.add_argument("--dsn", help="warehouse PostgreSQL URL (default: CULTURE_WAREHOUSE_DSN or embedded)")
    run.add_argument("--as-of", type=_date, default=dt.date.today(), help="the night's date (YYYY-MM-DD)")
    run.add_argument("--min-group-size", type=int, help="k of the confidentiality rules (default 5)")
    run.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    run.add_argument("--quiet", action="store_true", help="no live progress display on a terminal")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild every incremental dbt model from scratch (default: only what changed)",
    )

    backfill = commands.add_parser("backfill", help="rebuild a range of nights in date order")
    backfill.add_argument("--from", dest="start", type=_date, required=True, help="first night (YYYY-MM-DD)")
    backfill.add_argument("--to", dest="end", type=_date, required=True, help="last night (YYYY-MM-DD)")
    backfill.add_argument("--landing", help="landing folder or fsspec URL (default: CULTURE_LANDING)")
    backfill.add_argument("--dsn", help="warehouse PostgreSQL URL")
    backfill.add_argument("--min-group-size", type=int, help="k of the confidentiality rules (default 5)")
    backfill.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    backfill.add_argument("--quiet", action="store_true", help="no live progress display on a terminal")

    access = commands.add_parser("access", help="per-unit access of BI logins (row-level security)")
    actions = access.add_subparsers(dest="action", required=True)
    grant = actions.add_parser("grant", help="let a login read only a unit's subtree in the unit marts")
    revoke = actions.add_parser("revoke", help="withdraw a login's grant of a unit (or all its grants)")
    listing = actions.add_parser("list", help="the grants, with how many units each covers")
    for action in (grant, revoke, listing):
        action.add_argument(
            "--dsn", help="warehouse PostgreSQL URL, as its owner (default: CULTURE_WAREHOUSE_DSN)"
        )
    grant.add_argument("--role", required=True, help="the login (or the role a BI tool switches to)")
    grant.add_argument("--unit", required=True, help="org unit code; its whole current subtree is granted")
    revoke.add_argument("--role", required=True)
    revoke.add_argument("--unit", help="the unit to withdraw (default: every grant of the role)")
    listing.add_argument("--role", help="only this role's grants")
    report = commands.add_parser(
        "report", help="write the leaders' culture report (a static site) from the published marts"
    )
    report.add_argument(
        "--dsn", help="warehouse URL of a BI login (default: CULTURE_REPORT_DSN, else the night's warehouse)"
    )
    report.add_argument(
        "--out", type=Path, help="folder of the site (default: CULTURE_REPORT_DIR or .culture/report)"
    )
    report.add_argument("--lang", choices=("da", "en"), help="da (the default, or CULTURE_REPORT_LANG) or en")

    generate = commands.add_parser("generate", help="write a synthetic landing drop")
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument("--employees", type=int, default=2000)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--as-of", type=_date, default=dt.date(2026, 10, 1))

    docs = commands.add_parser("docs", help="write the dbt docs site of the published marts to .culture/docs")
    docs.add_argument("--dsn", help="warehouse PostgreSQL URL (default: CULTURE_WAREHOUSE_DSN or embedded)")

    bench = commands.add_parser("bench", help="time one night at scale (see README)")
    bench.add_argument("--employees", type=int, default=190_000)
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--workdir", type=Path, help="default: .culture/bench")
    bench.add_argument(
        "--door-only",
        action="store_true",
        help="the door and the loader comparison only (no dbt, no publish)",
    )
    bench.add_argument(
        "--loader-only",
        action="store_true",
        help="the loader comparison only: ours against a bare COPY of the same rows (under a minute)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "verbose", False):
        # Library deprecation chatter (Airflow, GX, dbt) buries the night's own summary.
        warnings.simplefilter("ignore")
    if args.command == "run":
        return run_command(args)
    if args.command == "backfill":
        return backfill_command(args)
    if args.command == "access":
        return access_command(args)
    if args.command == "report":
        return report_command(args)
    if args.command == "generate":
        return generate_command(args)
    if args.command == "docs":
        return docs_command(args)
    if args.command == "bench":
        from culture_dev.bench import run_bench

        return int(
            run_bench(
                args.employees,
                args.seed,
                args.workdir,
                door_only=args.door_only,
                loader_only=args.loader_only,
            )
        )
    return 2


def _night_environment(args: argparse.Namespace) -> tuple[str, str] | None:
    """Resolve landing and warehouse, export them for the DAG's tasks, prepare Airflow."""
    from culture_warehouse.airflow_runner import prepare_airflow_environment
    from culture_warehouse.privacy import PseudonymKeyError, load_pseudonym_key
    from culture_warehouse.warehouse import resolve_dsn

    landing = args.landing or os.environ.get("CULTURE_LANDING")
    if not landing:
        print("culture: no landing location (pass --landing or set CULTURE_LANDING)", file=sys.stderr)
        return None
    if "://" not in landing:
        landing = str(Path(landing).resolve())
        if not Path(landing).is_dir():
            print(f"culture: landing folder {landing} does not exist", file=sys.stderr)
            return None
    os.environ["CULTURE_LANDING"] = landing
    try:
        load_pseudonym_key()  # no key (outside a laptop) or a short one: say so before any night
    except PseudonymKeyError as refused:
        print(f"culture: {refused}", file=sys.stderr)
        return None
    if args.min_group_size is not None:
        os.environ["CULTURE_MIN_GROUP_SIZE"] = str(args.min_group_size)
    dsn = resolve_dsn(args.dsn)
    os.environ["CULTURE_WAREHOUSE_DSN"] = dsn
    prepare_airflow_environment(verbose=args.verbose)
    return landing, dsn


def _one_night(
    as_of: dt.date, landing: str, dsn: str, quiet: bool = False, full_refresh: bool = False
) -> int:
    """Run one night through the DAG and print its report; 0 only when marts were published."""
    from culture_warehouse import interrupt, progress
    from culture_warehouse.airflow_runner import run_dag
    from culture_warehouse.redaction import redact_url
    from culture_warehouse.report import run_report
    from culture_warehouse.warehouse import connect

    print(f"culture run: landing {redact_url(landing)}, as of {as_of.isoformat()}", flush=True)
    started = dt.datetime.now(dt.UTC)
    interrupt.stop_on_signals()
    try:
        with progress.showing(progress.wanted(sys.stderr, quiet)):
            result = run_dag(as_of, landing, full_refresh=full_refresh)
    finally:
        if not interrupt.requested():
            interrupt.restore_defaults()
    if interrupt.requested():
        return _stopped(dsn, as_of, started)
    with connect(dsn) as conn:
        report = run_report(conn, result.run_id)
    print(report.render())
    if report.status == "partial":
        print(f"culture run: NOT every mart was published: {report.reason}", file=sys.stderr)
        return 1
    if result.state != "success" or report.status != "published":
        reason = report.reason or f"DAG run ended {result.state}"
        print(f"culture run: marts NOT published, the previous marts stay: {reason}", file=sys.stderr)
        return 1
    return 0


def _stopped(dsn: str, as_of: dt.date, started: dt.datetime) -> int:
    """After SIGTERM or Ctrl-C: close this process's run as failed and tidy its unfinished loads.

    The swap of the marts is one transaction, so BI reads either last night's marts or tonight's;
    a file whose load was cut short is removed from the ledger and loads on the next run.
    """
    from culture_warehouse import interrupt
    from culture_warehouse.ingest import clean_interrupted
    from culture_warehouse.pipeline import finish_run
    from culture_warehouse.sources.registry import ingestors
    from culture_warehouse.warehouse import connect

    signal_name = interrupt.requested() or "SIGINT"
    interrupt.restore_defaults()
    with connect(dsn) as conn:
        runs = conn.execute(
            "select run_id from audit.runs where as_of = %s and status = 'running' and started_at >= %s",
            (as_of, started),
        ).fetchall()
    cleaned = 0
    for (run_id,) in runs:
        cleaned += clean_interrupted(dsn, ingestors(), str(run_id), operator_stopped=True)
        finish_run(str(run_id), "failed", f"interrupted by {signal_name}")
    print(
        f"culture run: stopped by {signal_name}; {cleaned} unfinished load(s) removed (those files load"
        " on the next run); the marts BI reads are unchanged unless the swap had already committed",
        file=sys.stderr,
    )
    return interrupt.exit_status()


def run_command(args: argparse.Namespace) -> int:
    """Run the night through the DAG in-process; exit 0 only when new marts were published."""
    from culture_warehouse.state_lock import exclusive_state

    with exclusive_state():
        environment = _night_environment(args)
        if environment is None:
            return 2
        landing, dsn = environment
        status = _one_night(args.as_of, landing, dsn, args.quiet, args.full_refresh)
    print(where_to_look(dsn))
    return status


def where_to_look(dsn: str) -> str:
    """The next steps printed after a night: how to query what was built and see the DAG."""
    from culture_warehouse.redaction import redact_url

    shown = redact_url(dsn)
    return "\n".join(
        [
            "where to look next:",
            f"  psql '{shown}'",
            "    select * from marts.culture_scorecard order by period_end desc, org_unit_code limit 20;",
            "    select file_name, status, reason from audit.load_ledger order by load_id desc;",
            "    select * from audit.quarantine limit 20;  -- rows set aside, with line and column",
            "    select * from marts.source_freshness;     -- how old each source's data is tonight",
            "    select * from marts.publication_status;   -- which night built each mart, and why",
            "    select * from audit.disclosure_checks;    -- rule 5: groups checked, extra suppressions",
            "  make airflow        -- the same DAG in the Airflow UI (http://localhost:8080)",
            "  README.md           -- configuration, a real PostgreSQL or landing location, Docker Compose",
        ]
    )


def backfill_command(args: argparse.Namespace) -> int:
    """Rebuild every night from --from to --to in date order; stop at the first failed night."""
    if args.end < args.start:
        print("culture backfill: --to is before --from", file=sys.stderr)
        return 2
    from culture_warehouse.state_lock import exclusive_state

    with exclusive_state():
        return _backfill(args)


def _backfill(args: argparse.Namespace) -> int:
    environment = _night_environment(args)
    if environment is None:
        return 2
    landing, dsn = environment
    # The mark that lets these nights publish although a later night is published (pipeline.publish);
    # it lives in this process only: the DAG's tasks run in it, a DAG trigger cannot set it.
    os.environ["CULTURE_BACKFILL"] = "true"
    night = args.start
    while night <= args.end:
        status = _one_night(night, landing, dsn, args.quiet)
        if status:
            print(f"culture backfill: stopped at {night.isoformat()}", file=sys.stderr)
            return status
        night += dt.timedelta(days=1)
    return 0


def docs_command(args: argparse.Namespace) -> int:
    from culture_warehouse.config import min_group_size
    from culture_warehouse.transform import generate_docs
    from culture_warehouse.warehouse import resolve_dsn

    out = generate_docs(resolve_dsn(args.dsn), dt.date.today(), min_group_size())
    print(f"dbt docs of the published marts: {out / 'index.html'} (one file: {out / 'static_index.html'})")
    return 0


def access_command(args: argparse.Namespace) -> int:
    """Grant, revoke or list per-unit access; takes effect at once, for sessions already open too."""
    import psycopg

    from culture_warehouse import access
    from culture_warehouse.warehouse import resolve_dsn

    try:
        dsn = resolve_dsn(args.dsn)
        if args.action == "grant":
            granted = access.grant_unit(dsn, args.role, args.unit)
            print(
                f"culture access: {granted.role} now reads unit {granted.unit_code} and the units under it"
                f" ({granted.units_covered} units) in every unit mart, from its next query"
            )
        elif args.action == "revoke":
            withdrawn = access.revoke_unit(dsn, args.role, args.unit)
            left = access.list_grants(dsn, args.role)
            scope = "every unit (no grant left)" if not left else ", ".join(g.unit_code for g in left)
            print(f"culture access: {withdrawn} grant(s) of {args.role} withdrawn; it now reads {scope}")
        else:
            grants = access.list_grants(dsn, args.role)
            if not grants:
                print("culture access: no grants: every BI login reads every unit")
            for g in grants:
                when = g.granted_at.strftime("%Y-%m-%d %H:%M")
                print(f"{g.role}\t{g.unit_code}\t{g.units_covered} units\tgranted {when} by {g.granted_by}")
    except access.AccessRefused as refused:
        print(f"culture access: {refused}", file=sys.stderr)
        return 2
    except psycopg.Error as error:
        # The type and SQLSTATE only: a connection error may repeat the DSN it was given.
        print(
            f"culture access: the warehouse refused ({type(error).__name__}, SQLSTATE {error.sqlstate})",
            file=sys.stderr,
        )
        return 1
    return 0


def report_command(args: argparse.Namespace) -> int:
    """Write the leaders' report from what BI reads; the culture_report DAG calls the same function."""
    from culture_warehouse.leader_report import ReportRefused, build_report

    try:
        site = build_report(args.dsn, args.out, args.lang)
    except ReportRefused as refused:
        print(f"culture report: {refused}", file=sys.stderr)
        return 1
    print(site.summary())
    return 0


def generate_command(args: argparse.Namespace) -> int:
    from culture_dev.generate import generate_landing

    summary = generate_landing(args.out, employees=args.employees, seed=args.seed, as_of=args.as_of)
    folders: dict[str, int] = {}
    for path in summary.files:
        folder = path.split("/", 1)[0]
        folders[folder] = folders.get(folder, 0) + 1
    listing = ", ".join(f"{folder}: {n} files" for folder, n in sorted(folders.items()))
    scale = f"{summary.employees:,} employees in {summary.org_units:,} units"
    print(f"generated {scale} into {args.out} ({listing})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
