#!/usr/bin/env python3
"""Generates the SystemVerilog package ak_pkg from refmodel/include/attnkit/numerics.h.

It also carries the exp2 table (refmodel/tables/exp2_frac.hex, the versioned data the C model
compiles in) as one packed constant, entry k at bits [k*W +: W], W = ProbFrac + 1: a constant
works the same in Verilator, Icarus and Yosys, where a $readmemh path parameter does not
(Yosys 0.23 cannot override a string parameter before it reads the file).

The numeric constants of docs/numerics.md are defined once, in that C header; the RTL reads
them from this generated package (never hand-copied). Each `#define AK_NAME <integer>` becomes
`localparam int Name = <integer>;` with NAME turned into UpperCamelCase (AK_LOGIT_FRAC ->
LogitFrac), as the lowRISC style guide names parameters. (`int unsigned` would be the natural
type, but Icarus 11 rejects it in a package.)
"""
import argparse
import re
import sys

DEFINE = re.compile(r"^#define\s+AK_([A-Z0-9_]+)\s+(\d+)\s*(?:/\*\s*(.*?)\s*\*/)?\s*$")


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("header")
    ap.add_argument("--exp2-table", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    lines = []
    with open(args.header, encoding="utf-8") as f:
        for raw in f:
            m = DEFINE.match(raw.strip())
            if not m:
                continue
            name, value, comment = m.groups()
            text = f"  localparam int {camel(name)} = {value};"
            if comment:
                text += f"  // {comment}"
            lines.append(text)
    if not lines:
        print(f"gen_sv_pkg: no AK_ integer defines in {args.header}", file=sys.stderr)
        return 1
    with open(args.exp2_table, encoding="ascii") as f:
        entries = [line.split()[0] for line in f if line.strip()]
    width = "(ProbFrac + 1)"
    body = ",\n    ".join(f"{width}'('h{e})" for e in reversed(entries))
    lines.append(f"  // exp2 table, {len(entries)} entries: entry k at bits [k*{width} +: {width}]")
    lines.append(f"  localparam logic [ExpTableSize*{width}-1:0] Exp2Table = {{\n    {body}\n  }};")
    with open(args.out, "w", encoding="ascii") as f:
        f.write("// Generated from refmodel/include/attnkit/numerics.h"
                " by scripts/gen/gen_sv_pkg.py.\n")
        f.write("// Do not edit: change docs/numerics.md and numerics.h instead.\n")
        f.write("// verilator lint_off UNUSEDPARAM\n")  # not every module uses every constant
        f.write("package ak_pkg;\n")
        f.write("\n".join(lines) + "\n")
        f.write("endpackage\n")
        f.write("// verilator lint_on UNUSEDPARAM\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
