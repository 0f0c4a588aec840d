"""The accelerator's integer constants as the C headers define them, for the regression scripts.

refmodel/include/attnkit/numerics.h and hw_params.h are the one source of every constant
(gen_sv_pkg.py turns the same `#define AK_NAME <integer>` lines into the RTL's package); the
scripts read them here rather than keep copies that could drift.
"""
import os
import re

_INCLUDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "refmodel",
                        "include", "attnkit")
_DEFINE = re.compile(r"^#define\s+(AK_[A-Z0-9_]+)\s+(\d+)\b")


def _read():
    values = {}
    for header in ("numerics.h", "hw_params.h"):
        with open(os.path.join(_INCLUDE, header), encoding="utf-8") as f:
            for line in f:
                m = _DEFINE.match(line)
                if m:
                    values[m.group(1)] = int(m.group(2))
    return values


_VALUES = _read()


def get(name):
    """The value of #define name (e.g. "AK_DEFAULT_ROWS"); KeyError names a missing one."""
    try:
        return _VALUES[name]
    except KeyError:
        raise KeyError(f"{name} is not an integer #define of numerics.h or hw_params.h") from None
