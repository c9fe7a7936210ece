from __future__ import annotations

import pytest

from aiaas_mock.zoo.maintenance_text.maintie import MaintieSet, load_maintie, maintie_dir


@pytest.fixture(scope="session")
def maintie() -> MaintieSet:
    """The real MaintIE work orders, read from outside the repository; the test is
    skipped where no copy is at hand (evaluation data is never shipped)."""
    data = load_maintie()
    if data is None:
        pytest.skip(f"MaintIE gold_dev.json not found in {maintie_dir()} (set AIAAS_MAINTIE_DIR)")
    return data
