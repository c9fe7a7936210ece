"""``AIAAS_LOG``: the SDK's logging to stderr, without configuring logging yourself.

``AIAAS_LOG=info`` shows retries, ``AIAAS_LOG=debug`` each call's final status,
attempts and request id too. Log lines name methods, paths and request ids,
never headers or bodies, so credentials cannot appear in them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["setup_logging"]

LOG_ENV = "AIAAS_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


def setup_logging(environ: Mapping[str, str] = os.environ) -> None:
    """Send the ``aiaas`` logger to stderr at the level ``AIAAS_LOG`` names, if any."""
    wanted = environ.get(LOG_ENV, "").strip().lower()
    if not wanted:
        return
    logger = logging.getLogger("aiaas")
    level = _LEVELS.get(wanted)
    if level is None:
        logger.warning("%s=%r is not a level; use info or debug", LOG_ENV, wanted)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(
        logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(level)
