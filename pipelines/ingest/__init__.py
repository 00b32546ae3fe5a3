"""Ingest: the back office's exports read, validated, staged and loaded into the warehouse.

Modules: readers (CSV and XLSX into line-numbered cells), staging (the SELECT that renames,
casts, normalises and gives every reason a row is quarantined, generated from the
contract), load (files to loaded, superseded or quarantined rows, through the warehouse's
write session). The contract itself (pipelines.contract) is shared with the warehouse
and the demo generator.
"""
