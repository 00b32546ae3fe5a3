"""Whether a device may be the subject of a new claim on a day (docs/intake.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str | None = None  # in Italian, for the form
    open_claim: str | None = None  # the open claim that blocks the device, to link to


def _day(value: Any) -> date | None:
    if value is None:
        return None
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def eligibility(device: dict[str, Any], request_day: date, open_claim: str | None
                ) -> Eligibility:
    """Protection `Attiva`, the day within activation..expiry, and no claim still open
    (from an export or from the form) for the device."""
    if open_claim is not None:
        return Eligibility(False, f"Per questo dispositivo è già aperta la pratica {open_claim}.",
                           open_claim)
    if device.get("protection_state") != "Attiva":
        return Eligibility(False, "La protezione del dispositivo non è attiva.")
    start, end = _day(device.get("protection_start")), _day(device.get("protection_end"))
    if start is None or end is None or not start <= request_day <= end:
        period = (f" (dal {start:%d/%m/%Y} al {end:%d/%m/%Y})" if start and end else "")
        return Eligibility(
            False, f"La data della richiesta è fuori dal periodo di protezione{period}.")
    return Eligibility(True)
