#!/usr/bin/env python3
"""Generates, from one SystemRDL register map (compiled with systemrdl-compiler, PeakRDL's front
end), the SystemVerilog package the RTL uses and the C definitions PeakRDL leaves out.

PeakRDL's c-header exporter gives the CSR driver its offsets and fields but no enums, and its
regblock exporter writes SystemVerilog (interfaces, structs) outside the subset Icarus 11 and
Yosys 0.23 accept; so this small exporter writes what those leave out, from the same model:
  --sv     package <name>: <Reg>Offset, <Reg><Field>Lsb/Width/Reset (a register inside a
           regfile is named <Regfile><Reg>, its offset absolute), Err<Name> codes of an enum
  --c-err  enum ak_hw_err with the error codes of the map's enum and their descriptions
  --c-defs #define <PREFIX>_<REG>_OFFSET / _<FIELD>_LSB / _WIDTH for every register and field,
           <PREFIX>_<REGFILE>_OFFSET and _SIZE for every regfile
           (for memory-resident layouts such as the job descriptor, which no driver struct maps)
"""
import argparse
import sys

from systemrdl import RDLCompileError, RDLCompiler
from systemrdl.node import RegfileNode, RegNode


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


def reg_path(top, reg):
    """Names from below the top down to the register, e.g. ['QUANT', 'LOGIT_MULT']."""
    return reg.get_path_segments()[len(top.get_path_segments()):]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rdl")
    ap.add_argument("--numerics", type=int, help="numerics spec version (maps that take it)")
    ap.add_argument("--package", default="ak_csr_pkg", help="SystemVerilog package name")
    ap.add_argument("--sv", required=True, help="output SystemVerilog package")
    ap.add_argument("--c-err", help="output C header of the error codes")
    ap.add_argument("--c-defs", help="output C header of offsets and field positions")
    ap.add_argument("--c-prefix", default="AK_DESC", help="macro prefix for --c-defs")
    args = ap.parse_args()
    rdlc = RDLCompiler()
    try:
        rdlc.compile_file(args.rdl)
        params = {"NUMERICS": args.numerics} if args.numerics is not None else {}
        top = rdlc.elaborate(parameters=params).top
    except RDLCompileError:
        return 1
    src = f"Generated from {args.rdl} by scripts/gen/gen_csr_pkg.py. Do not edit."
    sv = [f"// {src}", "// verilator lint_off UNUSEDPARAM", f"package {args.package};"]
    guard = args.c_prefix + "_H"
    defs = [f"/* {src} */", f"#ifndef {guard}", f"#define {guard}", ""]
    enum = None
    for reg in top.descendants(unroll=True):
        if isinstance(reg, RegfileNode):  # its size: the stride of an array of such entries
            rf, crf = camel(reg.inst_name), f"{args.c_prefix}_{reg.inst_name.upper()}"
            sv.append(f"  localparam int {rf}Offset = 'h{reg.absolute_address:02x};")
            sv.append(f"  localparam int {rf}Size = 'h{reg.size:02x};")
            defs.append(f"#define {crf}_OFFSET 0x{reg.absolute_address:02x}u")
            defs.append(f"#define {crf}_SIZE 0x{reg.size:02x}u")
        if not isinstance(reg, RegNode):
            continue
        path = reg_path(top, reg)
        r = "".join(camel(p) for p in path)
        cr = args.c_prefix + "_" + "_".join(p.upper() for p in path)
        sv.append(f"  localparam int {r}Offset = 'h{reg.absolute_address:02x};")
        defs.append(f"#define {cr}_OFFSET 0x{reg.absolute_address:02x}u")
        for f in reg.fields():
            n = r + camel(f.inst_name)
            reset = f.get_property("reset") or 0
            sv.append(f"  localparam int {n}Lsb = {f.lsb};")
            sv.append(f"  localparam int {n}Width = {f.width};")
            sv.append(f"  localparam logic [{f.width - 1}:0] {n}Reset = {f.width}'h{reset:x};")
            cf = f"{cr}_{f.inst_name.upper()}"
            defs.append(f"#define {cf}_LSB {f.lsb}u")
            defs.append(f"#define {cf}_WIDTH {f.width}u")
            if reset:
                defs.append(f"#define {cf}_RESET 0x{reset:x}u")
            enum = f.get_property("encode") or enum
    c = [f"/* {src} */", "#ifndef ATTNKIT_ERR_H", "#define ATTNKIT_ERR_H", "",
         "/* STATUS.error codes in ERR.code */", "typedef enum {"]
    for m in enum or []:
        sv.append(f"  localparam int Err{camel(m.name)} = {m.value};  // {m.rdl_desc}")
        c.append(f"    AK_HW_ERR_{m.name} = {m.value}, /* {m.rdl_desc} */")
    sv += ["endpackage", "// verilator lint_on UNUSEDPARAM"]
    c += ["} ak_hw_err;", "", "#endif"]
    defs += ["", "#endif"]
    outputs = [(args.sv, sv), (args.c_err, c), (args.c_defs, defs)]
    for path, lines in outputs:
        if path:
            with open(path, "w", encoding="ascii") as out:
                out.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
