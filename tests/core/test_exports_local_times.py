"""LocalTimes: the fast Beijing-time text of a column of times must read exactly as local_time writes each one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.exports import LocalTimes, local_time


def test_a_column_of_times_reads_as_local_time_writes_each_one() -> None:
    start = datetime(2025, 12, 31, 15, 59, 58, 999_999, tzinfo=UTC)  # crosses midnight and the new year in Beijing
    times = [start + timedelta(seconds=7 * n, microseconds=n) for n in range(2000)]
    convert = LocalTimes()
    assert convert(times[:1000]) + convert(times[1000:]) == [local_time(t) for t in times]
    assert convert([start])[0] == "2025-12-31 23:59:58"


def test_summer_time_of_the_1980s_and_the_odd_offset_before_1901_are_still_right() -> None:
    # Beijing kept summer time (UTC+9) 1986–1991, and Shanghai's local mean time was UTC+8:05:43 until 1901.
    times = [datetime(1988, 4, 9, 17, 30, 5, tzinfo=UTC), datetime(1988, 7, 1, 12, 0, 0, tzinfo=UTC),
             datetime(1900, 6, 1, 3, 20, 30, tzinfo=UTC)]  # fmt: skip
    assert LocalTimes()(times) == [local_time(t) for t in times]


def test_naive_times_are_refused_as_by_local_time() -> None:
    convert = LocalTimes()
    convert([datetime(2025, 1, 1, tzinfo=UTC)])
    with pytest.raises(ValueError):
        convert([datetime(2025, 1, 1)])
