"""Delivery addresses added in the dashboard, and who sees them when (the 24-hour rule)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import Connection, insert, or_, select, update

from pipelines.appstate import tables
from pipelines.intake.rules import ADDRESS_DELAY

SITE_CODE_PREFIX = "KP"


class NewAddress(BaseModel):
    """An address as typed by the Rappresentante Legale; messages in Italian for the form."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    address: str
    postcode: str
    municipality: str
    province: str

    @field_validator("address", "municipality")
    @classmethod
    def _required(cls, value: str) -> str:
        if not value or "\n" in value or "\r" in value or len(value) > 100:
            raise ValueError("indicare un valore su una riga (al massimo 100 caratteri)")
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9]{5}", value):
            raise ValueError("il CAP è di cinque cifre")
        return value

    @field_validator("province")
    @classmethod
    def _province(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z]{2}", value):
            raise ValueError("la provincia è una sigla di due lettere")
        return value.upper()


@dataclass(frozen=True)
class AddedAddress:
    address_id: int
    site_code: str
    label: str
    available_to_others_at: datetime


def label(address: str, postcode: str | None, municipality: str, province: str | None) -> str:
    """How an address is written on a claim (Indirizzo consegna) and shown in lists."""
    place = " ".join(part for part in (postcode, municipality) if part)
    return f"{address}, {place}" + (f" ({province})" if province else "")


def add_address(con: Connection, customer_code: str, new: NewAddress, login: str,
                now: datetime) -> AddedAddress:
    """Store an address in the caller's write transaction, with its audit record."""
    addresses = tables.intake_addresses
    address_id = con.execute(
        insert(addresses).values(
            customer_code=customer_code, site_code="", address=new.address,
            postcode=new.postcode, municipality=new.municipality, province=new.province,
            added_by=login, added_at=now,
        ).returning(addresses.c.address_id)
    ).scalar_one()
    # KP and the id: unique, and unlike any code of the back office's own sedi export
    site_code = f"{SITE_CODE_PREFIX}{address_id:07d}"
    con.execute(update(addresses).where(addresses.c.address_id == address_id)
                .values(site_code=site_code))
    text = label(new.address, new.postcode, new.municipality, new.province)
    con.execute(insert(tables.intake_audit).values(
        at=now, login=login, action="address", request_number=None,
        customer_code=customer_code, detail=f"{site_code}: {text}",
    ))
    return AddedAddress(address_id, site_code, text, now + ADDRESS_DELAY)


def visible_addresses(con: Connection, customer_code: str, now: datetime,
                      sees_pending: bool) -> list[dict[str, object]]:
    """The dashboard-added addresses of a customer a person may choose: those added 24 hours
    ago or more, and (for the Rappresentante Legale, `sees_pending`) the newer ones too,
    each with the moment it becomes available to the others."""
    addresses = tables.intake_addresses
    visible = addresses.c.added_at <= now - ADDRESS_DELAY
    if sees_pending:
        visible = or_(visible, addresses.c.added_at > now - ADDRESS_DELAY)
    rows = con.execute(
        select(addresses).where(addresses.c.customer_code == customer_code, visible)
        .order_by(addresses.c.added_at)
    ).mappings()
    return [
        {**row, "label": label(row["address"], row["postcode"], row["municipality"],
                               row["province"]),
         "available_to_others_at": row["added_at"] + ADDRESS_DELAY}
        for row in rows
    ]
