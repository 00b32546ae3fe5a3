"""Two `kasko serve` replicas behind nginx on one PostgreSQL: sessions, changes, a kill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.loadtest import Session
from deploy.replicas import (
    PostgresCluster,
    Replica,
    free_port,
    start_nginx,
    start_replica,
    stop_process,
)
from pipelines import appstate
from pipelines.appstate import accounts
from pipelines.demo import DEMO_ACCOUNTS, generate
from pipelines.ingest.load import load_paths
from pipelines.warehouse import connect_read_only

ENABLER = "mandatario@kasko.demo"
KASKO = [sys.executable, "-m", "pipelines.cli"]


@dataclass
class Deployment:
    folder: Path
    warehouse: Path
    env: dict[str, str]
    replicas: list[Replica]
    nginx: subprocess.Popen[bytes]
    nginx_port: int
    customer: str
    line: str

    def stream(self, port: int) -> str:
        return f"ws://127.0.0.1:{port}/_stcore/stream"


def wait_for_health(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no replica answered on {port}")


@pytest.fixture(scope="module")
def deployment(postgres_cluster: PostgresCluster) -> Iterator[Deployment]:
    folder = Path(tempfile.mkdtemp(prefix="kasko-replicas-"))
    exports = generate(folder / "exports", customers=8, devices=120, claims=60)
    warehouse = folder / "kasko.duckdb"
    assert [r.error for r in load_paths(exports, warehouse) if r.error] == []
    url = postgres_cluster.create_database("replicas")
    # the password only in PGPASSWORD, as a deployment gives it
    without_password = appstate.without_password(url).render_as_string(hide_password=False)
    assert url.password and url.password not in without_password
    env = {**os.environ, "KASKO_APP_DB": without_password, "PGPASSWORD": url.password or "",
           "KASKO_DB": str(warehouse)}
    done = subprocess.run([*KASKO, "users", "demo-accounts"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    con = connect_read_only(warehouse)
    try:
        customer, line = con.execute(
            """
            select u.customer_code, min(d.nmu)
            from core.users u join core.devices d using (customer_code)
            where lower(u.login) = $login and d.nmu is not null
            group by u.customer_code
            """,
            {"login": ENABLER},
        ).fetchone()
    finally:
        con.close()
    replicas = []
    for port in (free_port(), free_port()):
        replicas.append(start_replica(port, warehouse, env, folder / f"serve-{port}.log"))
    nginx = None
    try:
        for replica in replicas:
            wait_for_health(replica.port)
        nginx_port = free_port()
        (folder / "nginx").mkdir()
        nginx = start_nginx(folder / "nginx", nginx_port, [r.port for r in replicas])
        yield Deployment(folder, warehouse, env, replicas, nginx, nginx_port, customer, line)
    finally:
        for replica in replicas:
            stop_process(replica.process)
        if nginx is not None:
            stop_process(nginx)
        shutil.rmtree(folder, ignore_errors=True)


def upstream_of(response_headers: object) -> str:
    return response_headers.get("X-Kasko-Upstream")  # type: ignore[attr-defined]


def through_nginx(deployment: Deployment, route: str) -> Session:
    """A browser tab through nginx, with the route cookie its first page load was given."""
    return Session(f"ws://127.0.0.1:{deployment.nginx_port}/_stcore/stream",
                   headers={"Cookie": f"kasko_route={route}"})


def route_to(deployment: Deployment, port: int) -> str:
    """A route cookie that nginx sends to the replica on `port`."""
    for attempt in range(200):
        route = f"route-{attempt}"
        request = urllib.request.Request(f"http://127.0.0.1:{deployment.nginx_port}/",
                                         headers={"Cookie": f"kasko_route={route}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            if upstream_of(response.headers) == f"127.0.0.1:{port}":
                return route
    raise AssertionError(f"no route reaches {port}")


def enabled_caption(session: Session, line: str) -> str:
    """The Abilitazioni page's count for one line: '1 linea · 1 abilitata ...' or '... 0 ...'."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    page = session.run("abilitazioni")
    [search] = [e.text_input for e in page if e.WhichOneof("type") == "text_input"]
    page = session.run("abilitazioni", [WidgetState(id=search.id, string_value=line)])
    captions = [e.markdown.body for e in page
                if e.WhichOneof("type") == "markdown" and "abilitat" in e.markdown.body]
    assert len(captions) == 1, captions
    return captions[0]


def change_line(session: Session, line: str, enable: bool) -> None:
    """Select the line in the table, press Abilita or Disabilita, then Conferma."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    page = session.run("abilitazioni")
    [search] = [e.text_input for e in page if e.WhichOneof("type") == "text_input"]
    typed = WidgetState(id=search.id, string_value=line)
    page = session.run("abilitazioni", [typed])
    [table] = [e.dataframe for e in page
               if e.WhichOneof("type") == "dataframe" and e.dataframe.id]
    selected = WidgetState(id=table.id, string_value=json.dumps(
        {"selection": {"rows": [0], "columns": [], "cells": []}}))
    page = session.run("abilitazioni", [typed, selected])
    label = "Abilita" if enable else "Disabilita"
    [button] = [e.button for e in page if e.WhichOneof("type") == "button"
                and e.button.label == label]
    page = session.run("abilitazioni", [typed, selected,
                                        WidgetState(id=button.id, trigger_value=True)])
    [confirm] = [e.button for e in page if e.WhichOneof("type") == "button"
                 and e.button.label == "Conferma"]
    session.run("abilitazioni", [typed, selected, WidgetState(id=confirm.id, trigger_value=True)])


def signed_in(url_or_session: str | Session, login: str = ENABLER) -> Session:
    session = Session(url_or_session) if isinstance(url_or_session, str) else url_or_session
    session.sign_in(login, DEMO_ACCOUNTS[login][1])
    return session


def test_sticky_routes_and_websockets_through_nginx(deployment: Deployment) -> None:
    ports = {f"127.0.0.1:{r.port}" for r in deployment.replicas}
    seen = set()
    for _ in range(12):  # new browsers spread over the replicas
        with urllib.request.urlopen(f"http://127.0.0.1:{deployment.nginx_port}/",
                                    timeout=10) as response:
            cookie = response.headers["Set-Cookie"]
            assert cookie.startswith("kasko_route=") and "HttpOnly" in cookie
            seen.add(upstream_of(response.headers))
    assert seen == ports
    route = route_to(deployment, deployment.replicas[1].port)
    for _ in range(5):  # a browser keeps its replica
        request = urllib.request.Request(f"http://127.0.0.1:{deployment.nginx_port}/",
                                         headers={"Cookie": f"kasko_route={route}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert upstream_of(response.headers) == f"127.0.0.1:{deployment.replicas[1].port}"
    session = signed_in(through_nginx(deployment, route))  # the websocket is upgraded
    try:
        assert "Abilitazioni" in session.titles  # signed out, every page is the sign-in form
    finally:
        session.close()


def test_a_change_through_one_replica_shows_on_the_other(deployment: Deployment) -> None:
    a, b = (signed_in(deployment.stream(r.port)) for r in deployment.replicas)
    try:
        before = enabled_caption(b, deployment.line)
        enable = "0 abilitate" in before
        change_line(a, deployment.line, enable)
        after = enabled_caption(b, deployment.line)  # B's next page run, B's own cache
        assert after != before
        assert ("1 abilitata" in after) == enable
        # and back, through B this time, seen by A
        change_line(b, deployment.line, not enable)
        assert enabled_caption(a, deployment.line) == before
    finally:
        a.close()
        b.close()


def test_set_password_while_both_replicas_serve_does_not_wait(deployment: Deployment) -> None:
    sessions = [signed_in(deployment.stream(r.port)) for r in deployment.replicas]
    try:
        for session in sessions:
            session.run("abilitazioni")
        began = time.monotonic()
        done = subprocess.run(
            [*KASKO, "users", "set-password", "master@kasko.demo", "--password-stdin"],
            input="Nuova-Password-Master-1\n", env=deployment.env, capture_output=True,
            text=True, timeout=60,
        )
        seconds = time.monotonic() - began
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "password set for master@kasko.demo"
        # an interpreter start and one hash: nothing like the old 15 s wait for a lock
        assert seconds < 10
        session = Session(deployment.stream(deployment.replicas[1].port))
        session.sign_in("master@kasko.demo", "Nuova-Password-Master-1")
        session.close()
    finally:
        for session in sessions:
            session.close()


def test_a_killed_replica_loses_sessions_not_data(deployment: Deployment) -> None:
    a_port, b_port = (r.port for r in deployment.replicas)
    route = route_to(deployment, a_port)
    session = signed_in(through_nginx(deployment, route))
    caption = enabled_caption(session, deployment.line)
    enable = "0 abilitate" in caption
    change_line(session, deployment.line, enable)  # committed by A ...
    replica_a = deployment.replicas[0]
    replica_a.process.send_signal(signal.SIGKILL)  # ... which then dies mid-session
    replica_a.process.wait(timeout=30)
    with pytest.raises(Exception):  # noqa: B017 - the websocket is gone, whatever the error
        session.run("abilitazioni")
    session.close()
    # the same browser, sent by nginx to B, signs in again and finds the change
    again = signed_in(through_nginx(deployment, route))
    try:
        assert ("1 abilitata" in enabled_caption(again, deployment.line)) == enable
    finally:
        again.close()
    # A comes back and serves the same state
    deployment.replicas[0] = start_replica(a_port, deployment.warehouse, deployment.env,
                                           deployment.folder / "serve-a-again.log")
    wait_for_health(a_port)
    back = signed_in(deployment.stream(a_port))
    try:
        assert ("1 abilitata" in enabled_caption(back, deployment.line)) == enable
    finally:
        back.close()


def test_a_load_swap_is_seen_by_both_replicas(deployment: Deployment) -> None:
    sessions = [signed_in(deployment.stream(r.port)) for r in deployment.replicas]
    try:
        before = {enabled_caption(s, deployment.line) for s in sessions}
        assert len(before) == 1
        enable = "0 abilitate" in before.pop()
        time.sleep(1.1)  # the export's time, in whole seconds, after the dashboard's changes
        now = accounts.local_now()
        export = deployment.folder / f"abilitazioni_{now:%Y-%m-%d}.csv"
        export.write_text(
            "Codice cliente;NMU;Abilitata;Modificata da;Data modifica\n"
            f"{deployment.customer};{deployment.line};{'Sì' if enable else 'No'};"
            f"backoffice@kasko.demo;{now:%d/%m/%Y %H:%M:%S}\n",
            encoding="utf-8",
        )
        done = subprocess.run([*KASKO, "load", str(export)], env=deployment.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        for session in sessions:
            assert ("1 abilitata" in enabled_caption(session, deployment.line)) == enable
    finally:
        for session in sessions:
            session.close()

