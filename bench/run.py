"""`make bench`: the product measured at fleet scale against its budgets.

Generates the bench set once (cached under bench/cache/), then measures the full load
against DuckDB merely reading the same files, daily loads in a row at each warehouse size
(the first after the full load, then the steady state), every data-access call the pages
make (p50/p95 over warm calls), each page's script run under AppTest and the full load's
peak memory. Prints a table and writes bench/results.json with the machine's cores and
memory.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from bench.stats import percentile

PROJECT_ROOT = Path(__file__).resolve().parent.parent

BENCH_DIR = PROJECT_ROOT / "bench"
CACHE = BENCH_DIR / "cache"
KASKO = [sys.executable, "-m", "pipelines.cli"]
# The bench set ends on a fixed day, so that a cached set stays valid and runs compare.
BENCH_TODAY = date(2026, 11, 27)
FRACTIONS = {"0.25x": 0.25, "0.5x": 0.5, "1x": 1.0}
FULL_DEVICES, FULL_CLAIMS, FULL_CUSTOMERS = 2_000_000, 1_000_000, 150_000


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    budget: float | None = None
    note: str = ""

    @property
    def holds(self) -> bool | None:
        return None if self.budget is None else self.value <= self.budget


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs)


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


# ---------------------------------------------------------------- data sets


def generate_set(label: str, fraction: float) -> tuple[Path, float | None]:
    """The exports of one scale, generated once; returns the folder and the time it took."""
    folder = CACHE / f"exports-{label}"
    if (folder / ".complete").exists():
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    command = KASKO + ["generate", str(folder), "--today", BENCH_TODAY.isoformat()]
    if fraction == 1.0:
        command += ["--scale", "bench"]
    else:
        command += [
            "--scale", "bench",
            "--devices", str(int(FULL_DEVICES * fraction)),
            "--claims", str(int(FULL_CLAIMS * fraction)),
            "--customers", str(int(FULL_CUSTOMERS * fraction)),
        ]
    seconds = timed(lambda: run(command))
    (folder / ".complete").write_text("ok")
    return folder, seconds


DAILY_ROWS = 5_000
# Daily loads in a row into one copy of a loaded warehouse: the first after the full load,
# then the steady state, timed (an odd number: a true median).
STEADY_DAILY_LOADS = 5


def daily_files(exports: Path) -> list[Path]:
    """The next days' claims (5,000 rows a day) for the daily loads: the first rows of the
    set's newest daily file, each updated one more day later every day, so that every row
    is a new version of a claim the warehouse holds (as the carrier's next exports are)."""
    days = [BENCH_TODAY + timedelta(days=offset) for offset in range(1, STEADY_DAILY_LOADS + 2)]
    targets = [CACHE / "daily" / f"segnalazioni_{day.isoformat()}.csv" for day in days]
    if all(target.exists() for target in targets):
        return targets
    import csv

    from pipelines.contract import normalise_header, parse_datetime
    from pipelines.ingest.readers import open_export

    newest = max(exports.glob("segnalazioni_????-??-??.csv"))
    opened = open_export(newest)
    encoding = "utf-8" if opened.encoding == "utf-8-sig" else opened.encoding
    with newest.open(encoding=encoding, newline="") as source:
        rows = list(csv.reader(source, delimiter=opened.delimiter))
    opened.discard()
    header, body = rows[0], rows[1 : DAILY_ROWS + 1]
    keys = [normalise_header(h.lstrip("\ufeff")) for h in header]
    updated = keys.index(normalise_header("Data ultimo aggiornamento"))
    when = []
    for row in body:
        try:
            when.append(parse_datetime(row[updated]))
        except ValueError:
            when.append(None)  # a cell that is no date (the generator's bad rows) stays
    targets[0].parent.mkdir(parents=True, exist_ok=True)
    for offset, target in enumerate(targets, start=1):
        for row, updated_at in zip(body, when, strict=True):
            if updated_at is not None:
                row[updated] = (updated_at + timedelta(days=offset)).strftime("%d/%m/%Y %H:%M")
        with target.open("w", encoding="utf-8", newline="") as sink:
            csv.writer(sink, delimiter=opened.delimiter, lineterminator="\r\n").writerows(
                [header, *body]
            )
    return targets


# ---------------------------------------------------------------- loads


def full_load(exports: Path, db: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of `kasko load` of a whole set into a new warehouse."""
    for leftover in db.parent.glob(db.name + "*"):
        leftover.unlink()
    os.sync()  # the disk starts each measurement with nothing of the last one left to write
    began = time.perf_counter()
    process = subprocess.Popen(KASKO + ["load", str(exports), "--db", str(db), "--json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if status != 0:
        raise RuntimeError(f"kasko load of {exports} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def plain_read(exports: Path, db: Path) -> float:
    """DuckDB merely reading the same files into tables: the floor a load is compared with."""
    from pipelines.ingest.readers import read_into

    for leftover in db.parent.glob(db.name + "*"):
        leftover.unlink()
    os.sync()
    began = time.perf_counter()
    con = duckdb.connect(str(db))
    for index, path in enumerate(sorted(p for p in exports.iterdir() if p.is_file())):
        if path.suffix == ".xlsx":
            read_into(con, path, f"t{index}")
            continue
        with path.open("rb") as handle:
            head = handle.read(1 << 20)  # the first megabyte tells the encoding
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head)  # a character may be cut
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "latin-1"
        con.execute(
            f"create table t{index} as select * from read_csv($path, encoding = $encoding, "
            "ignore_errors = true)",
            {"path": str(path), "encoding": encoding},
        )
    con.execute("checkpoint")
    con.close()
    return time.perf_counter() - began


def daily_loads(db: Path, days: list[Path]) -> tuple[float, float]:
    """Seconds of the first daily load after the full load, and the median of the next
    days' loads, one after the other into a copy of a loaded warehouse.

    From the second day on, each load finds the file the day before's swap replaced and
    copies the warehouse into it, as every daily load does but the first after a full load.
    """
    copy = db.with_name(db.stem + "-incremental.duckdb")
    shutil.copyfile(db, copy)
    # the bench's own copy is written out first, as a cron job finds a long-written file:
    # otherwise the load's first fsync would also write this copy, and count it
    os.sync()
    try:
        seconds = [
            timed(lambda day=day: run(KASKO + ["load", str(day), "--db", str(copy), "--json"]))
            for day in days
        ]
    finally:
        for leftover in copy.parent.glob(copy.name + "*"):
            leftover.unlink()
    return seconds[0], statistics.median(seconds[1:])


# ---------------------------------------------------------------- data access


def quiet_streamlit() -> None:
    """The data layer and AppTest run Streamlit code outside a served app: its "missing
    ScriptRunContext" warning, once per call, would bury the figures. A filter, because
    AppTest sets Streamlit's loggers' levels again for every app it creates."""
    import logging

    from streamlit.runtime.scriptrunner_utils import script_run_context

    logging.getLogger(script_run_context.__name__).addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )


def access_calls(db: Path, warm_calls: int) -> list[Figure]:
    os.environ["KASKO_DB"] = str(db)
    os.sync()  # the loads' gigabytes are written out first, not while pages are timed
    quiet_streamlit()
    from dashboard.access import data
    from dashboard.access.auth import principal_for_login
    from dashboard.access.data import ClaimFilters

    con = duckdb.connect(str(db), read_only=True)
    found = con.execute(
        """
        with largest as (
            select customer_code from core.devices group by all order by count(*) desc limit 1
        ),
        first_claim as (
            select imei, request_number from core.claims
            where customer_code = (select customer_code from largest)
            order by request_number limit 1
        )
        select imei, request_number, (select customer_code from largest) from first_claim
        """
    ).fetchone()
    if found is None:
        raise SystemExit(f"{db}: the customer with the most devices has no claim to look up")
    imei, number, largest = found
    am_login = "account.manager@kasko.demo"  # the generator gives them 200 customers at bench
    (customers_of_am,) = con.execute(
        "select count(*) from core.customers where account_manager = $1", [am_login]
    ).fetchone()
    con.close()
    management = principal_for_login(db, "management@kasko.demo")
    account_manager = principal_for_login(db, am_login)
    as_of = BENCH_TODAY
    calls: dict[str, tuple[Callable[[], object], float]] = {
        "claims by exact IMEI (p95)": (
            lambda: data.list_claims(management, ClaimFilters(imei=imei), as_of, db), 0.010),
        "monitoring list, largest customer, filtered (p95)": (
            lambda: data.list_claims(
                management,
                ClaimFilters(customer_code=largest, view="monitoring",
                             request_types=("Furto/Smarrimento",), limit=500),
                as_of, db), 0.100),
        "SLA aggregates, all data (p95)": (
            lambda: (data.sla_summary(management, as_of, warehouse=db),
                     data.sla_by_period(management, as_of, "week", warehouse=db)), 0.300),
        f"portfolio of an account manager, {customers_of_am} customers (p95)": (
            lambda: data.portfolio(account_manager, as_of, db), 0.300),
        "enablement list, largest customer (p95)": (
            lambda: data.list_lines(management, largest, warehouse=db), None),
        "claim detail by request number (p95)": (
            lambda: data.claim_detail(management, number, as_of, db), None),
    }
    figures = []
    for name, (call, budget) in calls.items():
        call()  # warm: connection, caches
        samples = [timed(call) for _ in range(warm_calls)]
        median_ms = statistics.median(samples) * 1000
        figures.append(Figure(name.replace("(p95)", "(p50)"), median_ms, "ms"))
        figures.append(Figure(name, percentile(samples, 0.95) * 1000, "ms",
                              None if budget is None else budget * 1000))
    return figures


def intake_calls(db: Path, warm_calls: int) -> list[Figure]:
    """The claim intake of the demo Mandatario (a large company): the IMEI search, and a
    submission on a device of its own each time, into a store of the run's own."""
    from dashboard.access import intake
    from dashboard.access.auth import principal_for_login
    from dashboard.access.connections import connections
    from pipelines import appstate

    mandatario = principal_for_login(db, "mandatario@kasko.demo")
    assert mandatario is not None and mandatario.customer_code
    now = datetime.combine(BENCH_TODAY, datetime.min.time()).replace(hour=10)

    with connections.cursor(db) as con:  # the data layer's own connection to the file
        free = [imei for (imei,) in con.execute(
            """select imei from core.devices as devices
               where customer_code = $1 and protection_state = 'Attiva'
                 and cast($2 as date) between protection_start and protection_end
                 and not exists (select 1 from marts.tickets as tickets
                                 where tickets.imei = devices.imei and tickets.is_monitored)
               order by imei limit $3""",
            [mandatario.customer_code, BENCH_TODAY, warm_calls + 1],
        ).fetchall()]
        [(point,)] = con.execute("select min(point_code) from core.assistance_points").fetchall()
    if len(free) < warm_calls + 1:
        raise SystemExit(f"{db}: too few devices free for a claim to time submissions")
    figures: list[Figure] = []
    searches = [free[i][6:11] for i in range(warm_calls + 1)]  # five digits from the middle
    intake.search_devices(mandatario, searches[0], BENCH_TODAY, db)
    samples = [timed(lambda digits=digits: intake.search_devices(
        mandatario, digits, BENCH_TODAY, db)) for digits in searches[1:]]
    figures.append(Figure("intake IMEI search, 5 digits (p95)",
                          percentile(samples, 0.95) * 1000, "ms", 50.0))
    with tempfile.TemporaryDirectory(prefix="kasko-bench-intake-") as folder:
        previous = os.environ.get(appstate.APP_DB_ENV)
        os.environ[appstate.APP_DB_ENV] = f"sqlite:///{folder}/intake.sqlite"
        try:
            def submission(imei: str) -> None:
                result = intake.submit_request(
                    mandatario, request_type="Guasto/Malfunzionamento", imei=imei,
                    fault_causes=("Batteria",), delivery_mode="Punto assistenza",
                    assistance_point_code=point, warehouse=db, now=now)
                assert result.request_number is not None, result.errors
            submission(free[0])
            samples = [timed(lambda imei=imei: submission(imei)) for imei in free[1:]]
        finally:
            appstate.forget_stores()
            if previous is None:
                os.environ.pop(appstate.APP_DB_ENV, None)
            else:
                os.environ[appstate.APP_DB_ENV] = previous
    figures.append(Figure("intake submission (p95)", percentile(samples, 0.95) * 1000, "ms",
                          300.0))
    return figures


def page_runs(db: Path) -> list[Figure]:
    """Each page's script run under AppTest, signed in as Management."""
    from streamlit.testing.v1 import AppTest

    from dashboard.access.auth import principal_for_login
    from pipelines.appstate import accounts

    os.environ["KASKO_DB"] = str(db)
    quiet_streamlit()
    principal = principal_for_login(db, "management@kasko.demo")
    figures = []
    for page in ("monitoring", "sla", "enablement", "portfolio", "data_quality"):
        path = PROJECT_ROOT / "dashboard" / "screens" / f"{page}.py"
        if not path.exists():
            continue
        app = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=120)
        app.session_state["principal"] = principal
        app.session_state["signed_in_at"] = accounts.local_now()
        app.session_state["last_activity_at"] = accounts.local_now()
        app.run()
        app.switch_page(f"screens/{page}.py")
        samples = []
        for _ in range(3):
            samples.append(timed(app.run))
        error = f"; exception: {app.exception[0].message[:80]}" if app.exception else ""
        figures.append(Figure(f"page script run: {page}", statistics.median(samples), "s", 2.0,
                              error))
    return figures


# ---------------------------------------------------------------- main


def _median_of(runs: list[float]) -> str:
    return "median of " + ", ".join(f"{seconds:.1f}" for seconds in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument(
        "--repeats", type=int, default=3,
        help="runs of the 1x full load and plain read (their medians: with three, one slow"
        " minute of a shared machine does not decide the ratio)",
    )
    parser.add_argument("--warm-calls", type=int, default=20)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results.json")
    parser.add_argument(
        "--access-only", action="store_true",
        help="measure data access and pages on the cached 1x warehouse; keep the load figures",
    )
    args = parser.parse_args(argv)
    if args.access_only:
        return access_only(args)

    CACHE.mkdir(parents=True, exist_ok=True)
    figures: list[Figure] = []
    sets: dict[str, Path] = {}
    for label, fraction in FRACTIONS.items():
        print(f"bench set {label} ...", file=sys.stderr)
        sets[label], seconds = generate_set(label, fraction)
        if label == "1x" and seconds is not None:
            figures.append(Figure("generate bench set", seconds, "s", 120.0))
    days = daily_files(sets["1x"])

    scaling: dict[str, dict[str, float]] = {}
    databases: dict[str, Path] = {}
    for label, exports in sets.items():
        repeats = args.repeats if label == "1x" else 1
        db = CACHE / f"warehouse-{label}.duckdb"
        print(f"full load {label} x{repeats} ...", file=sys.stderr)
        # the plain read is the 1x budget's yardstick; the smaller sets show how loads grow.
        # Each load is followed by a read, so that both meet the machine in the same state
        # (its speed drifts by the hour: all loads, then all reads, compared different hours)
        loads, reads = [], []
        for _ in range(repeats):
            loads.append(full_load(exports, db))
            if label == "1x":
                reads.append(plain_read(exports, CACHE / "plain.duckdb"))
        load_runs = [seconds for seconds, _ in loads]
        load_seconds = statistics.median(load_runs)
        peak = max(rss for _, rss in loads)
        read_seconds = statistics.median(reads) if reads else None
        first_daily, incremental = daily_loads(db, days)
        databases[label] = db
        scaling[label] = {
            "full_load_s": load_seconds, "plain_read_s": read_seconds,
            "ratio": load_seconds / read_seconds if read_seconds else None,
            "first_daily_s": first_daily, "incremental_s": incremental, "peak_rss_mb": peak,
            "warehouse_mb": db.stat().st_size / 2**20,
            "full_load_runs_s": load_runs, "plain_read_runs_s": reads,
        }
        if label == "1x":
            figures += [
                Figure("full load", load_seconds, "s", note=_median_of(load_runs)),
                Figure("plain DuckDB read of the same files", read_seconds, "s",
                       note=_median_of(reads)),
                Figure("full load / plain read", load_seconds / read_seconds, "x", 2.0),
                Figure("first daily load after the full load (1x)", first_daily, "s"),
                Figure("incremental daily load (1x warehouse)", incremental, "s",
                       note=f"median of {STEADY_DAILY_LOADS} days in a row"),
                Figure("incremental / full load", incremental / load_seconds * 100, "%", 5.0),
                Figure("full-load peak RSS", peak, "MB", 2048.0),
            ]
        if label == "0.5x":
            figures.append(Figure("incremental daily load (0.5x warehouse)", incremental, "s"))

    print("data-access calls ...", file=sys.stderr)
    run(KASKO + ["users", "demo-accounts", "--db", str(databases["1x"])])
    figures += access_calls(databases["1x"], args.warm_calls)
    figures += intake_calls(databases["1x"], args.warm_calls)
    print("page script runs ...", file=sys.stderr)
    figures += page_runs(databases["1x"])

    report(figures, scaling, args.out)
    return 0 if all(f.holds is not False for f in figures) else 1


def access_only(args: argparse.Namespace) -> int:
    """Re-measure data access and pages on the cached warehouse (its schema brought up to date)."""
    from pipelines.warehouse import upgrade

    db = CACHE / "warehouse-1x.duckdb"
    if not db.exists():
        raise SystemExit("no cached bench warehouse: run `make bench` first")
    upgrade(db)  # this release's SQL, and what is derived, if an earlier one wrote it
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    kept = [Figure(**{k: v for k, v in f.items() if k != "holds"})
            for f in previous.get("figures", [])
            if not f["name"].startswith(("claims by", "monitoring", "SLA", "portfolio",
                                         "enablement", "claim detail", "page script",
                                         "intake"))]
    run(KASKO + ["users", "demo-accounts", "--db", str(db)])
    figures = (kept + access_calls(db, args.warm_calls) + intake_calls(db, args.warm_calls)
               + page_runs(db))
    report(figures, previous.get("scaling", {}), args.out)
    return 0 if all(f.holds is not False for f in figures) else 1


def report(figures: list[Figure], scaling: dict[str, dict[str, float]], out: Path) -> None:
    width = max(len(f.name) for f in figures)
    print(f"\n{'figure':<{width}}  {'value':>10}  {'budget':>10}  holds")
    for figure in figures:
        budget = "" if figure.budget is None else f"{figure.budget:,.1f}"
        holds = {True: "yes", False: "NO", None: ""}[figure.holds]
        print(f"{figure.name:<{width}}  {figure.value:>8,.1f} {figure.unit:<2} {budget:>10}  "
              f"{holds} {figure.note}")
    print("\nscale   full load  plain read  ratio  incremental  peak RSS  warehouse")
    for label, row in scaling.items():
        read = f"{row['plain_read_s']:>10.1f}s" if row.get("plain_read_s") else f"{'-':>11}"
        ratio = f"{row['ratio']:>5.2f}x" if row.get("ratio") else f"{'-':>6}"
        print(f"{label:<6} {row['full_load_s']:>9.1f}s {read} {ratio} "
              f"{row['incremental_s']:>10.2f}s {row['peak_rss_mb']:>7.0f}MB "
              f"{row['warehouse_mb']:>8.0f}MB")
    machine = {
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "machine": machine,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "figures": [asdict(f) | {"holds": f.holds} for f in figures],
        "scaling": scaling,
    }, indent=2))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE))
    sys.exit(main())
