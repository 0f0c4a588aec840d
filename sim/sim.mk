# Verilator harness of the whole accelerator, the host driver and `attnkit sim` (included by the Makefile).
