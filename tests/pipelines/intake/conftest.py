"""The intake's store on both backends, and documents of each kind, made by libraries."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import pytest
from PIL import Image

from pipelines import appstate


@pytest.fixture
def warehouse(warehouse_on_each_backend: Path) -> Path:
    return warehouse_on_each_backend


@pytest.fixture
def store(warehouse: Path) -> appstate.Store:
    return appstate.store_for(warehouse)


def image_bytes(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


@functools.cache
def pdf_bytes() -> bytes:
    """One PDF for the whole run (Pillow stamps each PDF with the moment it is made)."""
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, format="PDF")
    return buffer.getvalue()
