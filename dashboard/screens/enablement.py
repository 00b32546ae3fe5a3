"""Abilitazioni: a customer's lines and who may open claims on them, with every change recorded."""

from __future__ import annotations

import streamlit as st

from dashboard import session
from dashboard.access import data
from dashboard.components import forget_scoped_results, scoped
from dashboard.i18n import PAGE_TITLES, count_label
from dashboard.tables import (
    audit_columns,
    audit_table,
    fitted_height,
    lines_columns,
    lines_table,
)

PENDING = "enablement_pending"  # (customer, lines, enable) waiting for confirmation
DONE = "enablement_done"  # the message to show once the page has been drawn again
CHANGES = "enablement_changes_made"  # a new table after each change: nothing stays selected
LISTED_IN_DIALOG = 12
STATE_FILTER = {"tutte": "Tutte", "abilitate": "Abilitate", "non_abilitate": "Non abilitate"}
STATE_VALUES = {"tutte": None, "abilitate": True, "non_abilitate": False}

principal = session.current_principal()
if principal is None:
    st.stop()


def _forget_pending() -> None:
    st.session_state.pop(PENDING, None)


@st.dialog("Conferma modifica", on_dismiss=_forget_pending)
def _confirm(customer: str, lines: list[str], enable: bool, users: dict[str, str]) -> None:
    verb = "abilitare" if enable else "disabilitare"
    st.markdown(f"Vuoi **{verb}** {count_label(len(lines), 'linea', 'linee')}?")
    # who uses each line: the number alone says little to the person confirming
    st.markdown("\n".join(f"- {nmu} — {users.get(nmu) or 'nessun assegnatario'}"
                          for nmu in lines[:LISTED_IN_DIALOG]))
    more = len(lines) - LISTED_IN_DIALOG
    if more > 0:
        st.caption(f"e altre {more}")
    st.caption("La modifica viene registrata con il tuo nome, la data e lo stato precedente.")
    confirm, cancel = st.columns(2)
    if cancel.button("Annulla", key="enablement_cancel", width="stretch"):
        _forget_pending()
        st.rerun()
    if confirm.button("Conferma", type="primary", key="enablement_confirm", width="stretch"):
        try:
            changed = data.set_enablement(principal, customer, lines, enable)
        except PermissionError as refused:
            st.session_state[DONE] = ("error", str(refused))
        else:
            forget_scoped_results()
            st.session_state[CHANGES] = st.session_state.get(CHANGES, 0) + 1
            done = ("linea abilitata", "linee abilitate") if enable else (
                "linea disabilitata", "linee disabilitate")
            st.session_state[DONE] = ("ok", count_label(changed, *done) if changed
                                      else "Nessuna modifica: le linee erano già in quello stato.")
        _forget_pending()
        st.rerun()


st.title(PAGE_TITLES["enablement"], anchor=False)
if DONE in st.session_state:
    outcome, message = st.session_state.pop(DONE)
    if outcome == "ok":
        st.toast(message, icon="✅")
    else:
        st.error(message)

customers = scoped(data.customers_in_scope, principal)
if customers.empty:
    st.info("Nessun cliente visibile.")
    st.stop()
names = dict(zip(customers["customer_code"], customers["company_name"], strict=True))
left, right, state_column = st.columns([1.2, 1.2, 1], vertical_alignment="bottom")
if len(names) > 1:
    customer = left.selectbox(
        "Cliente", list(names), format_func=lambda code: f"{names[code]} ({code})",
        key="cliente_linee", bind="query-params",
    ) or next(iter(names))
else:
    customer = next(iter(names))
    left.markdown(f"**{names[customer]}** ({customer})")
search = right.text_input("Cerca linea", key="cerca", bind="query-params",
                          placeholder="Linea, IMEI, assegnatario, marca o modello")
state = state_column.segmented_control(
    "Abilitazione", list(STATE_FILTER), format_func=STATE_FILTER.get, default="tutte",
    required=True, key="stato_linee", bind="query-params", width="stretch",
)

lines = scoped(data.list_lines, principal, customer, search, enabled=STATE_VALUES[state])
enabled = int(lines["enabled"].sum())
st.caption(f"{count_label(len(lines), 'linea', 'linee')} · "
           f"{count_label(enabled, 'abilitata', 'abilitate')} ad aprire pratiche"
           + (" (filtri attivi)" if search or state != "tutte" else ""))
if lines.empty:
    st.info("Nessuna linea corrisponde ai filtri." if search or state != "tutte"
            else "Nessuna linea.", icon="🔍")
elif principal.may_change_enablement:
    event = st.dataframe(
        lines_table(lines), hide_index=True, width="stretch", placeholder="–",
        height=fitted_height(len(lines)), column_config=lines_columns(),
        on_select="rerun", selection_mode="multi-row",
        key=f"lines_{customer}_{search}_{state}_{st.session_state.get(CHANGES, 0)}",
    )
    chosen = lines["nmu"].iloc[list(event.selection.rows)].dropna().tolist()
    st.caption(f"Selezionate: {count_label(len(chosen), 'linea', 'linee')}" if chosen
               else "Seleziona le linee da abilitare o disabilitare.")
    enable_column, disable_column, _ = st.columns([1, 1, 3])
    if enable_column.button("Abilita", icon="✅", disabled=not chosen, key="enable",
                            width="stretch"):
        st.session_state[PENDING] = (customer, chosen, True)
    if disable_column.button("Disabilita", icon="🚫", disabled=not chosen, key="disable",
                             width="stretch"):
        st.session_state[PENDING] = (customer, chosen, False)
    if PENDING in st.session_state:
        users = dict(zip(lines["nmu"], lines["assignee"].fillna(""), strict=True))
        _confirm(*st.session_state[PENDING], users)
else:
    st.dataframe(lines_table(lines), hide_index=True, width="stretch", placeholder="–",
                 height=fitted_height(len(lines)), column_config=lines_columns())
    st.info("Sola lettura: abilita o disabilita le linee il Rappresentante Legale "
            "(Professionisti) o il Mandatario (Aziende) del cliente.", icon="🔒")

st.subheader("Registro modifiche", anchor=False)
trail = scoped(data.audit_trail, principal, customer)
if trail.empty:
    st.caption("Nessuna modifica registrata.")
else:
    st.caption(f"{count_label(len(trail), 'modifica', 'modifiche')}, dalla più recente. "
               "Il registro non è modificabile.")
    st.dataframe(audit_table(trail), hide_index=True, width="stretch", placeholder="–",
                 height=fitted_height(len(trail), most=8), column_config=audit_columns())
