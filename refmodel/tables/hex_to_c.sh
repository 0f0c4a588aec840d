#!/bin/sh
# Turns the versioned exp2 table ($readmemh format, one hex entry per line) into the C array
# ak_exp2_table, so the library carries the table without reading files at run time.
set -e
echo "/* Generated from $1 by refmodel/tables/hex_to_c.sh. Do not edit. */"
echo '#include "attnkit/exp2.h"'
echo 'const uint32_t ak_exp2_table[AK_EXP_TABLE_SIZE] = {'
grep -v '^[[:space:]]*$' "$1" | sed 's/^\([0-9a-fA-F]*\).*/    0x\1u,/'
echo '};'
