"""Kasko Ops pipelines: the data contract, readers, loader, generator, SLA engine and CLI."""
