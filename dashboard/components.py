"""Widgets the pages share: identity and sign-out, the as-of date, tables, charts, downloads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import session
from dashboard.access.connections import data_version, today
from dashboard.access.downloads import to_csv_bytes, to_xlsx_bytes
from dashboard.access.principal import Principal
from dashboard.forms import sign_out_form
from dashboard.i18n import SLA_STATE_BADGES, format_number
from pipelines.vocabulary import SLA_STATE_COLOURS

P = ParamSpec("P")
R = TypeVar("R")

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:mm"
SLA_COLORS = SLA_STATE_COLOURS


def identity_bar(principal: Principal) -> Any:
    """Who is signed in and the sign-out button, above every page; returns the slot where
    app.py draws the as-of date."""
    date_slot, who, sign_out = st.columns([1, 3, 0.6], vertical_alignment="bottom")
    customer = f" · cliente {principal.customer_code}" if principal.customer_code else ""
    who.markdown(f"**{principal.full_name or principal.login}** · {principal.profile}{customer}")
    with sign_out:
        # a form posting to /api/esci: only the server can clear the HttpOnly cookie
        st.html(sign_out_form())
    return date_slot


# Streamlit's own English chrome that configuration cannot translate: the tables'
# toolbar ("Download as CSV", "Search", "Fullscreen"; the pages' own Italian download
# buttons and filters do these jobs) and the "Page not found" box (app_pages lists every
# address, so it should never show; hidden in case).
_HIDDEN_CHROME = """
<style>
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stPageNotFound"] { display: none !important; }
/* the file uploader's English instructions: the page says limits and kinds in Italian */
[data-testid="stFileUploaderDropzoneInstructions"] { display: none !important; }
[data-testid="stFileUploaderDropzone"] button p { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button p::after { content: "Scegli il file";
  font-size: 0.875rem; }
/* narrower side margins: the claims list's ten main columns fit at 1280 pixels */
[data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
</style>
"""


def hide_english_chrome() -> None:
    st.html(_HIDDEN_CHROME)


@st.cache_data(ttl=600, show_spinner=False, max_entries=500)
def _cached(
    function_name: str, version: Any, principal: Principal, args: tuple, kwargs: tuple
) -> Any:
    from dashboard.access import data

    return getattr(data, function_name)(principal, *args, **dict(kwargs))


def scoped(function: Callable[..., R], principal: Principal, *args: Any, **kwargs: Any) -> R:
    """Call a data-layer function, cached per scope, arguments and data version.

    The data version changes when a load swaps in a new file or the app store commits a
    change, so nothing stale is served; the principal's scope key (the profile, customer,
    line and an Account Manager's login) is part of the key, so no one sees another's rows,
    and the users who share a scope share its answers, in every session of the process.
    """
    return _cached(
        function.__name__, data_version(session.warehouse()), principal.scope_key, args,
        tuple(sorted(kwargs.items())),
    )


def frame_digest(frame: pd.DataFrame) -> str:
    """What a figure drawn from `frame` depends on: its columns, their types, its index and
    its values, in order (a reordered frame draws another chart)."""
    digest = hashlib.sha256(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


@st.cache_resource(ttl=600, max_entries=500, show_spinner=False)
def _figure(name: str, digest: str, args: tuple, _build: Callable[..., go.Figure],
            _frame: pd.DataFrame) -> go.Figure:
    return _build(_frame, *args)


def cached_figure(build: Callable[..., go.Figure], frame: pd.DataFrame, *args: Any) -> go.Figure:
    """`build(frame, *args)`, built once per content of `frame` and arguments, then shared by
    every session of the process. A figure takes tens of milliseconds to build and a page
    draws up to four; hashing the small aggregate frames the charts draw takes well under one.

    Keyed by what the figure is drawn from, not by where the rows came from: a new load or
    another scope that gives other rows gives another key, and the users who see the same
    rows share one figure. A figure holds nothing but its frame and arguments, so sharing it
    shows no one rows they were not given.

    Shared, not copied: st.plotly_chart only reads a figure, and so must a page.
    """
    return _figure(f"{build.__module__}.{build.__qualname__}", frame_digest(frame), args,
                   build, frame)


AS_OF_KEY = "al"  # also the address's parameter: ?al=2025-11-30


def as_of_picker(slot: Any) -> date:
    """The date the figures are computed for: today in Europe/Rome unless chosen.

    Drawn once by app.py on every run, whichever page is open, so the date chosen on one
    page holds on every other for the whole session, and the address carries it.
    """
    return slot.date_input(
        "Situazione al", value=today(), format="DD/MM/YYYY", key=AS_OF_KEY,
        bind="query-params", help="Le cifre SLA di ogni pagina sono calcolate a questa data.",
    )


def as_of_date() -> date:
    """The session's as-of date (as_of_picker's)."""
    chosen = st.session_state.get(AS_OF_KEY)
    return chosen if isinstance(chosen, date) else today()


def sla_badges(states: pd.Series) -> pd.Series:
    return states.map(SLA_STATE_BADGES).fillna("")


def download_buttons(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """CSV and XLSX of exactly what the table shows, formula-safe."""
    _download_pair(to_csv_bytes(frame), to_xlsx_bytes(frame), file_stem, key, on_click="rerun")


def _download_pair(csv: bytes | Callable[[], bytes], xlsx: bytes | Callable[[], bytes],
                   file_stem: str, key: str, on_click: str = "ignore") -> None:
    """The CSV and Excel buttons side by side; the data as bytes, or made when clicked."""
    left, right = st.columns(2)
    left.download_button(
        "Scarica CSV", csv, file_name=f"{file_stem}.csv", mime="text/csv", icon="⬇️",
        key=f"{key}_csv", width="stretch", on_click=on_click, help=CSV_HELP,
    )
    right.download_button(
        "Scarica Excel", xlsx, file_name=f"{file_stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon="⬇️", key=f"{key}_xlsx", width="stretch", on_click=on_click,
    )


def metric(column: Any, label: str, value: float | int | None, decimals: int = 0,
           suffix: str = "", help: str | None = None) -> None:
    column.metric(label, format_number(value, decimals) + suffix if value is not None else "–",
                  help=help)


def style_figure(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """Italian number format, titles and axis labels on every chart."""
    figure.update_layout(
        title=title, separators=",.", xaxis_title=x_title, yaxis_title=y_title,
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, legend_title_text="",
        template="plotly_white",
    )
    return figure


def forget_scoped_results() -> None:
    """Drop every cached data-layer answer, for every session.

    The cache key follows the warehouse file, not the app database: after a write there
    (an enablement change, which also moves a Dipendente's scope) the answers are stale.
    The figures stay: each is keyed by the rows it draws, so none can be stale.
    """
    _cached.clear()


def _prepared_download_buttons(rows: Callable[[], pd.DataFrame], file_stem: str, key: str,
                               version: object) -> None:
    """A button that reads and writes both files with a progress bar, then the downloads."""
    ready_key = f"{key}_prepared"
    prepared = st.session_state.get(ready_key)
    if prepared is not None and prepared[0] != (file_stem, version):
        prepared = None  # prepared for other filters or another date
    if prepared is None:
        if not st.button("Prepara i file da scaricare", key=f"{key}_prepare", icon="⏳",
                         help="Molte righe: i file sono preparati su richiesta."):
            return
        progress = st.progress(0.0, text="Lettura delle pratiche…")
        frame = rows()
        count = f"{format_number(len(frame))} righe"
        progress.progress(0.35, text=f"Scrittura del CSV ({count})…")
        csv = to_csv_bytes(frame)
        progress.progress(0.6, text=f"Scrittura del file Excel ({count})…")
        xlsx = to_xlsx_bytes(frame)
        progress.progress(1.0, text=f"File pronti: {count}")
        prepared = ((file_stem, version), csv, xlsx)
        st.session_state[ready_key] = prepared
    _, csv, xlsx = prepared
    _download_pair(csv, xlsx, file_stem, key)


CSV_HELP = ("CSV per Excel in italiano: campi separati da «;», decimali con la virgola, "
            "date gg/mm/aaaa.")


def deferred_download_buttons(frame: pd.DataFrame | Callable[[], pd.DataFrame],
                              file_stem: str, key: str, *, large: bool = False,
                              version: object = None) -> None:
    """download_buttons, the files made only when clicked (an XLSX is slow to write).

    `frame` may be a function that reads the rows then: a download of every matching row
    costs nothing until someone asks for it. A `large` one is prepared first, with its
    progress shown, then offered; `version` (the filters, the date) tells when the
    prepared files no longer match what is asked for.
    """
    rows = frame if callable(frame) else (lambda: frame)
    if large:
        _prepared_download_buttons(rows, file_stem, key, version)
        return
    _download_pair(lambda: to_csv_bytes(rows()), lambda: to_xlsx_bytes(rows()), file_stem, key)
