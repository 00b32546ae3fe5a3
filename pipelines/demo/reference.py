"""Reference data and rates of the demo world: scales, provinces, models, dirt rates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

import numpy as np

from pipelines.contract import (
    Channel,
    OpeningProfile,
    RejectionReason,
)


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
