#!/usr/bin/env python3
"""Cross-checks attnkit's .npy files with numpy itself (used by tests/test_npy.c).

  npy_interop.py write DIR   numpy writes reference arrays into DIR (C and Fortran order)
  npy_interop.py check DIR   numpy loads the arrays attnkit wrote into DIR and checks values

The expected values are the formulas below, shared with the C test by definition (documented
in tests/test_npy.c): x[i] = (i * 37 + 11) % 251 - 125 over the array's C-order index i.
"""
import sys

import numpy as np

SHAPES = {"a_i8": ((2, 3, 4), np.int8), "a_i32": ((5, 7), np.int32),
          "a_f32": ((3, 5), np.float32), "a_f16": ((4, 4), np.float16),
          "a_f64": ((6,), np.float64), "a_u16": ((2, 9), np.uint16)}


def values(shape, dtype):
    n = int(np.prod(shape))
    v = (np.arange(n, dtype=np.int64) * 37 + 11) % 251 - 125
    if np.dtype(dtype).kind == "u":
        v = v + 125
    return v.astype(dtype).reshape(shape)


def main() -> int:
    mode, folder = sys.argv[1], sys.argv[2]
    if mode == "write":
        for name, (shape, dt) in SHAPES.items():
            np.save(f"{folder}/np_{name}_c.npy", values(shape, dt))
            np.save(f"{folder}/np_{name}_f.npy", np.asfortranarray(values(shape, dt)))
        return 0
    bad = 0
    for name, (shape, dt) in SHAPES.items():
        got = np.load(f"{folder}/ak_{name}.npy")
        if (got.dtype != np.dtype(dt) or got.shape != shape
                or not np.array_equal(got, values(shape, dt))):
            print(f"mismatch in ak_{name}.npy: {got.dtype} {got.shape}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
