/* `attnkit estimate`: the throughput of a workload on the accelerator before tape-out, from the
 * cycle model (attnkit/estimate.h): a table per layer and the totals, or with --sweep a CSV of
 * the design space (estimate_sweep.c). */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/attnkit.h"
#include "attnkit/estimate.h"
#include "cli.h"
#include "estimate_sweep.h"
#include "progress.h"

static const char *const CMD = "estimate";

/* The progress line of a long estimate (a terminal only): layers done. */
static void on_layer(void *ctx, uint32_t done, uint32_t n)
{
    (void)n;
    ak_progress_update(ctx, done);
}

static void help(void)
{
    printf("usage: attnkit estimate (--preset NAME | --workload FILE) [flags]\n\n"
           "Estimates a workload's attention on the accelerator with the cycle model\n"
           "(docs/performance-model.md), without data and without simulating the RTL: per\n"
           "layer the tokens, active blocks, cycles, MAC utilisation, bytes moved and time;\n"
           "then images/s (vision) or time to first token and decode tokens/s (decoder),\n"
           "and whether the workload is compute- or memory-bound on the configuration's\n"
           "roofline. With --sweep: a CSV of the design space instead (see below).\n\n"
           "flags:\n"
           "  --preset NAME        a built-in workload (attnkit workload --list-presets)\n"
           "  --workload FILE      a JSON workload file (docs/workloads.md)\n"
           "  --clock-mhz F        clock (default 250)\n"
           "  --rows R             PE array rows = query tile rows: 16, 32 or 64 (default 16)\n"
           "  --max-head-dim D     largest head dim the hardware takes: 32, 64, 128 (default 128)\n"
           "  --max-kv-blocks N    longest kv-block list (default 512)\n"
           "  --latency L          memory latency in cycles (default 20)\n"
           "  --mem-bw B           memory bandwidth in bytes a cycle per channel, 1..64 (default 64)\n"
           "  --json               print the estimate as JSON\n"
           "  --sweep              write a CSV (RFC 4180): one-at-a-time sweeps around the\n"
           "                       configuration over rows (16 32 64), block size (16 32 64 128),\n"
           "                       block density (1 .5 .25 .1 .05, a random mask; the density\n"
           "                       reached and whether it saturates are columns), keep rate\n"
           "                       (1 .9 .7 .5 and the workload's own, the layers that prune),\n"
           "                       memory bandwidth (64 32 16 8 4); a point that does not fit\n"
           "                       has fits=0, why, and no figures (docs/performance-model.md)\n"
           "  --out FILE           where --sweep writes (default: standard output)\n"
           "  --help               this text\n\n"
           "exit status: 0 ok, 1 run failed, 2 bad flag, hardware parameters or a workload\n"
           "that does not fit the hardware\n");
}

static int print_json(const ak_workload *w, const ak_estimate_config *cfg,
                      const ak_workload_estimate *e, double host_s)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "workload", w->name);
    cJSON_AddStringToObject(j, "kind", w->kind == AK_WORKLOAD_VISION ? "vision" : "decoder");
    cJSON *hw = cJSON_AddObjectToObject(j, "hardware");
    cJSON_AddNumberToObject(hw, "rows", cfg->hw.rows);
    cJSON_AddNumberToObject(hw, "pes", e->peak_macs_per_cycle);
    cJSON_AddNumberToObject(hw, "max_head_dim", cfg->hw.max_head_dim);
    cJSON_AddNumberToObject(hw, "max_kv_blocks", cfg->hw.max_kv_blocks);
    cJSON_AddNumberToObject(hw, "clock_mhz", cfg->clock_mhz);
    cJSON_AddNumberToObject(hw, "mem_latency", cfg->mem.latency);
    cJSON_AddNumberToObject(hw, "mem_bytes_per_cycle", cfg->mem.bytes_per_cycle);
    cJSON *layers = cJSON_AddArrayToObject(j, "layers");
    for (uint32_t l = 0; l < e->n_layers; l++) {
        const ak_layer_estimate *le = &e->layer[l];
        char name[64];
        ak_cli_mask_name(&w->layers[l], name, sizeof name);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "layer", l + 1);
        cJSON_AddNumberToObject(o, "tokens", le->tokens);
        cJSON_AddStringToObject(o, "mask", name);
        cJSON_AddNumberToObject(o, "density", le->density);
        cJSON_AddNumberToObject(o, "active_blocks", (double)le->active_blocks);
        cJSON_AddNumberToObject(o, "cycles", (double)le->rep.cycles);
        cJSON_AddNumberToObject(o, "stall_cycles", (double)le->rep.stall_cycles);
        cJSON_AddNumberToObject(o, "macs", (double)le->rep.macs);
        cJSON_AddNumberToObject(o, "read_bytes", (double)le->rep.read_bytes);
        cJSON_AddNumberToObject(o, "write_bytes", (double)le->rep.write_bytes);
        cJSON_AddNumberToObject(o, "mac_utilisation", le->utilisation);
        cJSON_AddNumberToObject(o, "seconds", le->seconds);
        /* the pruning unit's cycles (its check and its phase) and their share of the
           attention's, or where a layer's pruning goes when the unit cannot take it */
        cJSON_AddNumberToObject(o, "prune_cycles", (double)le->rep.prune_cycles);
        cJSON_AddNumberToObject(o, "prune_overhead",
                                le->rep.cycles > le->rep.prune_cycles
                                    ? (double)le->rep.prune_cycles /
                                          (double)(le->rep.cycles - le->rep.prune_cycles)
                                    : 0.0);
        cJSON_AddBoolToObject(o, "prune_on_host", le->prune_on_host);
        cJSON *hd = cJSON_AddArrayToObject(o, "head_done_cycles");
        for (uint32_t h = 0; h < w->heads && h < 64; h++)
            cJSON_AddItemToArray(hd, cJSON_CreateNumber((double)le->head_done[h]));
        cJSON_AddItemToArray(layers, o);
    }
    cJSON *t = cJSON_AddObjectToObject(j, "total");
    cJSON_AddNumberToObject(t, "cycles", (double)e->cycles);
    cJSON_AddNumberToObject(t, "macs", (double)e->macs);
    cJSON_AddNumberToObject(t, "bytes", (double)e->bytes);
    cJSON_AddNumberToObject(t, "seconds", e->seconds);
    cJSON_AddNumberToObject(t, "mac_utilisation", e->utilisation);
    if (w->kind == AK_WORKLOAD_VISION) {
        cJSON_AddNumberToObject(t, "images_per_s", e->images_per_s);
    } else {
        cJSON_AddNumberToObject(t, "time_to_first_token_s", e->ttft_s);
        cJSON_AddNumberToObject(t, "decode_kv_tokens", e->kv_tokens);
        cJSON_AddNumberToObject(t, "decode_cycles_per_token", (double)e->decode_cycles);
        cJSON_AddNumberToObject(t, "tokens_per_s", e->tokens_per_s);
    }
    cJSON *r = cJSON_AddObjectToObject(j, "roofline");
    cJSON_AddNumberToObject(r, "peak_macs_per_cycle", e->peak_macs_per_cycle);
    cJSON_AddNumberToObject(r, "bytes_per_cycle", e->bytes_per_cycle);
    cJSON_AddNumberToObject(r, "intensity_macs_per_byte", e->intensity);
    cJSON_AddNumberToObject(r, "bound_macs_per_cycle", e->bound_macs_per_cycle);
    cJSON_AddNumberToObject(r, "attained_macs_per_cycle",
                            e->cycles ? (double)e->macs / (double)e->cycles : 0);
    cJSON_AddStringToObject(r, "verdict", e->memory_bound ? "memory-bound" : "compute-bound");
    cJSON_AddNumberToObject(j, "host_seconds", host_s);
    return ak_cli_emit_json(j, 1);
}

static void print_table(const ak_workload *w, const ak_estimate_config *cfg,
                        const ak_workload_estimate *e, double host_s)
{
    printf("estimate %s (%s): %u layers x %u heads, d=%u, block %u; %u PEs (%u x 16 + 256), "
           "%g MHz, memory latency %u, %u B/cycle\n",
           w->name, w->kind == AK_WORKLOAD_VISION ? "vision" : "decoder", w->n_layers, w->heads,
           w->head_dim, w->block, (unsigned)e->peak_macs_per_cycle, cfg->hw.rows, cfg->clock_mhz,
           cfg->mem.latency, cfg->mem.bytes_per_cycle);
    printf("layer  tokens  mask           density  blocks     cycles   util      MB   time us  "
           "pruning\n");
    for (uint32_t l = 0; l < e->n_layers; l++) {
        const ak_layer_estimate *le = &e->layer[l];
        char name[64];
        ak_cli_mask_name(&w->layers[l], name, sizeof name);
        /* the pruning unit's cycles, and their share of the layer's attention cycles */
        char prune[48] = "-";
        if (le->prune_on_host)
            snprintf(prune, sizeof prune, "on the host (beyond the unit)");
        else if (le->rep.prune_cycles)
            snprintf(prune, sizeof prune, "%llu (+%.1f%%)",
                     (unsigned long long)le->rep.prune_cycles,
                     100.0 * (double)le->rep.prune_cycles /
                         (double)(le->rep.cycles - le->rep.prune_cycles));
        printf("%5u  %6u  %-13s  %7.4f  %6llu  %9llu  %5.1f%%  %6.2f  %8.2f  %s\n", l + 1,
               le->tokens, name, le->density, (unsigned long long)le->active_blocks,
               (unsigned long long)le->rep.cycles, 100 * le->utilisation,
               (double)(le->rep.read_bytes + le->rep.write_bytes) / 1e6, le->seconds * 1e6,
               prune);
    }
    printf("total: %llu cycles, %.1f%% MAC utilisation, %.2f MB, %.2f us",
           (unsigned long long)e->cycles, 100 * e->utilisation, (double)e->bytes / 1e6,
           e->seconds * 1e6);
    if (w->kind == AK_WORKLOAD_VISION)
        printf(": %.0f images/s (attention only)\n", e->images_per_s);
    else
        printf(": time to first token %.3f ms; decode (1 query vs %u kept keys, every layer) "
               "%llu cycles a token, %.0f tokens/s\n",
               e->ttft_s * 1e3, e->kv_tokens, (unsigned long long)e->decode_cycles,
               e->tokens_per_s);
    printf("roofline: peak %.0f MACs/cycle, %.0f B/cycle, intensity %.1f MACs/byte -> bound "
           "%.0f MACs/cycle, attained %.0f: %s\n",
           e->peak_macs_per_cycle, e->bytes_per_cycle, e->intensity, e->bound_macs_per_cycle,
           e->cycles ? (double)e->macs / (double)e->cycles : 0,
           e->memory_bound ? "memory-bound" : "compute-bound");
    printf("(estimated in %.1f ms)\n", host_s * 1e3);
}

int ak_cmd_estimate(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"preset", required_argument, NULL, 'p'},      {"workload", required_argument, NULL, 'w'},
        {"clock-mhz", required_argument, NULL, 'c'},   {"rows", required_argument, NULL, 'r'},
        {"max-head-dim", required_argument, NULL, 'D'}, {"max-kv-blocks", required_argument, NULL, 'K'},
        {"latency", required_argument, NULL, 'L'},     {"mem-bw", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},              {"sweep", no_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *preset = NULL, *file = NULL, *out = NULL;
    int json = 0, sweep = 0, c, rc = 0;
    ak_estimate_config cfg = {.clock_mhz = 250};
    ak_hw_config_default(&cfg.hw);
    ak_mem_timing_default(&cfg.mem);
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': preset = optarg; break;
        case 'w': file = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = 1; break;
        case 's': sweep = 1; break;
        case 'c': rc = ak_cli_double(CMD, "--clock-mhz", optarg, 0, 1e5, &cfg.clock_mhz); break;
        case 'r': rc = ak_cli_u32(CMD, "--rows", optarg, 1, 4096, &cfg.hw.rows); break;
        case 'D': rc = ak_cli_u32(CMD, "--max-head-dim", optarg, 1, 4096, &cfg.hw.max_head_dim); break;
        case 'K': rc = ak_cli_u32(CMD, "--max-kv-blocks", optarg, 1, 1u << 20, &cfg.hw.max_kv_blocks); break;
        case 'L': rc = ak_cli_u32(CMD, "--latency", optarg, 1, 100000, &cfg.mem.latency); break;
        case 'b': rc = ak_cli_u32(CMD, "--mem-bw", optarg, 0, 4096, &cfg.mem.bytes_per_cycle); break;
        case 'h': help(); return AK_EXIT_OK;
        default: return ak_cli_getopt_error(CMD, c, argv);
        }
    }
    if (rc)
        return rc;
    if (optind < argc)
        return ak_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (out && !sweep)
        return ak_cli_usage_error(CMD, "--out: only with --sweep");
    if (sweep && json)
        return ak_cli_usage_error(CMD, "--sweep writes CSV; --json is for a single estimate");
    const char *why = NULL;
    if (ak_hw_config_check(&cfg.hw, &why) != AK_OK || ak_mem_timing_check(&cfg.mem, &why) != AK_OK)
        return ak_cli_usage_error(CMD, "inconsistent hardware: %s", why);
    ak_workload *w = malloc(sizeof *w);
    ak_workload_estimate *e = malloc(sizeof *e);
    if (!w || !e) {
        free(w);
        free(e);
        fprintf(stderr, "attnkit estimate: out of memory\n");
        return AK_EXIT_FAIL;
    }
    rc = ak_cli_load_workload(CMD, preset, file, "--workload", w);
    if (rc == 0 && sweep) {
        rc = ak_estimate_sweep(CMD, w, &cfg, out);
    } else if (rc == 0) {
        char err[512];
        const double t0 = ak_cli_seconds();
        ak_progress *bar = ak_progress_start("estimate", w->n_layers);
        const ak_estimate_opts opts = {.progress = on_layer, .progress_ctx = bar};
        const ak_status st = ak_estimate_workload_opts(w, &cfg, &opts, e, err, sizeof err);
        ak_progress_end(bar);
        const double host_s = ak_cli_seconds() - t0;
        if (st == AK_EINVAL) {
            fprintf(stderr, "attnkit estimate: %s\n", err);
            rc = AK_EXIT_USAGE;
        } else if (st != AK_OK) {
            fprintf(stderr, "attnkit estimate: %s\n", ak_strerror(st));
            rc = AK_EXIT_FAIL;
        } else if (json) {
            rc = print_json(w, &cfg, e, host_s);
        } else {
            print_table(w, &cfg, e, host_s);
        }
    }
    free(w);
    free(e);
    return rc;
}
