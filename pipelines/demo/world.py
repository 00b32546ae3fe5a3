"""The demo world: assistance points, customers, staff, devices and enablements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from pipelines.demo.accounts import STAFF_DOMAIN
from pipelines.demo.days import add_years, at_hours, timestamps, to_day_number
from pipelines.demo.identifiers import (
    imei_bodies,
    imeis,
    mobile_lines,
    partita_iva_check_digits,
    redraw_until_unique,
)
from pipelines.demo.plan import Plan, Pools, apportion, slug, take
from pipelines.demo.reference import (
    ACTIVE,
    ASSISTANCE_POINTS,
    CEASED,
    INACTIVE,
    MAIL_PROVIDERS,
    MODELS,
    NEVER,
    ODD_CONTRACTS,
    POINT_BRANDS,
    PROFESSIONAL_NAMES,
    PROVINCES,
    SEGMENTS,
)


@dataclass
class Points:
    frame: pd.DataFrame
    start: np.ndarray  # per province: first point (points are grouped by province)
    count: np.ndarray  # per province: how many points


def make_points(rng: np.random.Generator, pools: Pools) -> Points:
    population = np.array([p[3] for p in PROVINCES], dtype=float)
    per_province = apportion(
        ASSISTANCE_POINTS, population / population.sum(), 1, ASSISTANCE_POINTS
    )
    province = np.repeat(np.arange(len(PROVINCES)), per_province)
    start = np.concatenate([[0], np.cumsum(per_province)[:-1]])
    sequence = np.arange(len(province)) - start[province] + 1
    codes = np.array([p[0] for p in PROVINCES], dtype=object)
    towns = np.array([p[1] for p in PROVINCES], dtype=object)
    regions = np.array([p[2] for p in PROVINCES], dtype=object)
    brand = pd.Series(POINT_BRANDS, dtype="str")
    count = len(province)
    frame = pd.DataFrame(
        {
            "row_id": np.arange(count, dtype=np.int64),
            "point_code": pd.Series(codes[province], dtype="str")
            + pd.Series(sequence, dtype="str").str.zfill(4),
            "name": take(brand, rng.integers(0, len(brand), count))
            + " "
            + take(pools.last_names, rng.integers(0, len(pools.last_names), count)),
            "address": take(pools.streets, rng.integers(0, len(pools.streets), count)),
            "municipality": pd.Series(towns[province], dtype="str"),
            "province": pd.Series(codes[province], dtype="str"),
            "region": pd.Series(regions[province], dtype="str"),
            "iso": False,
            "bool_variant": False,
        }
    )
    return Points(frame, start, per_province)


@dataclass
class Customers:
    frame: pd.DataFrame  # contract columns + logins and seat address, indexed 0..n-1
    company: np.ndarray  # True for Aziende
    province: np.ndarray
    lines: np.ndarray  # lines (devices) per customer
    has_admin: np.ndarray
    manager: np.ndarray  # account manager index; 0 is the demo Account Manager
    code: np.ndarray  # Codice cliente as a number
    domain: pd.Series  # e-mail domain of the customer's people
    demo_professional: int
    demo_company: int


def _company_domain(name: str, taken: set[str]) -> str:
    words = [w for w in re.split(r"[\s,\-]+", name) if w]
    legal = {
        "spa",
        "srl",
        "snc",
        "sas",
        "group",
        "figli",
        "e",
        "s.p.a.",
        "s.r.l.",
        "s.n.c.",
        "s.a.s.",
    }
    kept = [slug(w) for w in words if w.lower() not in legal and slug(w)] or ["azienda"]
    base = "".join(kept[:2])[:24]
    domain, number = f"{base}.it", 2
    while domain in taken:
        domain, number = f"{base}{number}.it", number + 1
    taken.add(domain)
    return domain


def make_customers(rng: np.random.Generator, plan: Plan, pools: Pools) -> Customers:
    professionals, companies = plan.professionals, plan.companies
    count = plan.customers
    company = np.r_[np.zeros(professionals, bool), np.ones(companies, bool)]

    # lines: professionals hold 1-10, companies 50-20,000 (heavy-tailed), to the requested total
    size_p = np.array([0.30, 0.20, 0.13, 0.09, 0.07, 0.06, 0.05, 0.04, 0.03, 0.03])
    professional_lines = rng.choice(np.arange(1, 11), professionals, p=size_p)
    company_weights = np.exp(rng.normal(0.0, 1.1, companies))
    company_total = plan.devices - int(professional_lines.sum())
    if company_total < 50 * companies:
        professional_total = max(professionals, plan.devices - 50 * companies)
        professional_lines = apportion(
            professional_total, professional_lines / professional_lines.sum(), 1, 10
        )
        company_total = plan.devices - int(professional_lines.sum())
    company_lines = apportion(company_total, company_weights / company_weights.sum(), 50, 20_000)
    lines = np.r_[professional_lines, company_lines]

    # the demo accounts' customers: a large (not the largest) company and a full professional
    by_size = professionals + np.argsort(-company_lines, kind="stable")
    demo_company = int(by_size[1] if companies > 1 else by_size[0])
    demo_professional = int(np.argmax(professional_lines))

    population = np.array([p[3] for p in PROVINCES], dtype=float)
    province = rng.choice(len(PROVINCES), count, p=population / population.sum())
    regions = np.array([p[2] for p in PROVINCES], dtype=object)
    towns = np.array([p[1] for p in PROVINCES], dtype=object)
    codes = np.array([p[0] for p in PROVINCES], dtype=object)

    manager = rng.integers(1, plan.account_managers, count)
    others = np.setdiff1d(np.arange(count), [demo_company, demo_professional])
    portfolio = np.r_[
        [demo_company, demo_professional],
        rng.choice(others, plan.demo_portfolio - 2, replace=False),
    ]
    manager[portfolio] = 0

    first, last = pools.first_names, pools.last_names
    fslug, lslug = pools.first_slugs, pools.last_slugs
    holder_first = rng.integers(0, len(first), count)
    holder_last = rng.integers(0, len(last), count)
    second_first = rng.integers(0, len(first), count)
    second_last = rng.integers(0, len(last), count)
    partner_last = rng.integers(0, len(last), count)

    # ragione sociale
    template = rng.choice(
        len(PROFESSIONAL_NAMES),
        count,
        p=np.array([t[2] for t in PROFESSIONAL_NAMES]) / sum(t[2] for t in PROFESSIONAL_NAMES),
    )
    name_first, name_last = take(first, holder_first), take(last, holder_last)
    shapes = {
        "NC": name_first + " " + name_last,
        "CN": name_last + " " + name_first,
        "C": name_last,
        "CC": name_last + " & " + take(last, partner_last),
    }
    prefixes = np.array([t[0] + " " if t[0] else "" for t in PROFESSIONAL_NAMES], dtype=object)
    holder = pd.Series(pd.NA, index=range(count), dtype="str")
    template_shape = np.array([t[1] for t in PROFESSIONAL_NAMES], dtype=object)[template]
    for shape, text in shapes.items():
        chosen = template_shape == shape
        holder[chosen] = text[chosen]
    company_names = np.array(pools.companies, dtype=object)
    chosen_companies = rng.choice(
        len(company_names), companies, replace=len(company_names) < companies
    )
    names = pd.Series(prefixes[template], dtype="str") + holder
    names[company] = company_names[chosen_companies]

    taken: set[str] = set()
    domain = pd.Series(rng.choice(np.array(MAIL_PROVIDERS, dtype=object), count), dtype="str")
    domain[company] = [_company_domain(name, taken) for name in company_names[chosen_companies]]
    second_domain = pd.Series(
        rng.choice(np.array(MAIL_PROVIDERS, dtype=object), count), dtype="str"
    )
    second_domain[company] = domain[company]

    holder_login = take(fslug, holder_first) + "." + take(lslug, holder_last) + "@" + domain
    second_login = (
        take(fslug, second_first) + "." + take(lslug, second_last) + "@" + second_domain
    )
    holder_name = name_first + " " + name_last
    second_name = take(first, second_first) + " " + take(last, second_last)
    has_admin = ~company & (rng.random(count) < 0.3)
    has_admin[demo_professional] = True

    vat_body = _distinct_numbers(rng, count, 1_000_000, 10_000_000) * 1000 + province % 100 + 1
    vat = vat_body * 10 + partita_iva_check_digits(vat_body)
    code = _distinct_numbers(rng, count, 1_000_000, 100_000_000)
    contract = np.where(
        rng.random(count) < 0.003,
        rng.choice(np.array(ODD_CONTRACTS, dtype=object), count),
        "Multibusiness",
    )
    contract[[demo_company, demo_professional]] = "Multibusiness"
    address = (
        take(pools.streets, rng.integers(0, len(pools.streets), count))
        + ", "
        + pd.Series(towns[province], dtype="str")
        + " ("
        + pd.Series(codes[province], dtype="str")
        + ")"
    )

    frame = pd.DataFrame(
        {
            "row_id": np.arange(count, dtype=np.int64),
            "customer_code": pd.Series(code, dtype="str").str.zfill(10),
            "company_name": names,
            "vat_number": pd.Series(vat, dtype="str").str.zfill(11),
            "segment": pd.Categorical.from_codes(company.astype(np.int8), SEGMENTS),
            "contract": pd.Series(contract, dtype="str"),
            "region": pd.Series(regions[province], dtype="str"),
            "account_manager": pd.Series(pd.NA, index=range(count), dtype="str"),
            "legale_login": holder_login.where(~company),
            "legale_name": holder_name.where(~company),
            "admin_login": second_login.where(has_admin),
            "admin_name": second_name.where(has_admin),
            "mandatario_login": holder_login.where(company),
            "mandatario_name": holder_name.where(company),
            "master_login": second_login.where(company),
            "master_name": second_name.where(company),
            "address": address,
            "iso": False,
            "bool_variant": False,
        }
    )
    frame.loc[demo_professional, ["legale_login", "admin_login"]] = [
        "legale@kasko.demo",
        "amministratore@kasko.demo",
    ]
    frame.loc[demo_company, ["mandatario_login", "master_login"]] = [
        "mandatario@kasko.demo",
        "master@kasko.demo",
    ]
    return Customers(
        frame,
        company,
        province,
        lines,
        has_admin,
        manager,
        code,
        domain,
        demo_professional,
        demo_company,
    )


def _distinct_numbers(rng: np.random.Generator, count: int, low: int, high: int) -> np.ndarray:
    values = rng.integers(low, high, count)
    return redraw_until_unique(values, lambda mask: rng.integers(low, high, mask.sum()), None)


@dataclass
class Devices:
    customer: np.ndarray
    model: np.ndarray
    state: np.ndarray
    start: np.ndarray  # day number of activation, NEVER when not active yet
    end: np.ndarray  # day number of expiry, NEVER when not active yet
    imei: np.ndarray
    nmu: np.ndarray
    has_assignee: np.ndarray
    assignee: pd.Series
    email: pd.Series  # login-style e-mail of the assignee, deduplicated later
    snapshot: np.ndarray  # in the month-end full inventory
    preregistered: np.ndarray  # listed as Non attiva at month end, activated since
    demo_employee: int  # the demo Dipendente's device


def make_devices(
    rng: np.random.Generator, plan: Plan, customers: Customers, pools: Pools
) -> Devices:
    # the inventory lists devices customer by customer, in customer-code order
    by_code = np.argsort(customers.code, kind="stable").astype(np.int32)
    customer = np.repeat(by_code, customers.lines[by_code])
    count = len(customer)
    cutoff = plan.cutoff
    state = rng.choice(3, count, p=[0.92, 0.05, 0.03]).astype(np.int8)
    age = np.where(state == CEASED, rng.integers(731, 1500, count), rng.integers(0, 1300, count))
    start = cutoff - 1 - age

    # the demo customers' devices are active since before the claims window
    old_start = to_day_number(plan.window_start) - rng.integers(30, 300, count)
    professional = customer == customers.demo_professional
    state[professional] = ACTIVE
    start[professional] = old_start[professional]
    demo_employee = int(np.flatnonzero((customer == customers.demo_company) & (state == ACTIVE))[0])
    start[demo_employee] = old_start[demo_employee]

    end = add_years(start, 2)
    renewed = (state == ACTIVE) & (end <= cutoff)
    end[renewed] = add_years(start[renewed], 4)
    start = np.where(state == INACTIVE, NEVER, start)
    end = np.where(state == INACTIVE, NEVER, end)

    # models, never activated before their release
    weights = np.array([m.weight for m in MODELS])
    released = np.array([to_day_number(date.fromisoformat(m.released)) for m in MODELS])
    model = rng.choice(len(MODELS), count, p=weights / weights.sum())
    bound = np.where(start >= NEVER, cutoff, start)
    for _ in range(8):
        early = released[model] > bound
        if not early.any():
            break
        model[early] = rng.choice(len(MODELS), int(early.sum()), p=weights / weights.sum())
    model[released[model] > bound] = int(np.argmin(released))
    model = model.astype(np.int16)

    imei = imeis(imei_bodies(rng, model, None))
    nmu = mobile_lines(rng, count, None)

    company = customers.company[customer]
    has_assignee = company & (rng.random(count) < 0.95)
    has_assignee[demo_employee] = True
    first = rng.integers(0, len(pools.first_names), count)
    last = rng.integers(0, len(pools.last_names), count)
    assignee = (take(pools.first_names, first) + " " + take(pools.last_names, last)).where(
        has_assignee
    )
    email = (
        take(pools.first_slugs, first)
        + "."
        + take(pools.last_slugs, last)
        + "@"
        + take(customers.domain, customer)
    ).where(has_assignee)
    email[demo_employee] = "dipendente@kasko.demo"

    activated_since = (state == ACTIVE) & (start > to_day_number(plan.snapshot))
    preregistered = activated_since & (rng.random(count) < 0.5)
    snapshot = ~activated_since | preregistered
    return Devices(
        customer,
        model,
        state,
        start,
        end,
        imei,
        nmu,
        has_assignee,
        assignee,
        email,
        snapshot,
        preregistered,
        demo_employee,
    )


def _deduplicate_logins(logins: pd.Series) -> pd.Series:
    """Logins are keys: a repeated e-mail gets a number before the @, as mail systems do."""
    present = logins.notna()
    values = logins[present]
    shared = values[values.duplicated(keep=False)]  # only these need numbering
    repeat = shared.groupby(shared, sort=False).cumcount()
    repeated = shared[repeat > 0]
    result = logins.copy()
    if len(repeated):
        parts = repeated.str.split("@", n=1, expand=True)
        result[repeated.index] = parts[0] + (repeat[repeat > 0] + 1).astype("str") + "@" + parts[1]
    return result


@dataclass
class Staff:
    managers: pd.DataFrame  # login, full_name
    management: pd.DataFrame


def make_staff(rng: np.random.Generator, plan: Plan, pools: Pools) -> Staff:
    def people(count: int) -> tuple[pd.Series, pd.Series]:
        first = rng.integers(0, len(pools.first_names), count)
        last = rng.integers(0, len(pools.last_names), count)
        names = take(pools.first_names, first) + " " + take(pools.last_names, last)
        logins = (
            take(pools.first_slugs, first)
            + "."
            + take(pools.last_slugs, last)
            + "@"
            + STAFF_DOMAIN
        )
        return logins, names

    manager_logins, manager_names = people(plan.account_managers)
    manager_logins[0] = "account.manager@kasko.demo"
    management_logins, management_names = people(4)
    management_logins[0] = "management@kasko.demo"
    return Staff(
        pd.DataFrame({"login": manager_logins, "full_name": manager_names}),
        pd.DataFrame({"login": management_logins, "full_name": management_names}),
    )


def unique_logins(staff: Staff, customers: Customers, devices: Devices) -> None:
    """Makes every login and assignee e-mail unique across the whole portal, in place."""
    frame = customers.frame
    parts = [
        staff.management["login"],
        staff.managers["login"],
        frame["legale_login"],
        frame["admin_login"],
        frame["mandatario_login"],
        frame["master_login"],
        devices.email,
    ]
    unique = _deduplicate_logins(pd.concat(parts, ignore_index=True))
    position = 0
    for index, part in enumerate(parts):
        values = unique.iloc[position : position + len(part)].reset_index(drop=True)
        position += len(part)
        if index == 0:
            staff.management["login"] = values
        elif index == 1:
            staff.managers["login"] = values
        elif index == len(parts) - 1:
            devices.email = values
        else:
            frame[part.name] = values
    frame["account_manager"] = take(staff.managers["login"], customers.manager)


@dataclass
class Enablements:
    frame: pd.DataFrame
    employee_user: np.ndarray  # per device: the assignee is a Dipendente portal user
    enabled_at: np.ndarray  # per device: seconds when the line was enabled (NEVER if not)


def make_enablements(
    rng: np.random.Generator, plan: Plan, customers: Customers, devices: Devices
) -> Enablements:
    count = len(devices.customer)
    company = customers.company[devices.customer]
    chosen = np.where(company, rng.random(count) < 0.35, rng.random(count) < 0.15)
    chosen[devices.demo_employee] = True
    line = np.flatnonzero(chosen)
    enabled = rng.random(len(line)) < 0.8
    employee = line == devices.demo_employee
    enabled[employee] = True

    base = np.where(
        devices.start[line] >= NEVER,
        plan.cutoff - rng.integers(30, 600, len(line)),
        devices.start[line],
    )
    day = np.minimum(base + rng.integers(0, 60, len(line)), plan.cutoff - 1)
    day[employee] = devices.start[devices.demo_employee] + 5
    changed_at = at_hours(rng, day, 8.5, 19.0)

    # who changed it: the company's Mandatario or Master, the professional's legal representative
    owner = devices.customer[line]
    by_second = np.where(
        company[line],
        rng.random(len(line)) < 0.4,
        customers.has_admin[owner] & (rng.random(len(line)) < 0.3),
    )
    frame = customers.frame
    first_login = np.where(
        company[line],
        frame["mandatario_login"].to_numpy()[owner],
        frame["legale_login"].to_numpy()[owner],
    )
    second_login = np.where(
        company[line],
        frame["master_login"].to_numpy()[owner],
        frame["admin_login"].to_numpy()[owner],
    )
    changed_by = np.where(by_second, second_login, first_login)

    # some lines were switched before: the earlier change is in the file too
    history = (rng.random(len(line)) < 0.06) & ~employee
    earlier_day = np.maximum(
        day[history] - rng.integers(15, 300, int(history.sum())), base[history]
    )
    rows_line = np.r_[line[history], line]
    rows_enabled = np.r_[~enabled[history], enabled]
    rows_changed_at = np.r_[at_hours(rng, earlier_day, 8.5, 19.0), changed_at]
    rows_changed_by = np.r_[changed_by[history], changed_by]

    employee_user = np.zeros(count, dtype=bool)
    candidates = (
        enabled & company[line] & devices.has_assignee[line] & (devices.state[line] == ACTIVE)
    )
    employee_user[line[candidates & (rng.random(len(line)) < 0.3)]] = True
    employee_user[devices.demo_employee] = True
    enabled_at = np.full(count, NEVER, dtype=np.int64)
    enabled_at[line[enabled]] = changed_at[enabled]

    # customer by customer (device order is customer-code order), oldest change first
    order = np.lexsort((rows_changed_at, rows_line))
    rows_line = rows_line[order]
    table = pd.DataFrame(
        {
            "row_id": np.arange(len(rows_line), dtype=np.int64),
            "device": rows_line,
            "customer_code": take(frame["customer_code"], devices.customer[rows_line]),
            "nmu": pd.Series(devices.nmu[rows_line], dtype="str"),
            "enabled": pd.array(rows_enabled[order], dtype="boolean"),
            "changed_by": pd.Series(rows_changed_by[order], dtype="str"),
            "changed_at": timestamps(rows_changed_at[order]),
            "iso": False,
            "bool_variant": False,
        }
    )
    return Enablements(table, employee_user, enabled_at)
