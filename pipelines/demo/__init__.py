"""The demo generator: a seeded, realistic set of source exports, dirt included.

Tooling, not the product: the load path never imports it. `generate` needs Faker (the
`demo` extra) and is imported on first use, so the demo accounts can be read without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipelines.demo.accounts import DEMO_ACCOUNTS, STAFF_DOMAIN

if TYPE_CHECKING:
    from pipelines.demo.generator import generate

__all__ = ["DEMO_ACCOUNTS", "STAFF_DOMAIN", "generate"]


def __getattr__(name: str) -> Any:
    if name == "generate":
        from pipelines.demo.generator import generate

        return generate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
