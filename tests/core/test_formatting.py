"""The one way shapes, counts and bytes are written (core.formatting)."""

import pytest

from cnnexplorer.core.formatting import compact_count, readable_bytes, readable_count, shape_text


def test_shape_text():
    assert shape_text((64, 64, 3)) == "64x64x3"
    assert shape_text([7, 7, 2048], spaced=True) == "7 x 7 x 2048"
    assert shape_text((1000,)) == "1000"


@pytest.mark.parametrize("n, table, box, tick", [
    (0, "0", "0", "0"), (999, "999", "999", "999"), (2500, "2.50 k", "2.5k", "2.5 k"),
    (164_000, "164.00 k", "164k", "164 k"), (12_443_648, "12.44 M", "12.4M", "12.4 M"),
    (3.2e9, "3.20 G", "3.2G", "3.2 G"), (-2500, "-2.50 k", "-2.5k", "-2.5 k"),
    # at a unit's edge the rounded number moves up a unit: never "1000.00 k" or "1e+03k"
    (999_996, "1.00 M", "1M", "1 M"), (999_950, "999.95 k", "1M", "1 M"),
    (999_994, "999.99 k", "1M", "1 M"), (-999_996, "-1.00 M", "-1M", "-1 M"),
    (1.5e12, "1.50 T", "1.5T", "1.5 T"),
])
def test_counts(n, table, box, tick):
    assert readable_count(n) == table
    assert compact_count(n) == box
    assert compact_count(n, spaced=True) == tick


def test_bytes_are_binary_units():
    assert readable_bytes(512) == "512 B"
    assert readable_bytes(1536) == "1.5 KiB"
    assert readable_bytes(3 * 2 ** 20) == "3.0 MiB"
    assert readable_bytes(2 ** 31) == "2.0 GiB"
    assert readable_bytes(2 ** 20 - 1) == "1.0 MiB"  # was "1024.0 KiB"
    assert readable_bytes(1023) == "1023 B"


@pytest.mark.parametrize("new, old, text", [
    (12_443_648, 120_422_400, "9.68x fewer multiplications"),
    # issue 17: bottleneck width 192 has MORE parameters; it once read "0.81x fewer"
    (190_688, 153_632, "1.24x more multiplications"),
    (5, 5, "the same number of multiplications"),
    (0, 5, "fewer multiplications"),
])
def test_times_text_words_a_ratio_both_ways(new, old, text):
    from cnnexplorer.core.formatting import times_text

    assert times_text(new, old, "multiplications") == text
