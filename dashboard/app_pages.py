"""The pages app.py lists: the profile's own, and every other address answered in Italian.

Streamlit answers an address no listed page has with its English "Page not found" box
and the default page. Every known page is therefore always listed, hidden when it is not
the profile's: signed out, each address runs the sign-in page (which then opens the page
asked for, with its filters); signed in, a page not for the profile says so in Italian.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.access.principal import Principal
from dashboard.i18n import PAGE_TITLES

# not "pages/": Streamlit would serve that folder by itself, without app.py
PAGES_DIR = Path(__file__).resolve().parent / "screens"
REQUESTED_PATH_KEY = "requested_path"  # the address a signed-out visitor asked for


@dataclass(frozen=True)
class PageSpec:
    name: str  # screens/<name>.py and the PAGE_TITLES key
    url_path: str
    icon: str
    allowed: Callable[[Principal], bool]


PAGES = (
    PageSpec("monitoring", "monitoraggio", "📋", lambda principal: True),
    PageSpec("sla", "sla", "⏱️", lambda principal: principal.may_see_sla_aggregates),
    PageSpec("enablement", "abilitazioni", "📱", lambda principal: principal.may_see_lines),
    PageSpec("portfolio", "portafoglio", "💼", lambda principal: principal.may_see_portfolio),
    PageSpec("data_quality", "qualita-dati", "🧪",
             lambda principal: principal.may_see_data_quality),
)


def _not_for_this_profile() -> None:
    st.title("Pagina non disponibile", anchor=False)
    st.info("Questa pagina non è prevista per il tuo profilo. Scegli una pagina dal menu.",
            icon="🔒")


def signed_out_pages() -> list[st.Page]:
    """The sign-in page at every known address (hidden navigation)."""
    sign_in = PAGES_DIR / "sign_in.py"
    return [st.Page(sign_in, title="Accedi", icon="🔑", url_path="accedi", default=True)] + [
        st.Page(sign_in, title="Accedi", icon="🔑", url_path=spec.url_path) for spec in PAGES
    ]


def signed_in_pages(principal: Principal) -> list[st.Page]:
    """The profile's pages, in menu order, then the other known addresses, hidden."""
    own, other = [], []
    for spec in PAGES:
        if spec.allowed(principal):
            own.append(st.Page(PAGES_DIR / f"{spec.name}.py", title=PAGE_TITLES[spec.name],
                               icon=spec.icon, url_path=spec.url_path,
                               default=spec.name == "monitoring"))
        else:
            other.append(st.Page(_not_for_this_profile, title=PAGE_TITLES[spec.name],
                                 url_path=spec.url_path, visibility="hidden"))
    # the sign-in address, once signed in (a bookmark, the back button): the first page
    other.append(st.Page(lambda: st.switch_page(own[0]), title="Accedi", url_path="accedi",
                         visibility="hidden"))
    return own + other
