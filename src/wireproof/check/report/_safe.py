"""Text from the server under check is hostile: control characters are shown, never passed through."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["visible"]

# Control characters (ESC starts terminal escape sequences) and lone surrogates (invalid UTF-8).
_INVISIBLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with every control character written as a visible ``\\xNN`` escape."""
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
