"""BeautifulSoup, loaded without what postconv never asks of it.

At import, bs4 loads soupsieve (CSS selectors) and a charset detector (for
documents given as bytes): a third of a one-file run's start-up. postconv
hands markdownify a tree it built itself and selects nothing, so both are
hidden while bs4 loads, then put back as modules imported on first use: bs4
stays whole for any other code in the process.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any

_OPTIONAL = ("soupsieve", "cchardet", "chardet", "charset_normalizer")


class _OnFirstUse(ModuleType):
    """A module imported when one of its attributes is first asked for."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def import_bs4() -> None:
    if "bs4" in sys.modules:
        return
    hidden = [name for name in _OPTIONAL if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # an ImportError for bs4
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "soupsieve is not installed"
            import bs4.css
            import bs4.dammit
    finally:
        for name in hidden:
            del sys.modules[name]
    if bs4.css.soupsieve is None and _installed("soupsieve"):
        bs4.css.soupsieve = _OnFirstUse("soupsieve")
    if bs4.dammit.chardet_module is None:
        found = next((name for name in _OPTIONAL[1:] if _installed(name)), None)
        if found is not None:
            bs4.dammit.chardet_module = _OnFirstUse(found)


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
