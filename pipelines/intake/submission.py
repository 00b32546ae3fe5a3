"""Submitting a request: its number, its clock, one open request per device, its audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, model_validator
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from pipelines.appstate import tables
from pipelines.appstate.store import Store
from pipelines.intake.addresses import AddedAddress, NewAddress, add_address
from pipelines.intake.numbers import next_request_number
from pipelines.intake.rules import (
    AT_COMPANY,
    AT_POINT,
    DELIVERY_MODES,
    FAULT,
    FAULT_CAUSES,
    REQUEST_TYPES,
)

OPEN_INDEX = "uq_intake_requests_open_imei"


class RequestForm(BaseModel):
    """What the form gives, checked; the device's eligibility is checked by the caller."""

    model_config = ConfigDict(frozen=True)

    request_type: str
    imei: str
    customer_code: str
    nmu: str | None = None
    fault_causes: tuple[str, ...] = ()
    delivery_mode: str
    assistance_point_code: str | None = None
    address_id: int | None = None  # one of the addresses added in the dashboard
    delivery_address: str | None = None  # the address as written (an export's or an added one)
    new_address: NewAddress | None = None  # added now, by the Rappresentante Legale

    @model_validator(mode="after")
    def _consistent(self) -> RequestForm:
        if self.request_type not in REQUEST_TYPES:
            raise ValueError("tipo di richiesta sconosciuto")
        if self.request_type == FAULT:
            if not self.fault_causes:
                raise ValueError("indicare almeno una causale del guasto")
            if any(cause not in FAULT_CAUSES for cause in self.fault_causes):
                raise ValueError("causale del guasto sconosciuta")
        elif self.fault_causes:
            raise ValueError("le causali valgono solo per un guasto")
        if self.delivery_mode not in DELIVERY_MODES:
            raise ValueError("modalità di consegna sconosciuta")
        if self.delivery_mode == AT_POINT and not self.assistance_point_code:
            raise ValueError("scegliere un punto assistenza")
        if self.delivery_mode == AT_COMPANY and not (self.delivery_address or self.new_address):
            raise ValueError("scegliere un indirizzo di consegna")
        return self


class DeviceHasOpenRequest(Exception):
    """Another request for the device is open; `request_number` names it."""

    def __init__(self, request_number: str | None):
        super().__init__(request_number)
        self.request_number = request_number


@dataclass(frozen=True)
class Submitted:
    request_number: str
    opened_at: datetime
    documentation_complete: bool
    added_address: AddedAddress | None


def open_request_for(con: Connection, imei: str) -> str | None:
    """The number of the device's request not yet acknowledged by the back office, if any."""
    requests = tables.intake_requests
    return con.execute(
        select(requests.c.request_number)
        .where(requests.c.imei == imei, requests.c.acknowledged_at.is_(None))
    ).scalar_one_or_none()


def submit(store: Store, form: RequestForm, login: str, opening_profile: str,
           now: datetime) -> Submitted:
    """Store the request in one transaction: number, optional new address, audit.

    A fault's documentation is complete at submission (its clock starts now); a theft or
    loss waits for its three documents. The unique index on the open requests' IMEI makes
    the database refuse a second open request for a device, whichever server sends it.
    """
    try:
        with store.write() as con:
            added = None
            delivery_address = form.delivery_address
            address_id = form.address_id
            if form.new_address is not None:
                added = add_address(con, form.customer_code, form.new_address, login, now)
                delivery_address, address_id = added.label, added.address_id
            number = next_request_number(store, con, now.year)
            complete = form.request_type == FAULT
            con.execute(insert(tables.intake_requests).values(
                request_number=number,
                customer_code=form.customer_code,
                imei=form.imei,
                nmu=form.nmu,
                request_type=form.request_type,
                fault_causes="|".join(form.fault_causes) or None,
                opened_by=login,
                opening_profile=opening_profile,
                opened_at=now,
                updated_at=now,
                delivery_mode=form.delivery_mode,
                assistance_point_code=(
                    form.assistance_point_code if form.delivery_mode == AT_POINT else None),
                address_id=address_id if form.delivery_mode == AT_COMPANY else None,
                delivery_address=delivery_address if form.delivery_mode == AT_COMPANY else None,
                documentation_received_at=now if complete else None,
            ))
            con.execute(insert(tables.intake_audit).values(
                at=now, login=login, action="submission", request_number=number,
                customer_code=form.customer_code,
                detail=f"{form.request_type}, IMEI {form.imei}, {form.delivery_mode}",
            ))
            store.bump(con, tables.INTAKE)
    except IntegrityError as error:
        if OPEN_INDEX not in str(error.orig) and "intake_requests.imei" not in str(error.orig):
            raise
        with store.read() as con:
            raise DeviceHasOpenRequest(open_request_for(con, form.imei)) from error
    return Submitted(number, now, complete, added)
