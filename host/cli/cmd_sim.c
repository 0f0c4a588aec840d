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
#include "interrupt.h"
#include "verilator/ak_sim.h"

static const char *const CMD = "sim";
/* The version of the --json document's layout (docs/sim-json.md): raised when a field is
 * removed, renamed or changes meaning, not when one is added. */
#define SIM_JSON_FORMAT 1
/* The exit status when the vector directory fails its manifest's checksums: the vectors, not
 * the accelerator, are wrong, and nothing ran (docs/sim-json.md). */
#define SIM_EXIT_VECTORS 3
#define WAVE_LIMIT_MB_DEFAULT 256u
#define WAVE_LIMIT_MB_MAX 1048576u

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
           "Before anything runs, every file of the directory is checked against the SHA-256\n"
           "in its manifest (as attnkit vecgen --check does): a file that differs means the\n"
           "vectors were modified or corrupted, not that the accelerator failed; it is named,\n"
           "and the exit status is 3.\n\n"
           "flags:\n"
           "  --vectors DIR     the vector directory (manifest.json, layerNN/); required\n"
           "  --backend NAME    verilator (the Verilated RTL, default), sc-rtl (the same RTL in\n"
           "                    SystemC: CSRs over TLM-2.0, the same cycles) or tlm (the TLM-2.0\n"
           "                    model: its simulated time must equal cycles x the clock period)\n"
           "  --threads N       tlm: host threads for a job, 0..256 (0 = one per CPU; default 1);\n"
           "                    with 2 or more the cycle model runs beside the reference\n"
           "                    model's N-1\n"
           "  --layer N         only layer N (as numbered in the manifest), 1..100000\n"
           "                    (default: every layer)\n"
           "  --latency L       memory latency in cycles, 1..100000 (default 20)\n"
           "  --mem-jitter S    seeded random memory delays and backpressure, a seed\n"
           "                    0..2^64-1 (default 0 = off)\n"
           "  --mem-bw B        memory bandwidth in bytes a cycle per channel, 1..64 (default 64)\n"
           "  --clock-mhz F     clock for the throughput figures and tlm's period, in MHz,\n"
           "                    above 0 up to 100000 (default 250)\n"
           "  --ofx             debug mode (RTL backends only): the accelerator also writes\n"
           "                    each output's pre-requantisation value o_fx (descriptor\n"
           "                    SHAPE.ofx, docs/numerics.md section 8), compared bit for bit\n"
           "                    with o_fx.npy besides the int8 bytes, so that an error below\n"
           "                    one int8 LSB fails the layer; cycles are those of the\n"
           "                    debug-mode job, against its prediction\n"
           "  --x-seed S        verilator: the model's initial state (every flop before reset)\n"
           "                    random from seed S, 1..2147483647; 0 = all zeros (default)\n"
           "  --json            print the results as JSON (docs/sim-json.md)\n"
           "  --help            this text\n\n"
           "waveform (verilator only: another backend is a usage error naming the flag):\n"
           "  --wave FILE       write an FST waveform of the run (slow: FST tracing runs some\n"
           "                    60x slower); written as FILE.tmp and renamed to FILE when the\n"
           "                    run ends; Ctrl-C removes the temporary (default: none)\n"
           "  --wave-from C     with --wave: dump only from job cycle C of each layer, 0..2^64-1\n"
           "                    (default 0); job cycles count from just before the driver starts\n"
           "                    the layer's job (the STATUS read, DESC_ADDR and CTRL.start\n"
           "                    writes follow), as the JSON's failure_cycle does\n"
           "  --wave-to C       with --wave: dump only up to job cycle C of each layer (included),\n"
           "                    C >= --wave-from (default: the end). With either, nothing outside\n"
           "                    the layers' windows is dumped\n"
           "  --wave-limit MB   with --wave: stop dumping once the file holds MB megabytes\n"
           "                    (MiB), 0..%u, 0 = no cap (default %u); the file stays a valid\n"
           "                    FST (a little above the cap), and the run says at which layer and\n"
           "                    job cycle it was cut\n\n"
           "In the FST, clock cycle c since the simulation opened is at time 2c; a layer's job\n"
           "cycle j at 2 x (job_start_cycle + j) (the layer's job_start_cycle is in --json).\n\n"
           "exit status: 0 every layer matches, 1 a mismatch (output bytes, o_fx with --ofx,\n"
           "checked pruning outputs, or with the deterministic memory cycles against the\n"
           "prediction), hardware error, hang or run failure, 2 bad flag, 3 the vectors differ\n"
           "from their manifest's checksums (nothing simulated)\n",
           WAVE_LIMIT_MB_MAX, WAVE_LIMIT_MB_DEFAULT);
}

typedef struct {
    ak_run_opts run;
    int json;
    uint32_t wave_limit_mb;
    const char *wave_flag; /* a --wave-* flag given (for the errors naming it), or NULL */
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

/* What a layer's callback needs: the flags, the JSON array (NULL: text), and the command line
 * that reproduces this run (attnkit sim and its arguments, shell-quoted). */
typedef struct {
    const cli_opts *o;
    cJSON *arr;
    char cmdline[4096];
} printer;

/* The command line into p->cmdline: each argument as is, or in single quotes when it holds
 * anything but [A-Za-z0-9_./=:,+-] (a ' inside as '\''). */
static void set_cmdline(printer *p, int argc, char **argv)
{
    size_t n = (size_t)snprintf(p->cmdline, sizeof p->cmdline, "attnkit sim");
    for (int i = 1; i < argc && n < sizeof p->cmdline; i++) {
        const char *a = argv[i];
        const int plain = *a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_./=:,+-") == strlen(a);
        n += (size_t)snprintf(p->cmdline + n, sizeof p->cmdline - n, plain ? " %s" : " '", a);
        for (const char *c = a; !plain && *c && n < sizeof p->cmdline; c++)
            n += (size_t)snprintf(p->cmdline + n, sizeof p->cmdline - n, *c == '\'' ? "'\\''"
                                                                                   : "%c", *c);
        if (!plain && n < sizeof p->cmdline)
            n += (size_t)snprintf(p->cmdline + n, sizeof p->cmdline - n, "'");
    }
}

static const char *prune_mode_name(ak_prune_mode m)
{
    return m == AK_PRUNE_EVIT ? "evit" : m == AK_PRUNE_EVICT ? "evict" : "none";
}

static void layer_json(const ak_run_opts *o, const ak_run_layer *L, cJSON *arr, int sat_high,
                       const char *cmdline)
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
    if (L->ofx_checked) {
        cJSON *oj = cJSON_AddObjectToObject(l, "ofx");
        cJSON_AddNumberToObject(oj, "values", (double)L->ofx_values);
        cJSON_AddNumberToObject(oj, "mismatches", (double)L->ofx_mismatches);
        if (L->ofx_mismatches) {
            cJSON *f = cJSON_AddObjectToObject(oj, "first_mismatch");
            cJSON_AddNumberToObject(f, "head", L->first_ofx_mismatch.head);
            cJSON_AddNumberToObject(f, "row", L->first_ofx_mismatch.row);
            cJSON_AddNumberToObject(f, "column", L->first_ofx_mismatch.column);
            cJSON_AddNumberToObject(f, "expected", L->first_ofx_mismatch.expected);
            cJSON_AddNumberToObject(f, "actual", L->first_ofx_mismatch.actual);
        }
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
    if (L->has_failure_cycle) {
        cJSON_AddNumberToObject(l, "failure_cycle", (double)L->failure_cycle);
        cJSON_AddStringToObject(l, "failure_event", L->failure_event);
        if (!strcmp(L->failure_event, "assertion")) {
            cJSON_AddStringToObject(l, "assertion", L->assertion);
            cJSON_AddStringToObject(l, "reproduce", cmdline);
        }
    }
    if (L->has_job_cycles)
        cJSON_AddNumberToObject(l, "job_start_cycle", (double)L->job_start_cycle);
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

/* "  failure at job cycle N (...)" for a layer that has one */
static void failure_text(const ak_run_layer *L)
{
    if (!L->has_failure_cycle)
        return;
    const char *what = !strcmp(L->failure_event, "write")
                           ? "the accelerator last wrote the first mismatching byte"
                       : !strcmp(L->failure_event, "not_written")
                           ? "the first mismatching byte was never written: the interrupt came"
                       : !strcmp(L->failure_event, "hang") ? "the cycle budget ran out"
                       : !strcmp(L->failure_event, "assertion")
                           ? "an RTL assertion failed"
                           : "the interrupt with the error came";
    printf("  failure at job cycle %llu (%s; --wave-from/--wave-to count the same way)\n",
           (unsigned long long)L->failure_cycle, what);
}

static void layer_text(const ak_run_opts *o, const ak_run_layer *L, const char *cmdline)
{
    const ak_drv_result *r = &L->drv;
    printf("layer %d %s  heads %u nq %u nk %u d %u block %u", L->layer,
           ak_run_verdict_name(L->verdict), L->heads, L->nq, L->nk, L->d, L->block);
    if (L->status != AK_OK) {
        printf(": %s\n", r->msg);
        failure_text(L);
        if (L->has_failure_cycle && !strcmp(L->failure_event, "assertion"))
            printf("  reproduce: %s\n", cmdline);
        return;
    }
    printf(": %llu of %llu bytes differ", (unsigned long long)L->mismatches,
           (unsigned long long)L->bytes);
    if (L->mismatches)
        printf(", first at (head %u, row %u, column %u) expected %d actual %d",
               L->first_mismatch.head, L->first_mismatch.row, L->first_mismatch.column,
               L->first_mismatch.expected, L->first_mismatch.actual);
    if (L->ofx_checked) {
        printf("\n  o_fx: %llu of %llu values differ", (unsigned long long)L->ofx_mismatches,
               (unsigned long long)L->ofx_values);
        if (L->ofx_mismatches)
            printf(", first at (head %u, row %u, column %u) expected %ld actual %ld",
                   L->first_ofx_mismatch.head, L->first_ofx_mismatch.row,
                   L->first_ofx_mismatch.column, (long)L->first_ofx_mismatch.expected,
                   (long)L->first_ofx_mismatch.actual);
    }
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
    failure_text(L);
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
        layer_json(&p->o->run, L, p->arr, sat_high, p->cmdline);
    else
        layer_text(&p->o->run, L, p->cmdline);
}

static int parse(int argc, char **argv, cli_opts *o)
{
    static const struct option longopts[] = {
        {"vectors", required_argument, NULL, 'V'}, {"layer", required_argument, NULL, 'l'},
        {"latency", required_argument, NULL, 'L'}, {"mem-jitter", required_argument, NULL, 'J'},
        {"wave", required_argument, NULL, 'w'},    {"clock-mhz", required_argument, NULL, 'c'},
        {"mem-bw", required_argument, NULL, 'b'},  {"json", no_argument, NULL, 'j'},
        {"backend", required_argument, NULL, 'B'}, {"threads", required_argument, NULL, 't'},
        {"wave-from", required_argument, NULL, 'F'}, {"wave-to", required_argument, NULL, 'T'},
        {"wave-limit", required_argument, NULL, 'M'}, {"help", no_argument, NULL, 'h'},
        {"ofx", no_argument, NULL, 'o'},
        {"x-seed", required_argument, NULL, 'X'},
        {NULL, 0, NULL, 0}};
    int c, rc = 0;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'V': o->run.vectors = optarg; break;
        case 'w': o->run.wave = optarg; break;
        case 'j': o->json = 1; break;
        case 'o': o->run.ofx = 1; break;
        case 'l': rc = ak_cli_u32(CMD, "--layer", optarg, 1, 100000, &o->run.layer); break;
        case 'L': rc = ak_cli_u32(CMD, "--latency", optarg, 1, 100000, &o->run.latency); break;
        case 'J': rc = ak_cli_u64(CMD, "--mem-jitter", optarg, &o->run.jitter_seed); break;
        case 'X':
            rc = ak_cli_u32(CMD, "--x-seed", optarg, 0, INT32_MAX, &o->run.x_seed);
            break;
        case 'b': rc = ak_cli_u32(CMD, "--mem-bw", optarg, 1, 64, &o->run.bytes_per_cycle); break;
        case 'c': rc = ak_cli_double(CMD, "--clock-mhz", optarg, 0, 1e5, &o->run.clock_mhz); break;
        case 't': rc = ak_cli_u32(CMD, "--threads", optarg, 0, 256, &o->run.threads); break;
        case 'F':
            o->wave_flag = "--wave-from";
            o->run.wave_window = 1;
            rc = ak_cli_u64(CMD, "--wave-from", optarg, &o->run.wave_from);
            break;
        case 'T':
            o->wave_flag = "--wave-to";
            o->run.wave_window = 1;
            rc = ak_cli_u64(CMD, "--wave-to", optarg, &o->run.wave_to);
            break;
        case 'M':
            o->wave_flag = "--wave-limit";
            rc = ak_cli_u32(CMD, "--wave-limit", optarg, 0, WAVE_LIMIT_MB_MAX, &o->wave_limit_mb);
            break;
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
    if (rc == 0 && o->run.ofx && !strcmp(o->run.backend, "tlm"))
        return ak_cli_usage_error(CMD, "--ofx: only with the RTL backends (verilator, sc-rtl); "
                                  "the tlm model does not write o_fx");
    if (rc == 0 && o->run.x_seed && strcmp(o->run.backend, "verilator"))
        return ak_cli_usage_error(CMD, "--x-seed: only with --backend verilator");
    if (rc == 0 && o->run.wave && strcmp(o->run.backend, "verilator"))
        return ak_cli_usage_error(CMD, "--wave: only with --backend verilator");
    if (rc == 0 && o->wave_flag && strcmp(o->run.backend, "verilator"))
        return ak_cli_usage_error(CMD, "%s: only with --backend verilator (and --wave)",
                                  o->wave_flag);
    if (rc == 0 && o->wave_flag && !o->run.wave)
        return ak_cli_usage_error(CMD, "%s: only with --wave FILE", o->wave_flag);
    if (rc == 0 && o->run.wave_from > o->run.wave_to)
        return ak_cli_usage_error(CMD, "--wave-to: %llu is before --wave-from %llu",
                                  (unsigned long long)o->run.wave_to,
                                  (unsigned long long)o->run.wave_from);
    o->run.wave_limit = (uint64_t)o->wave_limit_mb << 20;
    return rc;
}

int ak_cmd_sim(int argc, char **argv)
{
    cli_opts o = {.run = {.latency = 20, .bytes_per_cycle = 64, .clock_mhz = 250, .threads = 1,
                          .backend = "verilator", .wave_to = UINT64_MAX},
                  .wave_limit_mb = WAVE_LIMIT_MB_DEFAULT};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? AK_EXIT_OK : rc;
    /* Ctrl-C (or a kill) removes the waveform's temporaries (ak_sim.h): FILE.tmp, and the
       .hier file FST's writer keeps beside it */
    const char *wave = o.run.wave;
    if (wave && (ak_cli_interrupt_init(CMD) != 0 ||
                 ak_cli_interrupt_remove(wave, AK_SIM_WAVE_TMP) != 0 ||
                 ak_cli_interrupt_remove(wave, AK_SIM_WAVE_TMP ".hier") != 0))
        fprintf(stderr, "attnkit sim: warning: Ctrl-C would leave %s%s behind\n", wave,
                AK_SIM_WAVE_TMP);
    char err[8192] = "";
    cJSON *doc = o.json ? cJSON_CreateObject() : NULL;
    cJSON *arr = doc ? cJSON_CreateArray() : NULL;
    printer pr = {&o, arr, ""};
    set_cmdline(&pr, argc, argv);
    ak_run_summary sum;
    const ak_status st = ak_run(&o.run, print_layer, &pr, &sum, err, sizeof err);
    if (wave) {
        ak_cli_interrupt_forget(wave, AK_SIM_WAVE_TMP);
        ak_cli_interrupt_forget(wave, AK_SIM_WAVE_TMP ".hier");
    }
    if (st != AK_OK) {
        cJSON_Delete(arr);
        if (st == AK_ENOTFOUND) {
            cJSON_Delete(doc);
            return ak_cli_usage_error(CMD, "--layer: %s", err);
        }
        fprintf(stderr, "attnkit sim: %s\n", err);
        if (doc && sum.vectors_invalid) {
            /* scripts get the reason too: nothing ran, result ERROR */
            cJSON_AddNumberToObject(doc, "format", SIM_JSON_FORMAT);
            cJSON_AddStringToObject(doc, "vectors", o.run.vectors);
            cJSON_AddStringToObject(doc, "backend", sum.backend ? sum.backend : o.run.backend);
            cJSON_AddStringToObject(doc, "result", "ERROR");
            cJSON_AddStringToObject(doc, "error", err);
            cJSON_AddItemToObject(doc, "layers", cJSON_CreateArray());
            cJSON_AddNumberToObject(doc, "passed", 0);
            cJSON_AddNumberToObject(doc, "failed", 0);
            ak_cli_emit_json(doc, 1);
        } else {
            cJSON_Delete(doc);
        }
        return sum.vectors_invalid ? SIM_EXIT_VECTORS : AK_EXIT_FAIL;
    }
    if (sum.wave_truncated)
        fprintf(stderr, "attnkit sim: waveform %s cut at --wave-limit %u MB: nothing dumped after "
                "layer %d, job cycle %llu (%llu bytes)\n", wave, o.wave_limit_mb,
                sum.wave_truncated_layer, (unsigned long long)sum.wave_truncated_cycle,
                (unsigned long long)sum.wave_bytes);
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
        cJSON_AddBoolToObject(doc, "ofx", r->ofx);
        cJSON_AddNumberToObject(doc, "pes", sum.pes);
        cJSON_AddItemToObject(doc, "layers", arr);
        cJSON_AddNumberToObject(doc, "passed", sum.passed);
        cJSON_AddNumberToObject(doc, "failed", sum.failed);
        cJSON_AddStringToObject(doc, "result", sum.failed ? "FAIL" : "PASS");
        cJSON_AddNumberToObject(doc, "vectors_checked_files", sum.vectors_files);
        cJSON_AddNumberToObject(doc, "vectors_check_seconds", sum.vectors_check_seconds);
        cJSON_AddNumberToObject(doc, "axi_protocol_errors", (double)sum.axi_protocol_errors);
        if (sum.has_wave) {
            cJSON *w = cJSON_AddObjectToObject(doc, "wave");
            cJSON_AddStringToObject(w, "file", wave);
            cJSON_AddNumberToObject(w, "bytes", (double)sum.wave_bytes);
            cJSON_AddNumberToObject(w, "dumped_cycles", (double)sum.wave_dumped_cycles);
            cJSON_AddNumberToObject(w, "limit_mb", o.wave_limit_mb);
            if (r->wave_window) {
                cJSON_AddNumberToObject(w, "from", (double)r->wave_from);
                if (r->wave_to != UINT64_MAX)
                    cJSON_AddNumberToObject(w, "to", (double)r->wave_to);
            }
            cJSON_AddBoolToObject(w, "truncated", sum.wave_truncated);
            if (sum.wave_truncated) {
                cJSON_AddNumberToObject(w, "truncated_layer", sum.wave_truncated_layer);
                cJSON_AddNumberToObject(w, "truncated_at_cycle", (double)sum.wave_truncated_cycle);
            }
        }
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
