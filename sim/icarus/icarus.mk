# Icarus Verilog testbench of the whole accelerator: `make sim-icarus` (included by the Makefile).
