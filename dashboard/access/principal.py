"""Who is signed in: the Principal, the seven profiles and what each may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from pipelines.contract import UserProfile

MANAGEMENT = "Management"
ACCOUNT_MANAGER = "Account Manager"
LEGAL_REPRESENTATIVE = "Rappresentante Legale"
ADMINISTRATOR = "Amministratore"
MANDATARIO = "Mandatario"
MASTER = "Master"
EMPLOYEE = "Dipendente"

# The users export's Profilo values, as the contract defines them.
PROFILES: tuple[str, ...] = get_args(UserProfile)
CARRIER_PROFILES = frozenset({MANAGEMENT, ACCOUNT_MANAGER})
CUSTOMER_PROFILES = frozenset({LEGAL_REPRESENTATIVE, ADMINISTRATOR, MANDATARIO, MASTER, EMPLOYEE})
# Who may enable or disable a customer's lines, and the customer segment they act for.
ENABLEMENT_PROFILE_SEGMENT = {LEGAL_REPRESENTATIVE: "Professionisti", MANDATARIO: "Aziende"}


@dataclass(frozen=True)
class Principal:
    """A signed-in person, as core.users describes them. Hashable: usable as a cache key."""

    login: str
    full_name: str | None
    profile: str
    customer_code: str | None = None
    nmu: str | None = None

    @property
    def scope_key(self) -> Principal:
        """This principal with only what decides what they may read: the profile, the
        customer and the line, and the login of an Account Manager (whose customers name
        them). Every data-layer answer is the same for two principals with one scope key,
        so answers are cached by it and shared: the mandatari of one customer, say."""
        login = self.login if self.is_account_manager else ""
        return Principal(login, None, self.profile, self.customer_code, self.nmu)

    @property
    def sees_all(self) -> bool:
        """Management: every customer."""
        return self.profile == MANAGEMENT

    @property
    def is_account_manager(self) -> bool:
        return self.profile == ACCOUNT_MANAGER

    @property
    def is_customer_side(self) -> bool:
        return self.profile in CUSTOMER_PROFILES

    @property
    def is_employee(self) -> bool:
        return self.profile == EMPLOYEE

    @property
    def may_change_enablement(self) -> bool:
        """Rappresentante Legale and Mandatario, for their own customer's lines only."""
        return self.profile in ENABLEMENT_PROFILE_SEGMENT

    @property
    def may_search_imei(self) -> bool:
        """Partial IMEI search within scope; a Dipendente may only name their own IMEI."""
        return self.profile != EMPLOYEE

    @property
    def may_see_sla_aggregates(self) -> bool:
        return self.profile != EMPLOYEE

    @property
    def may_see_lines(self) -> bool:
        """The line register (devices, assignees, enablement) of the customers in scope."""
        return self.profile != EMPLOYEE

    @property
    def may_see_portfolio(self) -> bool:
        return self.profile in CARRIER_PROFILES

    @property
    def may_see_data_quality(self) -> bool:
        return self.profile == MANAGEMENT
