/* `attnkit sim`: the front end of run-and-compare (host/ak_run.h): runs the layers of a
 * test-vector directory (vectors/README.md) on the accelerator through the host driver over
 * one of its backends (the Verilated RTL, the same RTL inside SystemC, or the TLM-2.0 model of
 * docs/systemc.md), and prints what ak_run reports of each layer (output bytes against o.npy;
 * cycles, stalls, MACs, MAC utilisation and throughput next to the cycle model's prediction)
 * as text or as the JSON document of docs/sim-json.md; its exit status says whether all
 * passed. */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ak_run.h"
#include "cli.h"

static const char *const CMD = "sim";
/* The version of the --json document's layout (docs/sim-json.md): raised when a field is
 * removed, renamed or changes meaning, not when one is added. */
#define SIM_JSON_FORMAT 1

static void help(void)
{
    printf("usage: attnkit sim --vectors DIR [flags]\n\n"
           "Runs each layer of a vector directory (attnkit vecgen) on the accelerator through\n"
           "the host driver, on a backend: the Verilated RTL (rtl/ak_top.sv, default), the same\n"
           "RTL inside a SystemC platform, or the loosely-timed TLM-2.0 model (docs/systemc.md);\n"
           "compares every output byte with o.npy and, when the accelerator has the pruning\n"
           "unit (CAPS.prune), the scores, kept tokens and fused weights of a pruning or\n"
           "eviction layer with the vectors', and reports cycles, memory stall cycles,\n"
           "MACs, MAC utilisation (MACs / (PEs x cycles)) and the throughput at the clock, next\n"
           "to the cycle model's prediction: it must equal the RTL's cycles (and stall cycles\n"
           "and MACs) with the deterministic memory; with --mem-jitter it is the mean of 8\n"
           "draws of the memory's delays and backpressure, expected within 3%% (or, for a job\n"
           "so short that one run varies more, three standard deviations of the draws):\n"
           "outside, a warning.\n\n"
           "flags:\n"
           "  --vectors DIR     the vector directory (manifest.json, layerNN/)\n"
           "  --backend NAME    verilator (the Verilated RTL, default), sc-rtl (the same RTL in\n"
           "                    SystemC: CSRs over TLM-2.0, the same cycles) or tlm (the TLM-2.0\n"
           "                    model: its simulated time must equal cycles x the clock period)\n"
           "  --threads N       tlm: host threads for a job, 0..256 (0 = one per CPU; default 1);\n"
           "                    with 2 or more the cycle model runs beside the reference\n"
           "                    model's N-1\n"
           "  --layer N         only layer N (as numbered in the manifest, from 1)\n"
           "  --latency L       memory latency in cycles, 1..100000 (default 20)\n"
           "  --mem-jitter S    seeded random memory delays and backpressure (0 = off)\n"
           "  --mem-bw B        memory bandwidth in bytes a cycle per channel, 1..64 (default 64)\n"
           "  --wave FILE       write an FST waveform (slow; verilator only)\n"
           "  --clock-mhz F     clock for the throughput figures (default 250)\n"
           "  --json            print the results as JSON\n"
           "  --help            this text\n\n"
           "exit status: 0 every layer matches, 1 a mismatch (output bytes, checked pruning\n"
           "outputs, or with the deterministic memory cycles against the prediction), hardware\n"
           "error, hang or run failure, 2 bad flag\n");
}

typedef struct {
    ak_run_opts run;
    int json;
} cli_opts;

static int known_backend(const char *name)
{
    for (size_t i = 0; ak_run_backend_name(i); i++)
        if (!strcmp(ak_run_backend_name(i), name))
            return 1;
    return 0;
}

/* where the TLM model's host time went, and how it reached memory */
static void tlm_report(const ak_tlm_stats *st, cJSON *doc)
{
    cJSON *t = cJSON_AddObjectToObject(doc, "tlm");
    cJSON_AddNumberToObject(t, "host_read_seconds", st->host_read_s);
    cJSON_AddNumberToObject(t, "host_reference_model_seconds", st->host_reference_s);
    cJSON_AddNumberToObject(t, "host_cycle_model_seconds", st->host_cycle_model_s);
    cJSON_AddNumberToObject(t, "dmi_accesses", (double)st->dmi_accesses);
    cJSON_AddNumberToObject(t, "transactions", (double)st->transactions);
}

/* What a layer's callback needs: the flags, and the JSON array (NULL: text). */
typedef struct {
    const cli_opts *o;
    cJSON *arr;
} printer;

static const char *prune_mode_name(ak_prune_mode m)
{
    return m == AK_PRUNE_EVIT ? "evit" : m == AK_PRUNE_EVICT ? "evict" : "none";
}

static void layer_json(const ak_run_opts *o, const ak_run_layer *L, cJSON *arr, int sat_high)
{
    const ak_drv_result *r = &L->drv;
    cJSON *l = cJSON_CreateObject();
    cJSON_AddNumberToObject(l, "layer", L->layer);
    cJSON_AddStringToObject(l, "result", ak_run_verdict_name(L->verdict));
    cJSON_AddNumberToObject(l, "heads", L->heads);
    cJSON_AddNumberToObject(l, "nq", L->nq);
    cJSON_AddNumberToObject(l, "nk", L->nk);
    cJSON_AddNumberToObject(l, "head_dim", L->d);
    cJSON_AddNumberToObject(l, "block", L->block);
    cJSON_AddNumberToObject(l, "bytes", (double)L->bytes);
    cJSON_AddNumberToObject(l, "mismatches", (double)L->mismatches);
    if (L->mismatches) {
        cJSON *f = cJSON_AddObjectToObject(l, "first_mismatch");
        cJSON_AddNumberToObject(f, "head", L->first_mismatch.head);
        cJSON_AddNumberToObject(f, "row", L->first_mismatch.row);
        cJSON_AddNumberToObject(f, "column", L->first_mismatch.column);
        cJSON_AddNumberToObject(f, "expected", L->first_mismatch.expected);
        cJSON_AddNumberToObject(f, "actual", L->first_mismatch.actual);
    }
    if (L->prune_mode != AK_PRUNE_NONE) {
        cJSON *pj = cJSON_AddObjectToObject(l, "prune");
        cJSON_AddStringToObject(pj, "mode", prune_mode_name(L->prune_mode));
        cJSON_AddBoolToObject(pj, "checked", L->prune_checked);
        if (L->prune_checked) {
            cJSON_AddNumberToObject(pj, "values", (double)L->prune_values);
            cJSON_AddNumberToObject(pj, "mismatches", (double)L->prune_mismatches);
        }
        if (L->prune_note[0])
            cJSON_AddStringToObject(pj, L->prune_checked ? "first_mismatch" : "note",
                                    L->prune_note);
    }
    if (L->status != AK_OK) {
        cJSON_AddStringToObject(l, "error", r->msg);
        cJSON_AddNumberToObject(l, "hw_error_code", r->err_code);
    }
    cJSON_AddNumberToObject(l, "cycles", (double)r->cycles);
    if (L->predicted) {
        cJSON_AddNumberToObject(l, "predicted_cycles", (double)L->prediction.cycles);
        cJSON_AddNumberToObject(l, "prediction_error", L->prediction_error);
        if (o->jitter_seed) {
            cJSON_AddNumberToObject(l, "predicted_cycles_sd", L->prediction_sd);
            cJSON_AddBoolToObject(l, "prediction_within_tolerance", L->within_tolerance);
        }
        cJSON_AddNumberToObject(l, "predicted_stall_cycles", (double)L->prediction.stall_cycles);
        cJSON_AddNumberToObject(l, "read_bytes", (double)L->prediction.read_bytes);
        cJSON_AddNumberToObject(l, "write_bytes", (double)L->prediction.write_bytes);
    } else {
        cJSON_AddStringToObject(l, "prediction", L->why_not_predicted);
    }
    cJSON_AddNumberToObject(l, "stall_cycles", (double)r->stalls);
    cJSON_AddNumberToObject(l, "macs", (double)r->macs);
    cJSON_AddNumberToObject(l, "model_macs", (double)L->model_macs);
    cJSON_AddNumberToObject(l, "mac_utilisation", L->mac_utilisation);
    cJSON_AddNumberToObject(l, "seconds_at_clock", L->seconds_at_clock);
    cJSON_AddNumberToObject(l, "gmac_per_s", L->gmac_per_s);
    cJSON_AddNumberToObject(l, "host_seconds", L->host_seconds);
    if (L->has_simulated_time) {
        cJSON_AddNumberToObject(l, "simulated_ps", (double)L->simulated_ps);
        cJSON_AddBoolToObject(l, "simulated_time_is_cycles_x_period", L->time_ok);
    }
    if (L->saturation) {
        cJSON_AddItemToObject(l, "expected_saturation", cJSON_Duplicate(L->saturation, 1));
        cJSON_AddBoolToObject(l, "saturation_warning", sat_high);
    }
    cJSON_AddItemToArray(arr, l);
}

static void layer_text(const ak_run_opts *o, const ak_run_layer *L)
{
    const ak_drv_result *r = &L->drv;
    printf("layer %d %s  heads %u nq %u nk %u d %u block %u", L->layer,
           ak_run_verdict_name(L->verdict), L->heads, L->nq, L->nk, L->d, L->block);
    if (L->status != AK_OK) {
        printf(": %s\n", r->msg);
        return;
    }
    printf(": %llu of %llu bytes differ", (unsigned long long)L->mismatches,
           (unsigned long long)L->bytes);
    if (L->mismatches)
        printf(", first at (head %u, row %u, column %u) expected %d actual %d",
               L->first_mismatch.head, L->first_mismatch.row, L->first_mismatch.column,
               L->first_mismatch.expected, L->first_mismatch.actual);
    if (L->prune_mode != AK_PRUNE_NONE) {
        const char *what = L->prune_mode == AK_PRUNE_EVIT ? "token pruning" : "KV eviction";
        if (!L->prune_checked)
            printf("\n  %s outputs: %s", what, L->prune_note);
        else if (!L->prune_mismatches)
            printf("\n  %s outputs: all %llu values match", what,
                   (unsigned long long)L->prune_values);
        else
            printf("\n  %s outputs: %llu of %llu values differ, first %s", what,
                   (unsigned long long)L->prune_mismatches,
                   (unsigned long long)L->prune_values, L->prune_note);
    }
    printf("\n  %llu cycles, %llu stall cycles, %llu MACs", (unsigned long long)r->cycles,
           (unsigned long long)r->stalls, (unsigned long long)r->macs);
    if (r->macs != L->model_macs)
        printf(" (reference model counts %llu)", (unsigned long long)L->model_macs);
    printf(", MAC utilisation %.1f%% of %u PEs; %.2f us, %.2f GMAC/s at %g MHz; simulated in "
           "%.2f s\n",
           100 * L->mac_utilisation, L->pes, L->seconds_at_clock * 1e6, L->gmac_per_s,
           o->clock_mhz, L->host_seconds);
    if (L->has_simulated_time)
        printf("  simulated time %llu ps = %llu cycles x %u ps%s\n",
               (unsigned long long)L->simulated_ps, (unsigned long long)r->cycles, L->clock_ps,
               L->time_ok ? "" : ": MISMATCH (expected equal)");
    if (L->saturated_out_known)
        printf("  expected output: %.0f of %llu int8 values saturated (%.3f%%; numerics.md 3.3)\n",
               L->saturated_out, (unsigned long long)L->bytes,
               100.0 * L->saturated_out / (double)L->bytes);
    if (!L->predicted) {
        printf("  %s\n", L->why_not_predicted);
    } else {
        printf("  cycle model: %llu cycles (%+.2f%%), %llu stall cycles, %llu MACs",
               (unsigned long long)L->prediction.cycles, 100 * L->prediction_error,
               (unsigned long long)L->prediction.stall_cycles,
               (unsigned long long)L->prediction.macs);
        if (o->jitter_seed)
            printf(" (the mean of %d draws of the jitter, sd %.0f)%s", AK_RUN_JITTER_DRAWS,
                   L->prediction_sd, L->within_tolerance ? "" : "; warning: outside 3% and 3 sd");
        printf("\n");
    }
}

/* ak_run's callback: a layer printed as it finishes (text) or added to the JSON array. */
static void print_layer(void *user, const ak_run_layer *L)
{
    const printer *p = user;
    if (L->load_error) {
        fprintf(stderr, "attnkit sim: %s\n", L->load_error);
        return;
    }
    char where[48];
    snprintf(where, sizeof where, "layer %d's expected output", L->layer);
    const int sat_high = L->saturated_out_known &&
                         ak_cli_warn_saturation(CMD, where, (uint64_t)L->saturated_out, L->bytes,
                                                p->o->json);
    if (p->arr)
        layer_json(&p->o->run, L, p->arr, sat_high);
    else
        layer_text(&p->o->run, L);
}

static int parse(int argc, char **argv, cli_opts *o)
{
    static const struct option longopts[] = {
        {"vectors", required_argument, NULL, 'V'}, {"layer", required_argument, NULL, 'l'},
        {"latency", required_argument, NULL, 'L'}, {"mem-jitter", required_argument, NULL, 'J'},
        {"wave", required_argument, NULL, 'w'},    {"clock-mhz", required_argument, NULL, 'c'},
        {"mem-bw", required_argument, NULL, 'b'},  {"json", no_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'B'}, {"threads", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'V': o->run.vectors = optarg; break;
        case 'w': o->run.wave = optarg; break;
        case 'j': o->json = 1; break;
        case 'l': rc = ak_cli_u32(CMD, "--layer", optarg, 1, 100000, &o->run.layer); break;
        case 'L': rc = ak_cli_u32(CMD, "--latency", optarg, 1, 100000, &o->run.latency); break;
        case 'J': rc = ak_cli_u64(CMD, "--mem-jitter", optarg, &o->run.jitter_seed); break;
        case 'b': rc = ak_cli_u32(CMD, "--mem-bw", optarg, 1, 64, &o->run.bytes_per_cycle); break;
        case 'c': rc = ak_cli_double(CMD, "--clock-mhz", optarg, 0, 1e5, &o->run.clock_mhz); break;
        case 't': rc = ak_cli_u32(CMD, "--threads", optarg, 0, 256, &o->run.threads); break;
        case 'B':
            o->run.backend = optarg;
            if (!known_backend(optarg)) {
                char names[128] = "";
                for (size_t i = 0; ak_run_backend_name(i); i++)
                    snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                             i ? ", " : "", ak_run_backend_name(i));
                rc = ak_cli_usage_error(CMD, "--backend: '%s' is not one of %s", optarg, names);
            }
            break;
        case 'h': help(); return -1;
        default: return ak_cli_getopt_error(CMD, c, argv);
        }
    }
    if (rc == 0 && optind < argc)
        return ak_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (rc == 0 && !o->run.vectors)
        return ak_cli_usage_error(CMD, "--vectors: missing (a directory from attnkit vecgen)");
    if (rc == 0 && o->run.wave && strcmp(o->run.backend, "verilator"))
        return ak_cli_usage_error(CMD, "--wave: only with --backend verilator");
    return rc;
}

int ak_cmd_sim(int argc, char **argv)
{
    cli_opts o = {.run = {.latency = 20, .bytes_per_cycle = 64, .clock_mhz = 250, .threads = 1,
                          .backend = "verilator"}};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? AK_EXIT_OK : rc;
    char err[8192] = "";
    cJSON *doc = o.json ? cJSON_CreateObject() : NULL;
    cJSON *arr = doc ? cJSON_CreateArray() : NULL;
    printer pr = {&o, arr};
    ak_run_summary sum;
    const ak_status st = ak_run(&o.run, print_layer, &pr, &sum, err, sizeof err);
    if (st != AK_OK) {
        cJSON_Delete(doc);
        cJSON_Delete(arr);
        if (st == AK_ENOTFOUND)
            return ak_cli_usage_error(CMD, "--layer: %s", err);
        fprintf(stderr, "attnkit sim: %s\n", err);
        return AK_EXIT_FAIL;
    }
    if (sum.axi_protocol_errors)
        fprintf(stderr, "attnkit sim: warning: %llu AXI protocol errors on the master port, "
                "the first: %s\n", (unsigned long long)sum.axi_protocol_errors,
                sum.first_protocol_error);
    if (doc) {
        const ak_run_opts *r = &o.run;
        cJSON_AddNumberToObject(doc, "format", SIM_JSON_FORMAT);
        cJSON_AddStringToObject(doc, "vectors", r->vectors);
        cJSON_AddStringToObject(doc, "backend", sum.backend);
        cJSON_AddNumberToObject(doc, "latency", r->latency);
        cJSON_AddNumberToObject(doc, "mem_jitter", (double)r->jitter_seed);
        cJSON_AddNumberToObject(doc, "mem_bytes_per_cycle", r->bytes_per_cycle);
        cJSON_AddNumberToObject(doc, "clock_mhz", r->clock_mhz);
        cJSON_AddNumberToObject(doc, "pes", sum.pes);
        cJSON_AddItemToObject(doc, "layers", arr);
        cJSON_AddNumberToObject(doc, "passed", sum.passed);
        cJSON_AddNumberToObject(doc, "failed", sum.failed);
        cJSON_AddNumberToObject(doc, "axi_protocol_errors", (double)sum.axi_protocol_errors);
        if (sum.has_tlm_stats)
            tlm_report(&sum.tlm, doc);
        rc = ak_cli_emit_json(doc, 1);
    } else {
        printf("sim: %d of %d layers pass (%s on %s, memory latency %u, %u bytes a cycle, "
               "jitter %s)\n",
               sum.passed, sum.passed + sum.failed, o.run.vectors, sum.backend, o.run.latency,
               o.run.bytes_per_cycle, o.run.jitter_seed ? "on" : "off");
    }
    return sum.failed || rc ? AK_EXIT_FAIL : AK_EXIT_OK;
}
