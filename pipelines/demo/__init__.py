"""The demo generator: a seeded, realistic set of source exports, dirt included.

Tooling, not the product: the load path never imports it (nor Faker).
"""

from pipelines.demo.accounts import DEMO_ACCOUNTS, STAFF_DOMAIN
from pipelines.demo.generator import generate

__all__ = ["DEMO_ACCOUNTS", "STAFF_DOMAIN", "generate"]
