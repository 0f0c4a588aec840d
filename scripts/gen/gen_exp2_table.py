#!/usr/bin/env python3
"""Writes the exp2 fraction table of docs/numerics.md section 7.

EXP2_TABLE[k] = round_half_up(2^20 * 2^(-k/64)), k = 0..64, one 6-digit hex entry per line
($readmemh-ready). The output is versioned data (refmodel/tables/exp2_frac.hex): run this only
when the spec changes, and commit the result. Exact rational arithmetic decides each rounding,
so the table does not depend on the platform's floating-point exp.
"""
import argparse
from fractions import Fraction

PROB_FRAC = 20
IDX_BITS = 6


def entry(k: int) -> int:
    # 2^(20 - k/64): pick the integer n with n - 1/2 <= x < n + 1/2 by comparing 64th powers
    # exactly: (n + 1/2)^64 > 2^(64*20 - k) decides whether x < n + 1/2.
    target = 2 ** (64 * PROB_FRAC - k)
    n = int(round(2 ** (PROB_FRAC - k / 64)))  # float guess, then corrected exactly
    while (Fraction(2 * n + 1, 2)) ** 64 <= target:
        n += 1
    while (Fraction(2 * n - 1, 2)) ** 64 > target:
        n -= 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="refmodel/tables/exp2_frac.hex")
    args = ap.parse_args()
    entries = [entry(k) for k in range(2 ** IDX_BITS + 1)]
    with open(args.out, "w", encoding="ascii") as f:
        for e in entries:
            f.write(f"{e:06x}\n")


if __name__ == "__main__":
    main()
