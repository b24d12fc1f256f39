"""Cleaning passes over the lxml tree (stub, being written)."""

from __future__ import annotations

import re

from lxml import etree

_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def is_hidden(element: etree._Element) -> bool:
    """True for elements a browser would not show: display:none, hidden."""
    style = element.get("style")
    return (style is not None and _DISPLAY_NONE.search(style) is not None) or (
        element.get("hidden") is not None
    )
