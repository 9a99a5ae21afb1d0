"""Heavy optional libraries imported on first use, so `salesbot serve` starts fast and small without them.

numpy and scipy (grading), openpyxl (reports, imports, exports) cost about half a second and 90 MB together, and
only a few commands and nightly jobs need them. A module that uses one names it through a proxy, with the real
module for type checkers:

    if TYPE_CHECKING:
        import numpy as np
    else:
        np = library("numpy")

The first attribute read imports the library (that one call pays the import); every attribute read once is kept
on the proxy, so later reads cost what a module attribute does.
"""

from __future__ import annotations

import importlib
from typing import Any


class Library:
    """A stand-in for a library module that imports it at the first attribute read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        # called only for names not yet kept on the proxy: import (once; then a sys.modules hit) and keep
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<library {self._name!r}, imported on first use>"


def library(name: str) -> Any:
    """Return a proxy of the library `name` (a dotted module path) that imports it on first use."""
    return Library(name)
