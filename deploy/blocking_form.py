"""Writes the device-blocking form the intake offers for download (pipelines/intake/forms/).

Run from the source tree when its wording changes (`python -m deploy.blocking_form`); the
PDF ships as package data, so the product does not need fpdf2.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

TARGET = Path(__file__).resolve().parent.parent / "pipelines/intake/forms/modulo_blocco.pdf"
# a fixed creation date: the same wording gives the same bytes
CREATED = datetime(2026, 1, 1, tzinfo=UTC)

TITLE = "Modulo di richiesta blocco dispositivo"
PARAGRAPHS = (
    "Protezione Kasko All Risk - furto o smarrimento",
    "Il/La sottoscritto/a chiede il blocco del dispositivo sotto indicato, sottratto o "
    "smarrito, e ne autorizza la sostituzione secondo le condizioni del servizio.",
)
FIELDS = (
    "Ragione sociale del cliente",
    "Numero richiesta (KP-...)",
    "IMEI del dispositivo",
    "Numero della linea (NMU)",
    "Data e luogo del furto o dello smarrimento",
    "Nome e cognome del richiedente",
    "Documento di identità (tipo e numero)",
)
CLOSING = (
    "Allegare al modulo firmato la copia del documento di identità e la copia della "
    "denuncia, e caricarli dal dettaglio della pratica in Kasko Ops."
)


def write(target: Path = TARGET) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(CREATED)
    pdf.set_title(TITLE)
    pdf.set_author("Kasko Ops")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, TITLE)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    for paragraph in PARAGRAPHS:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(3)
    for name in FIELDS:
        pdf.cell(0, 8, f"{name}:", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, "_" * 90, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(4)
    pdf.multi_cell(0, 6, CLOSING)
    pdf.ln(10)
    pdf.cell(90, 8, "Luogo e data: ____________________")
    pdf.cell(0, 8, "Firma: ____________________", new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return data


if __name__ == "__main__":
    print(f"wrote {TARGET} ({len(write())} bytes)")
