"""A local PostgreSQL cluster, N `kasko serve` replicas and nginx in front: start and stop.

`python -m deploy.replicas start [--replicas N] [--dir data/replicas]` (`make replicas`)
starts all three as plain processes under one folder and prints the address to open;
`... stop` (`make replicas-stop`) stops them. The tests use the same classes in temporary
folders on loopback ports. Nothing here is needed in production (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _postgres_bin() -> Path:
    """Debian's newest installed PostgreSQL (15 on bookworm), or $KASKO_PG_BIN."""
    if os.environ.get("KASKO_PG_BIN"):
        return Path(os.environ["KASKO_PG_BIN"])
    versions = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
                if path.parent.parent.name.isdigit()]
    if not versions:
        return Path("/usr/lib/postgresql/15/bin")
    return max(versions, key=lambda folder: int(folder.parent.name))


POSTGRES_BIN = _postgres_bin()
NGINX = Path(os.environ.get("KASKO_NGINX", "/usr/sbin/nginx"))
NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf"
APP_ROLE = "kasko"
APP_DATABASE = "kasko"
# PostgreSQL refuses to run as root: a root caller runs the cluster as Debian's postgres user.
CLUSTER_USER = "postgres"


class ReplicasError(Exception):
    """Something needed to start the local set-up is missing or failed; the message says what."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(
    port: int, timeout: float, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ReplicasError(f"the process on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise ReplicasError(f"nothing answered on port {port} within {timeout:.0f} s")


def _as_cluster_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(CLUSTER_USER)
    except KeyError as error:
        raise ReplicasError(
            f"running as root, and there is no {CLUSTER_USER} user to run PostgreSQL as"
        ) from error
    return ["runuser", "-u", CLUSTER_USER, "--"]


@dataclass
class PostgresCluster:
    """A PostgreSQL cluster in a folder, listening on 127.0.0.1 only, started with pg_ctl.

    Local connections (its own socket in the folder) trust the operating-system user; TCP
    connections need a password (scram-sha-256). The app's role owns its database and
    nothing else: the rights docs/deployment.md lists.
    """

    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "pgdata"

    @property
    def password_file(self) -> Path:
        return self.directory / "app-password"

    def url(self, with_password: bool = False) -> URL:
        return URL.create(
            "postgresql+psycopg", username=APP_ROLE,
            password=self.password() if with_password else None,
            host="127.0.0.1", port=self.port, database=APP_DATABASE,
        )

    def password(self) -> str:
        return self.password_file.read_text(encoding="utf-8").strip()

    def _run(self, *command: str) -> None:
        done = subprocess.run([*_as_cluster_user(), *command], capture_output=True, text=True)
        if done.returncode != 0:
            raise ReplicasError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")

    def _psql(self, sql: str, database: str = "postgres") -> None:
        self._run(str(POSTGRES_BIN / "psql"), "-h", str(self.directory), "-p", str(self.port),
                  "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", sql)

    def start(self) -> PostgresCluster:
        if not (POSTGRES_BIN / "pg_ctl").exists():
            raise ReplicasError(f"no PostgreSQL in {POSTGRES_BIN}: install Debian's postgresql")
        self.directory.mkdir(parents=True, exist_ok=True)
        fresh = not self.data.exists()
        if os.geteuid() == 0:
            shutil.chown(self.directory, CLUSTER_USER, CLUSTER_USER)
            self.directory.chmod(0o700)
        if fresh:
            self._run(str(POSTGRES_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                      "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                      "--locale=C")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory}"
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.directory / "postgresql.log"), "-o", options, "-w", "-t", "60", "start")
        if fresh:
            password = secrets.token_urlsafe(24)
            self._psql(f"create role {APP_ROLE} login password '{password}'")
            self._psql(f"create database {APP_DATABASE} owner {APP_ROLE}")
            self._psql(f"revoke all on database {APP_DATABASE} from public")
            self._psql(f"revoke create on schema public from public; "
                       f"alter schema public owner to {APP_ROLE}", database=APP_DATABASE)
            self.password_file.write_text(password + "\n", encoding="utf-8")
            self.password_file.chmod(0o600)
        return self

    def create_database(self, name: str) -> URL:
        """One more empty database owned by the app's role (tests: one per test)."""
        if not name.isidentifier():
            raise ReplicasError(f"not a database name: {name!r}")
        self._psql(f"create database {name} owner {APP_ROLE}")
        self._psql(f"revoke create on schema public from public; "
                   f"alter schema public owner to {APP_ROLE}", database=name)
        return self.url(with_password=True).set(database=name)

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                      "stop")

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Replica:
    """One `kasko serve` process."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path


def start_replica(port: int, warehouse: Path, env: dict[str, str], log: Path) -> Replica:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--db", str(warehouse),
             "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    return Replica(port, process, log)


def nginx_config(directory: Path, listen: int, replica_ports: list[int]) -> Path:
    """deploy/nginx.conf with this set-up's ports and folders filled in."""
    upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in replica_ports)
    text = (
        NGINX_TEMPLATE.read_text(encoding="utf-8")
        .replace("listen 8080;", f"listen 127.0.0.1:{listen};")
        .replace("        server 127.0.0.1:8501;\n        server 127.0.0.1:8502;", upstreams)
        .replace("/var/log/nginx/", f"{directory}/")
        .replace("pid /run/nginx.pid;", f"pid {directory}/nginx.pid;")
    )
    path = directory / "nginx.conf"
    path.write_text(text, encoding="utf-8")
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / temp).mkdir(exist_ok=True)
        if os.geteuid() == 0:  # a root master runs its workers as nobody
            shutil.chown(directory / temp, "nobody")
    return path


def start_nginx(directory: Path, listen: int, replica_ports: list[int]) -> subprocess.Popen[bytes]:
    """nginx in the foreground of a child process (`nginx -p DIR -c FILE`)."""
    if not NGINX.exists():
        raise ReplicasError(f"no nginx at {NGINX}: install Debian's nginx")
    config = nginx_config(directory, listen, replica_ports)
    process = subprocess.Popen(
        [str(NGINX), "-p", str(directory), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=(directory / "nginx.stderr").open("ab"),
        start_new_session=True,
    )
    wait_for_port(listen, 20, process)
    return process


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# ---------------------------------------------------------------- make replicas / replicas-stop


def _port_in_use(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def _start(args: argparse.Namespace) -> int:
    ports = [args.first_port + index for index in range(args.replicas)]
    busy = [port for port in (*ports, args.port, args.pg_port) if _port_in_use(port)]
    if busy:
        raise ReplicasError(f"ports already in use: {busy} (`make replicas-stop`, or other ports)")
    directory = Path(args.dir).absolute()
    directory.mkdir(parents=True, exist_ok=True)
    cluster = PostgresCluster(directory / "postgresql", args.pg_port).start()
    env = {**os.environ, "KASKO_APP_DB": cluster.url().render_as_string(hide_password=False),
           "PGPASSWORD": cluster.password()}
    warehouse = str(Path(args.db).absolute())
    for command in (["app", "migrate"], ["users", "demo-accounts"] if args.demo_accounts else []):
        if command:
            done = subprocess.run([sys.executable, "-m", "pipelines.cli", *command, "--db",
                                   warehouse], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise ReplicasError(f"kasko {' '.join(command)}: {done.stderr.strip()}")
    pids = [f"postgresql {cluster.data}"]
    for port in ports:
        log = directory / f"serve-{port}.log"
        replica = start_replica(port, Path(args.db).absolute(), env, log)
        wait_for_port(port, 90, replica.process)
        pids.append(f"replica {replica.process.pid}")
    nginx = start_nginx(directory, args.port, ports)
    pids.append(f"nginx {nginx.pid}")
    (directory / "processes").write_text("\n".join(pids) + "\n", encoding="utf-8")
    print(f"{args.replicas} replicas behind nginx: http://localhost:{args.port}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    directory = Path(args.dir).absolute()
    listing = directory / "processes"
    if not listing.exists():
        print(f"nothing started in {directory}")
        return 0
    for line in reversed(listing.read_text(encoding="utf-8").splitlines()):
        kind, _, what = line.partition(" ")
        if kind == "postgresql":
            PostgresCluster(Path(what).parent, 0).stop()
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(what), signal.SIGTERM)
    listing.unlink()
    print("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.replicas")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", default="data/replicas")
    parser.add_argument("--db", default="data/kasko.duckdb")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens")
    parser.add_argument("--first-port", type=int, default=8501)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--demo-accounts", action="store_true",
                        help="give the demo accounts their passwords in PostgreSQL")
    args = parser.parse_args(argv)
    try:
        return _start(args) if args.action == "start" else _stop(args)
    except ReplicasError as error:
        print(f"replicas: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
