"""Which lemma store a run uses: none unless one is named.

``--memo PATH|URL`` (``Config(memo=...)``) names one, else ``$EAGERSMT_MEMO``; ``off``
(``--no-memo``) is none whatever the environment says.  Without a name nothing is read or
written (no file under the home directory, no key created).
"""

from __future__ import annotations

import os
from typing import Any, Optional

OFF = "off"
MEMO_ENV = "EAGERSMT_MEMO"  # the store used when the configuration names none


def location(config: Any) -> Optional[str]:
    """The store ``config.memo`` names (else ``$EAGERSMT_MEMO``); None: no store."""
    loc = getattr(config, "memo", None)
    if loc is None:
        loc = os.environ.get(MEMO_ENV) or None
    return None if loc is None or loc == OFF else loc


__all__ = ["MEMO_ENV", "OFF", "location"]
