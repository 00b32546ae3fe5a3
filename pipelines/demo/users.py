"""The demo portal users: staff, customers' representatives and enabled employees."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.demo.world import Customers, Devices, Enablements, Staff


def make_users(
    staff: Staff, customers: Customers, devices: Devices, enablements: Enablements
) -> pd.DataFrame:
    frame = customers.frame
    parts = [
        staff.management.assign(profile="Management", customer_code=None, nmu=None),
        staff.managers.assign(profile="Account Manager", customer_code=None, nmu=None),
    ]
    for role, login, name in (
        ("Rappresentante Legale", "legale_login", "legale_name"),
        ("Amministratore", "admin_login", "admin_name"),
        ("Mandatario", "mandatario_login", "mandatario_name"),
        ("Master", "master_login", "master_name"),
    ):
        present = frame[login].notna()
        parts.append(
            pd.DataFrame(
                {
                    "login": frame.loc[present, login],
                    "full_name": frame.loc[present, name],
                    "profile": role,
                    "customer_code": frame.loc[present, "customer_code"],
                    "nmu": None,
                }
            )
        )
    employee = np.flatnonzero(enablements.employee_user)
    parts.append(
        pd.DataFrame(
            {
                "login": devices.email.take(employee).to_numpy(),
                "full_name": devices.assignee.take(employee).to_numpy(),
                "profile": "Dipendente",
                "customer_code": frame["customer_code"].to_numpy()[devices.customer[employee]],
                "nmu": pd.Series(devices.nmu[employee], dtype="str").to_numpy(),
            }
        )
    )
    users = pd.concat(parts, ignore_index=True)
    users = users.astype(
        {"login": "str", "full_name": "str", "profile": "str", "customer_code": "str", "nmu": "str"}
    )
    users.insert(0, "row_id", np.arange(len(users), dtype=np.int64))
    users["iso"] = False
    users["bool_variant"] = False
    return users
