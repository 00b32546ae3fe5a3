"""IMEIs, lines and VAT numbers drawn in bulk, with their check digits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipelines.contract import (
    luhn_check_digit,
    partita_iva_check_digit,
)
from pipelines.demo.reference import MOBILE_PREFIXES, MODELS


def _contribution_table(check_digit: Callable[[str], int], length: int) -> np.ndarray:
    """Each position's contribution (mod 10) to a check digit, probed from the reference rule.

    Both identifier rules (Luhn, Partita IVA) sum one term per position mod 10, so a body
    with a single non-zero digit reveals that digit's term exactly; the vectorised check
    digits below are then the reference rule, applied to millions of bodies at once.
    """
    table = np.zeros((length, 10), dtype=np.int64)
    for position in range(length):
        for digit in range(10):
            body = ["0"] * length
            body[position] = str(digit)
            table[position, digit] = (10 - check_digit("".join(body))) % 10
    return table


_LUHN = _contribution_table(luhn_check_digit, 14)
_PARTITA_IVA = _contribution_table(partita_iva_check_digit, 10)


def _check_digits(bodies: np.ndarray, table: np.ndarray) -> np.ndarray:
    total = np.zeros(len(bodies), dtype=np.int64)
    rest = bodies.astype(np.int64, copy=True)
    for position in range(table.shape[0] - 1, -1, -1):
        total += table[position, rest % 10]
        rest //= 10
    return (10 - total % 10) % 10


def imei_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Luhn check digits of 14-digit IMEI bodies."""
    return _check_digits(bodies, _LUHN)


def partita_iva_check_digits(bodies: np.ndarray) -> np.ndarray:
    """Check digits of 10-digit Partita IVA bodies."""
    return _check_digits(bodies, _PARTITA_IVA)


def _repeats(values: np.ndarray) -> np.ndarray:
    """Mask of the positions whose value already occurred at an earlier position."""
    ordered = np.sort(values)
    if not (ordered[1:] == ordered[:-1]).any():  # the usual case, without the costlier argsort
        return np.zeros(len(values), dtype=bool)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    repeated = np.zeros(len(values), dtype=bool)
    repeated[order[1:]] = ordered[1:] == ordered[:-1]
    return repeated


def members(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Mask of the values present in `ordered` (sorted): np.isin, minus its hashing cost."""
    found = np.zeros(len(values), dtype=bool)
    if not len(ordered) or not len(values):
        return found
    # sorted needles walk the haystack in order: far fewer cache misses than random ones
    order = np.argsort(values, kind="stable")
    needles = values[order]
    position = np.minimum(np.searchsorted(ordered, needles), len(ordered) - 1)
    found[order] = ordered[position] == needles
    return found


def redraw_until_unique(
    values: np.ndarray, redraw: Callable[[np.ndarray], np.ndarray], taken: np.ndarray | None
) -> np.ndarray:
    ordered = np.sort(taken) if taken is not None else None
    while True:
        clash = _repeats(values)
        if ordered is not None:
            clash |= members(values, ordered)
        if not clash.any():
            return values
        values[clash] = redraw(clash)


_TAC_TABLE = np.array([[m.tac_bases[0], m.tac_bases[-1]] for m in MODELS], dtype=np.int64)


def imei_bodies(
    rng: np.random.Generator, model: np.ndarray, taken: np.ndarray | None
) -> np.ndarray:
    """Distinct 14-digit IMEI bodies: a TAC of each row's model and a 6-digit serial."""
    count = len(model)
    tac = _TAC_TABLE[model, rng.integers(0, 2, count)] * 100 + rng.integers(0, 100, count)
    bodies = tac * 1_000_000 + rng.integers(0, 1_000_000, count)

    def redraw(mask: np.ndarray) -> np.ndarray:
        return bodies[mask] // 1_000_000 * 1_000_000 + rng.integers(0, 1_000_000, mask.sum())

    return redraw_until_unique(bodies, redraw, taken)


def imeis(bodies: np.ndarray) -> np.ndarray:
    return bodies * 10 + imei_check_digits(bodies)


def mobile_lines(rng: np.random.Generator, count: int, taken: np.ndarray | None) -> np.ndarray:
    """Distinct Italian mobile numbers (national digits) as integers."""
    prefixes = np.array(MOBILE_PREFIXES, dtype=np.int64)

    def draw(size: int) -> np.ndarray:
        return rng.choice(prefixes, size) * 10_000_000 + rng.integers(0, 10_000_000, size)

    lines = draw(count)
    return redraw_until_unique(lines, lambda mask: draw(int(mask.sum())), taken)
