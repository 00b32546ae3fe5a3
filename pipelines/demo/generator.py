"""The demo generator's entry point: a seeded, realistic set of source exports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
from faker import Faker

from pipelines.contract import (
    AssistancePoint,
    Claim,
    Customer,
    Device,
    Enablement,
    PortalUser,
)
from pipelines.demo.claims import make_claims
from pipelines.demo.days import Calendar, as_date
from pipelines.demo.dirt import (
    dirty_claims,
    dirty_customers,
    dirty_devices,
    dirty_enablements,
    dirty_users,
    orphan_enablements,
)
from pipelines.demo.plan import make_plan, make_pools
from pipelines.demo.reference import PYTHON_CSV_MAX_ROWS
from pipelines.demo.users import make_users
from pipelines.demo.world import (
    make_customers,
    make_devices,
    make_enablements,
    make_points,
    make_staff,
    unique_logins,
)
from pipelines.demo.writer import (
    CLAIM_VERSION_SQL,
    DEVICE_SNAPSHOT_SQL,
    FileFormat,
    Writer,
    claim_formats,
    claim_rows,
    claim_texts,
    make_device_frame,
)


def generate(
    out_dir: Path,
    *,
    seed: int = 42,
    scale: str = "demo",
    customers: int | None = None,
    devices: int | None = None,
    claims: int | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write a seeded, realistic set of source exports to out_dir; return the files written.

    The same arguments give byte-identical files. `today` (default: today in Europe/Rome)
    is the export day: claims run for two years up to the day before it.
    """
    plan = make_plan(seed, scale, customers, devices, claims, today)
    say = progress or (lambda message: None)
    say(
        f"generating {plan.customers:,} customers, {plan.devices:,} devices, "
        f"{plan.claims:,} claims (seed {seed}, exports of {plan.today.isoformat()}); the files "
        "also carry planted dirt (repeated rows, invalid values), so a file holds a few more "
        "rows than these counts: the load supersedes or quarantines them"
    )
    # one random stream per phase: changing how many claims are made leaves customers alone
    streams = dict(
        zip(
            ("points", "customers", "staff", "devices", "enablements", "claims", "dirt", "files"),
            np.random.default_rng(seed).spawn(8),
            strict=True,
        )
    )
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    calendar = Calendar.for_years(plan.today.year - 6, plan.today.year + 1)

    pools = make_pools(fake, plan.companies)
    points = make_points(streams["points"], pools)
    customer_set = make_customers(streams["customers"], plan, pools)
    staff = make_staff(streams["staff"], plan, pools)
    device_set = make_devices(streams["devices"], plan, customer_set, pools)
    unique_logins(staff, customer_set, device_set)
    enablements = make_enablements(streams["enablements"], plan, customer_set, device_set)
    say(f"customers, devices and enablements ready ({len(enablements.frame):,} enablement rows)")
    claim_set = make_claims(
        streams["claims"], plan, calendar, customer_set, device_set, enablements, points
    )
    users = make_users(staff, customer_set, device_set, enablements)
    say(f"claims ready: {len(claim_set.versions):,} versions in {len(claim_set.periods)} periods")

    dirt_rng = streams["dirt"]
    device_frame = make_device_frame(device_set, customer_set)
    customer_dirt = dirty_customers(dirt_rng, customer_set)
    device_dirt = dirty_devices(dirt_rng, device_set, customer_set, device_frame)
    orphan_enablements(dirt_rng, plan, enablements, device_set)
    enablement_dirt = dirty_enablements(dirt_rng, enablements, device_set)
    user_dirt = dirty_users(dirt_rng, users)
    rows_per_period = np.bincount(
        claim_set.versions["period"].to_numpy(), minlength=len(claim_set.periods)
    )
    formats = claim_formats(claim_set.periods, rows_per_period)
    scientific = np.array([f.delimiter == ";" and not f.xlsx for f in formats])
    claim_dirt = dirty_claims(dirt_rng, claim_set, scientific)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = as_date(plan.cutoff - 1).isoformat()
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="kasko-generate-") as workdir:
            con.execute("set threads = 2")
            con.execute("set preserve_insertion_order = true")
            con.execute("set enable_progress_bar = false")
            writer = Writer(
                con,
                out_dir,
                Path(workdir),
                datetime.combine(plan.today, time(6, 0)),
                streams["files"],
                say,
            )
            writer.write(
                AssistancePoint, points.frame, f"punti_assistenza_{stamp}", FileFormat(xlsx=True)
            )
            customer_rows = customer_set.frame.sort_values(
                "customer_code", kind="stable", ignore_index=True
            )
            writer.write(
                Customer,
                customer_rows,
                f"clienti_{stamp}",
                FileFormat(encoding="cp1252"),
                customer_dirt,
            )
            # the month-end inventory, then the devices activated since (a later file wins)
            writer.write(
                Device,
                device_frame,
                f"dispositivi_{plan.snapshot.isoformat()}",
                FileFormat(encoding="utf-8-sig"),
                device_dirt,
                view=DEVICE_SNAPSHOT_SQL,
            )
            activated = device_frame["protection_start"].to_numpy() > np.datetime64(plan.snapshot)
            writer.write(
                Device, device_frame[activated], f"dispositivi_{stamp}", FileFormat(delimiter=",")
            )
            writer.write(
                Enablement,
                enablements.frame,
                f"abilitazioni_{stamp}",
                FileFormat(encoding="cp1252"),
                enablement_dirt,
            )
            writer.write(
                PortalUser,
                users,
                f"utenti_{stamp}",
                FileFormat(delimiter=",", encoding="utf-8-sig", odd_headers=True),
                user_dirt,
            )
            # what is written is let go: at bench size it is most of the memory
            del device_frame, device_set, customer_rows, customer_set, enablements, users, staff
            con.unregister("export_rows")

            # claims: a file per period, each the versions stamped in it
            claim_texts(con, claim_set)
            # periods are spans of time: in timestamp order they come one after the other,
            # and a stable sort keeps equal timestamps in row_id order
            updated = claim_set.versions["updated_at"].to_numpy()
            versions = claim_set.versions.take(np.argsort(updated, kind="stable")).reset_index(
                drop=True
            )
            claim_set.versions = versions
            bounds = np.searchsorted(
                versions["period"].to_numpy(), np.arange(len(claim_set.periods) + 1)
            )
            small: list[tuple[str, FileFormat, int]] = []
            small_rows = 0

            def flush() -> None:
                if small:
                    first, last = small[0][2], small[-1][2]
                    part = claim_rows(claim_set, versions.iloc[bounds[first] : bounds[last + 1]])
                    part = part[np.isin(part["period"].to_numpy(), [p for _, _, p in small])]
                    writer.write_many(Claim, part, list(small), claim_dirt, view=CLAIM_VERSION_SQL)
                    small.clear()

            for index, (period, fmt) in enumerate(zip(claim_set.periods, formats, strict=True)):
                stem, size = f"segnalazioni_{period}", int(bounds[index + 1] - bounds[index])
                if fmt.xlsx or size > PYTHON_CSV_MAX_ROWS:
                    flush()
                    small_rows = 0
                    part = claim_rows(claim_set, versions.iloc[bounds[index] : bounds[index + 1]])
                    writer.write(Claim, part, stem, fmt, claim_dirt, view=CLAIM_VERSION_SQL)
                    continue
                if small_rows + size > PYTHON_CSV_MAX_ROWS:
                    flush()
                    small_rows = 0
                small.append((stem, fmt, index))
                small_rows += size
            flush()
    finally:
        con.close()
    return writer.written
