"""Survey tests start with an empty results cache (surveys/results/data.py keeps one per process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from surveys.results import data as result_data


@pytest.fixture(autouse=True)
def _fresh_results_cache() -> Iterator[None]:
    result_data.clear_cache()
    yield
    result_data.clear_cache()
