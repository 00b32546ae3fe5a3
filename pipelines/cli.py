"""The `kasko` command line: generate, load, export, report, serve, users, intake, app."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import FrameType

import duckdb

from pipelines.config import ConfigError, app_store_exists, database_path, settings
from pipelines.errors import CommandError, UsageError
from pipelines.output import OutputError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


def _month(text: str) -> str:
    try:
        date.fromisoformat(text + "-01")
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from error
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kasko", description="Kasko Ops command line")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a realistic set of source exports")
    generate.add_argument("out_dir", type=Path)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--scale", choices=("demo", "bench"), default="demo")
    generate.add_argument("--customers", type=int)
    generate.add_argument("--devices", type=int)
    generate.add_argument("--claims", type=int)
    generate.add_argument("--today", type=_iso_date, help="last day of claims (default: today)")

    load = commands.add_parser("load", help="load export files or folders into the warehouse")
    load.add_argument("paths", nargs="+", type=Path)
    load.add_argument("--db")
    load.add_argument("--json", action="store_true", help="print a JSON array of file results")

    export = commands.add_parser("export", help="export data")
    export_what = export.add_subparsers(dest="what", required=True)
    tickets = export_what.add_parser("tickets", help="one row per claim with its SLA figures")
    tickets.add_argument("--out", required=True, type=Path)
    tickets.add_argument("--as-of", type=_iso_date)
    tickets.add_argument("--db")

    report = commands.add_parser("report", help="the monthly management SLA report")
    report.add_argument("--month", required=True, type=_month)
    report.add_argument("--out", required=True, type=Path)
    report.add_argument("--as-of", type=_iso_date)
    report.add_argument("--db")

    serve = commands.add_parser("serve", help="start the dashboard")
    serve.add_argument("--db")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument("--address", default="localhost")

    users = commands.add_parser("users", help="dashboard accounts")
    users_what = users.add_subparsers(dest="what", required=True)
    set_password = users_what.add_parser("set-password", help="set a user's password")
    set_password.add_argument("login")
    set_password.add_argument("--db")
    set_password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    demo = users_what.add_parser("demo-accounts", help="give the demo accounts their passwords")
    demo.add_argument("--db")

    intake = commands.add_parser("intake", help="claims opened in the dashboard")
    intake_what = intake.add_subparsers(dest="what", required=True)
    intake_export = intake_what.add_parser(
        "export", help="hand the back office the requests, addresses and documents it lacks")
    intake_export.add_argument("--out", required=True, type=Path)
    intake_export.add_argument("--db")

    sql = commands.add_parser("sql", help="the warehouse's SQL")
    sql_what = sql.add_subparsers(dest="what", required=True)
    compile_ = sql_what.add_parser(
        "compile", help="write the staging and core SQL the contract generates, to be read")
    compile_.add_argument("--out", type=Path, default=Path("sql"),
                          help="the sql/ folder to write into (default: ./sql)")

    app = commands.add_parser("app", help="the dashboard's own database")
    app_what = app.add_subparsers(dest="what", required=True)
    migrate = app_what.add_parser("migrate", help="bring it to this release's schema")
    migrate.add_argument("--db", help="the warehouse whose app database (default: beside it)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    command = f"kasko {args.command}"
    with _noting_interrupts() as interrupted:
        try:
            status = _run(args, command)
        except BaseException:
            # DuckDB turns Ctrl-C during a query into an error of its own (RuntimeError:
            # "Query interrupted"), raised wherever the query was: an interrupt all the same
            if interrupted.is_set():
                print(f"{command}: interrupted", file=sys.stderr)
                return EXIT_INTERRUPTED
            raise
        if interrupted.is_set() and status not in (EXIT_OK, EXIT_INTERRUPTED):
            # the interrupt surfaced as a failure of what was under way (a file refused)
            print(f"{command}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        return status


@contextlib.contextmanager
def _noting_interrupts() -> Iterator[threading.Event]:
    """Note SIGINT while a command runs (it still raises KeyboardInterrupt as usual)."""
    interrupted = threading.Event()

    def note(signum: int, frame: FrameType | None) -> None:
        interrupted.set()
        signal.default_int_handler(signum, frame)

    if threading.current_thread() is not threading.main_thread():
        yield interrupted  # signal handlers belong to the main thread
        return
    previous = signal.signal(signal.SIGINT, note)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(args: argparse.Namespace, command: str) -> int:
    """Run the command; what goes wrong becomes one line on stderr and an exit status."""
    try:
        # every command reads kasko.toml, and a bad one stops it before any work
        settings()
        return _dispatch(args)
    except ConfigError as error:
        print(f"kasko: configuration error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (UsageError, FileNotFoundError) as error:
        print(f"{command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return EXIT_USAGE if error.before_work else EXIT_REFUSED
    except CommandError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except duckdb.InterruptException:
        # Ctrl-C while DuckDB was working: it raises its own error in place of Python's
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except duckdb.Error as error:
        # what no check foresaw still reaches the user as one line, not a traceback
        print(f"{command}: the warehouse could not answer: {_first_line(error)}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as error:
        print(f"{command}: {error}", file=sys.stderr)
        return EXIT_REFUSED


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "generate":
        try:
            from pipelines.demo import generate
        except ImportError as error:
            print(f"kasko generate: {error.name or error} is missing: install the demo extra "
                  "(pip install 'kasko-ops[demo]')", file=sys.stderr)
            return EXIT_REFUSED

        try:
            written = generate(
                args.out_dir,
                seed=args.seed,
                scale=args.scale,
                customers=args.customers,
                devices=args.devices,
                claims=args.claims,
                today=args.today,
                progress=lambda message: print(message, file=sys.stderr),
            )
        except ValueError as error:
            print(f"kasko generate: {error}", file=sys.stderr)
            return EXIT_USAGE
        print(f"wrote {len(written)} files to {args.out_dir}")
        return EXIT_OK

    if args.command == "load":
        from pipelines.ingest.load import load_paths, print_results
        from pipelines.progress import TransientProgress

        progress = TransientProgress()
        try:
            results = load_paths(args.paths, database_path(args.db),
                                 progress=None if args.json else progress)
        finally:
            progress.clear()
        if args.json:
            print(json.dumps([result.as_json() for result in results], ensure_ascii=False))
        else:
            print_results(results)
        # without a store no request was ever opened here: its libraries are not imported
        if (any(result.kind == "claims" and result.loaded for result in results)
                and app_store_exists(database_path(args.db))):
            from pipelines.intake.commands import acknowledge_after_load

            acknowledge_after_load(database_path(args.db))
        return EXIT_REFUSED if any(result.error for result in results) else EXIT_OK

    if args.command == "export":
        from pipelines.reports.tickets_export import export_tickets

        count = export_tickets(database_path(args.db), args.out, as_of=args.as_of)
        print(f"wrote {count} claims to {args.out}")
        return EXIT_OK

    if args.command == "report":
        from pipelines.reports import write_report

        write_report(database_path(args.db), args.month, args.out, as_of=args.as_of)
        print(f"wrote {args.out}")
        return EXIT_OK

    if args.command == "serve":
        return _serve(args)

    if args.command == "users":
        from pipelines.appstate import accounts
        from pipelines.demo.accounts import DEMO_ACCOUNTS

        return accounts.command(args, demo_accounts=DEMO_ACCOUNTS)

    if args.command == "sql":
        from pipelines.ingest.compile import write_compiled

        if not args.out.is_dir():
            raise UsageError(f"{args.out} is not a folder")
        for path in write_compiled(args.out):
            print(path)
        return EXIT_OK

    if args.command == "intake":
        from pipelines.intake.commands import export_command

        return export_command(database_path(args.db), args.out)

    if args.command == "app":
        from pipelines.appstate import commands

        return commands.migrate_command(database_path(args.db))

    raise AssertionError(args.command)


def _require_configured_calendar(db: Path) -> None:
    """Refuse to serve SLA figures computed with other settings than kasko.toml's. The
    connection ends with this call: held while the server runs, it would keep a load from
    reusing the file once replaced."""
    from pipelines.warehouse import connect_read_only
    from pipelines.warehouse.calendar import calendar_settings, require_configured

    with connect_read_only(db) as con:
        built = calendar_settings(con)
    if built is not None:
        require_configured(built)


def _serve(args: argparse.Namespace) -> int:
    from streamlit.web import cli as streamlit_cli

    from pipelines.appstate import commands
    from pipelines.warehouse import upgrade

    # server.py: the app with its sign-in routes (the session cookie is set there)
    app = Path(__file__).resolve().parent.parent / "dashboard" / "server.py"
    db = database_path(args.db).resolve()
    if upgrade(db):  # a warehouse an earlier release loaded: its pages would fail
        print(f"{db}: brought up to this release's tables and macros", file=sys.stderr)
    if db.exists():
        _require_configured_calendar(db)  # the pages show the stored SLA figures
    if not commands.migrated_for_serving(db):
        return EXIT_REFUSED
    os.environ["KASKO_DB"] = str(db)
    sys.argv = [
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
        # the same as dashboard/.streamlit/config.toml, which a server started from
        # another folder does not read
        "--server.fileWatcherType",
        "none",
        "--runner.postScriptGC",
        "false",
    ]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main())
