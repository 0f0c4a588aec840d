/* `attnkit workload`: lists the presets, shows a workload's plan (tokens, mask density and
 * attention MACs per layer, and what pruning saves against the same stack unpruned), or dumps
 * it as a workload file. */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/attnkit.h"
#include "attnkit/workload.h"
#include "cli.h"

static const char *const CMD = "workload";

static void help(void)
{
    printf("usage: attnkit workload (--preset NAME | --workload FILE) [--json | --dump]\n"
           "       attnkit workload --list-presets\n\n"
           "Shows a workload's plan without running it: tokens entering each layer, the mask's\n"
           "block density, the attention MACs (Q.K^T + P.V over active blocks, all heads), and\n"
           "the fraction of MACs token pruning saves against the same stack unpruned.\n"
           "Workload files: docs/workloads.md.\n\n"
           "flags:\n"
           "  --preset NAME  a built-in workload (see --list-presets)\n"
           "  --workload F   a JSON workload file (docs/workloads.md)\n"
           "  --list-presets list the presets with a line each\n"
           "  --dump         print the workload as a workload file (JSON)\n"
           "  --json         print the plan as JSON\n"
           "  -h, --help     this text\n\n"
           "exit status: 0 ok, 1 run failed, 2 bad flag or workload\n");
}

int ak_cli_load_workload(const char *cmd, const char *preset, const char *file,
                         const char *file_flag, ak_workload *w)
{
    char err[512];
    if (!!preset == !!file)
        return ak_cli_usage_error(cmd, "give exactly one of --preset NAME or %s FILE", file_flag);
    if (preset) {
        if (ak_workload_preset(preset, w) == AK_OK)
            return 0;
        fprintf(stderr, "attnkit %s: --preset: unknown preset '%s'; expected one of:", cmd,
                preset);
        for (unsigned i = 0; i < ak_workload_preset_count(); i++)
            fprintf(stderr, " %s", ak_workload_preset_name(i));
        fprintf(stderr, "\n");
        return AK_EXIT_USAGE;
    }
    ak_status st = ak_workload_load(file, w, err, sizeof err);
    if (st == AK_OK)
        return 0;
    fprintf(stderr, "attnkit %s: %s\n", cmd, err);
    return AK_EXIT_USAGE;
}

void ak_cli_list_presets(void)
{
    for (unsigned i = 0; i < ak_workload_preset_count(); i++)
        printf("%-18s %s\n", ak_workload_preset_name(i), ak_workload_preset_summary(i));
}

void ak_cli_mask_name(const ak_layer_spec *s, char *buf, size_t len)
{
    buf[0] = '\0';
    for (uint32_t x = 0; x < s->n_parts; x++) {
        size_t at = strlen(buf);
        snprintf(buf + at, len - at, "%s%s", x ? "+" : "", ak_pattern_name(s->parts[x].pattern.kind));
    }
}

static int show_plan(const ak_workload *w, int json)
{
    ak_layer_plan *plan = calloc(w->n_layers, sizeof *plan);
    ak_layer_plan *base = calloc(w->n_layers, sizeof *base);
    ak_workload *unpruned = malloc(sizeof *unpruned);
    char err[512];
    int rc = AK_EXIT_OK;
    if (!plan || !base || !unpruned) {
        fprintf(stderr, "attnkit workload: out of memory\n");
        rc = AK_EXIT_FAIL;
    }
    if (rc == AK_EXIT_OK) {
        *unpruned = *w;
        for (uint32_t l = 0; l < w->n_layers; l++)
            unpruned->layers[l].keep_ppm = 0;
        if (ak_workload_plan(w, plan, err, sizeof err) != AK_OK ||
            ak_workload_plan(unpruned, base, err, sizeof err) != AK_OK) {
            fprintf(stderr, "attnkit workload: %s\n", err);
            rc = AK_EXIT_USAGE;
        }
    }
    uint64_t macs = 0, macs_base = 0;
    for (uint32_t l = 0; rc == AK_EXIT_OK && l < w->n_layers; l++) {
        macs += plan[l].macs;
        macs_base += base[l].macs;
    }
    const double saved = macs_base ? 1.0 - (double)macs / (double)macs_base : 0.0;
    if (rc == AK_EXIT_OK && json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "workload", w->name);
        cJSON *layers = cJSON_AddArrayToObject(j, "layers");
        for (uint32_t l = 0; l < w->n_layers; l++) {
            char name[64];
            ak_cli_mask_name(&w->layers[l], name, sizeof name);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "layer", l + 1);
            cJSON_AddNumberToObject(o, "tokens", plan[l].tokens_in);
            cJSON_AddStringToObject(o, "mask", name);
            cJSON_AddNumberToObject(o, "density", plan[l].density);
            cJSON_AddNumberToObject(o, "macs", (double)plan[l].macs);
            cJSON_AddNumberToObject(o, "tokens_out", plan[l].tokens_out);
            cJSON_AddItemToArray(layers, o);
        }
        cJSON_AddNumberToObject(j, "macs", (double)macs);
        cJSON_AddNumberToObject(j, "macs_unpruned", (double)macs_base);
        cJSON_AddNumberToObject(j, "saved_by_pruning", saved);
        rc = ak_cli_emit_json(j, 1);
    } else if (rc == AK_EXIT_OK) {
        printf("workload %s (%s): %u layers, %u heads, d=%u, block %u, %u tokens in\n", w->name,
               w->kind == AK_WORKLOAD_VISION ? "vision" : "decoder", w->n_layers, w->heads,
               w->head_dim, w->block, w->tokens);
        printf("layer  tokens  mask           density   attn MACs  pruned to\n");
        for (uint32_t l = 0; l < w->n_layers; l++) {
            char name[64], after[16] = "";
            ak_cli_mask_name(&w->layers[l], name, sizeof name);
            if (plan[l].tokens_out != plan[l].tokens_in)
                snprintf(after, sizeof after, "%u", plan[l].tokens_out);
            printf("%5u  %6u  %-13s  %7.4f  %9.2fM  %s\n", l + 1, plan[l].tokens_in, name,
                   plan[l].density, plan[l].macs / 1e6, after);
        }
        printf("attention MACs: %.2fM with pruning, %.2fM without: pruning saves %.1f%%\n",
               macs / 1e6, macs_base / 1e6, 100.0 * saved);
    }
    free(plan);
    free(base);
    free(unpruned);
    return rc;
}

int ak_cmd_workload(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"preset", required_argument, NULL, 'p'}, {"workload", required_argument, NULL, 'w'},
        {"file", required_argument, NULL, 'f'}, /* the old name of --workload, not in --help */
        {"list-presets", no_argument, NULL, 'l'}, {"dump", no_argument, NULL, 'D'},
        {"json", no_argument, NULL, 'j'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *preset = NULL, *file = NULL;
    int list = 0, dump = 0, json = 0, old_flag = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': preset = optarg; break;
        case 'w': file = optarg; break;
        case 'f':
            if (!old_flag++) /* scripts written for the old name keep working */
                fprintf(stderr, "attnkit workload: --file is now --workload\n");
            file = optarg;
            break;
        case 'l': list = 1; break;
        case 'D': dump = 1; break;
        case 'j': json = 1; break;
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
    if (dump && json)
        return ak_cli_usage_error(CMD, "--dump and --json: choose one");
    ak_workload *w = malloc(sizeof *w);
    if (!w)
        return AK_EXIT_FAIL;
    int rc = ak_cli_load_workload(CMD, preset, file, "--workload", w);
    if (rc == 0 && dump) {
        char *text = ak_workload_to_json(w);
        rc = text ? AK_EXIT_OK : AK_EXIT_FAIL;
        if (text)
            puts(text);
        free(text);
    } else if (rc == 0) {
        rc = show_plan(w, json);
    }
    free(w);
    return rc;
}
