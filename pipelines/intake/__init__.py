"""Claims opened in the dashboard ("Richiedi assistenza"): eligibility, request numbers,
submission, documents, added addresses, the handover to the back office, acknowledgement."""

from __future__ import annotations

from pipelines.intake.acknowledgement import acknowledge, acknowledge_from_warehouse
from pipelines.intake.addresses import AddedAddress, NewAddress, add_address, visible_addresses
from pipelines.intake.documents import (
    MAX_DOCUMENT_BYTES,
    DocumentAlreadyReceived,
    DocumentRefused,
    check_document,
    store_document,
)
from pipelines.intake.eligibility import Eligibility, eligibility
from pipelines.intake.handover import Handover, export_handover
from pipelines.intake.numbers import REQUEST_NUMBER, next_request_number
from pipelines.intake.submission import (
    DeviceHasOpenRequest,
    RequestForm,
    Submitted,
    open_request_for,
    submit,
)

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "REQUEST_NUMBER",
    "AddedAddress",
    "DeviceHasOpenRequest",
    "DocumentAlreadyReceived",
    "DocumentRefused",
    "Eligibility",
    "Handover",
    "NewAddress",
    "RequestForm",
    "Submitted",
    "acknowledge",
    "acknowledge_from_warehouse",
    "add_address",
    "check_document",
    "eligibility",
    "export_handover",
    "next_request_number",
    "open_request_for",
    "store_document",
    "submit",
    "visible_addresses",
]
