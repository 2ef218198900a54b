"""Survey tests start with an empty results cache (surveys/result_data.py keeps one per process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from surveys import result_data


@pytest.fixture(autouse=True)
def _fresh_results_cache() -> Iterator[None]:
    result_data.clear_cache()
    yield
    result_data.clear_cache()
