"""cxo — customer-experience ownership with evidence.

The stable API (see PRODUCT.md): ``cxo.read``, ``cxo.simulate``, ``cxo.assess``,
``cxo.stats`` and ``cxo.text``. Heavy modules load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cxo.errors import CxoError

__version__ = "0.1.0"
__all__ = ["CxoError", "assess", "diagnostics", "read", "simulate", "stats", "text"]

if TYPE_CHECKING:
    from cxo import diagnostics, stats, text
    from cxo.assess import assess
    from cxo.ingest.api import read
    from cxo.simulate import simulate

_LAZY = {
    "read": ("cxo.ingest.api", "read"),
    "simulate": ("cxo.simulate", "simulate"),
    "assess": ("cxo.assess", "assess"),
    "stats": ("cxo.stats", None),
    "text": ("cxo.text", None),
    "diagnostics": ("cxo.diagnostics", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'cxo' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
