"""``PLUM_LOG=info|debug``: the core's request lines on stderr, as the CLI shows them.

The lines always go to ``logging.getLogger("plumlogs")`` (``plumlogs.http``,
``plumlogs.follow``); this only gives that logger a level and, when it has no handler
of its own, one that writes to stderr. Core reads the value: the same words as the
CLI's, the same refusal of others.
"""

from __future__ import annotations

import logging
import os
import warnings

from . import _native
from ._errors import InvalidArgument

__all__ = ["configure_from_env"]


def configure_from_env() -> None:
    """Apply ``PLUM_LOG`` (called once, when ``plumlogs`` is imported)."""
    try:
        level = _native._plum_log_level(os.environ.get("PLUM_LOG"))
    except InvalidArgument as e:
        # An import must not fail on a logging setting: say so and go on without it.
        warnings.warn(str(e), RuntimeWarning, stacklevel=3)
        return
    if level is None:
        return
    logger = logging.getLogger("plumlogs")
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
