"""The intake's rules and words: request types, fault causes, documents, closed states."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

from pipelines.contract import RequestType

FAULT = "Guasto/Malfunzionamento"
THEFT_LOSS = "Furto/Smarrimento"
REQUEST_TYPES: tuple[str, ...] = get_args(RequestType)

FAULT_CAUSES: tuple[str, ...] = (
    "Display rotto",
    "Batteria",
    "Touch screen",
    "Connettore di ricarica",
    "Fotocamera",
    "Vetro posteriore",
    "Altoparlante",
    "Microfono",
    "Pulsanti",
    "Scheda madre",
    "Software",
    "Non si accende",
)

AT_POINT = "Punto assistenza"
AT_COMPANY = "Sede azienda"
DELIVERY_MODES = (AT_POINT, AT_COMPANY)

# The three documents of a theft or loss, by the claims export's column of each.
DOCUMENT_KINDS: dict[str, str] = {
    "id_document": "Documento identità",
    "police_report": "Denuncia",
    "blocking_form": "Modulo blocco",
}
# How a handed-over document's file is named: <request number>_<word>.<extension>
DOCUMENT_FILE_WORDS = {
    "id_document": "documento_identita",
    "police_report": "denuncia",
    "blocking_form": "modulo_blocco",
}

# A claim in one of these states is over: its device may get a new one (docs/intake.md).
CLOSED_STATES = ("Chiusa", "Consegnata", "Non accolta", "KO tecnico", "Annullata")
OPEN_STATUS = "Aperta"
WAITING_STATUS = "In attesa documentazione"
CHANNEL = "Area Clienti"
EMPLOYEE_OPENING_PROFILE = "Dipendente abilitato"

# An address added by the Rappresentante Legale reaches the customer's other users later.
ADDRESS_DELAY = timedelta(hours=24)
# A request not in a claims export after this many business days is flagged.
ACKNOWLEDGEMENT_BUSINESS_DAYS = 2

REQUEST_NUMBER_PREFIX = "KP-"
