#!/usr/bin/env python3
"""Generates the SystemVerilog package ak_csr_pkg and a C header of the error codes from the
register map rtl/regs/attnkit_csr.rdl (compiled with systemrdl-compiler, PeakRDL's front end).

PeakRDL's c-header exporter gives the C side its offsets and fields but no enums, and its
regblock exporter writes SystemVerilog (interfaces, structs) outside the subset Icarus 11 and
Yosys 0.23 accept; so this small exporter writes what those leave out, from the same model:
  ak_csr_pkg.sv   localparams: <Reg>Offset, <Reg><Field>Lsb/Width/Reset, Err<Name> codes
  attnkit_err.h   enum ak_hw_err with the error codes and their descriptions
"""
import argparse
import sys

from systemrdl import RDLCompiler, RDLCompileError


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rdl")
    ap.add_argument("--numerics", type=int, required=True, help="numerics spec version")
    ap.add_argument("--sv", required=True, help="output SystemVerilog package")
    ap.add_argument("--c-err", required=True, help="output C header of the error codes")
    args = ap.parse_args()
    rdlc = RDLCompiler()
    try:
        rdlc.compile_file(args.rdl)
        top = rdlc.elaborate(parameters={"NUMERICS": args.numerics}).top
    except RDLCompileError:
        return 1
    sv = ["// Generated from rtl/regs/attnkit_csr.rdl by scripts/gen_csr_pkg.py. Do not edit.",
          "// verilator lint_off UNUSEDPARAM", "package ak_csr_pkg;"]
    enum = None
    for reg in top.registers():
        r = camel(reg.inst_name)
        sv.append(f"  localparam int {r}Offset = 'h{reg.address_offset:02x};")
        for f in reg.fields():
            n = r + camel(f.inst_name)
            reset = f.get_property("reset") or 0
            sv.append(f"  localparam int {n}Lsb = {f.lsb};")
            sv.append(f"  localparam int {n}Width = {f.width};")
            sv.append(f"  localparam logic [{f.width - 1}:0] {n}Reset = {f.width}'h{reset:x};")
            enum = f.get_property("encode") or enum
    c = ["/* Generated from rtl/regs/attnkit_csr.rdl by scripts/gen_csr_pkg.py. Do not edit. */",
         "#ifndef ATTNKIT_ERR_H", "#define ATTNKIT_ERR_H", "", "/* STATUS.error codes in ERR.code */",
         "typedef enum {"]
    for m in enum:
        sv.append(f"  localparam int Err{camel(m.name)} = {m.value};  // {m.rdl_desc}")
        c.append(f"    AK_HW_ERR_{m.name} = {m.value}, /* {m.rdl_desc} */")
    sv += ["endpackage", "// verilator lint_on UNUSEDPARAM"]
    c += ["} ak_hw_err;", "", "#endif"]
    with open(args.sv, "w", encoding="ascii") as out:
        out.write("\n".join(sv) + "\n")
    with open(args.c_err, "w", encoding="ascii") as out:
        out.write("\n".join(c) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
