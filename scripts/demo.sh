#!/bin/sh
# `make demo`: the main job on the embedded default workload, a DeiT-Small attention layer
# (197 tokens, 6 heads, d = 64): fixed-point accuracy against float64 for each logit
# distribution, a block-sparse variant with its mask, token pruning, the layer on the
# accelerator RTL (Verilator), checked byte for byte and against the cycle model, the whole
# DeiT-Small estimated from the cycle model, and last what real activations (a pretrained
# MiniLM, committed in vectors/real/) make of the int8 output and of a block mask.
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
echo
echo "== real activations (all-MiniLM-L6-v2, docs/realdata.md): the error budget of the int8"
echo "   output against float64 on the float tensors; the v1 output scale s_v/8, then v2's default"
"$cli" accuracy --npy-dir vectors/real/minilm-l6-n128 --output-scale fixed
"$cli" accuracy --npy-dir vectors/real/minilm-l6-n128
echo "   ... and with a block-sparse mask (dynamic top-k at density 0.5): the mask dominates"
"$cli" accuracy --npy-dir vectors/real/minilm-l6-n128 --workload vectors/workloads/minilm/topk.json
