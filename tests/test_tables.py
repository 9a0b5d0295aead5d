"""Tests of `mnist_tutorial.tables`."""

from __future__ import annotations

import pytest

from mnist_tutorial.tables import format_table


def test_format_table() -> None:
    text = format_table(["rule", "loss"], [["a", 0.123456], ["bb", None]])
    assert text.splitlines() == ["rule    loss", "----  ------", "a     0.1235", "bb         -"]
    with pytest.raises(ValueError, match="one value per header"):
        format_table(["a"], [[1, 2]])
