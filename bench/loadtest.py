"""`make loadtest`: concurrent dashboard sessions over websockets while a daily load runs.

Generates a demo-size set once (cached under data/loadtest/; `--scale bench`: the fleet-size
set under data/loadtest-bench/), loads all but its last day of claims, starts `kasko serve`
on a free port (`--replicas N` > 1: N of them on a PostgreSQL cluster of their own, behind
nginx with deploy/nginx.conf, docs/deployment.md), and opens sessions the way a browser does:
a websocket to Streamlit, the sign-in form filled in and submitted with a demo account
(every profile in turn), then the Monitoraggio and SLA pages over and over with a user's
think time. Meanwhile `kasko load` loads the last day. Prints every error (there must be
none) and page latency p50/p95 before, during and after the load, as text and JSON.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import duckdb

from bench.stats import percentile
from dashboard.access.session_cookie import COOKIE_NAME
from dashboard.access.session_routes import SIGN_IN_PATH
from deploy.replicas import PostgresCluster, free_port, start_nginx
from pipelines.warehouse import upgrade

PROJECT_ROOT = Path(__file__).resolve().parent.parent

WORK = PROJECT_ROOT / "data" / "loadtest"
KASKO = [sys.executable, "-m", "pipelines.cli"]
# A fixed last day, so that the cached set stays valid between runs.
LOADTEST_TODAY = date(2026, 11, 27)
# The demo accounts, one per profile (README.md).
ACCOUNTS = [
    ("management@kasko.demo", "Demo-Management-2026"),
    ("account.manager@kasko.demo", "Demo-AccountManager-2026"),
    ("legale@kasko.demo", "Demo-Legale-2026"),
    ("amministratore@kasko.demo", "Demo-Amministratore-2026"),
    ("mandatario@kasko.demo", "Demo-Mandatario-2026"),
    ("master@kasko.demo", "Demo-Master-2026"),
    ("dipendente@kasko.demo", "Demo-Dipendente-2026"),
]
# The pages every session opens in turn, those its navigation lists.
PAGES = ("monitoraggio", "sla")
RECEIVE_TIMEOUT = 180.0
ALERT_ERROR = 1  # streamlit.proto.Alert_pb2.Alert.Format.ERROR


# ---------------------------------------------------------------- the data


@dataclass(frozen=True)
class Prepared:
    base: Path  # the warehouse holding everything but the last day
    day: Path  # the last day's claims file


def prepare(work: Path, scale: str = "demo") -> Prepared:
    """The demo set, loaded but for its last day of claims (generated and loaded once)."""
    exports, day_folder = work / "exports", work / "day"
    base = work / "base" / "kasko.duckdb"
    if not base.exists():
        shutil.rmtree(work, ignore_errors=True)
        print("generating the demo set (once)", flush=True)
        subprocess.run([*KASKO, "generate", str(exports), "--today", LOADTEST_TODAY.isoformat(),
                        "--scale", scale], check=True, capture_output=True, text=True)
        daily = sorted(exports.glob("segnalazioni_????-??-??.csv"))
        day_folder.mkdir(parents=True)
        shutil.move(daily[-1], day_folder / daily[-1].name)
        print("loading it but its last day (once)", flush=True)
        subprocess.run([*KASKO, "load", str(exports), "--db", str(base), "--json"],
                       check=True, capture_output=True, text=True)
        subprocess.run([*KASKO, "users", "demo-accounts", "--db", str(base)],
                       check=True, capture_output=True, text=True)
    upgrade(base)  # a set cached by an earlier release: this release's tables and macros
    [day] = day_folder.glob("*.csv")
    return Prepared(base, day)


def served_copy(prepared: Prepared, work: Path, env: dict[str, str] | None = None) -> Path:
    """A fresh copy of the base warehouse, its demo accounts in the app store, to serve."""
    served = work / "served" / "kasko.duckdb"
    shutil.rmtree(served.parent, ignore_errors=True)
    served.parent.mkdir(parents=True)
    shutil.copyfile(prepared.base, served)
    subprocess.run([*KASKO, "users", "demo-accounts", "--db", str(served)],
                   check=True, capture_output=True, text=True, env=env)
    return served


# The password the distinct-scope accounts get, in the load test's own copy only.
SCOPE_PASSWORD = "Loadtest-Scope-2026"


def distinct_scope_accounts(served: Path, sessions: int,
                            env: dict[str, str] | None) -> list[tuple[str, str]]:
    """One Mandatario per session, each of another customer, those with the most claims
    first: no two sessions share a scope, so no page run finds another's answers or charts
    in the cache (its worst case; the demo accounts share seven scopes)."""
    with duckdb.connect(str(served), read_only=True) as con:
        logins = [login for (login,) in con.execute(
            """
            select min(users.login)
            from core.users as users
            join (select customer_code, count(*) as claims from core.claims group by all)
                as busy using (customer_code)
            where users.profile = 'Mandatario'
            group by users.customer_code, busy.claims
            order by busy.claims desc, users.customer_code
            limit $sessions
            """,
            {"sessions": sessions},
        ).fetchall()]
    if len(logins) < sessions:
        raise SystemExit(f"the set has {len(logins)} customers with a Mandatario and claims,"
                         f" fewer than {sessions} sessions")
    accounts = [(login, SCOPE_PASSWORD) for login in logins]
    # one process sets them all, in the deployment's app store (PostgreSQL with replicas)
    subprocess.run(
        [sys.executable, "-c", "import bench.loadtest as t; t.set_passwords_from_stdin()"],
        input=json.dumps(accounts), text=True, check=True, capture_output=True,
        env={**(env or os.environ), "KASKO_LOADTEST_WAREHOUSE": str(served)},
        cwd=PROJECT_ROOT,
    )
    return accounts


def set_passwords_from_stdin() -> None:
    """Set the passwords of the (login, password) pairs read as JSON from standard input."""
    from pipelines.appstate.accounts import set_password

    warehouse = Path(os.environ["KASKO_LOADTEST_WAREHOUSE"])
    for login, password in json.load(sys.stdin):
        set_password(warehouse, login, password)


def claims_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from core.claims").fetchone()[0]


# ---------------------------------------------------------------- the server


def start_server(db: Path, port: int, log: Path,
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [*KASKO, "serve", "--db", str(db), "--port", str(port), "--address", "127.0.0.1"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"kasko serve did not answer on port {port}: see {log}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=20)


def cpu_seconds(pid: int) -> float:
    """User and system CPU a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- one browser session


@dataclass
class PageRun:
    page: str
    started: float  # time.monotonic()
    seconds: float
    error: str | None = None


class Session:
    """One browser tab: a Streamlit websocket, signed in, opening pages."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = dict(headers or {})
        self.socket = self._connect()
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.titles: list[str] = []  # the navigation's page titles
        self.current_page = ""

    def _connect(self):  # a websockets client connection
        from websockets.sync.client import connect

        return connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                       legacy=True, additional_headers=self.headers)

    def close(self) -> None:
        self.socket.close()

    def run(self, page: str = "", widgets: list[object] | None = None) -> list[object]:
        """Ask for a script run (as a browser does) and return its elements once it finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.pages.get(page, self.current_page)
        state.context_info.timezone = "Europe/Rome"
        state.context_info.locale = "it-IT"
        for widget in widgets or []:
            state.widget_states.widgets.append(widget)
        self.socket.send(message.SerializeToString())
        elements: list[object] = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(self.socket.recv(timeout=RECEIVE_TIMEOUT))
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                elements.append(forward.delta.new_element)
            elif kind == "navigation":
                pages = forward.navigation.app_pages
                self.titles = [p.page_name for p in pages]
                # the default page has no path of its own; for a signed-in user that is
                # Monitoraggio, before signing in the sign-in form
                self.pages = {p.url_pathname or "monitoraggio": p.page_script_hash
                              for p in pages}
                self.current_page = forward.navigation.page_script_hash
            elif kind == "script_finished":
                status = forward.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    elements.clear()  # st.rerun(): what counts is the run that follows
                    continue
                if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(ForwardMsg.ScriptFinishedStatus.Name(status))
                return elements

    def sign_in(self, login: str, password: str) -> None:
        """Sign in as a browser does: post the form to the sign-in route, keep the session
        cookie it sets, and open the app again with it."""
        parts = urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            connection.request(
                "POST", SIGN_IN_PATH,
                urlencode({"login": login, "password": password, "dopo": "/"}),
                {**self.headers, "Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            response.read()
            cookies = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
        finally:
            connection.close()
        if COOKIE_NAME not in cookies:
            where = response.getheader("Location")
            raise RuntimeError(f"sign-in as {login} failed: sent to {where}")
        # sent back exactly as set (quoted), as a browser does
        sent = [part for part in self.headers.get("Cookie", "").split("; ")
                if part and not part.startswith(f"{COOKIE_NAME}=")]
        sent.append(f"{COOKIE_NAME}={cookies[COOKIE_NAME].coded_value}")
        self.headers["Cookie"] = "; ".join(sent)
        self.socket.close()
        self.socket = self._connect()
        self.run()
        if set(self.titles) <= {"Accedi"}:  # signed out, every address is the sign-in form
            raise RuntimeError(f"sign-in as {login} failed: the session cookie was not accepted")


def problems(elements: list[object]) -> str | None:
    """What is wrong with a page as shown: an exception, an error alert, or no title."""
    for element in elements:
        if element.WhichOneof("type") == "exception":
            return f"exception: {element.exception.type}: {element.exception.message}"
        if element.WhichOneof("type") == "alert" and element.alert.format == ALERT_ERROR:
            return f"error shown: {element.alert.body}"
    if not any(e.WhichOneof("type") == "heading" for e in elements):
        return "the page shows no title"
    return None


@dataclass
class Results:
    runs: list[PageRun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0  # page runs asked for and not answered yet

    def begin(self) -> None:
        with self.lock:
            self.in_flight += 1

    def add(self, run: PageRun, in_flight: bool = False) -> None:
        with self.lock:
            self.in_flight -= in_flight
            self.runs.append(run)
            if run.error:
                self.errors.append(f"{run.page}: {run.error}")

    def wait_for_a_page_in_flight(self, timeout: float) -> None:
        """Return once a page run is under way (a load started then overlaps it), or at
        the timeout: a daily load of the demo set takes well under a second."""
        deadline = time.monotonic() + timeout
        while self.in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.005)


def browse(url: str, account: tuple[str, str], think: float, arrival: float,
           signed_in: threading.Barrier, stop: threading.Event, results: Results,
           seed: int) -> None:
    """One user: arrive, sign in, then open their pages in turn until told to stop."""
    login, password = account
    time.sleep(arrival)
    # a browser of its own: nginx routes it by this cookie, as by the one it would set
    session = _signed_in_session(url, login, password, results,
                                 {"Cookie": f"kasko_route=browser-{seed}"})
    signed_in.wait()
    if session is None:
        return
    jitter = random.Random(seed)
    pages = [page for page in PAGES if page in session.pages]
    stop.wait(jitter.uniform(0, think))  # users do not click in step
    try:
        for turn in itertools.count():
            if stop.is_set():
                break
            page = pages[turn % len(pages)]
            started = time.monotonic()
            results.begin()
            try:
                error = problems(session.run(page))
            except Exception as failure:  # noqa: BLE001 - every failure is reported
                error = f"{login}: {failure!r}"
            results.add(PageRun(page, started, time.monotonic() - started, error),
                        in_flight=True)
            stop.wait(think * jitter.uniform(0.5, 1.5))
    finally:
        session.close()


def _signed_in_session(url: str, login: str, password: str, results: Results,
                       headers: dict[str, str]) -> Session | None:
    started = time.monotonic()
    session = None
    try:
        session = Session(url, headers)
        session.sign_in(login, password)
    except Exception as error:  # noqa: BLE001 - every failure is reported
        results.add(PageRun("sign-in", started, time.monotonic() - started, f"{login}: {error!r}"))
        if session is not None:
            session.close()
        return None
    results.add(PageRun("sign-in", started, time.monotonic() - started))
    return session


# ---------------------------------------------------------------- the run


def summary(runs: list[PageRun]) -> dict[str, float | int]:
    seconds = [r.seconds for r in runs]
    if not seconds:
        return {"runs": 0}
    return {"runs": len(seconds), "p50_s": round(statistics.median(seconds), 3),
            "p95_s": round(percentile(seconds, 0.95), 3), "max_s": round(max(seconds), 3)}


def machine() -> dict[str, object]:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {"cores": os.cpu_count(), "memory_gb": round(memory_gb, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    # the defaults are the budget's: 48 users with 10 s of think time, page p95 at most 2 s
    parser.add_argument("--sessions", type=int, default=48)
    parser.add_argument("--think", type=float, default=10.0,
                        help="mean seconds a user waits between pages (jittered ±50%%)")
    parser.add_argument("--page-p95-budget", type=float, default=2.0,
                        help="seconds the pages' p95 may take; more fails the run")
    parser.add_argument("--ramp", type=float, default=10.0,
                        help="seconds over which the sessions arrive, one after another")
    parser.add_argument("--warmup", type=float, default=30.0,
                        help="seconds of browsing before the load starts")
    parser.add_argument("--after", type=float, default=20.0,
                        help="seconds of browsing after the load ended")
    parser.add_argument("--replicas", type=int, default=1,
                        help="kasko serve processes; more than 1: behind nginx on PostgreSQL")
    parser.add_argument("--scale", choices=("demo", "bench"), default="demo")
    parser.add_argument("--scopes", choices=("shared", "distinct"), default="shared",
                        help="shared: the seven demo accounts in turn; distinct: a Mandatario"
                             " of another customer for every session")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    args.work = args.work or (WORK if args.scale == "demo" else WORK.with_name("loadtest-bench"))

    facts = machine()
    prepared = prepare(args.work, args.scale)
    deployment = Deployment.start(args.work, args.replicas)
    served = served_copy(prepared, args.work, deployment.env)
    accounts = (distinct_scope_accounts(served, args.sessions, deployment.env)
                if args.scopes == "distinct" else ACCOUNTS)
    copy_seconds = timed_copy(served)
    warehouse_mb = served.stat().st_size / 1024**2
    claims_before = claims_count(served)
    url = deployment.serve(served)
    started_cpu = sum(cpu_seconds(server.pid) for server in deployment.servers)  # imports
    stop, results = threading.Event(), Results()
    signed_in = threading.Barrier(args.sessions + 1)
    users = [threading.Thread(
        target=browse,
        args=(url, accounts[n % len(accounts)], args.think, n * args.ramp / args.sessions,
              signed_in, stop, results, n),
        daemon=True) for n in range(args.sessions)]
    try:
        for user in users:
            user.start()
        signed_in.wait()  # every session has signed in (or failed to)
        time.sleep(args.warmup)
        results.wait_for_a_page_in_flight(timeout=2 * args.think)
        load_began = time.monotonic()
        load = subprocess.run([*KASKO, "load", str(prepared.day), "--db", str(served), "--json"],
                              capture_output=True, text=True)
        load_ended = time.monotonic()
        time.sleep(args.after)
    finally:
        stop.set()
        for user in users:
            user.join(timeout=RECEIVE_TIMEOUT)
        server_cpu = sum(cpu_seconds(server.pid) for server in deployment.servers) - started_cpu
        deployment.stop()
    log = "\n".join(path.read_text(encoding="utf-8", errors="replace")
                    for path in args.work.glob("serve*.log"))
    results.errors += [f"server log: {line}" for line in log.splitlines()
                       if "Traceback" in line or "Error" in line or "Exception" in line]
    if load.returncode != 0:
        results.errors.append(f"kasko load exited {load.returncode}: {load.stderr.strip()}")
    loaded = json.loads(load.stdout) if load.stdout.strip() else []

    pages = [r for r in results.runs if r.page != "sign-in"]
    phases = {  # runs that ended before the load, overlapped it, or began after it
        "before": [r for r in pages if r.started + r.seconds < load_began],
        "during": [r for r in pages
                   if r.started < load_ended and r.started + r.seconds >= load_began],
        "after": [r for r in pages if r.started >= load_ended],
    }
    report = {
        "command": "make loadtest  # python -m bench.loadtest " + " ".join(
            f"--{k} {v}" for k, v in (("sessions", args.sessions), ("think", args.think),
                                      ("ramp", args.ramp), ("warmup", args.warmup),
                                      ("after", args.after), ("replicas", args.replicas),
                                      ("scale", args.scale), ("scopes", args.scopes))),
        "machine": facts,
        "warehouse_mb": round(warehouse_mb, 1),  # the file the load copies
        "warehouse_copy_s": round(copy_seconds, 3),
        "sessions": args.sessions,
        "accounts": min(len(accounts), args.sessions),  # taken in turn, each once at most
        "replicas": args.replicas,
        "app_store": "postgresql" if args.replicas > 1 else "sqlite",
        "signed_in": sum(1 for r in results.runs if r.page == "sign-in" and not r.error),
        "load": {"file": prepared.day.name, "seconds": round(load_ended - load_began, 2),
                 "rows": [(r["read"], r["loaded"], r["superseded"], r["quarantined"])
                          for r in loaded],
                 "claims_before": claims_before, "claims_after": claims_count(served)},
        "errors": results.errors,
        # every script run the servers made (sign-ins, pages) over the whole run: what
        # sizing divides by (docs/performance.md)
        "server_cpu_s": round(server_cpu, 2),
        "server_cpu_per_run_s": round(server_cpu / max(1, len(results.runs)), 4),
        "sign_in": summary([r for r in results.runs if r.page == "sign-in"]),
        "pages": summary(pages),
        "by_page": {page: summary([r for r in pages if r.page == page])
                    for page in ("monitoraggio", "sla")},
        "by_phase": {phase: summary(runs) for phase, runs in phases.items()},
    }
    print(json.dumps(report, indent=2))
    (args.work / "results.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    failures = [f"{len(results.errors)} errors"] if results.errors else []
    if report["signed_in"] != args.sessions:
        failures.append(f"{args.sessions - report['signed_in']} sessions did not sign in")
    if not phases["during"]:
        failures.append("no page run overlapped the load (more sessions or less think time)")
    if pages and report["pages"]["p95_s"] > args.page_p95_budget:
        failures.append(f"page p95 {report['pages']['p95_s']} s over the budget of"
                        f" {args.page_p95_budget} s")
    print("FAILED: " + "; ".join(failures) if failures else "OK: no errors", file=sys.stderr)
    return 1 if failures else 0


@dataclass
class Deployment:
    """One `kasko serve` on the SQLite store, or N behind nginx on a PostgreSQL cluster."""

    work: Path
    replicas: int
    env: dict[str, str] | None = None
    cluster: PostgresCluster | None = None
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, work: Path, replicas: int) -> Deployment:
        deployment = cls(work, replicas)
        if replicas > 1:
            folder = work / "postgresql"
            if folder.exists():
                PostgresCluster(folder, 0).stop("immediate")
                shutil.rmtree(folder)
            cluster = PostgresCluster(folder, free_port()).start()
            deployment.cluster = cluster
            deployment.env = {**os.environ, "PGPASSWORD": cluster.password(),
                              "KASKO_APP_DB": cluster.url().render_as_string(hide_password=False)}
        return deployment

    def serve(self, served: Path) -> str:
        """Start the servers; the websocket URL the sessions open."""
        for log in self.work.glob("serve*.log"):
            log.unlink()
        ports = [free_port() for _ in range(self.replicas)]
        for index, port in enumerate(ports):
            self.servers.append(start_server(served, port, self.work / f"serve-{index}.log",
                                             self.env))
        if self.replicas == 1:
            return f"ws://127.0.0.1:{ports[0]}/_stcore/stream"
        proxy = free_port()
        folder = self.work / "nginx"
        folder.mkdir(exist_ok=True)
        self.nginx = start_nginx(folder, proxy, ports)
        return f"ws://127.0.0.1:{proxy}/_stcore/stream"

    def stop(self) -> None:
        for server in self.servers:
            stop_server(server)
        if self.nginx is not None:
            stop_server(self.nginx)
        if self.cluster is not None:
            self.cluster.stop("fast")


def timed_copy(served: Path) -> float:
    """How long the copy a load begins with takes for this warehouse (page cache warm)."""
    target = served.with_name("copy-timing.duckdb")
    began = time.perf_counter()
    shutil.copyfile(served, target)
    seconds = time.perf_counter() - began
    target.unlink()
    return seconds


if __name__ == "__main__":
    sys.exit(main())
