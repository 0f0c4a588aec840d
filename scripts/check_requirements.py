#!/usr/bin/env python3
"""Exit 0 when every package named in a requirements file is installed, 1 otherwise.

Used by `make deps` so that pip runs only when something is missing (keeps deps idempotent and
offline-friendly). Only the distribution name of each line is checked, not its version range.
"""
import importlib.metadata
import re
import sys


def main(path: str) -> int:
    missing = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            name = re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]
            try:
                importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                missing.append(name)
    if missing:
        print("missing: " + " ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
