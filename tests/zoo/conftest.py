from __future__ import annotations

import pytest

from aiaas_mock.zoo.maintenance_text.maintie import MaintieSet, load_maintie


@pytest.fixture(scope="session")
def maintie() -> MaintieSet:
    """The real MaintIE work orders that ship in ``zoo/real_data/``."""
    return load_maintie()
