"""Performance tooling: `make bench` (fleet-scale budgets) and `make loadtest`; not shipped."""
