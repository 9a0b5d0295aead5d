"""The lines TensorFlow writes to stderr while it loads, and how to leave them out.

Bottom layer; imports nothing heavy (the nbval plugin uses it without loading Keras).

TensorFlow 2.19+ writes a few C++ log lines while it is imported ("Could not find cuda
drivers", which CPU instructions it was built for), and `TF_CPP_MIN_LOG_LEVEL` no longer
hides them (tensorflow/tensorflow#100442). A notebook that runs Keras on TensorFlow shows
them in its first cell, and they differ from one CPU to another: `make execute` leaves them
out of the stored notebook, and the nbval comparison out of a new run's outputs.
"""

from __future__ import annotations

import re

#: A line TensorFlow's C++ side writes to stderr while it loads (absl's log format).
TENSORFLOW_STARTUP_LINE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\] .*"
    r"|To enable the following instructions: .*, in other operations, rebuild TensorFlow .*"
)


def strip_tensorflow_startup_log(text: str) -> str:
    """`text` (a cell's stderr) without the lines TensorFlow writes while it loads."""
    lines = text.splitlines(keepends=True)
    return "".join(
        line for line in lines if not TENSORFLOW_STARTUP_LINE.fullmatch(line.rstrip("\n"))
    )
