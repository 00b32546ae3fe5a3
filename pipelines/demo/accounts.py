"""The demo accounts: one per portal profile, written to the users export."""

from __future__ import annotations

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
