"""Show a library function's own source in a notebook, highlighted, right before it is called.

Where a notebook lets the library run Keras code (building the CNN, saving a model), the
student still reads that code: `show_source(build_cnn)` displays the very lines that run,
so what is shown can never drift from what runs.

Bottom layer: imports nothing of the package.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from IPython.display import Code


def show_source(function: Callable[..., Any]) -> Code:
    """The source of `function` as a syntax-highlighted block (a notebook displays it)."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError) as exc:
        raise ValueError(f"no Python source available for {function!r}") from exc
    return Code(source, language="python")
