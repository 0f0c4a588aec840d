#!/bin/sh
# `make demo`: the main job on the embedded default workload, a DeiT-Small attention layer
# (197 tokens, 6 heads, d = 64): fixed-point accuracy against float64 for each logit
# distribution, a block-sparse variant with its mask, token pruning, the layer on the
# accelerator RTL (Verilator), checked byte for byte and against the cycle model, and last the
# whole DeiT-Small estimated from the cycle model.
set -e
cli=${1:-build/bin/attnkit}
echo "== attnkit demo: DeiT-Small attention layer (N=197, heads=6, d=64), fixed point vs float64"
for logits in gauss1 gauss3 peaky; do
    "$cli" accuracy --n 197 --heads 6 --d 64 --logits "$logits" --seed 1
done
echo
echo "== block-sparse: sinks + window at N=1024, B=64 (mask of head 0)"
"$cli" mask --n 1024 --block 64 --pattern sinks --density 0.25
"$cli" accuracy --n 1024 --heads 2 --d 64 --block 64 --pattern sinks --density 0.25 --logits peaky
echo
echo "== token pruning: DeiT-Small with the EViT schedule (keep 0.7 after layers 4, 7, 10)"
"$cli" workload --preset deit-small
"$cli" prune --n 197 --heads 6 --keep 0.7 --logits peaky
echo
echo "== the accelerator RTL (Verilator): a DeiT-Small layer, block-sparse (CLS sink + window),"
echo "   every output byte against the C model, cycles and throughput at 250 MHz"
out=$(dirname "$cli")/../demo/deit-small-sparse-layer
mkdir -p "$(dirname "$out")"
"$cli" vecgen --workload vectors/workloads/deit-small-sparse-layer.json --out "$out" --force
"$cli" sim --vectors "$out" --clock-mhz 250
echo
echo "== before tape-out: all 12 layers of DeiT-Small (EViT) on the same accelerator, from the"
echo "   cycle model that predicted the layer above (docs/performance-model.md)"
"$cli" estimate --preset deit-small --clock-mhz 250
