"""What the browser tests share: finding Chromium (loudly), and `kasko serve` on a free port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_path() -> str:
    """The Chromium to drive: $KASKO_CHROMIUM, else the one on PATH; never skipped silently."""
    found = os.environ.get("KASKO_CHROMIUM") or next(
        (path for name in CHROMIUM_CANDIDATES if (path := shutil.which(name))), None
    )
    if found:
        return found
    where = "on CI" if os.environ.get("CI") else "on this machine"
    pytest.fail(
        f"\n{'!' * 72}\nNO CHROMIUM FOUND {where}: the browser tests cannot run.\n"
        "Install it with `apt-get install -y chromium` (or `make browser`), or point\n"
        f"KASKO_CHROMIUM at a Chromium binary.\n{'!' * 72}",
        pytrace=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(warehouse: Path, start_timeout: float = 60) -> Iterator[str]:
    """`kasko serve` over a warehouse on a free local port: yields its URL once healthy."""
    port = free_port()
    log_path = warehouse.parent / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--db", str(warehouse),
             "--port", str(port), "--address", "127.0.0.1"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                        if answer.read().decode().strip() == "ok":
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("kasko serve did not start:\n"
                                + log_path.read_text("utf-8", "replace"))
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
