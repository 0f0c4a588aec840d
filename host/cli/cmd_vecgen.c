/* `attnkit vecgen`: writes the test-vector directory of a preset or workload file (format in
 * vectors/README.md), or checks an existing one against its manifest's checksums. */
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "interrupt.h"
#include "progress.h"

static const char *const CMD = "vecgen";

static void help(void)
{
    printf("usage: attnkit vecgen (--preset NAME | --workload FILE | --npy-dir DIR) --out DIR\n"
           "       attnkit vecgen --check DIR\n"
           "       attnkit vecgen --list-presets\n\n"
           "Generates seeded synthetic inputs for every layer of the workload, runs the\n"
           "fixed-point model, and writes inputs, masks, expected outputs and pruning results\n"
           "(.npy), $readmemh memory images and a manifest.json with SHA-256 checksums.\n"
           "The directory appears only when complete, with mode 0777 & ~umask (0755 under\n"
           "umask 022). Format: vectors/README.md.\n\n"
           "flags:\n"
           "  --preset NAME  a built-in workload (--list-presets)\n"
           "  --workload F   a JSON workload file (docs/workloads.md)\n"
           "  --npy-dir DIR  real inputs: DIR/layerNN/{q,k,v}.npy or DIR/{q,k,v}.npy, each\n"
           "                 [heads][tokens][head_dim] float16/32/64 or int8 (+ scales.npy);\n"
           "                 with --workload its masks and pruning apply, else dense layers\n"
           "  --out DIR      the directory to create\n"
           "  --force        replace DIR if it exists\n"
           "  --logits L     synthetic inputs: gauss1, gauss3, peaky or extreme (default gauss1)\n"
           "  --seed S       the workload's seed, 0..2^53, instead of its own (default: the\n"
           "                 workload's): synthetic inputs and random masks without their own\n"
           "                 seed; the manifest's workload records it\n"
           AK_CLI_QUANT_HELP
           "  --threads T    worker threads, 0 = one per CPU (default 1); output never depends\n"
           "                 on it\n"
           "  --check DIR    verify DIR's files against its manifest\n"
           "  --list-presets list the presets with a line each\n"
           "  --json         print the summary (or --check's result) as JSON\n"
           "  -h, --help     this text\n\n"
           "exit status: 0 ok, 1 run failed or check failed, 2 bad flag or workload\n");
}

/* A workload's seed is at most 2^53 (docs/workloads.md): exact in every JSON reader. */
#define AK_VECGEN_SEED_MAX (1ull << 53)

/* ak_vecgen's steps, AK_VECGEN_LAYER_STEPS a layer: a one-layer workload moves too. */
static void on_step(void *ctx, uint32_t done, uint32_t total)
{
    (void)total;
    ak_progress_update(ctx, done);
}

int ak_cmd_vecgen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"preset", required_argument, NULL, 'p'},  {"workload", required_argument, NULL, 'w'},
        {"out", required_argument, NULL, 'o'},     {"force", no_argument, NULL, 'f'},
        {"logits", required_argument, NULL, 'l'},  {"threads", required_argument, NULL, 't'},
        {"check", required_argument, NULL, 'c'},   {"list-presets", no_argument, NULL, 'L'},
        {"json", no_argument, NULL, 'j'},          {"help", no_argument, NULL, 'h'},
        {"npy-dir", required_argument, NULL, 'n'}, {"input-quant", required_argument, NULL, 'I'},
        {"output-scale", required_argument, NULL, 'O'}, {"seed", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0}};
    ak_quant_spec qflags = {.output = AK_OSCALE_CALIBRATED};
    const char *iq_flag = NULL;
    const char *preset = NULL, *file = NULL, *out = NULL, *check = NULL;
    ak_vecgen_opts vo = {.logits = AK_LOGITS_GAUSS1, .threads = 1, .force = 0};
    uint64_t seed = 0;
    int json = 0, list = 0, seed_set = 0, c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': preset = optarg; break;
        case 'w': file = optarg; break;
        case 'o': out = optarg; break;
        case 'f': vo.force = 1; break;
        case 'c': check = optarg; break;
        case 'n': vo.npy_dir = optarg; break;
        case 'L': list = 1; break;
        case 'j': json = 1; break;
        case 'l':
            if (ak_logit_dist_from_name(optarg, &vo.logits) != AK_OK)
                return ak_cli_usage_error(
                    CMD, "--logits: expected gauss1, gauss3, peaky or extreme, got '%s'", optarg);
            break;
        case 't':
            if ((rc = ak_cli_u32(CMD, "--threads", optarg, 0, 256, &vo.threads)))
                return rc;
            break;
        case 'I':
            if ((rc = ak_cli_input_quant(CMD, optarg, &qflags)))
                return rc;
            iq_flag = optarg;
            break;
        case 'O':
            if ((rc = ak_cli_output_scale(CMD, optarg, &qflags)))
                return rc;
            break;
        case 's': /* at most what a workload file (the manifest) holds */
            if ((rc = ak_cli_u64_max(CMD, "--seed", optarg, AK_VECGEN_SEED_MAX, "0..2^53",
                                     &seed)))
                return rc;
            seed_set = 1;
            break;
        case 'h': help(); return AK_EXIT_OK;
        default: return ak_cli_getopt_error(CMD, c, argv);
        }
    }
    if (optind < argc)
        return ak_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (list) {
        ak_cli_list_presets();
        return AK_EXIT_OK;
    }
    char err[1024];
    if (check) {
        uint32_t files = 0;
        ak_status st = ak_vectors_verify(check, &files, err, sizeof err);
        if (st != AK_OK) {
            fprintf(stderr, "attnkit vecgen: %s\n", err);
            return AK_EXIT_FAIL;
        }
        if (!json) {
            printf("%s: %u files match the manifest\n", check, files);
            return AK_EXIT_OK;
        }
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "checked", check);
        cJSON_AddNumberToObject(j, "files", files);
        cJSON_AddBoolToObject(j, "match", 1);
        return ak_cli_emit_json(j, 1);
    }
    if (!out)
        return ak_cli_usage_error(CMD, "--out: missing (the directory to create)");
    ak_workload *w = malloc(sizeof *w);
    if (!w)
        return AK_EXIT_FAIL;
    if (vo.npy_dir && !preset && !file) {
        rc = 0;
        if (ak_vecgen_npy_workload(vo.npy_dir, w, err, sizeof err) != AK_OK) {
            fprintf(stderr, "attnkit vecgen: %s\n", err);
            rc = AK_EXIT_USAGE;
        } else {
            fprintf(stderr,
                    "attnkit vecgen: no --workload: %s as %u dense encoder layers of %u tokens, "
                    "%u heads, d=%u, block %u, no pruning (give --workload FILE for masks, "
                    "block size and pruning)\n",
                    vo.npy_dir, w->n_layers, w->tokens, w->heads, w->head_dim, w->block);
        }
    } else {
        rc = ak_cli_load_workload(CMD, preset, file, "--workload", w);
    }
    if (rc) {
        free(w);
        return rc;
    }
    if (seed_set)
        w->seed = seed;
    if (iq_flag)
        w->quant.input = qflags.input;
    if (qflags.output_set) {
        w->quant.output = qflags.output;
        w->quant.output_set = 1;
    }
    ak_vecgen_report rep;
    /* Ctrl-C removes the directory being written beside --out (ak_vecgen's out.tmp.XXXXXX) */
    ak_cli_interrupt_init(CMD);
    ak_cli_interrupt_remove(out, ".tmp.*");
    ak_progress *prog =
        ak_progress_start("vecgen: step", (uint64_t)w->n_layers * AK_VECGEN_LAYER_STEPS);
    vo.progress = on_step;
    vo.progress_ctx = prog;
    const double t0 = ak_cli_seconds();
    ak_status st = ak_vecgen(w, &vo, out, &rep, err, sizeof err);
    ak_progress_end(prog);
    ak_cli_interrupt_forget(out, ".tmp.*");
    const double secs = ak_cli_seconds() - t0;
    if (st != AK_OK) {
        fprintf(stderr, "attnkit vecgen: %s\n", err[0] ? err : ak_strerror(st));
        free(w);
        return st == AK_EINVAL ? AK_EXIT_USAGE : AK_EXIT_FAIL;
    }
    if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "workload", w->name);
        cJSON_AddStringToObject(j, "out", out);
        cJSON_AddNumberToObject(j, "layers", rep.layers);
        cJSON_AddNumberToObject(j, "files", rep.files);
        cJSON_AddNumberToObject(j, "bytes", (double)rep.bytes);
        cJSON_AddNumberToObject(j, "macs", (double)rep.macs);
        cJSON_AddNumberToObject(j, "seconds", secs);
        cJSON *sj = cJSON_AddObjectToObject(j, "saturation");
        cJSON_AddNumberToObject(sj, "logits", (double)rep.sat.logits);
        cJSON_AddNumberToObject(sj, "o_fx", (double)rep.sat.o_fx);
        cJSON_AddNumberToObject(sj, "out", (double)rep.sat.out);
        cJSON_AddNumberToObject(sj, "outputs", (double)rep.outputs);
        cJSON_AddNumberToObject(sj, "out_rate", (double)rep.sat.out / (double)rep.outputs);
        cJSON_AddNumberToObject(sj, "worst_layer", rep.worst_layer);
        cJSON_AddNumberToObject(sj, "worst_layer_out_rate",
                                (double)rep.worst_out / (double)rep.worst_outputs);
        cJSON_AddNumberToObject(sj, "clipped_inputs", (double)rep.clipped);
        cJSON_AddBoolToObject(sj, "warning", ak_cli_warn_saturation(CMD, "", rep.worst_out,
                                                                    rep.worst_outputs, 1));
        rc = ak_cli_emit_json(j, 1);
    } else {
        printf("%s: %s, %u layers, %u files, %.2f MB, %.1fM attention MACs, %.3f s\n", out,
               w->name, rep.layers, rep.files, rep.bytes / 1e6, rep.macs / 1e6, secs);
        printf("saturation: int8 outputs %llu of %llu (%.3f%%; worst layer %u: %.3f%%), o_fx "
               "%llu, logits %llu, clipped inputs %llu\n",
               (unsigned long long)rep.sat.out, (unsigned long long)rep.outputs,
               100.0 * (double)rep.sat.out / (double)rep.outputs, rep.worst_layer,
               100.0 * (double)rep.worst_out / (double)rep.worst_outputs,
               (unsigned long long)rep.sat.o_fx,
               (unsigned long long)rep.sat.logits, (unsigned long long)rep.clipped);
    }
    char where[48];
    snprintf(where, sizeof where, "layer %u", rep.worst_layer);
    ak_cli_warn_saturation(CMD, where, rep.worst_out, rep.worst_outputs, json);
    free(w);
    return rc;
}
