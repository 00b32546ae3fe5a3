"""The data contract of the source exports: one place that knows every column.

Each export kind is a pydantic model. A field's alias is the header as the back office
writes it, its annotation says the value's type (and, for `Literal`, the accepted
values), and its `ColumnKind` marker says how the text in the file is parsed. The same
models validate single records (dashboard forms, the generator's self-check) and, through
`columns()`, drive the set-based validation SQL the loader runs in DuckDB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator


class ColumnKind(StrEnum):
    """How the text of a cell is interpreted."""

    TEXT = "text"
    ENUM = "enum"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    IMEI = "imei"
    NMU = "nmu"
    PARTITA_IVA = "partita_iva"
    PROVINCE = "province"
    POSTCODE = "postcode"


# ---------------------------------------------------------------- reference rules
# These Python functions are the readable reference of each identifier rule. The loader
# runs the same rules as SQL macros (sql/schema/00_macros.sql); tests check the two agree.

# The same characters the SQL macros strip: ASCII whitespace, dots and dashes.
_SEPARATORS = re.compile(r"[ \t\n\r\f\v.\-]")


def luhn_check_digit(body: str) -> int:
    """The Luhn check digit for a string of digits (IMEI: the 14-digit body)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def normalise_imei(value: str | None) -> str | None:
    """A valid 15-digit IMEI from the text in a file, or None when it is not one."""
    if value is None:
        return None
    digits = _SEPARATORS.sub("", value)
    if not digits.isascii() or not digits.isdigit():
        return None
    if len(digits) == 16:  # IMEISV: 14-digit body, 2-digit software version
        digits = digits[:14] + str(luhn_check_digit(digits[:14]))
    if len(digits) != 15 or luhn_check_digit(digits[:14]) != int(digits[14]):
        return None
    return digits


def normalise_nmu(value: str | None) -> str | None:
    """The national digits of an Italian mobile number, or None when it is not one."""
    if value is None:
        return None
    text = _SEPARATORS.sub("", value)
    if text.startswith("+39"):
        text = text[3:]
    elif text.startswith("0039"):
        text = text[4:]
    if not text.isascii() or not text.isdigit() or not text.startswith("3"):
        return None
    if not 9 <= len(text) <= 10:
        return None
    return text


def partita_iva_valid(value: str | None) -> bool:
    """Whether an 11-digit Partita IVA carries the right check digit."""
    if value is None or len(value) != 11 or not value.isascii() or not value.isdigit():
        return False
    odd = sum(int(value[i]) for i in range(0, 10, 2))
    even = 0
    for i in range(1, 10, 2):
        doubled = int(value[i]) * 2
        even += doubled - 9 if doubled > 9 else doubled
    return (10 - (odd + even) % 10) % 10 == int(value[10])


def postcode_valid(value: str | None) -> bool:
    """Whether a CAP is five digits (leading zeros matter: 00184 is in Rome)."""
    return value is not None and len(value) == 5 and value.isascii() and value.isdigit()


def partita_iva_check_digit(body: str) -> int:
    """The check digit that completes a 10-digit Partita IVA body."""
    for digit in range(10):
        if partita_iva_valid(body + str(digit)):
            return digit
    raise ValueError(f"no check digit for {body!r}")


_TRUE = {"sì", "si", "s"}
_FALSE = {"no", "n"}


def parse_boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    if text == "":
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not a date: {value!r}")


_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


def parse_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if text == "":
        return None
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError(f"not a date-time: {value!r}")


@dataclass(frozen=True)
class Identifier:
    """Marks a column whose value names something (a claim, a device, a customer, a user).

    No identifier holds a line break; one inside it is the trace of a broken record (a
    quote gone astray that merged lines) or of hostile input, never a real value, and IMEI
    and NMU rules would otherwise strip it away silently.
    """


IDENTIFIER = Identifier()


@dataclass(frozen=True)
class Plausible:
    """The range a date column's values must fall in to be believed: from `earliest` to the
    export's date (the date in its file name) plus `days_after_export`.

    A date the parser accepts can still be nonsense: `dd/mm/yy` read as year 0026, a
    placeholder 01/01/1900 or 31/12/9999. Such a value is quarantined, not loaded with
    a claim that then silently gets no SLA.
    """

    earliest: date
    days_after_export: int


# Nothing the service records predates 2000. An event (an opening, an update, a delivery)
# cannot be later than its export; one day covers exports written around midnight.
EVENT = Plausible(date(2000, 1, 1), 1)
# Protection is sold for years ahead: its expiry may lie up to ten years after the export.
PROTECTION_EXPIRY = Plausible(date(2000, 1, 1), 3653)


def _single_line(value: Any) -> Any:
    if isinstance(value, str) and ("\r" in value or "\n" in value):
        raise ValueError(f"line break in an identifier: {value!r}")
    return value


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip() == "":
        return None
    return value.strip() if isinstance(value, str) else value


def _checked(kind: ColumnKind, check: Any) -> Any:
    def validate(value: Any) -> Any:
        value = _empty_to_none(value)
        if value is None:
            return None
        result = check(str(value))
        if result is None or result is False:
            raise ValueError(f"invalid {kind.value}: {value!r}")
        return value if result is True else result

    return validate


# Annotated column types: the ColumnKind marker drives the SQL, the validator the records.
Text = Annotated[str, ColumnKind.TEXT, BeforeValidator(_empty_to_none)]
# an identifier given as text: a code, a request number, a login
Code = Annotated[
    str, ColumnKind.TEXT, IDENTIFIER, BeforeValidator(_empty_to_none),
    BeforeValidator(_single_line),
]
Imei = Annotated[
    str, ColumnKind.IMEI, IDENTIFIER, BeforeValidator(_checked(ColumnKind.IMEI, normalise_imei)),
    BeforeValidator(_single_line),
]
Nmu = Annotated[
    str, ColumnKind.NMU, IDENTIFIER, BeforeValidator(_checked(ColumnKind.NMU, normalise_nmu)),
    BeforeValidator(_single_line),
]
PartitaIva = Annotated[
    str,
    ColumnKind.PARTITA_IVA,
    BeforeValidator(_checked(ColumnKind.PARTITA_IVA, partita_iva_valid)),
]
Province = Annotated[str, ColumnKind.PROVINCE, BeforeValidator(_empty_to_none)]
Postcode = Annotated[
    str, ColumnKind.POSTCODE, BeforeValidator(_checked(ColumnKind.POSTCODE, postcode_valid))
]
Day = Annotated[date, ColumnKind.DATE, BeforeValidator(parse_date)]
Moment = Annotated[datetime, ColumnKind.DATETIME, BeforeValidator(parse_datetime)]
Event = Annotated[Moment, EVENT]
EventDay = Annotated[Day, EVENT]
ExpiryDay = Annotated[Day, PROTECTION_EXPIRY]
Flag = Annotated[bool, ColumnKind.BOOLEAN, BeforeValidator(parse_boolean)]

Segment = Literal["Professionisti", "Aziende"]
DeviceType = Literal["Smartphone", "Tablet"]
ProtectionState = Literal["Attiva", "Non attiva", "Cessata"]
RequestType = Literal["Guasto/Malfunzionamento", "Furto/Smarrimento"]
Channel = Literal["Area Clienti", "Email", "191", "800.191.101"]
OpeningProfile = Literal[
    "Rappresentante Legale",
    "Amministratore",
    "Mandatario",
    "Master",
    "Dipendente abilitato",
    "Servizio Clienti",
]
DeliveryMode = Literal["Punto assistenza", "Sede azienda"]
ClaimStatus = Literal[
    "Aperta",
    "In attesa documentazione",
    "In lavorazione",
    "In consegna",
    "Disponibile al ritiro",
    "Consegnata",
    "Chiusa",
    "Non accolta",
    "KO tecnico",
    "Annullata",
]
RejectionReason = Literal[
    "Danno da liquidi",
    "Manomissione",
    "Dolo",
    "Colpa grave",
    "Protezione non attiva",
    "Accessorio non coperto",
    "Documentazione incompleta",
    "Errore tecnico",
    "Altro",
]
UserProfile = Literal[
    "Management",
    "Account Manager",
    "Rappresentante Legale",
    "Amministratore",
    "Mandatario",
    "Master",
    "Dipendente",
]


def _enum(literal: Any) -> Any:
    """An enumeration column: its values match in any case, as the staging SQL matches them."""
    canonical = {value.casefold(): value for value in get_args(literal)}

    def validate(value: Any) -> Any:
        value = _empty_to_none(value)
        return canonical.get(value.casefold(), value) if isinstance(value, str) else value

    return Annotated[literal, ColumnKind.ENUM, BeforeValidator(validate)]


class SourceRecord(BaseModel):
    """One row of a source export, validated."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _empty_cells_are_missing(cls, data: Any) -> Any:
        # An optional `X | None` field never sees its own validator turn "" into None (the
        # None branch of the union is tried with the raw ""), so empty cells become None here.
        if isinstance(data, dict):
            return {name: _empty_to_none(value) for name, value in data.items()}
        return data


class Customer(SourceRecord):
    customer_code: Code
    company_name: Text
    vat_number: PartitaIva
    segment: _enum(Segment) | None = None
    contract: Text | None = None
    region: Text | None = None
    account_manager: Text | None = None


class Device(SourceRecord):
    customer_code: Code
    nmu: Nmu | None = None
    imei: Imei
    brand: Text | None = None
    model: Text | None = None
    device_type: _enum(DeviceType) | None = None
    protection_state: _enum(ProtectionState) | None = None
    protection_start: EventDay | None = None
    protection_end: ExpiryDay | None = None
    assignee: Text | None = None
    assignee_email: Text | None = None


class Claim(SourceRecord):
    request_number: Code
    updated_at: Event
    customer_code: Code
    nmu: Nmu | None = None
    imei: Imei
    request_type: _enum(RequestType)
    fault_causes: Text | None = None
    channel: _enum(Channel) | None = None
    opened_by: Text | None = None
    opening_profile: _enum(OpeningProfile) | None = None
    opened_at: Event
    id_document: Flag | None = None
    police_report: Flag | None = None
    blocking_form: Flag | None = None
    documentation_received_at: Event | None = None
    delivery_mode: _enum(DeliveryMode) | None = None
    assistance_point_code: Code | None = None
    delivery_address: Text | None = None
    status: _enum(ClaimStatus)
    rejection_reason: _enum(RejectionReason) | None = None
    replacement_available_at: Event | None = None
    closed_at: Event | None = None
    replacement_imei: Imei | None = None
    replacement_model: Text | None = None
    equivalent_model: Flag | None = None


class Enablement(SourceRecord):
    customer_code: Code
    nmu: Nmu
    enabled: Flag | None = None
    changed_by: Text | None = None
    changed_at: Event | None = None


class AssistancePoint(SourceRecord):
    point_code: Code
    name: Text | None = None
    address: Text | None = None
    municipality: Text | None = None
    province: Province | None = None
    region: Text | None = None


class DeliveryAddress(SourceRecord):
    customer_code: Code
    site_code: Code
    address: Text
    postcode: Postcode | None = None
    municipality: Text
    province: Province | None = None
    active: Flag | None = None


class PortalUser(SourceRecord):
    login: Code
    full_name: Text | None = None
    profile: _enum(UserProfile) | None = None
    customer_code: Code | None = None
    nmu: Nmu | None = None


# ---------------------------------------------------------------- headers and kinds

HEADERS: dict[type[SourceRecord], dict[str, str]] = {
    Customer: {
        "customer_code": "Codice cliente",
        "company_name": "Ragione sociale",
        "vat_number": "Partita IVA",
        "segment": "Segmento",
        "contract": "Contratto",
        "region": "Regione",
        "account_manager": "Account manager",
    },
    Device: {
        "customer_code": "Codice cliente",
        "nmu": "NMU",
        "imei": "IMEI",
        "brand": "Marca",
        "model": "Modello",
        "device_type": "Tipo dispositivo",
        "protection_state": "Stato protezione",
        "protection_start": "Data attivazione protezione",
        "protection_end": "Data scadenza protezione",
        "assignee": "Assegnatario",
        "assignee_email": "Email assegnatario",
    },
    Claim: {
        "request_number": "Numero richiesta",
        "updated_at": "Data ultimo aggiornamento",
        "customer_code": "Codice cliente",
        "nmu": "NMU",
        "imei": "IMEI",
        "request_type": "Tipo richiesta",
        "fault_causes": "Causali guasto",
        "channel": "Canale",
        "opened_by": "Aperta da",
        "opening_profile": "Profilo apertura",
        "opened_at": "Data apertura",
        "id_document": "Documento identità",
        "police_report": "Denuncia",
        "blocking_form": "Modulo blocco",
        "documentation_received_at": "Data ricezione documentazione",
        "delivery_mode": "Modalità consegna",
        "assistance_point_code": "Codice punto assistenza",
        "delivery_address": "Indirizzo consegna",
        "status": "Stato",
        "rejection_reason": "Motivo esito negativo",
        "replacement_available_at": "Data disponibilità sostitutivo",
        "closed_at": "Data chiusura",
        "replacement_imei": "IMEI sostitutivo",
        "replacement_model": "Modello sostitutivo",
        "equivalent_model": "Modello equivalente",
    },
    Enablement: {
        "customer_code": "Codice cliente",
        "nmu": "NMU",
        "enabled": "Abilitata",
        "changed_by": "Modificata da",
        "changed_at": "Data modifica",
    },
    AssistancePoint: {
        "point_code": "Codice punto",
        "name": "Denominazione",
        "address": "Indirizzo",
        "municipality": "Comune",
        "province": "Provincia",
        "region": "Regione",
    },
    DeliveryAddress: {
        "customer_code": "Codice cliente",
        "site_code": "Codice sede",
        "address": "Indirizzo",
        "postcode": "CAP",
        "municipality": "Comune",
        "province": "Provincia",
        "active": "Attiva",
    },
    PortalUser: {
        "login": "Utente",
        "full_name": "Nome",
        "profile": "Profilo",
        "customer_code": "Codice cliente",
        "nmu": "NMU",
    },
}


@dataclass(frozen=True)
class SourceKind:
    """One of the export kinds: how its files are named and what one row is."""

    name: str  # the warehouse's English name: customers, devices, ...
    prefix: str  # the file-name prefix, matched case-insensitively
    model: type[SourceRecord]
    key: tuple[str, ...]
    version_order: str | None  # a column that orders versions of one key, if any
    # the order a load writes a history kind's new current rows in (default: the key): the
    # pages read one customer's claims at a time, and marts.tickets keeps this order
    stored_order: tuple[str, ...] | None = None


KINDS: tuple[SourceKind, ...] = (
    SourceKind("customers", "clienti", Customer, ("customer_code",), None),
    SourceKind("devices", "dispositivi", Device, ("imei",), None),
    SourceKind("claims", "segnalazioni", Claim, ("request_number",), "updated_at",
               ("customer_code", "request_number")),
    SourceKind("enablements", "abilitazioni", Enablement, ("customer_code", "nmu"), "changed_at"),
    SourceKind("assistance_points", "punti_assistenza", AssistancePoint, ("point_code",), None),
    SourceKind("users", "utenti", PortalUser, ("login",), None),
    # optional: customers' delivery addresses (a set of exports without it is complete)
    SourceKind("delivery_addresses", "sedi", DeliveryAddress, ("customer_code", "site_code"),
               None),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}


@dataclass(frozen=True)
class Column:
    """One column of an export kind, as the contract defines it."""

    name: str  # English snake_case name in the warehouse
    header: str  # header in the export
    kind: ColumnKind
    required: bool
    values: tuple[str, ...] = ()  # accepted values, for enumerations
    identifier: bool = False  # a line break in it quarantines the row
    plausible: Plausible | None = None  # the range a date must fall in

    @property
    def header_key(self) -> str:
        return normalise_header(self.header)


def normalise_header(header: str) -> str:
    """Headers match case-insensitively and ignoring surrounding and repeated spaces."""
    return " ".join(str(header).replace("\ufeff", "").split()).casefold()


def _type_and_metadata(field: Any) -> tuple[Any, list[Any]]:
    """A field's base type and Annotated metadata, looking through `X | None`."""
    annotation, metadata = field.annotation, list(field.metadata)
    args = get_args(annotation)
    if args and type(None) in args:
        annotation = next(arg for arg in args if arg is not type(None))
    if get_origin(annotation) is Annotated:
        annotation, *inner = get_args(annotation)
        metadata += inner
    return annotation, metadata


def columns(model: type[SourceRecord]) -> tuple[Column, ...]:
    """The contract's columns for one export kind, in the order the model lists them."""
    result = []
    for name, field in model.model_fields.items():
        base, metadata = _type_and_metadata(field)
        kind = next(item for item in metadata if isinstance(item, ColumnKind))
        values = tuple(get_args(base)) if get_origin(base) is Literal else ()
        plausible = next((item for item in metadata if isinstance(item, Plausible)), None)
        result.append(Column(name, HEADERS[model][name], kind, field.is_required(), values,
                             IDENTIFIER in metadata, plausible))
    return tuple(result)


def kind_for_file(file_name: str) -> SourceKind | None:
    """The export kind a file name announces by its prefix, or None."""
    lowered = file_name.lower()
    # the longest prefix first, so that no prefix shadows a longer one
    for kind in sorted(KINDS, key=lambda k: -len(k.prefix)):
        if lowered.startswith(kind.prefix):
            return kind
    return None


def record_from_row(kind: SourceKind, row: dict[str, Any]) -> SourceRecord:
    """Validate one row given by export headers (any case) into its model."""
    by_header = {normalise_header(h): v for h, v in row.items()}
    values = {c.name: by_header.get(c.header_key) for c in columns(kind.model)}
    return kind.model.model_validate(values)
