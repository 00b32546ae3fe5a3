"""Seeded generator of realistic source exports: all six kinds, with their formats and dirt."""

from __future__ import annotations

import csv
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import combinations
from pathlib import Path
from typing import get_args
from zoneinfo import ZoneInfo

import duckdb
import holidays
import numpy as np
import pandas as pd
import xlsxwriter
from dateutil.easter import easter
from faker import Faker

from pipelines.contract import (
    HEADERS,
    AssistancePoint,
    Channel,
    Claim,
    ColumnKind,
    Customer,
    Device,
    Enablement,
    OpeningProfile,
    PortalUser,
    RejectionReason,
    SourceRecord,
    columns,
    luhn_check_digit,
    partita_iva_check_digit,
)

# ---------------------------------------------------------------- demo accounts

# One account per portal profile, for the demo only (the README lists them). They are
# written to the users export like any other user, never dirtied.
DEMO_ACCOUNTS: dict[str, tuple[str, str]] = {
    "management@kasko.demo": ("Management", "Demo-Management-2026"),
    "account.manager@kasko.demo": ("Account Manager", "Demo-AccountManager-2026"),
    "legale@kasko.demo": ("Rappresentante Legale", "Demo-Legale-2026"),
    "amministratore@kasko.demo": ("Amministratore", "Demo-Amministratore-2026"),
    "mandatario@kasko.demo": ("Mandatario", "Demo-Mandatario-2026"),
    "master@kasko.demo": ("Master", "Demo-Master-2026"),
    "dipendente@kasko.demo": ("Dipendente", "Demo-Dipendente-2026"),
}
STAFF_DOMAIN = "kasko.demo"

# ---------------------------------------------------------------- scales


@dataclass(frozen=True)
class Scale:
    """How much data a named scale produces."""

    professionals: int
    companies: int
    devices: int
    claims: int
    account_managers: int
    demo_portfolio: int  # customers owned by the demo Account Manager


SCALES: dict[str, Scale] = {
    "demo": Scale(2_000, 40, 50_000, 10_000, 30, 20),
    "bench": Scale(150_000, 300, 2_000_000, 1_000_000, 30, 200),
}

ASSISTANCE_POINTS = 600
CLAIM_HISTORY_DAYS = 730  # two years of claims, ending the day before `today`
DAILY_FILES = 30  # the last 30 days have one claims file a day, older history one a month
XLSX_MAX_ROWS = 20_000  # xlsxwriter is pure Python: a bigger month is not written as XLSX
# DuckDB's COPY has a fixed cost per statement; batches of claims files smaller than this
# are written by Python's csv module from one fetch instead (same bytes, see the tests)
PYTHON_CSV_MAX_ROWS = 50_000
SECONDS_PER_DAY = 86_400
NEVER = np.int64(2**62)  # time of an event that has not happened: after any cut-off
NAT = np.iinfo(np.int64).min

# ---------------------------------------------------------------- reference tables

# code, capoluogo, region, population in thousands (rounded): points and customers are
# spread by population.
PROVINCES: tuple[tuple[str, str, str, int], ...] = (
    ("TO", "Torino", "Piemonte", 2200),
    ("VC", "Vercelli", "Piemonte", 165),
    ("NO", "Novara", "Piemonte", 360),
    ("CN", "Cuneo", "Piemonte", 580),
    ("AT", "Asti", "Piemonte", 205),
    ("AL", "Alessandria", "Piemonte", 410),
    ("BI", "Biella", "Piemonte", 170),
    ("VB", "Verbania", "Piemonte", 155),
    ("AO", "Aosta", "Valle d'Aosta", 123),
    ("VA", "Varese", "Lombardia", 880),
    ("CO", "Como", "Lombardia", 595),
    ("SO", "Sondrio", "Lombardia", 180),
    ("MI", "Milano", "Lombardia", 3250),
    ("BG", "Bergamo", "Lombardia", 1110),
    ("BS", "Brescia", "Lombardia", 1255),
    ("PV", "Pavia", "Lombardia", 535),
    ("CR", "Cremona", "Lombardia", 350),
    ("MN", "Mantova", "Lombardia", 405),
    ("LC", "Lecco", "Lombardia", 333),
    ("LO", "Lodi", "Lombardia", 228),
    ("MB", "Monza", "Lombardia", 870),
    ("BZ", "Bolzano", "Trentino-Alto Adige", 535),
    ("TN", "Trento", "Trentino-Alto Adige", 545),
    ("VR", "Verona", "Veneto", 925),
    ("VI", "Vicenza", "Veneto", 850),
    ("BL", "Belluno", "Veneto", 198),
    ("TV", "Treviso", "Veneto", 875),
    ("VE", "Venezia", "Veneto", 835),
    ("PD", "Padova", "Veneto", 935),
    ("RO", "Rovigo", "Veneto", 230),
    ("UD", "Udine", "Friuli-Venezia Giulia", 515),
    ("GO", "Gorizia", "Friuli-Venezia Giulia", 138),
    ("TS", "Trieste", "Friuli-Venezia Giulia", 230),
    ("PN", "Pordenone", "Friuli-Venezia Giulia", 310),
    ("IM", "Imperia", "Liguria", 210),
    ("SV", "Savona", "Liguria", 270),
    ("GE", "Genova", "Liguria", 815),
    ("SP", "La Spezia", "Liguria", 215),
    ("PC", "Piacenza", "Emilia-Romagna", 285),
    ("PR", "Parma", "Emilia-Romagna", 455),
    ("RE", "Reggio Emilia", "Emilia-Romagna", 530),
    ("MO", "Modena", "Emilia-Romagna", 705),
    ("BO", "Bologna", "Emilia-Romagna", 1015),
    ("FE", "Ferrara", "Emilia-Romagna", 340),
    ("RA", "Ravenna", "Emilia-Romagna", 385),
    ("FC", "Forlì", "Emilia-Romagna", 395),
    ("RN", "Rimini", "Emilia-Romagna", 340),
    ("MS", "Massa", "Toscana", 190),
    ("LU", "Lucca", "Toscana", 385),
    ("PT", "Pistoia", "Toscana", 290),
    ("FI", "Firenze", "Toscana", 985),
    ("LI", "Livorno", "Toscana", 330),
    ("PI", "Pisa", "Toscana", 418),
    ("AR", "Arezzo", "Toscana", 335),
    ("SI", "Siena", "Toscana", 265),
    ("GR", "Grosseto", "Toscana", 218),
    ("PO", "Prato", "Toscana", 258),
    ("PG", "Perugia", "Umbria", 640),
    ("TR", "Terni", "Umbria", 220),
    ("PU", "Pesaro", "Marche", 355),
    ("AN", "Ancona", "Marche", 465),
    ("MC", "Macerata", "Marche", 305),
    ("AP", "Ascoli Piceno", "Marche", 203),
    ("FM", "Fermo", "Marche", 170),
    ("VT", "Viterbo", "Lazio", 310),
    ("RI", "Rieti", "Lazio", 150),
    ("RM", "Roma", "Lazio", 4220),
    ("LT", "Latina", "Lazio", 570),
    ("FR", "Frosinone", "Lazio", 470),
    ("AQ", "L'Aquila", "Abruzzo", 290),
    ("TE", "Teramo", "Abruzzo", 300),
    ("PE", "Pescara", "Abruzzo", 315),
    ("CH", "Chieti", "Abruzzo", 380),
    ("CB", "Campobasso", "Molise", 215),
    ("IS", "Isernia", "Molise", 80),
    ("CE", "Caserta", "Campania", 910),
    ("BN", "Benevento", "Campania", 265),
    ("NA", "Napoli", "Campania", 2990),
    ("AV", "Avellino", "Campania", 400),
    ("SA", "Salerno", "Campania", 1060),
    ("FG", "Foggia", "Puglia", 600),
    ("BA", "Bari", "Puglia", 1225),
    ("TA", "Taranto", "Puglia", 560),
    ("BR", "Brindisi", "Puglia", 380),
    ("LE", "Lecce", "Puglia", 775),
    ("BT", "Barletta", "Puglia", 380),
    ("PZ", "Potenza", "Basilicata", 350),
    ("MT", "Matera", "Basilicata", 195),
    ("CS", "Cosenza", "Calabria", 670),
    ("CZ", "Catanzaro", "Calabria", 345),
    ("RC", "Reggio Calabria", "Calabria", 520),
    ("KR", "Crotone", "Calabria", 165),
    ("VV", "Vibo Valentia", "Calabria", 150),
    ("TP", "Trapani", "Sicilia", 415),
    ("PA", "Palermo", "Sicilia", 1200),
    ("ME", "Messina", "Sicilia", 600),
    ("AG", "Agrigento", "Sicilia", 415),
    ("CL", "Caltanissetta", "Sicilia", 250),
    ("EN", "Enna", "Sicilia", 160),
    ("CT", "Catania", "Sicilia", 1070),
    ("RG", "Ragusa", "Sicilia", 315),
    ("SR", "Siracusa", "Sicilia", 390),
    ("SS", "Sassari", "Sardegna", 475),
    ("NU", "Nuoro", "Sardegna", 200),
    ("CA", "Cagliari", "Sardegna", 420),
    ("OR", "Oristano", "Sardegna", 150),
    ("SU", "Carbonia", "Sardegna", 340),
)


@dataclass(frozen=True)
class PhoneModel:
    """A device model of the covered portfolio."""

    brand: str
    name: str
    device_type: str
    weight: float
    released: str  # ISO date: no device of the model is activated before it
    tac_bases: tuple[int, ...]  # first six digits of the model's type allocation codes
    successor: str | None = None  # shipped instead when the model is out of stock
    equivalent_share: float = 0.0  # share of replacements that are the successor


MODELS: tuple[PhoneModel, ...] = (
    PhoneModel(
        "Apple", "iPhone 12", "Smartphone", 2, "2020-10-23", (356728, 353048), "iPhone 13", 0.6
    ),
    PhoneModel(
        "Apple", "iPhone 13", "Smartphone", 8, "2021-09-24", (352099, 353263), "iPhone 14", 0.3
    ),
    PhoneModel(
        "Apple", "iPhone 14", "Smartphone", 10, "2022-09-16", (356187, 353915), "iPhone 15", 0.08
    ),
    PhoneModel(
        "Apple", "iPhone 15", "Smartphone", 12, "2023-09-22", (350123, 357845), "iPhone 16", 0.04
    ),
    PhoneModel(
        "Apple", "iPhone 15 Pro", "Smartphone", 4, "2023-09-22", (352876,), "iPhone 16 Pro", 0.08
    ),
    PhoneModel("Apple", "iPhone 16", "Smartphone", 10, "2024-09-20", (358432, 351064)),
    PhoneModel("Apple", "iPhone 16 Pro", "Smartphone", 3, "2024-09-20", (359217,)),
    PhoneModel("Apple", "iPad (10a generazione)", "Tablet", 3, "2022-10-26", (354870,)),
    PhoneModel("Apple", "iPad Air", "Tablet", 1.5, "2024-05-15", (355621,)),
    PhoneModel(
        "Samsung", "Galaxy S21", "Smartphone", 2, "2021-01-29", (351690,), "Galaxy S23", 0.6
    ),
    PhoneModel(
        "Samsung", "Galaxy S23", "Smartphone", 7, "2023-02-17", (350738, 351492), "Galaxy S24", 0.12
    ),
    PhoneModel("Samsung", "Galaxy S24", "Smartphone", 8, "2024-01-31", (352416, 356920)),
    PhoneModel("Samsung", "Galaxy S24 Ultra", "Smartphone", 2, "2024-01-31", (353718,)),
    PhoneModel(
        "Samsung", "Galaxy A54", "Smartphone", 5, "2023-03-24", (354019,), "Galaxy A55", 0.15
    ),
    PhoneModel("Samsung", "Galaxy A55", "Smartphone", 8, "2024-03-15", (354212, 357301)),
    PhoneModel(
        "Samsung", "Galaxy A35", "Smartphone", 4, "2024-03-15", (355980,), "Galaxy A55", 0.05
    ),
    PhoneModel("Samsung", "Galaxy Tab S9", "Tablet", 1.5, "2023-08-11", (352783,)),
    PhoneModel("Samsung", "Galaxy Tab A9", "Tablet", 2, "2023-10-18", (356045,)),
    PhoneModel("Xiaomi", "Redmi Note 13", "Smartphone", 4, "2024-01-15", (862451, 864019)),
    PhoneModel("Xiaomi", "Xiaomi 14", "Smartphone", 1.5, "2024-02-25", (861873,)),
    PhoneModel("Motorola", "moto g84", "Smartphone", 2, "2023-09-01", (354896,)),
    PhoneModel("Motorola", "edge 40", "Smartphone", 1.5, "2023-05-04", (359803,)),
    PhoneModel("Google", "Pixel 8", "Smartphone", 1, "2023-10-12", (355443,)),
)

FAULT_CAUSES: tuple[tuple[str, float], ...] = (
    ("Display rotto", 0.30),
    ("Batteria", 0.15),
    ("Touch screen", 0.10),
    ("Connettore di ricarica", 0.08),
    ("Fotocamera", 0.07),
    ("Vetro posteriore", 0.07),
    ("Altoparlante", 0.05),
    ("Microfono", 0.04),
    ("Pulsanti", 0.04),
    ("Scheda madre", 0.04),
    ("Software", 0.04),
    ("Non si accende", 0.02),
)

MOBILE_PREFIXES = (
    320,
    324,
    327,
    328,
    329,
    330,
    331,
    333,
    334,
    335,
    336,
    337,
    338,
    339,
    340,
    342,
    343,
    345,
    346,
    347,
    348,
    349,
    350,
    351,
    360,
    366,
    368,
    370,
    371,
    373,
    377,
    380,
    388,
    389,
    391,
    392,
    393,
)
MAIL_PROVIDERS = (
    "gmail.com",
    "libero.it",
    "outlook.it",
    "virgilio.it",
    "alice.it",
    "tiscali.it",
    "hotmail.it",
    "yahoo.it",
)
POINT_BRANDS = (
    "Centro Assistenza",
    "Punto Riparazioni",
    "Smart Service",
    "Telefonia",
    "Mobile Lab",
    "Assistenza Tecnica",
    "Riparazioni",
)

# Ragione sociale of a Professionisti customer: (prefix, shape) where shape says how the
# holder's name follows: "NC" name surname, "CN" surname name, "C" surname, "CC" two surnames.
PROFESSIONAL_NAMES: tuple[tuple[str, str, float], ...] = (
    ("", "NC", 0.22),
    ("", "CN", 0.08),
    ("Studio Legale", "C", 0.09),
    ("Studio Legale Associato", "CC", 0.04),
    ("Studio Tecnico", "C", 0.07),
    ("Studio Commercialista", "CN", 0.07),
    ("Dott.", "NC", 0.08),
    ("Avv.", "NC", 0.08),
    ("Ing.", "NC", 0.06),
    ("Arch.", "NC", 0.05),
    ("Geom.", "NC", 0.04),
    ("Farmacia", "C", 0.05),
    ("Studio Medico", "C", 0.04),
    ("Studio Associato", "CC", 0.03),
)
ODD_CONTRACTS = ("MULTIBUSINESS", "Multibusiness Plus", "Business Easy")

PROTECTION_STATES = ("Attiva", "Cessata", "Non attiva")
ACTIVE, CEASED, INACTIVE = 0, 1, 2
SEGMENTS = ("Professionisti", "Aziende")
CHANNELS: tuple[str, ...] = get_args(Channel)  # Area Clienti, Email, 191, 800.191.101
PROFILES: tuple[str, ...] = get_args(OpeningProfile)
LEGALE, AMMINISTRATORE, MANDATARIO, MASTER, DIPENDENTE, SERVIZIO_CLIENTI = range(6)
REASONS: tuple[str, ...] = get_args(RejectionReason)
FAULT_REJECTIONS = {
    "Danno da liquidi": 0.35,
    "Manomissione": 0.15,
    "Dolo": 0.05,
    "Colpa grave": 0.20,
    "Accessorio non coperto": 0.15,
    "Altro": 0.10,
}
THEFT_REJECTIONS = {
    "Dolo": 0.25,
    "Colpa grave": 0.45,
    "Documentazione incompleta": 0.20,
    "Altro": 0.10,
}
POINT_DELIVERY, COMPANY_DELIVERY = 0, 1
ACCEPTED, REJECTED, KO, CANCELLED = 0, 1, 2, 3
# Claim events, in the order they happen; each one that happened is a version in the exports.
(
    E_OPEN,
    E_PARTIAL_DOCS,
    E_WORK,
    E_SHIPPED,
    E_AVAILABLE,
    E_CLOSED,
    E_REJECTED,
    E_KO,
    E_CANCELLED,
) = range(9)
# Business days from clock start to availability: 96% within the five promised.
BUSINESS_DAYS_TAKEN = {
    1: 0.12,
    2: 0.30,
    3: 0.28,
    4: 0.17,
    5: 0.09,
    6: 0.02,
    7: 0.01,
    8: 0.006,
    9: 0.004,
}

# Dirt rates, per row unless said otherwise.
RATE_IMEI_CHECK = 0.004
RATE_IMEI_SCIENTIFIC = 0.003
RATE_IMEI_SEPARATORS = 0.005
RATE_IMEISV = 0.003
RATE_NMU_FORMATTED = 0.01
RATE_DUPLICATE = 0.004
RATE_EMPTY_REQUIRED = 0.002
RATE_UNKNOWN_ENUM = 0.002
RATE_BAD_DATE = 0.002
RATE_ISO_DATES = 0.01
RATE_BOOLEAN_VARIANT = 0.02
RATE_AVAILABLE_BEFORE_OPENING = 0.002  # of rows showing an availability date
RATE_GHOST_IMEI = 0.003  # of claims: the IMEI is missing from the inventory
RATE_INACTIVE_PROTECTION = 0.002  # of claims: opened while protection was not active
RATE_TWO_OPEN = 0.0005  # of claims: pairs of open claims on one IMEI
RATE_ORPHAN_ENABLEMENT = 0.005  # of enablement rows: a line no device uses
RATE_BAD_VAT = 0.005

BAD_DATES = (
    "31/02/{year}",
    "00/00/0000",
    "n.d.",
    "{year}-13-01",
    "32/{month}/{year}",
    "{day}.{month}.{year}x",
)

# ---------------------------------------------------------------- identifiers


def _contribution_table(check_digit: Callable[[str], int], length: int) -> np.ndarray:
    """Each position's contribution (mod 10) to a check digit, probed from the reference rule.

    Both identifier rules (Luhn, Partita IVA) sum one term per position mod 10, so a body
    with a single non-zero digit reveals that digit's term exactly; the vectorised check
    digits below are then the reference rule, applied to millions of bodies at once.
    """
    table = np.zeros((length, 10), dtype=np.int64)
    for position in range(length):
        for digit in range(10):
            body = ["0"] * length
            body[position] = str(digit)
            table[position, digit] = (10 - check_digit("".join(body))) % 10
    return table


_LUHN = _contribution_table(luhn_check_digit, 14)
_PARTITA_IVA = _contribution_table(partita_iva_check_digit, 10)


def _check_digits(bodies: np.ndarray, table: np.ndarray) -> np.ndarray:
    total = np.zeros(len(bodies), dtype=np.int64)
    rest = bodies.astype(np.int64, copy=True)
    for position in range(table.shape[0] - 1, -1, -1):
        total += table[position, rest % 10]
        rest //= 10
    return (10 - total % 10) % 10


def imei_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Luhn check digits of 14-digit IMEI bodies."""
    return _check_digits(bodies, _LUHN)


def partita_iva_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Check digits of 10-digit Partita IVA bodies."""
    return _check_digits(bodies, _PARTITA_IVA)


def _repeats(values: np.ndarray) -> np.ndarray:
    """Mask of the positions whose value already occurred at an earlier position."""
    ordered = np.sort(values)
    if not (ordered[1:] == ordered[:-1]).any():  # the usual case, without the costlier argsort
        return np.zeros(len(values), dtype=bool)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    repeated = np.zeros(len(values), dtype=bool)
    repeated[order[1:]] = ordered[1:] == ordered[:-1]
    return repeated


def _members(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Mask of the values present in `ordered` (sorted): np.isin, minus its hashing cost."""
    found = np.zeros(len(values), dtype=bool)
    if not len(ordered) or not len(values):
        return found
    # sorted needles walk the haystack in order: far fewer cache misses than random ones
    order = np.argsort(values, kind="stable")
    needles = values[order]
    position = np.minimum(np.searchsorted(ordered, needles), len(ordered) - 1)
    found[order] = ordered[position] == needles
    return found


def _redraw_until_unique(
    values: np.ndarray, redraw: Callable[[np.ndarray], np.ndarray], taken: np.ndarray | None
) -> np.ndarray:
    ordered = np.sort(taken) if taken is not None else None
    while True:
        clash = _repeats(values)
        if ordered is not None:
            clash |= _members(values, ordered)
        if not clash.any():
            return values
        values[clash] = redraw(clash)


_TAC_TABLE = np.array([[m.tac_bases[0], m.tac_bases[-1]] for m in MODELS], dtype=np.int64)


def _imei_bodies(
    rng: np.random.Generator, model: np.ndarray, taken: np.ndarray | None
) -> np.ndarray:
    """Distinct 14-digit IMEI bodies: a TAC of each row's model and a 6-digit serial."""
    count = len(model)
    tac = _TAC_TABLE[model, rng.integers(0, 2, count)] * 100 + rng.integers(0, 100, count)
    bodies = tac * 1_000_000 + rng.integers(0, 1_000_000, count)

    def redraw(mask: np.ndarray) -> np.ndarray:
        return bodies[mask] // 1_000_000 * 1_000_000 + rng.integers(0, 1_000_000, mask.sum())

    return _redraw_until_unique(bodies, redraw, taken)


def _imeis(bodies: np.ndarray) -> np.ndarray:
    return bodies * 10 + imei_check_digits(bodies)


def _mobile_lines(rng: np.random.Generator, count: int, taken: np.ndarray | None) -> np.ndarray:
    """Distinct Italian mobile numbers (national digits) as integers."""
    prefixes = np.array(MOBILE_PREFIXES, dtype=np.int64)

    def draw(size: int) -> np.ndarray:
        return rng.choice(prefixes, size) * 10_000_000 + rng.integers(0, 10_000_000, size)

    lines = draw(count)
    return _redraw_until_unique(lines, lambda mask: draw(int(mask.sum())), taken)


# ---------------------------------------------------------------- calendar


def _day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _as_date(day_number: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day_number))


@dataclass(frozen=True)
class Calendar:
    """Italian business days (national holidays from the `holidays` package), on day numbers."""

    holiday_days: np.ndarray
    busdays: np.busdaycalendar
    easter_days: np.ndarray

    @classmethod
    def for_years(cls, first: int, last: int) -> Calendar:
        years = range(first, last + 1)
        italy = holidays.Italy(years=years)
        days = np.array(sorted(italy), dtype="datetime64[D]")
        easters = np.array([_day_number(easter(year)) for year in years], dtype=np.int64)
        return cls(days, np.busdaycalendar(holidays=days), easters)

    def is_business_day(self, days: np.ndarray) -> np.ndarray:
        return np.is_busday(days.astype("datetime64[D]"), busdaycal=self.busdays)

    def offset(self, days: np.ndarray, business_days: np.ndarray | int) -> np.ndarray:
        """The n-th business day after each day (n = 0: the day itself or the next one)."""
        moved = np.busday_offset(
            days.astype("datetime64[D]"), business_days, roll="forward", busdaycal=self.busdays
        )
        return moved.astype(np.int64)

    def season_pressure(self, days: np.ndarray) -> np.ndarray:
        """Chance of extra logistics delay: Christmas, August and Easter slow replacements down."""
        as_dates = days.astype("datetime64[D]")
        months = as_dates.astype("datetime64[M]")
        month = months.astype(np.int64) % 12 + 1
        day_of_month = (as_dates - months.astype("datetime64[D]")).astype(np.int64) + 1
        christmas = ((month == 12) & (day_of_month >= 18)) | ((month == 1) & (day_of_month <= 6))
        august = (month == 8) & (day_of_month <= 25)
        to_easter = days[:, None] - self.easter_days[None, :]
        near_easter = ((to_easter >= -6) & (to_easter <= 2)).any(axis=1)
        return np.where(christmas | august, 0.45, np.where(near_easter, 0.30, 0.0))


def _add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar day `years` later (29 February becomes 28 February)."""
    as_dates = days.astype("datetime64[D]")
    months = as_dates.astype("datetime64[M]")
    day_of_month = (as_dates - months.astype("datetime64[D]")).astype(np.int64)
    target = months + 12 * years
    month_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]").astype(np.int64) + np.minimum(
        day_of_month, month_length - 1
    )


def _at_hours(rng: np.random.Generator, days: np.ndarray, first: float, last: float) -> np.ndarray:
    """Seconds of a random time between two hours of each day."""
    hours = rng.uniform(first, last, len(days))
    return days * SECONDS_PER_DAY + (hours * 3600).astype(np.int64)


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    """datetime64[s] from seconds, NaT where the event never happened."""
    return np.where(seconds >= NEVER, NAT, seconds).view("datetime64[s]")


def _day_stamps(days: np.ndarray) -> np.ndarray:
    return _timestamps(np.where(days >= NEVER, NEVER, days * SECONDS_PER_DAY))


# ---------------------------------------------------------------- plan and pools


@dataclass(frozen=True)
class Plan:
    """The counts and dates one run produces."""

    seed: int
    professionals: int
    companies: int
    devices: int
    claims: int
    account_managers: int
    demo_portfolio: int
    today: date
    window_start: date  # first day a claim may be opened
    daily_start: date  # first day with a claims file of its own
    snapshot: date  # the day of the full device inventory

    @property
    def customers(self) -> int:
        return self.professionals + self.companies

    @property
    def cutoff(self) -> int:
        """Day number of `today`: the exports hold what happened before it."""
        return _day_number(self.today)


def _plan(
    seed: int,
    scale: str,
    customers: int | None,
    devices: int | None,
    claims: int | None,
    today: date | None,
) -> Plan:
    """The scale's counts, overridden where asked, and the dates the exports span."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    total = customers if customers is not None else spec.professionals + spec.companies
    device_count = devices if devices is not None else spec.devices
    claim_count = claims if claims is not None else spec.claims
    if total < 4:
        raise ValueError("customers must be at least 4 (two Professionisti and two Aziende)")
    if device_count < 3 * total:
        raise ValueError(f"devices must be at least three per customer ({3 * total})")
    if claim_count < 20:
        raise ValueError("claims must be at least 20")
    share = spec.companies / (spec.professionals + spec.companies)
    companies = min(total - 2, max(2, round(total * share)))
    today = today or datetime.now(ZoneInfo("Europe/Rome")).date()
    first_of_month = today.replace(day=1)
    snapshot = _as_date(_day_number(first_of_month) - 1)
    if today.day <= 7:  # the month-end inventory of a few days ago is not out yet
        snapshot = _as_date(_day_number(snapshot.replace(day=1)) - 1)
    return Plan(
        seed=seed,
        professionals=total - companies,
        companies=companies,
        devices=device_count,
        claims=claim_count,
        account_managers=min(spec.account_managers, max(2, total // 10)),
        demo_portfolio=min(spec.demo_portfolio, max(2, total // 3)),
        today=today,
        window_start=_as_date(_day_number(today) - CLAIM_HISTORY_DAYS),
        daily_start=_as_date(_day_number(today) - DAILY_FILES),
        snapshot=snapshot,
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_text.lower())


def _distinct(values: Iterable[str]) -> list[str]:
    """Distinct values in first-seen order, only those a Windows-1252 file can hold."""
    result: dict[str, None] = {}
    for value in values:
        try:
            value.encode("cp1252")
        except UnicodeEncodeError:
            continue
        if _slug(value):
            result.setdefault(value, None)
    return list(result)


@dataclass(frozen=True)
class Pools:
    """Faker-made names to sample from: the big tables draw indices into these."""

    first_names: pd.Series
    first_slugs: pd.Series
    last_names: pd.Series
    last_slugs: pd.Series
    streets: pd.Series
    companies: list[str]


def _pools(fake: Faker, companies: int) -> Pools:
    first = _distinct(fake.first_name() for _ in range(2000))
    last = _distinct(fake.last_name() for _ in range(2500))
    # apartment numbers make a company seat look like a flat
    streets = _distinct(
        re.sub(r"\s+Appartamento.*$|\s+Piano.*$", "", fake.street_address()) for _ in range(1000)
    )
    names = _distinct(fake.company() for _ in range(3 * companies + 100))
    return Pools(
        first_names=pd.Series(first, dtype="str"),
        first_slugs=pd.Series([_slug(name) for name in first], dtype="str"),
        last_names=pd.Series(last, dtype="str"),
        last_slugs=pd.Series([_slug(name) for name in last], dtype="str"),
        streets=pd.Series(streets, dtype="str"),
        companies=names,
    )


def _take(series: pd.Series, index: np.ndarray) -> pd.Series:
    return series.take(index).reset_index(drop=True)


def _apportion(total: int, weights: np.ndarray, minimum: int, maximum: int) -> np.ndarray:
    """Integers proportional to weights, each within [minimum, maximum], summing to total."""
    count = len(weights)
    minimum = min(minimum, total // count)
    maximum = max(maximum, -(-total // count))
    share = np.full(count, float(minimum))
    free = np.ones(count, dtype=bool)
    remaining = float(total - minimum * count)
    for _ in range(60):
        if remaining < 1e-6 or not free.any():
            break
        wanted = remaining * weights * free / (weights * free).sum()
        added = np.minimum(wanted, maximum - share)
        share += added
        remaining -= added.sum()
        free &= share < maximum - 1e-9
    counts = np.floor(share).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(counts - share, kind="stable")[:short]] += 1
    return counts


# ---------------------------------------------------------------- the world


@dataclass
class Points:
    frame: pd.DataFrame
    start: np.ndarray  # per province: first point (points are grouped by province)
    count: np.ndarray  # per province: how many points


def _points(rng: np.random.Generator, pools: Pools) -> Points:
    population = np.array([p[3] for p in PROVINCES], dtype=float)
    per_province = _apportion(
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
            "name": _take(brand, rng.integers(0, len(brand), count))
            + " "
            + _take(pools.last_names, rng.integers(0, len(pools.last_names), count)),
            "address": _take(pools.streets, rng.integers(0, len(pools.streets), count)),
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
    kept = [_slug(w) for w in words if w.lower() not in legal and _slug(w)] or ["azienda"]
    base = "".join(kept[:2])[:24]
    domain, number = f"{base}.it", 2
    while domain in taken:
        domain, number = f"{base}{number}.it", number + 1
    taken.add(domain)
    return domain


def _customers(rng: np.random.Generator, plan: Plan, pools: Pools) -> Customers:
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
        professional_lines = _apportion(
            professional_total, professional_lines / professional_lines.sum(), 1, 10
        )
        company_total = plan.devices - int(professional_lines.sum())
    company_lines = _apportion(company_total, company_weights / company_weights.sum(), 50, 20_000)
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
    name_first, name_last = _take(first, holder_first), _take(last, holder_last)
    shapes = {
        "NC": name_first + " " + name_last,
        "CN": name_last + " " + name_first,
        "C": name_last,
        "CC": name_last + " & " + _take(last, partner_last),
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

    holder_login = _take(fslug, holder_first) + "." + _take(lslug, holder_last) + "@" + domain
    second_login = (
        _take(fslug, second_first) + "." + _take(lslug, second_last) + "@" + second_domain
    )
    holder_name = name_first + " " + name_last
    second_name = _take(first, second_first) + " " + _take(last, second_last)
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
        _take(pools.streets, rng.integers(0, len(pools.streets), count))
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
    return _redraw_until_unique(values, lambda mask: rng.integers(low, high, mask.sum()), None)


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


def _devices(rng: np.random.Generator, plan: Plan, customers: Customers, pools: Pools) -> Devices:
    # the inventory lists devices customer by customer, in customer-code order
    by_code = np.argsort(customers.code, kind="stable").astype(np.int32)
    customer = np.repeat(by_code, customers.lines[by_code])
    count = len(customer)
    cutoff = plan.cutoff
    state = rng.choice(3, count, p=[0.92, 0.05, 0.03]).astype(np.int8)
    age = np.where(state == CEASED, rng.integers(731, 1500, count), rng.integers(0, 1300, count))
    start = cutoff - 1 - age

    # the demo customers' devices are active since before the claims window
    old_start = _day_number(plan.window_start) - rng.integers(30, 300, count)
    professional = customer == customers.demo_professional
    state[professional] = ACTIVE
    start[professional] = old_start[professional]
    demo_employee = int(np.flatnonzero((customer == customers.demo_company) & (state == ACTIVE))[0])
    start[demo_employee] = old_start[demo_employee]

    end = _add_years(start, 2)
    renewed = (state == ACTIVE) & (end <= cutoff)
    end[renewed] = _add_years(start[renewed], 4)
    start = np.where(state == INACTIVE, NEVER, start)
    end = np.where(state == INACTIVE, NEVER, end)

    # models, never activated before their release
    weights = np.array([m.weight for m in MODELS])
    released = np.array([_day_number(date.fromisoformat(m.released)) for m in MODELS])
    model = rng.choice(len(MODELS), count, p=weights / weights.sum())
    bound = np.where(start >= NEVER, cutoff, start)
    for _ in range(8):
        early = released[model] > bound
        if not early.any():
            break
        model[early] = rng.choice(len(MODELS), int(early.sum()), p=weights / weights.sum())
    model[released[model] > bound] = int(np.argmin(released))
    model = model.astype(np.int16)

    imei = _imeis(_imei_bodies(rng, model, None))
    nmu = _mobile_lines(rng, count, None)

    company = customers.company[customer]
    has_assignee = company & (rng.random(count) < 0.95)
    has_assignee[demo_employee] = True
    first = rng.integers(0, len(pools.first_names), count)
    last = rng.integers(0, len(pools.last_names), count)
    assignee = (_take(pools.first_names, first) + " " + _take(pools.last_names, last)).where(
        has_assignee
    )
    email = (
        _take(pools.first_slugs, first)
        + "."
        + _take(pools.last_slugs, last)
        + "@"
        + _take(customers.domain, customer)
    ).where(has_assignee)
    email[demo_employee] = "dipendente@kasko.demo"

    activated_since = (state == ACTIVE) & (start > _day_number(plan.snapshot))
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


def _staff(rng: np.random.Generator, plan: Plan, pools: Pools) -> Staff:
    def people(count: int) -> tuple[pd.Series, pd.Series]:
        first = rng.integers(0, len(pools.first_names), count)
        last = rng.integers(0, len(pools.last_names), count)
        names = _take(pools.first_names, first) + " " + _take(pools.last_names, last)
        logins = (
            _take(pools.first_slugs, first)
            + "."
            + _take(pools.last_slugs, last)
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


def _unique_logins(staff: Staff, customers: Customers, devices: Devices) -> None:
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
    frame["account_manager"] = _take(staff.managers["login"], customers.manager)


@dataclass
class Enablements:
    frame: pd.DataFrame
    employee_user: np.ndarray  # per device: the assignee is a Dipendente portal user
    enabled_at: np.ndarray  # per device: seconds when the line was enabled (NEVER if not)


def _enablements(
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
    changed_at = _at_hours(rng, day, 8.5, 19.0)

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
    rows_changed_at = np.r_[_at_hours(rng, earlier_day, 8.5, 19.0), changed_at]
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
            "customer_code": _take(frame["customer_code"], devices.customer[rows_line]),
            "nmu": pd.Series(devices.nmu[rows_line], dtype="str"),
            "enabled": pd.array(rows_enabled[order], dtype="boolean"),
            "changed_by": pd.Series(rows_changed_by[order], dtype="str"),
            "changed_at": _timestamps(rows_changed_at[order]),
            "iso": False,
            "bool_variant": False,
        }
    )
    return Enablements(table, employee_user, enabled_at)


# ---------------------------------------------------------------- claims


@dataclass
class Claims:
    frame: pd.DataFrame  # one row per claim, typed
    versions: pd.DataFrame  # one row per version: claim, event, updated_at, period, row styles
    periods: list[str]  # the claims files' periods: months, then days
    imei: np.ndarray
    nmu: np.ndarray
    opened: np.ndarray
    reserved: np.ndarray  # claims of the demo accounts: never dirtied


def _cause_combinations(rng: np.random.Generator, count: int) -> tuple[list[str], np.ndarray]:
    names = [c[0] for c in FAULT_CAUSES]
    weights = np.array([c[1] for c in FAULT_CAUSES])
    combos: list[str] = []
    combo_weights: list[float] = []
    for size, share in ((1, 0.65), (2, 0.30), (3, 0.05)):
        group = list(combinations(range(len(names)), size))
        group_weights = np.array([np.prod(weights[list(g)]) for g in group])
        combos += ["|".join(names[i] for i in g) for g in group]
        combo_weights += list(share * group_weights / group_weights.sum())
    p = np.array(combo_weights)
    return combos, rng.choice(len(combos), count, p=p / p.sum())


def _claims(
    rng: np.random.Generator,
    plan: Plan,
    calendar: Calendar,
    customers: Customers,
    devices: Devices,
    enablements: Enablements,
    points: Points,
) -> Claims:
    count = plan.claims
    cutoff_day = plan.cutoff
    cutoff = cutoff_day * SECONDS_PER_DAY
    first_day = _day_number(plan.window_start)

    # opening moments: every day of two years; most weekend and holiday reports are made
    # on the next business day, the rest stay (they exist, and the SLA clock handles them)
    day = rng.integers(first_day, cutoff_day, count)
    moved = calendar.offset(day, 0)
    wait = ~calendar.is_business_day(day) & (rng.random(count) < 0.6) & (moved < cutoff_day)
    day = np.where(wait, moved, day)
    evening = rng.random(count) < 0.13
    hour = np.where(
        evening, rng.uniform(18.0, 23.9, count), np.clip(rng.normal(12.8, 2.7, count), 7.5, 17.98)
    )
    opened = day * SECONDS_PER_DAY + (hour * 3600).astype(np.int64)

    # the device: any device whose protection was active on that day
    eligible = np.flatnonzero(devices.state == ACTIVE)
    eligible = eligible[np.argsort(devices.start[eligible], kind="stable")]
    available = np.maximum(np.searchsorted(devices.start[eligible], day, side="right"), 1)
    device = eligible[(rng.random(count) * available).astype(np.int64)]
    too_early = devices.start[device] > day
    opened[too_early] = devices.start[device[too_early]] * SECONDS_PER_DAY + 10 * 3600
    order = np.argsort(opened, kind="stable")
    opened, device = opened[order], device[order]
    day = opened // SECONDS_PER_DAY

    # the demo accounts' claims: the Dipendente's device has three, the professional three
    reserved = np.zeros(count, dtype=bool)
    settled = np.flatnonzero(day < cutoff_day - 60)
    pool = settled if len(settled) >= 6 else np.arange(count)
    forced = rng.choice(pool, 6, replace=False)
    reserved[forced] = True
    device[forced[:3]] = devices.demo_employee
    professional_devices = np.flatnonzero(devices.customer == customers.demo_professional)
    device[forced[3:]] = rng.choice(professional_devices, 3)

    # planted inconsistencies (flags, not errors)
    free = np.flatnonzero(~reserved)
    inactive_claims = rng.choice(
        free, min(len(free), max(2, round(count * RATE_INACTIVE_PROTECTION))), replace=False
    )
    ceased = np.flatnonzero(devices.state == CEASED)
    ceased = ceased[np.argsort(devices.end[ceased], kind="stable")]
    never_active = np.flatnonzero(devices.state == INACTIVE)
    expired_before = np.searchsorted(devices.end[ceased], day[inactive_claims], side="left")
    for claim, expired in zip(inactive_claims, expired_before, strict=True):
        if expired > 0:
            device[claim] = ceased[rng.integers(0, expired)]
        elif len(never_active):
            device[claim] = never_active[rng.integers(0, len(never_active))]
    reserved_flags = reserved.copy()
    reserved_flags[inactive_claims] = True
    free = np.flatnonzero(~reserved_flags)
    ghost = np.zeros(count, dtype=bool)
    ghost[
        rng.choice(free, min(len(free), max(2, round(count * RATE_GHOST_IMEI))), replace=False)
    ] = True

    # documentation: faults usually complete at once, theft/loss often days later
    theft = rng.random(count) < 0.30
    theft[forced] = False
    u = rng.random(count)
    doc_days = np.select(
        [
            theft & (u < 0.25),
            theft & (u < 0.70),
            theft & (u < 0.95),
            theft & (u < 0.975),
            theft,
            ~theft & (u < 0.97),
            ~theft,
        ],
        [
            0,
            rng.integers(1, 4, count),
            rng.integers(4, 11, count),
            rng.integers(11, 26, count),
            -1,
            0,
            rng.integers(1, 6, count),
        ],
    )
    t_doc = np.where(doc_days > 0, _at_hours(rng, day + np.maximum(doc_days, 0), 9, 19), opened)
    later_same_day = ~theft & (u >= 0.88) & (u < 0.97)
    t_doc = np.where(
        later_same_day, opened + (rng.uniform(1, 6, count) * 3600).astype(np.int64), t_doc
    )
    t_doc[forced] = opened[forced]
    t_doc = np.where(doc_days < 0, NEVER, t_doc)
    complete_at_open = t_doc == opened

    id_open = rng.random(count) < 0.7
    report_open = rng.random(count) < 0.35
    form_open = (rng.random(count) < 0.45) & ~(id_open & report_open)
    id_open |= complete_at_open
    report_open |= complete_at_open
    form_open |= complete_at_open
    missing = (~id_open).astype(int) + (~report_open) + (~form_open)
    # the partial update brings the first missing document (identity, report, form)
    id_partial = np.ones(count, dtype=bool)
    report_partial = report_open | id_open
    form_partial = form_open | (id_open & report_open)
    has_partial = theft & (missing >= 2) & (rng.random(count) < 0.7)
    t_partial = np.where(
        t_doc < NEVER,
        opened + ((t_doc - opened) * rng.uniform(0.3, 0.7, count)).astype(np.int64),
        _at_hours(rng, day + rng.integers(1, 7, count), 9, 19),
    )
    t_partial = np.where(has_partial, t_partial, NEVER)

    # outcome
    v = rng.random(count)
    outcome = np.select([v < 0.04, v < 0.05, v < 0.06], [REJECTED, KO, CANCELLED], ACCEPTED)
    no_documents = t_doc >= NEVER
    outcome = np.where(
        no_documents, np.where(rng.random(count) < 0.7, REJECTED, CANCELLED), outcome
    )
    outcome[forced] = ACCEPTED
    not_covered = rng.random(len(inactive_claims)) < 0.7
    outcome[inactive_claims] = np.where(not_covered, REJECTED, outcome[inactive_claims])
    fault_reason = rng.choice(
        np.array([REASONS.index(r) for r in FAULT_REJECTIONS]),
        count,
        p=list(FAULT_REJECTIONS.values()),
    )
    theft_reason = rng.choice(
        np.array([REASONS.index(r) for r in THEFT_REJECTIONS]),
        count,
        p=list(THEFT_REJECTIONS.values()),
    )
    reason = np.where(theft, theft_reason, fault_reason)
    reason = np.where(no_documents, REASONS.index("Documentazione incompleta"), reason)
    reason[inactive_claims[not_covered]] = REASONS.index("Protezione non attiva")
    reason = np.where(outcome == KO, REASONS.index("Errore tecnico"), reason)
    reason = np.where((outcome == REJECTED) | (outcome == KO), reason, -1)

    # work starts within hours on business days, else the next business morning
    start_work = opened + (rng.uniform(0.5, 4, count) * 3600).astype(np.int64)
    work_day = start_work // SECONDS_PER_DAY
    work_hour = (start_work % SECONDS_PER_DAY) / 3600
    open_now = calendar.is_business_day(work_day) & (work_hour >= 8.5) & (work_hour < 18)
    morning_day = np.where(
        calendar.is_business_day(work_day) & (work_hour < 8.5),
        work_day,
        calendar.offset(work_day + 1, 0),
    )
    t_work = np.where(open_now, start_work, _at_hours(rng, morning_day, 9, 11))
    t_work = np.where(complete_at_open, t_work, t_doc)

    # SLA: the replacement is ready k business days after the clock start S
    clock_day = np.where(no_documents, cutoff_day, t_doc // SECONDS_PER_DAY)
    taken = rng.choice(
        np.array(list(BUSINESS_DAYS_TAKEN)), count, p=list(BUSINESS_DAYS_TAKEN.values())
    )
    pressure = calendar.season_pressure(calendar.offset(clock_day, 0))
    taken = taken + np.where(rng.random(count) < pressure, rng.integers(1, 5, count), 0)
    taken[forced] = np.minimum(taken[forced], 4)
    available_day = calendar.offset(clock_day, taken)
    t_available = np.maximum(
        _at_hours(rng, available_day, 9, 18),
        t_work + (rng.uniform(1, 3, count) * 3600).astype(np.int64),
    )

    mode = np.where(
        customers.company[devices.customer[device]],
        rng.random(count) < 0.65,
        rng.random(count) < 0.25,
    ).astype(np.int8)
    # the courier leaves that morning, or the afternoon of the business day before
    available_hour = (t_available - available_day * SECONDS_PER_DAY) / 3600
    same_morning = available_hour >= 10
    day_before = np.busday_offset(
        (available_day - 1).astype("datetime64[D]"), 0, roll="backward", busdaycal=calendar.busdays
    ).astype(np.int64)
    morning_hour = 7.5 + rng.random(count) * np.maximum(available_hour - 8.5, 0)
    t_shipped = np.where(
        same_morning,
        available_day * SECONDS_PER_DAY + (morning_hour * 3600).astype(np.int64),
        _at_hours(rng, day_before, 14, 18),
    )
    t_shipped = np.where((mode == COMPANY_DELIVERY) & (t_shipped > t_work + 600), t_shipped, NEVER)
    pickup = np.where(
        mode == POINT_DELIVERY,
        rng.choice(8, count, p=[0.2, 0.3, 0.2, 0.1, 0.08, 0.05, 0.04, 0.03]),
        rng.choice(3, count, p=[0.55, 0.35, 0.10]),
    )
    t_closed = np.maximum(
        _at_hours(rng, available_day + pickup, 9, 19),
        t_available + (rng.uniform(0.5, 3, count) * 3600).astype(np.int64),
    )

    decided_day = calendar.offset(clock_day, rng.integers(1, 6, count))
    t_rejected = np.maximum(_at_hours(rng, decided_day, 10, 17), t_work + 3600)
    t_rejected = np.where(
        no_documents, _at_hours(rng, day + rng.integers(30, 46, count), 10, 17), t_rejected
    )
    t_ko = np.maximum(
        _at_hours(rng, calendar.offset(clock_day, rng.integers(2, 9, count)), 10, 17), t_work + 3600
    )
    t_cancelled = np.where(
        no_documents,
        _at_hours(rng, day + rng.integers(7, 21, count), 9, 18),
        opened + (rng.uniform(1, 72, count) * 3600).astype(np.int64),
    )

    accepted = outcome == ACCEPTED
    cancelled = outcome == CANCELLED
    events = {
        E_OPEN: opened,
        E_PARTIAL_DOCS: np.where(cancelled & (t_partial > t_cancelled), NEVER, t_partial),
        E_WORK: np.where(cancelled & (t_work > t_cancelled), NEVER, t_work),
        E_SHIPPED: np.where(accepted, t_shipped, NEVER),
        E_AVAILABLE: np.where(accepted, t_available, NEVER),
        E_CLOSED: np.where(accepted, t_closed, NEVER),
        E_REJECTED: np.where(outcome == REJECTED, t_rejected, NEVER),
        E_KO: np.where(outcome == KO, t_ko, NEVER),
        E_CANCELLED: np.where(cancelled, t_cancelled, NEVER),
    }
    events[E_WORK] = np.where(no_documents, NEVER, events[E_WORK])

    # two open claims for one IMEI: a later open claim lands on an earlier one's device
    still_open = (
        (events[E_AVAILABLE] >= cutoff)
        & (events[E_CLOSED] >= cutoff)
        & (events[E_REJECTED] >= cutoff)
        & (events[E_KO] >= cutoff)
        & (events[E_CANCELLED] >= cutoff)
    )
    candidates = np.flatnonzero(still_open & ~reserved_flags & ~ghost)
    pairs = min(len(candidates) // 2, max(2, round(count * RATE_TWO_OPEN)))
    if pairs:
        picked = np.sort(rng.choice(candidates, 2 * pairs, replace=False))
        earlier, later = picked[:pairs], picked[pairs:]
        device[later] = device[earlier]

    customer = devices.customer[device]
    company = customers.company[customer]
    imei = devices.imei[device].copy()
    nmu = devices.nmu[device].copy()
    model = devices.model[device].astype(np.int64)
    ghost_model = rng.integers(0, len(MODELS), int(ghost.sum()))
    imei[ghost] = _imeis(_imei_bodies(rng, ghost_model, devices.imei // 10))
    nmu[ghost] = _mobile_lines(rng, int(ghost.sum()), devices.nmu)
    model[ghost] = ghost_model

    # who opened it, and how
    channel = np.where(
        company,
        rng.choice(4, count, p=[0.55, 0.15, 0.0, 0.30]),
        rng.choice(4, count, p=[0.45, 0.15, 0.40, 0.0]),
    ).astype(np.int8)
    by_employee = (
        enablements.employee_user[device]
        & (enablements.enabled_at[device] < opened)
        & ~ghost
        & (rng.random(count) < 0.5)
    )
    second = rng.random(count) < 0.45
    profile = np.select(
        [
            channel >= 2,
            company & (channel == 0) & by_employee,
            company & second,
            company,
            customers.has_admin[customer] & (rng.random(count) < 0.3),
        ],
        [SERVIZIO_CLIENTI, DIPENDENTE, MASTER, MANDATARIO, AMMINISTRATORE],
        LEGALE,
    ).astype(np.int8)
    channel[forced[:3]] = 0
    profile[forced[:3]] = DIPENDENTE
    operator = rng.integers(1, 80, count)

    province = customers.province[customer]
    point = points.start[province] + (rng.random(count) * points.count[province]).astype(np.int64)
    causes, cause = _cause_combinations(rng, count)

    # replacement: the same model, or its successor when the model is out of stock
    successor = np.array(
        [
            next((j for j, other in enumerate(MODELS) if other.name == m.successor), i)
            for i, m in enumerate(MODELS)
        ]
    )
    equivalent_share = np.array([m.equivalent_share for m in MODELS])
    equivalent = rng.random(count) < equivalent_share[model]
    replacement_model = np.where(equivalent, successor[model], model)
    equivalent = replacement_model != model
    replacement_imei = _imeis(_imei_bodies(rng, replacement_model, np.r_[devices.imei, imei] // 10))

    # ticket numbers run through each year in opening order
    year = opened.view("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    first_year = int(year[0]) if count else plan.today.year
    before_window = _day_number(plan.window_start) - _day_number(date(first_year, 1, 1))
    yearly_base = {first_year: round(count / CLAIM_HISTORY_DAYS * before_window)}
    sequence = np.zeros(count, dtype=np.int64)
    for value in range(int(year.min()), int(year.max()) + 1):
        in_year = year == value
        sequence[in_year] = np.arange(1, in_year.sum() + 1) + yearly_base.get(int(value), 0)

    # who opened it: the login of the profile that did
    people = customers.frame
    opened_by = "sc.operatore" + pd.Series(operator, dtype="str").str.zfill(3) + "@" + STAFF_DOMAIN
    for code, logins in (
        (LEGALE, people["legale_login"]),
        (AMMINISTRATORE, people["admin_login"]),
        (MANDATARIO, people["mandatario_login"]),
        (MASTER, people["master_login"]),
    ):
        opened_by = opened_by.where(profile != code, _take(logins, customer))
    opened_by = opened_by.where(profile != DIPENDENTE, _take(devices.email, device))

    model_names = [m.name for m in MODELS]
    frame = pd.DataFrame(
        {
            "request_number": "KA-"
            + pd.Series(year, dtype="str")
            + "-"
            + pd.Series(sequence, dtype="str").str.zfill(7),
            "customer_code": _take(people["customer_code"], customer),
            "nmu": pd.Series(nmu, dtype="str"),
            "imei": imei,
            "theft": theft,
            "fault_causes": pd.Categorical.from_codes(np.where(theft, -1, cause), causes),
            "channel": pd.Categorical.from_codes(channel, CHANNELS),
            "opened_by": opened_by,
            "opening_profile": pd.Categorical.from_codes(profile, PROFILES),
            "opened_at": _timestamps(opened),
            "id_open": id_open,
            "report_open": report_open,
            "form_open": form_open,
            "id_partial": id_partial,
            "report_partial": report_partial,
            "form_partial": form_partial,
            "partial_at": _timestamps(t_partial),
            "documents_at": _timestamps(t_doc),
            "mode": mode,
            "point_code": _take(points.frame["point_code"], point),
            "company_address": _take(people["address"], customer),
            "reason": pd.Categorical.from_codes(reason, REASONS),
            "available_at": _timestamps(events[E_AVAILABLE]),
            "replacement_imei": replacement_imei,
            "replacement_model": pd.Categorical.from_codes(replacement_model, model_names),
            "equivalent": equivalent,
        }
    )

    # versions: every event before the cut-off, filed in the period of its timestamp
    daily_start = _day_number(plan.daily_start)
    first_month = np.datetime64(plan.window_start, "M")
    last_month = np.datetime64(_as_date(daily_start - 1), "M")
    months = int((last_month - first_month).astype(np.int64)) + 1
    periods = [str(first_month + i) for i in range(months)]
    periods += [str(np.datetime64(_as_date(daily_start + i), "D")) for i in range(DAILY_FILES)]
    version_claim, version_event, version_time = [], [], []
    for event, moments in events.items():
        happened = np.flatnonzero(moments < cutoff)
        version_claim.append(happened)
        version_event.append(np.full(len(happened), event, dtype=np.int8))
        version_time.append(moments[happened])
    claim_of = np.concatenate(version_claim)
    event_of = np.concatenate(version_event)
    updated = np.concatenate(version_time)
    version_day = updated // SECONDS_PER_DAY
    month_index = (
        version_day.astype("datetime64[D]").astype("datetime64[M]") - first_month
    ).astype(np.int64)
    period = np.where(version_day >= daily_start, months + version_day - daily_start, month_index)
    versions = pd.DataFrame(
        {
            "row_id": np.arange(len(claim_of), dtype=np.int64),
            "claim": claim_of.astype(np.int32),
            "event": event_of,
            "updated_at": updated.view("datetime64[s]"),
            "period": period.astype(np.int16),
            "iso": False,
            "bool_variant": False,
        }
    )
    return Claims(frame, versions, periods, imei, nmu, opened, reserved)


# ---------------------------------------------------------------- users


def _users(
    staff: Staff, customers: Customers, devices: Devices, enablements: Enablements
) -> pd.DataFrame:
    frame = customers.frame
    parts = [
        staff.management.assign(profile="Management", customer_code=None, nmu=None),
        staff.managers.assign(profile="Account Manager", customer_code=None, nmu=None),
    ]
    for role, login, name in (
        ("Rappresentante Legale", "legale_login", "legale_name"),
        ("Amministratore", "admin_login", "admin_name"),
        ("Mandatario", "mandatario_login", "mandatario_name"),
        ("Master", "master_login", "master_name"),
    ):
        present = frame[login].notna()
        parts.append(
            pd.DataFrame(
                {
                    "login": frame.loc[present, login],
                    "full_name": frame.loc[present, name],
                    "profile": role,
                    "customer_code": frame.loc[present, "customer_code"],
                    "nmu": None,
                }
            )
        )
    employee = np.flatnonzero(enablements.employee_user)
    parts.append(
        pd.DataFrame(
            {
                "login": devices.email.take(employee).to_numpy(),
                "full_name": devices.assignee.take(employee).to_numpy(),
                "profile": "Dipendente",
                "customer_code": frame["customer_code"].to_numpy()[devices.customer[employee]],
                "nmu": pd.Series(devices.nmu[employee], dtype="str").to_numpy(),
            }
        )
    )
    users = pd.concat(parts, ignore_index=True)
    users = users.astype(
        {"login": "str", "full_name": "str", "profile": "str", "customer_code": "str", "nmu": "str"}
    )
    users.insert(0, "row_id", np.arange(len(users), dtype=np.int64))
    users["iso"] = False
    users["bool_variant"] = False
    return users


# ---------------------------------------------------------------- dirt


class Dirt:
    """The errors planted in one table: replacement texts per row and column, rows written twice.

    Each row gets at most one kind of dirt, so every planted error is exactly the one
    its row shows, and the demo accounts' rows are never picked.
    """

    def __init__(self, rng: np.random.Generator, rows: int, protected: np.ndarray | None = None):
        self.rng = rng
        self.rows = rows
        self._order = rng.permutation(rows)
        self._used = np.zeros(rows, dtype=bool)
        if protected is not None:
            self._used[protected] = True
        self.row_ids: list[np.ndarray] = []
        self.column_names: list[str] = []
        self.values: list[list[str | None]] = []
        self.duplicates = np.empty(0, dtype=np.int64)

    def take(self, rate: float, where: np.ndarray | None = None, minimum: int = 2) -> np.ndarray:
        """Rows, not yet dirty, for one kind of dirt: `rate` of the table, at least `minimum`."""
        order = self._order[~self._used[self._order]]
        if where is not None:
            order = order[where[order]]
        wanted = max(minimum, round(rate * self.rows))
        chosen = np.sort(order[:wanted])
        self._used[chosen] = True
        return chosen

    def replace(self, column: str, rows: np.ndarray, values: Iterable[str | None]) -> None:
        self.row_ids.append(rows)
        self.column_names.append(column)
        self.values.append(list(values))

    def overrides(self) -> pd.DataFrame:
        """One row per dirty row, one text column per column that has replacements."""
        if not self.row_ids:
            return pd.DataFrame({"row_id": pd.Series(dtype=np.int64)})
        long = pd.DataFrame(
            {
                "row_id": np.concatenate(self.row_ids),
                "column": np.repeat(self.column_names, [len(r) for r in self.row_ids]),
                "value": pd.Series([v for values in self.values for v in values], dtype="str"),
            }
        )
        if long.empty:
            return pd.DataFrame({"row_id": pd.Series(dtype=np.int64)})
        wide = long.pivot(index="row_id", columns="column", values="value").reset_index()
        wide.columns.name = None
        return wide.astype({c: "str" for c in wide.columns if c != "row_id"})


def _wrong_check(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    wrong = imei // 10 * 10 + (imei % 10 + rng.integers(1, 10, len(imei))) % 10
    return [str(value) for value in wrong]


def _scientific(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    """What Excel shows for a 15-digit number in a General cell: six digits and an exponent."""
    texts = []
    for value, comma in zip(imei, rng.random(len(imei)) < 0.8, strict=True):
        mantissa, exponent = f"{value:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        if comma:  # the Italian decimal separator
            mantissa = mantissa.replace(".", ",")
        texts.append(f"{mantissa}E+{int(exponent)}")
    return texts


def _separated(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    texts = []
    for value, style in zip(imei, rng.integers(0, 3, len(imei)), strict=True):
        digits = str(value)
        if style == 0:
            texts.append(f"{digits[:2]}-{digits[2:8]}-{digits[8:14]}-{digits[14]}")
        elif style == 1:
            texts.append(f"{digits[:2]} {digits[2:8]} {digits[8:14]} {digits[14]}")
        else:
            texts.append(f"{digits[:8]} {digits[8:]}")
    return texts


def _imeisv(imei: np.ndarray, rng: np.random.Generator) -> list[str]:
    return [
        f"{value // 10}{version:02d}"
        for value, version in zip(imei, rng.integers(1, 60, len(imei)), strict=True)
    ]


def _formatted_lines(nmu: Iterable[str], rng: np.random.Generator) -> list[str]:
    texts = []
    for value, style in zip(nmu, rng.integers(0, 4, len(list(nmu))), strict=True):
        if style == 0:
            texts.append(f"+39 {value[:3]} {value[3:6]} {value[6:]}")
        elif style == 1:
            texts.append(f"0039{value}")
        elif style == 2:
            texts.append(f"{value[:3]} {value[3:]}")
        else:
            texts.append(f"{value[:3]}.{value[3:6]}.{value[6:]}")
    return texts


def _bad_dates(count: int, rng: np.random.Generator) -> list[str]:
    texts = []
    for template, year, month, day in zip(
        rng.integers(0, len(BAD_DATES), count),
        rng.integers(2023, 2027, count),
        rng.integers(1, 13, count),
        rng.integers(1, 29, count),
        strict=True,
    ):
        texts.append(BAD_DATES[template].format(year=year, month=f"{month:02d}", day=f"{day:02d}"))
    return texts


def _plant_imei_dirt(
    dirt: Dirt, imei_column: str, imei: np.ndarray, scientific_rows: np.ndarray | None
) -> None:
    """The ways an IMEI goes wrong on its way through spreadsheets and people."""
    rng = dirt.rng
    rows = dirt.take(RATE_IMEI_CHECK)
    dirt.replace(imei_column, rows, _wrong_check(imei[rows], rng))
    rows = dirt.take(RATE_IMEI_SCIENTIFIC, scientific_rows)
    dirt.replace(imei_column, rows, _scientific(imei[rows], rng))
    rows = dirt.take(RATE_IMEI_SEPARATORS)
    dirt.replace(imei_column, rows, _separated(imei[rows], rng))
    rows = dirt.take(RATE_IMEISV)
    dirt.replace(imei_column, rows, _imeisv(imei[rows], rng))


def _plant_styles(dirt: Dirt, frame: pd.DataFrame, dates: bool, booleans: bool) -> None:
    """Rows typed by hand: ISO dates, booleans spelled si/SI/no."""
    if dates:
        frame.loc[dirt.take(RATE_ISO_DATES), "iso"] = True
    if booleans:
        frame.loc[dirt.take(RATE_BOOLEAN_VARIANT), "bool_variant"] = True


def _dirty_customers(rng: np.random.Generator, customers: Customers) -> Dirt:
    frame = customers.frame
    # the demo Account Manager's portfolio stays whole: exactly its planned size loads
    dirt = Dirt(rng, len(frame), np.flatnonzero(customers.manager == 0))
    rows = dirt.take(RATE_BAD_VAT)
    vat = frame["vat_number"].to_numpy()[rows]
    dirt.replace("vat_number", rows, [v[:10] + str((int(v[10]) + 3) % 10) for v in vat])
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("company_name", rows, [""] * len(rows))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("segment", rows, rng.choice(["PMI", "Enterprise", "Consumer"], len(rows)))
    dirt.duplicates = dirt.take(RATE_DUPLICATE / 2)
    return dirt


def _dirty_devices(
    rng: np.random.Generator, devices: Devices, customers: Customers, frame: pd.DataFrame
) -> Dirt:
    demo = (devices.customer == customers.demo_company) | (
        devices.customer == customers.demo_professional
    )
    outside_snapshot = ~devices.snapshot
    dirt = Dirt(rng, len(devices.customer), np.flatnonzero(demo | outside_snapshot))
    _plant_imei_dirt(dirt, "imei", devices.imei, None)
    rows = dirt.take(RATE_NMU_FORMATTED)
    dirt.replace("nmu", rows, _formatted_lines([str(v) for v in devices.nmu[rows]], rng))
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("customer_code", rows[::2], [""] * len(rows[::2]))
    dirt.replace("imei", rows[1::2], [""] * len(rows[1::2]))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("device_type", rows[::2], ["Smartwatch"] * len(rows[::2]))
    dirt.replace("protection_state", rows[1::2], ["Sospesa"] * len(rows[1::2]))
    rows = dirt.take(RATE_BAD_DATE, devices.start < NEVER)
    dirt.replace("protection_start", rows, [t.split(" ")[0] for t in _bad_dates(len(rows), rng)])
    _plant_styles(dirt, frame, dates=True, booleans=False)
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt


def _dirty_enablements(
    rng: np.random.Generator, enablements: Enablements, devices: Devices
) -> Dirt:
    frame = enablements.frame
    protected = np.flatnonzero(frame["device"].to_numpy() == devices.demo_employee)
    dirt = Dirt(rng, len(frame), protected)
    rows = dirt.take(RATE_NMU_FORMATTED)
    dirt.replace("nmu", rows, _formatted_lines(frame["nmu"].to_numpy()[rows], rng))
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("nmu", rows, [""] * len(rows))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("enabled", rows, rng.choice(["Forse", "X", "Abilitato"], len(rows)))
    rows = dirt.take(RATE_BAD_DATE)
    dirt.replace("changed_at", rows, _bad_dates(len(rows), rng))
    _plant_styles(dirt, frame, dates=True, booleans=True)
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt


def _orphan_enablements(
    rng: np.random.Generator, plan: Plan, enablements: Enablements, devices: Devices
) -> None:
    """Enablements for lines no device uses: the customer typed a number that is not theirs."""
    frame = enablements.frame
    count = max(2, round(len(frame) * RATE_ORPHAN_ENABLEMENT))
    source = rng.choice(len(frame), count, replace=False)
    lines = _mobile_lines(rng, count, devices.nmu)
    days = plan.cutoff - rng.integers(1, 400, count)
    orphans = frame.iloc[source].copy()
    orphans["device"] = -1
    orphans["nmu"] = pd.Series(lines, dtype="str").to_numpy()
    orphans["enabled"] = pd.array(rng.random(count) < 0.7, dtype="boolean")
    orphans["changed_at"] = _timestamps(_at_hours(rng, days, 8.5, 19.0))
    merged = pd.concat([frame, orphans], ignore_index=True)
    merged = merged.sort_values(["customer_code", "changed_at"], kind="stable", ignore_index=True)
    merged["row_id"] = np.arange(len(merged), dtype=np.int64)
    enablements.frame = merged


def _dirty_users(rng: np.random.Generator, users: pd.DataFrame) -> Dirt:
    protected = np.flatnonzero(users["login"].isin(list(DEMO_ACCOUNTS)).to_numpy())
    dirt = Dirt(rng, len(users), protected)
    employees = (users["profile"] == "Dipendente").to_numpy()
    rows = dirt.take(0.05 * employees.mean(), employees)
    dirt.replace("nmu", rows, _formatted_lines(users["nmu"].to_numpy()[rows], rng))
    rows = dirt.take(RATE_UNKNOWN_ENUM)
    dirt.replace("profile", rows, rng.choice(["Operatore", "Supervisore", "Admin"], len(rows)))
    rows = dirt.take(RATE_EMPTY_REQUIRED / 2)
    dirt.replace("login", rows, [""] * len(rows))
    dirt.duplicates = dirt.take(RATE_DUPLICATE / 2)
    return dirt


def _dirty_claims(rng: np.random.Generator, claims: Claims, scientific_periods: np.ndarray) -> Dirt:
    versions = claims.versions
    claim = versions["claim"].to_numpy()
    protected = np.flatnonzero(claims.reserved[claim])
    dirt = Dirt(rng, len(versions), protected)
    imei = claims.imei[claim]
    _plant_imei_dirt(dirt, "imei", imei, scientific_periods[versions["period"].to_numpy()])
    rows = dirt.take(RATE_NMU_FORMATTED)
    dirt.replace("nmu", rows, _formatted_lines([str(v) for v in claims.nmu[claim[rows]]], rng))

    # each column in turn, so that every kind of error shows up even in a small export
    required = ("request_number", "customer_code", "imei", "status", "opened_at", "request_type")
    rows = dirt.take(RATE_EMPTY_REQUIRED, minimum=len(required))
    for index, column in enumerate(required):
        chosen = rows[index :: len(required)]
        dirt.replace(column, chosen, [""] * len(chosen))
    unknown = (
        ("request_type", ("Furto", "Guasto", "Smarrimento")),
        ("status", ("Sospesa", "In verifica")),
        ("channel", ("WhatsApp", "Negozio")),
        ("delivery_mode", ("Corriere",)),
        ("opening_profile", ("Operatore",)),
    )
    rows = dirt.take(RATE_UNKNOWN_ENUM, minimum=len(unknown))
    for index, (column, values) in enumerate(unknown):
        chosen = rows[index :: len(unknown)]
        dirt.replace(column, chosen, rng.choice(np.array(values, dtype=object), len(chosen)))
    rows = dirt.take(RATE_BAD_DATE)
    dirt.replace("opened_at", rows[0::2], _bad_dates(len(rows[0::2]), rng))
    dirt.replace("updated_at", rows[1::2], _bad_dates(len(rows[1::2]), rng))

    available_at = claims.frame["available_at"].to_numpy()[claim]
    shows_available = available_at <= versions["updated_at"].to_numpy()
    rows = dirt.take(RATE_AVAILABLE_BEFORE_OPENING * shows_available.mean(), shows_available)
    opened = claims.opened[claim[rows]] - rng.integers(1, 4, len(rows)) * SECONDS_PER_DAY
    dirt.replace(
        "replacement_available_at",
        rows,
        [pd.Timestamp(int(s), unit="s").strftime("%d/%m/%Y %H:%M") for s in opened],
    )
    _plant_styles(dirt, versions, dates=True, booleans=True)
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class FileFormat:
    """How one export file is written: what the back office or a spreadsheet made of it."""

    delimiter: str = ";"
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    seconds: bool = False
    booleans: tuple[str, str] = ("Sì", "No")
    odd_headers: bool = False
    xlsx: bool = False

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.xlsx else ".csv"


def _odd_header(header: str, rng: np.random.Generator) -> str:
    """Headers as someone re-typed them: any case, stray spaces."""
    words = header.split(" ")
    style = rng.integers(0, 5)
    if style == 0:
        return header.upper()
    if style == 1:
        return f"  {header.lower()} "
    if style == 2:
        return " ".join([words[0].lower(), *[w.upper() for w in words[1:]]]) + " "
    if style == 3:
        return f" {header}"
    return header.title()


def _with_dirt(frame: pd.DataFrame, dirt: Dirt | None) -> pd.DataFrame:
    """The rows as the file shows them: dirt texts in `dirt_<column>` columns, repeats in place."""
    if dirt is None:
        return frame
    overrides = dirt.overrides()
    row_id = frame["row_id"].to_numpy()
    result = frame.copy(deep=False)
    if len(overrides.columns) > 1:
        matched = frame[["row_id"]].merge(overrides, on="row_id", how="left", sort=False)
        for column in overrides.columns.drop("row_id"):
            result[f"dirt_{column}"] = matched[column].array
    if len(dirt.duplicates):
        copies = 1 + _members(row_id, np.sort(dirt.duplicates))
        if (copies > 1).any():
            result = result.iloc[np.repeat(np.arange(len(result)), copies)]
    return result


def _with_format(
    rows: pd.DataFrame, file_of_row: np.ndarray, formats: list[FileFormat]
) -> pd.DataFrame:
    """Each row with its file's format: seconds in date-times, the words for true and false."""
    true_words = list(dict.fromkeys(fmt.booleans[0] for fmt in formats))
    false_words = list(dict.fromkeys(fmt.booleans[1] for fmt in formats))
    true_code = np.array([true_words.index(fmt.booleans[0]) for fmt in formats])
    false_code = np.array([false_words.index(fmt.booleans[1]) for fmt in formats])
    return rows.assign(
        seconds=np.array([fmt.seconds for fmt in formats])[file_of_row],
        true_word=pd.Categorical.from_codes(true_code[file_of_row], true_words),
        false_word=pd.Categorical.from_codes(false_code[file_of_row], false_words),
    )


class Writer:
    """Writes export files from pandas frames, DuckDB formatting every value as the file says.

    A frame holds the rows in file order, one contract column each, plus row_id, iso and
    bool_variant, and a `dirt_<column>` text column where dirt replaces a value. Every
    file is one scan of its frame: no joins and no sorting, so DuckDB keeps the order.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        out_dir: Path,
        workdir: Path,
        created: datetime,
        rng: np.random.Generator,
        progress: Callable[[str], None],
    ):
        self.con = con
        self.out_dir = out_dir
        self.workdir = workdir
        self.created = created
        self.rng = rng
        self.progress = progress
        self.written: list[Path] = []
        self._views: dict[str, str] = {}
        self._columns: dict[tuple[str, tuple[str, ...]], set[str]] = {}

    def write(
        self,
        model: type[SourceRecord],
        frame: pd.DataFrame,
        stem: str,
        fmt: FileFormat,
        dirt: Dirt | None = None,
        view: str | None = None,
    ) -> Path:
        """One file from a frame; `view` is a select over `export_rows` to write instead."""
        rows = _with_dirt(frame, dirt)
        rows = _with_format(rows, np.zeros(len(rows), dtype=np.int64), [fmt])
        relation = self._register(rows, view)
        path = self.out_dir / f"{stem}{fmt.suffix}"
        if fmt.xlsx:
            count = self._write_xlsx(model, relation, path, fmt)
        else:
            count = self._copy(self._select(model, relation, fmt, typed=False), path, fmt)
        self._finish(path, count)
        return path

    def write_many(
        self,
        model: type[SourceRecord],
        frame: pd.DataFrame,
        files: list[tuple[str, FileFormat, int]],
        dirt: Dirt | None = None,
        view: str | None = None,
    ) -> None:
        """Small CSV files of one kind at once: (stem, format, period) per file, `period` per row.

        Planning the wide formatting query costs DuckDB more than writing a small file,
        so it runs once for all of them, each row in its own file's format, and Python
        writes the files.
        """
        rows = _with_dirt(frame, dirt)
        file_of_period = {period: number for number, (_, _, period) in enumerate(files)}
        lookup = np.zeros(max(file_of_period) + 1, dtype=np.int64)
        for period, number in file_of_period.items():
            lookup[period] = number
        file_of_row = lookup[rows["period"].to_numpy()]
        rows = _with_format(rows, file_of_row, [fmt for _, fmt, _ in files])
        relation = self._register(rows, view)
        query = self._select(model, relation, FileFormat(), typed=False, with_period=True)
        grouped: dict[int, list[tuple]] = {}
        for row in self.con.execute(query).fetchall():
            grouped.setdefault(row[0], []).append(row[1:])
        for stem, fmt, number in files:
            path = self.out_dir / f"{stem}{fmt.suffix}"
            # utf-8-sig files already carry U+FEFF in their first header
            encoding = "cp1252" if fmt.encoding == "cp1252" else "utf-8"
            with open(path, "w", encoding=encoding, newline="") as handle:
                writer = csv.writer(handle, delimiter=fmt.delimiter, lineterminator="\n")
                writer.writerow(self._headers(model, fmt))
                writer.writerows(grouped.get(number, []))
            self._finish(path, len(grouped.get(number, [])))

    def _register(self, rows: pd.DataFrame, view: str | None) -> str:
        """Makes the rows the relation to write; a view over them is created once, then reused."""
        self.con.register("export_rows", rows)
        if view is None:
            relation = "export_rows"
        else:
            relation = self._views.get(view, f"export_view_{len(self._views)}")
            if view not in self._views:
                self.con.execute(f"create temp view {relation} as {view}")
                self._views[view] = relation
        key = (relation, tuple(rows.columns))
        if key not in self._columns:
            described = self.con.execute(f"describe {relation}").fetchall()
            self._columns[key] = {name for name, *_ in described}
        self._present = self._columns[key]
        return relation

    def _finish(self, path: Path, count: int) -> None:
        self.written.append(path)
        self.progress(f"wrote {path.name} ({count:,} rows)")

    def _headers(self, model: type[SourceRecord], fmt: FileFormat) -> list[str]:
        headers = [HEADERS[model][column.name] for column in columns(model)]
        if fmt.odd_headers:
            headers = [_odd_header(header, self.rng) for header in headers]
        if fmt.encoding == "utf-8-sig" and not fmt.xlsx:
            # a byte-order mark is U+FEFF encoded first: the first header carries it
            headers[0] = "\ufeff" + headers[0]
        return headers

    def _select(
        self,
        model: type[SourceRecord],
        relation: str,
        fmt: FileFormat,
        typed: bool,
        with_period: bool = False,
    ) -> str:
        """The query that turns the relation's typed values into the file's texts.

        Each row carries its file's format (seconds, true_word, false_word columns); a
        `dirt_<column>` text replaces the value, a `text_<column>` is the value already
        formatted. typed: values as XLSX cells want them (numbers, dates), beside the dirt.
        """
        present = self._present
        true_word, false_word, seconds = "r.true_word", "r.false_word", "r.seconds"
        headers = self._headers(model, fmt)
        expressions = ["r.period"] if with_period else []
        for index, column in enumerate(columns(model)):
            value = f'r."{column.name}"'
            if column.kind is ColumnKind.IMEI:
                text = f"lpad(cast({value} as varchar), 15, '0')"
                typed_value = value
            elif column.kind is ColumnKind.DATE:
                text = (
                    f"case when r.iso then strftime({value}, '%Y-%m-%d') "
                    f"else strftime({value}, '%d/%m/%Y') end"
                )
                typed_value = f"cast({value} as date)"
            elif column.kind is ColumnKind.DATETIME:
                text = (
                    f"case when r.iso then strftime({value}, '%Y-%m-%dT%H:%M:%S') "
                    f"when {seconds} then strftime({value}, '%d/%m/%Y %H:%M:%S') "
                    f"else strftime({value}, '%d/%m/%Y %H:%M') end"
                )
                typed_value = f"cast({value} as timestamp)"
            elif column.kind is ColumnKind.BOOLEAN:
                text = (
                    f"case when {value} is null then null "
                    f"when r.bool_variant then (case when {value} then 'si' else 'no' end) "
                    f"when {value} then {true_word} else {false_word} end"
                )
                typed_value = text
            else:
                text = f"cast({value} as varchar)"
                typed_value = text
            if f"text_{column.name}" in present:
                text = f'r."text_{column.name}"'
            override = f'r."dirt_{column.name}"' if f"dirt_{column.name}" in present else "null"
            if typed:
                expressions.append(f"{override}, {typed_value}")
            else:
                header = headers[index].replace('"', '""')
                expressions.append(f"nullif(coalesce({override}, {text}), '') as \"{header}\"")
        listed = ",\n    ".join(expressions)
        return f"select\n    {listed}\nfrom {relation} r"  # noqa: S608 - names from the contract

    def _copy(self, query: str, path: Path, fmt: FileFormat) -> int:
        # DuckDB writes UTF-8 only: Windows-1252 files are transcoded from a scratch copy
        target = self.workdir / path.name if fmt.encoding == "cp1252" else path
        target_sql = str(target).replace("'", "''")
        delimiter = fmt.delimiter.replace("'", "''")
        count = self.con.execute(
            f"copy ({query}) to '{target_sql}' (format csv, delimiter '{delimiter}', header true)"
        ).fetchone()[0]
        if fmt.encoding == "cp1252":
            with (
                open(target, encoding="utf-8", newline="") as source,
                open(path, "w", encoding="cp1252", newline="") as destination,
            ):
                shutil.copyfileobj(source, destination, 1 << 20)
            target.unlink()
        return int(count)

    def _write_xlsx(
        self, model: type[SourceRecord], relation: str, path: Path, fmt: FileFormat
    ) -> int:
        rows = self.con.execute(self._select(model, relation, fmt, typed=True)).fetchall()
        workbook = xlsxwriter.Workbook(str(path))
        # a fixed creation time keeps the bytes identical from run to run
        workbook.set_properties({"created": self.created})
        sheet = workbook.add_worksheet("Export")
        date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
        datetime_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        for column, header in enumerate(self._headers(model, fmt)):
            sheet.write_string(0, column, header)
        width = len(columns(model))
        for number, row in enumerate(rows, start=1):
            for column in range(width):
                override, value = row[2 * column], row[2 * column + 1]
                if override is not None:
                    if override != "":
                        sheet.write_string(number, column, override)
                elif value is None:
                    continue
                elif isinstance(value, datetime):
                    sheet.write_datetime(number, column, value, datetime_format)
                elif isinstance(value, date):
                    sheet.write_datetime(
                        number, column, datetime.combine(value, time()), date_format
                    )
                elif isinstance(value, int):
                    # identifiers typed into Excel become numbers: IMEI cells are numeric
                    sheet.write_number(number, column, value)
                elif value != "":
                    sheet.write_string(number, column, value)
        workbook.close()
        return len(rows)


def _claim_formats(periods: list[str], rows: np.ndarray) -> list[FileFormat]:
    """Formats of the claims files: mostly `;` UTF-8, some Windows-1252, some `,`, one XLSX."""
    formats = []
    months = sum(1 for p in periods if len(p) == 7)
    for index, period in enumerate(periods):
        daily = len(period) == 10
        i = index - months if daily else index
        if daily:
            fmt = FileFormat(
                delimiter="," if i % 10 == 7 else ";",
                encoding="cp1252" if i % 3 == 1 else "utf-8-sig" if i % 5 == 0 else "utf-8",
                seconds=i % 4 == 3,
                booleans=("S", "N") if i % 6 == 5 else ("Sì", "No"),
                odd_headers=i % 9 == 2,
            )
        else:
            fmt = FileFormat(
                delimiter="," if i % 6 == 4 else ";",
                encoding="cp1252" if i % 4 == 2 else "utf-8-sig" if i % 3 == 0 else "utf-8",
                seconds=i % 5 == 3,
                booleans=("S", "N") if i % 7 == 5 else ("Si", "No") if i % 7 == 6 else ("Sì", "No"),
                odd_headers=i % 6 == 1,
            )
        formats.append(fmt)
    # one file comes as an Excel workbook: the oldest month when it is small enough, else
    # the busiest day
    if months and rows[0] <= XLSX_MAX_ROWS:
        formats[0] = FileFormat(xlsx=True)
    else:
        busiest = months + int(np.argmax(rows[months:]))
        formats[busiest] = FileFormat(xlsx=True)
    return formats


# The claim's state as one version shows it: what had happened by its timestamp.
CLAIM_VERSION_SQL = """
select
    v.row_id,
    v.iso,
    v.bool_variant,
    v.* exclude (row_id, iso, bool_variant, theft, mode, documents_at, partial_at, available_at,
                 id_open, report_open, form_open, id_partial, report_partial, form_partial,
                 replacement_imei, replacement_model, equivalent, reason, event,
                 point_code, company_address, imei_text, replacement_imei_text,
                 opened_min, opened_sec, opened_iso, documents_min, documents_sec, documents_iso,
                 available_min, available_sec, available_iso),
    case when v.theft then 'Furto/Smarrimento' else 'Guasto/Malfunzionamento' end as request_type,
    case when not v.theft then null
         when v.documents_at <= v.updated_at then true
         when v.partial_at <= v.updated_at then v.id_partial
         else v.id_open end as id_document,
    case when not v.theft then null
         when v.documents_at <= v.updated_at then true
         when v.partial_at <= v.updated_at then v.report_partial
         else v.report_open end as police_report,
    case when not v.theft then null
         when v.documents_at <= v.updated_at then true
         when v.partial_at <= v.updated_at then v.form_partial
         else v.form_open end as blocking_form,
    case when v.documents_at <= v.updated_at then v.documents_at end as documentation_received_at,
    case when v.mode = 0 then 'Punto assistenza' else 'Sede azienda' end as delivery_mode,
    case when v.mode = 0 then v.point_code end as assistance_point_code,
    case when v.mode = 1 then v.company_address end as delivery_address,
    case v.event
        when 0 then case when v.documents_at <= v.updated_at then 'Aperta'
                         else 'In attesa documentazione' end
        when 1 then 'In attesa documentazione'
        when 2 then 'In lavorazione'
        when 3 then 'In consegna'
        when 4 then case when v.mode = 0 then 'Disponibile al ritiro' else 'Consegnata' end
        when 5 then 'Chiusa'
        when 6 then 'Non accolta'
        when 7 then 'KO tecnico'
        when 8 then 'Annullata'
    end as status,
    case when v.event in (6, 7) then cast(v.reason as varchar) end as rejection_reason,
    case when v.available_at <= v.updated_at then v.available_at end as replacement_available_at,
    case when v.event >= 5 then v.updated_at end as closed_at,
    case when v.available_at <= v.updated_at then v.replacement_imei end as replacement_imei,
    case when v.available_at <= v.updated_at then cast(v.replacement_model as varchar) end
        as replacement_model,
    case when v.available_at <= v.updated_at then v.equivalent end as equivalent_model,
    -- texts formatted once per claim (see _claim_texts): only the choice is made per version
    v.imei_text as text_imei,
    case when v.iso then strftime(v.updated_at, '%Y-%m-%dT%H:%M:%S')
         when v.seconds then strftime(v.updated_at, '%d/%m/%Y %H:%M:%S')
         else strftime(v.updated_at, '%d/%m/%Y %H:%M') end as text_updated_at,
    case when v.iso then v.opened_iso when v.seconds then v.opened_sec else v.opened_min end
        as text_opened_at,
    case when v.documents_at > v.updated_at then null
         when v.iso then v.documents_iso
         when v.seconds then v.documents_sec
         else v.documents_min end as text_documentation_received_at,
    case when v.available_at > v.updated_at then null
         when v.iso then v.available_iso
         when v.seconds then v.available_sec
         else v.available_min end as text_replacement_available_at,
    case when v.available_at <= v.updated_at then v.replacement_imei_text end
        as text_replacement_imei
from export_rows v
"""

# The month-end inventory: lines activated since were still Non attiva then.
DEVICE_SNAPSHOT_SQL = """
select * replace (
    case when preregistered then 'Non attiva' else protection_state end as protection_state,
    case when preregistered then null else protection_start end as protection_start,
    case when preregistered then null else protection_end end as protection_end)
from export_rows
where in_snapshot
"""


CLAIM_TEXTS_SQL = """
select
    lpad(cast(imei as varchar), 15, '0') as imei_text,
    lpad(cast(replacement_imei as varchar), 15, '0') as replacement_imei_text,
    strftime(opened_at, '%d/%m/%Y %H:%M') as opened_min,
    strftime(opened_at, '%d/%m/%Y %H:%M:%S') as opened_sec,
    strftime(opened_at, '%Y-%m-%dT%H:%M:%S') as opened_iso,
    strftime(documents_at, '%d/%m/%Y %H:%M') as documents_min,
    strftime(documents_at, '%d/%m/%Y %H:%M:%S') as documents_sec,
    strftime(documents_at, '%Y-%m-%dT%H:%M:%S') as documents_iso,
    strftime(available_at, '%d/%m/%Y %H:%M') as available_min,
    strftime(available_at, '%d/%m/%Y %H:%M:%S') as available_sec,
    strftime(available_at, '%Y-%m-%dT%H:%M:%S') as available_iso
from claim_frame
"""


def _claim_texts(con: duckdb.DuckDBPyConnection, claims: Claims) -> None:
    """Formats the values a claim keeps in every version once, not once per version."""
    con.register("claim_frame", claims.frame)
    texts = con.execute(CLAIM_TEXTS_SQL).df()
    con.unregister("claim_frame")
    claims.frame = pd.concat([claims.frame, texts], axis=1)


def _claim_rows(claims: Claims, versions: pd.DataFrame) -> pd.DataFrame:
    """Versions with their claim's columns: the rows of some claims files, in file order."""
    rows = claims.frame.take(versions["claim"].to_numpy())
    rows.index = versions.index
    return pd.concat([versions, rows], axis=1)


def _device_frame(devices: Devices, customers: Customers) -> pd.DataFrame:
    """The inventory as rows: one per device, in customer-code order."""
    count = len(devices.customer)
    brands = [m.brand for m in MODELS]
    names = [m.name for m in MODELS]
    types = [m.device_type for m in MODELS]
    type_names = ("Smartphone", "Tablet")
    return pd.DataFrame(
        {
            "row_id": np.arange(count, dtype=np.int64),
            "customer_code": _take(customers.frame["customer_code"], devices.customer),
            "nmu": pd.Series(devices.nmu, dtype="str"),
            "imei": devices.imei,
            "brand": pd.Categorical(np.array(brands, dtype=object)[devices.model]),
            "model": pd.Categorical.from_codes(devices.model, names),
            "device_type": pd.Categorical.from_codes(
                np.array([type_names.index(t) for t in types])[devices.model], type_names
            ),
            "protection_state": pd.Categorical.from_codes(devices.state, PROTECTION_STATES),
            "protection_start": _day_stamps(devices.start),
            "protection_end": _day_stamps(devices.end),
            "assignee": devices.assignee,
            "assignee_email": devices.email,
            "in_snapshot": devices.snapshot,
            "preregistered": devices.preregistered,
            "iso": False,
            "bool_variant": False,
        }
    )


# ---------------------------------------------------------------- the entry point


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
    plan = _plan(seed, scale, customers, devices, claims, today)
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

    pools = _pools(fake, plan.companies)
    points = _points(streams["points"], pools)
    customer_set = _customers(streams["customers"], plan, pools)
    staff = _staff(streams["staff"], plan, pools)
    device_set = _devices(streams["devices"], plan, customer_set, pools)
    _unique_logins(staff, customer_set, device_set)
    enablements = _enablements(streams["enablements"], plan, customer_set, device_set)
    say(f"customers, devices and enablements ready ({len(enablements.frame):,} enablement rows)")
    claim_set = _claims(
        streams["claims"], plan, calendar, customer_set, device_set, enablements, points
    )
    users = _users(staff, customer_set, device_set, enablements)
    say(f"claims ready: {len(claim_set.versions):,} versions in {len(claim_set.periods)} periods")

    dirt_rng = streams["dirt"]
    device_frame = _device_frame(device_set, customer_set)
    customer_dirt = _dirty_customers(dirt_rng, customer_set)
    device_dirt = _dirty_devices(dirt_rng, device_set, customer_set, device_frame)
    _orphan_enablements(dirt_rng, plan, enablements, device_set)
    enablement_dirt = _dirty_enablements(dirt_rng, enablements, device_set)
    user_dirt = _dirty_users(dirt_rng, users)
    rows_per_period = np.bincount(
        claim_set.versions["period"].to_numpy(), minlength=len(claim_set.periods)
    )
    formats = _claim_formats(claim_set.periods, rows_per_period)
    scientific = np.array([f.delimiter == ";" and not f.xlsx for f in formats])
    claim_dirt = _dirty_claims(dirt_rng, claim_set, scientific)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = _as_date(plan.cutoff - 1).isoformat()
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
            _claim_texts(con, claim_set)
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
                    part = _claim_rows(claim_set, versions.iloc[bounds[first] : bounds[last + 1]])
                    part = part[np.isin(part["period"].to_numpy(), [p for _, _, p in small])]
                    writer.write_many(Claim, part, list(small), claim_dirt, view=CLAIM_VERSION_SQL)
                    small.clear()

            for index, (period, fmt) in enumerate(zip(claim_set.periods, formats, strict=True)):
                stem, size = f"segnalazioni_{period}", int(bounds[index + 1] - bounds[index])
                if fmt.xlsx or size > PYTHON_CSV_MAX_ROWS:
                    flush()
                    small_rows = 0
                    part = _claim_rows(claim_set, versions.iloc[bounds[index] : bounds[index + 1]])
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
