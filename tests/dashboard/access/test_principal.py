"""The seven profiles: the names the data layer checks are the contract's Profilo values."""

from __future__ import annotations

from dashboard.access import principal


def test_every_named_profile_is_a_profile_of_the_contract() -> None:
    named = {
        principal.MANAGEMENT, principal.ACCOUNT_MANAGER, principal.LEGAL_REPRESENTATIVE,
        principal.ADMINISTRATOR, principal.MANDATARIO, principal.MASTER, principal.EMPLOYEE,
    }
    assert named == set(principal.PROFILES)
    assert principal.CARRIER_PROFILES | principal.CUSTOMER_PROFILES == named
    assert not principal.CARRIER_PROFILES & principal.CUSTOMER_PROFILES
