"""Customers' delivery addresses (the optional `sedi` export) and their usual dirt."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.demo.dirt import Dirt
from pipelines.demo.plan import Pools, take
from pipelines.demo.reference import PROVINCES, RATE_DUPLICATE, RATE_EMPTY_REQUIRED
from pipelines.demo.world import Customers

# Italian CAPs grow roughly from the north-west (Turin 10100) to the islands (Sicily 9xxxx),
# in the order PROVINCES lists them: a base per province keeps a town's codes together.
_CAP_LOW, _CAP_HIGH = 10_000, 98_100
RATE_BAD_POSTCODE = 0.01
RATE_UNKNOWN_PROVINCE = 0.01


def make_sites(rng: np.random.Generator, customers: Customers, pools: Pools) -> pd.DataFrame:
    """One to five delivery addresses per company, one per professional, in the customer's
    province; a few no longer offered (Attiva = No)."""
    count = len(customers.province)
    per_customer = np.where(customers.company, rng.integers(1, 6, count), 1)
    owner = np.repeat(np.arange(count), per_customer)
    first = np.concatenate([[0], np.cumsum(per_customer)[:-1]])
    sequence = np.arange(len(owner)) - first[owner] + 1
    province = customers.province[owner]
    codes = np.array([p[0] for p in PROVINCES], dtype=object)
    towns = np.array([p[1] for p in PROVINCES], dtype=object)
    base = np.linspace(_CAP_LOW, _CAP_HIGH, len(PROVINCES)).astype(np.int64) // 100 * 100
    postcode = base[province] + rng.integers(0, 100, len(owner))
    rows = len(owner)
    return pd.DataFrame(
        {
            "row_id": np.arange(rows, dtype=np.int64),
            "customer_code": take(customers.frame["customer_code"], owner),
            "site_code": "S" + pd.Series(sequence, dtype="str").str.zfill(3),
            "address": take(pools.streets, rng.integers(0, len(pools.streets), rows)),
            "postcode": pd.Series(postcode, dtype="str").str.zfill(5),
            "municipality": pd.Series(towns[province], dtype="str"),
            "province": pd.Series(codes[province], dtype="str"),
            "active": pd.array(rng.random(rows) >= 0.05, dtype="boolean"),
            "iso": False,
            "bool_variant": False,
        }
    )


def dirty_sites(rng: np.random.Generator, sites: pd.DataFrame) -> Dirt:
    """CAPs cut to four digits or typed with a letter O, empty streets and towns, provinces
    written out in full, rows written twice."""
    dirt = Dirt(rng, len(sites))
    rows = dirt.take(RATE_BAD_POSTCODE)
    postcode = sites["postcode"].to_numpy()[rows]
    dirt.replace("postcode", rows, [
        code[1:] if i % 2 else code[:4] + "O" for i, code in enumerate(postcode)
    ])
    rows = dirt.take(RATE_EMPTY_REQUIRED)
    dirt.replace("address", rows[::2], [""] * len(rows[::2]))
    dirt.replace("municipality", rows[1::2], [""] * len(rows[1::2]))
    rows = dirt.take(RATE_UNKNOWN_PROVINCE)
    dirt.replace("province", rows, sites["municipality"].to_numpy()[rows])
    dirt.duplicates = dirt.take(RATE_DUPLICATE)
    return dirt
