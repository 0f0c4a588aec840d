/* The design-space sweep of estimate_sweep.h. Each sweep varies one parameter over its values
 * with the others at the base configuration; a point that does not fit the hardware (a block
 * smaller than the query tile) is a row with fits=0. Density replaces every layer's mask with
 * a random block mask of that density (1: dense); keep sets the keep rate of the layers that
 * prune (1: none), so it is skipped for a workload without pruning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "interrupt.h"
#include "estimate_sweep.h"

typedef enum { P_ROWS, P_BLOCK, P_DENSITY, P_KEEP, P_BW, P_COUNT } param;

static const char *const names[P_COUNT] = {"rows", "block", "density", "keep", "mem_bw"};
static const double values[P_COUNT][5] = {
    {16, 32, 64}, {16, 32, 64, 128}, {1, 0.5, 0.25, 0.1, 0.05}, {1, 0.9, 0.7, 0.5}, {64, 32, 16, 8, 4}};
static const int counts[P_COUNT] = {3, 4, 5, 4, 5};

static int prunes(const ak_workload *w)
{
    for (uint32_t l = 0; l < w->n_layers; l++)
        if (w->layers[l].keep_ppm)
            return 1;
    return 0;
}

/* The workload and configuration of one point. */
static void apply(param p, double v, const ak_workload *w0, const ak_estimate_config *c0,
                  ak_workload *w, ak_estimate_config *c)
{
    *w = *w0;
    *c = *c0;
    switch (p) {
    case P_ROWS: c->hw.rows = (uint32_t)v; break;
    case P_BLOCK: w->block = (uint32_t)v; break;
    case P_BW: c->mem.bytes_per_cycle = (uint32_t)v; break;
    case P_KEEP:
        for (uint32_t l = 0; l < w->n_layers; l++)
            if (w0->layers[l].keep_ppm)
                w->layers[l].keep_ppm = v >= 1 ? 0 : (uint32_t)(v * 1e6 + 0.5);
        break;
    case P_DENSITY:
        for (uint32_t l = 0; l < w->n_layers; l++) {
            ak_layer_spec *s = &w->layers[l];
            s->n_parts = 1;
            memset(&s->parts[0], 0, sizeof s->parts[0]);
            s->parts[0].pattern.kind = v >= 1 ? AK_PATTERN_DENSE : AK_PATTERN_RANDOM;
            s->parts[0].pattern.seed = w->seed + l;
            s->parts[0].density = v >= 1 ? 0 : v;
        }
        break;
    default: break;
    }
}

int ak_estimate_sweep(const char *cmd, const ak_workload *w0, const ak_estimate_config *base,
                      const char *out)
{
    char tmp[4096];
    FILE *f = stdout;
    if (out) {
        snprintf(tmp, sizeof tmp, "%s.tmp", out);
        ak_cli_interrupt_init(cmd); /* Ctrl-C removes the half-written file */
        ak_cli_interrupt_remove(tmp, NULL);
        if (!(f = fopen(tmp, "w"))) {
            fprintf(stderr, "attnkit %s: --out %s: cannot write there\n", cmd, out);
            return AK_EXIT_FAIL;
        }
    }
    ak_workload *w = malloc(sizeof *w);
    ak_workload_estimate *e = malloc(sizeof *e);
    int rc = w && e ? AK_EXIT_OK : AK_EXIT_FAIL;
    fprintf(f, "workload,sweep,rows,block,density,keep,mem_bw,latency,clock_mhz,fits,"
               "active_density,cycles,macs,bytes,mac_utilisation,seconds,images_per_s,"
               "tokens_per_s,intensity,macs_per_cycle,peak_macs_per_cycle,bound_macs_per_cycle,"
               "memory_bound\n");
    for (int p = 0; rc == AK_EXIT_OK && p < P_COUNT; p++) {
        if (p == P_KEEP && !prunes(w0))
            continue;
        for (int i = 0; rc == AK_EXIT_OK && i < counts[p]; i++) {
            ak_estimate_config c;
            char err[512];
            apply((param)p, values[p][i], w0, base, w, &c);
            const ak_status st = ak_estimate_workload(w, &c, e, err, sizeof err);
            if (st != AK_OK && st != AK_EINVAL) {
                fprintf(stderr, "attnkit %s: %s\n", cmd, ak_strerror(st));
                rc = AK_EXIT_FAIL;
                break;
            }
            /* the density the masks reach (pattern fits are approximate), over all layers */
            double grid = 0, active = 0;
            for (uint32_t l = 0; st == AK_OK && l < e->n_layers; l++)
                if (e->layer[l].density > 0) {
                    active += (double)e->layer[l].active_blocks;
                    grid += (double)e->layer[l].active_blocks / e->layer[l].density;
                }
            const double reached = grid > 0 ? active / grid : 0;
            const double keep = p == P_KEEP ? values[p][i] : 1;
            fprintf(f, "%s,%s,%u,%u,%g,%g,%u,%u,%g,%d,%.6f,%llu,%llu,%llu,%.6f,%.9g,%.6g,%.6g,"
                       "%.6g,%.6g,%.6g,%.6g,%d\n",
                    w0->name, names[p], c.hw.rows, w->block, p == P_DENSITY ? values[p][i] : 1,
                    keep, c.mem.bytes_per_cycle, c.mem.latency, c.clock_mhz, st == AK_OK,
                    reached, (unsigned long long)(st == AK_OK ? e->cycles : 0),
                    (unsigned long long)(st == AK_OK ? e->macs : 0),
                    (unsigned long long)(st == AK_OK ? e->bytes : 0),
                    st == AK_OK ? e->utilisation : 0, st == AK_OK ? e->seconds : 0,
                    st == AK_OK ? e->images_per_s : 0, st == AK_OK ? e->tokens_per_s : 0,
                    st == AK_OK ? e->intensity : 0,
                    st == AK_OK && e->cycles ? (double)e->macs / (double)e->cycles : 0,
                    st == AK_OK ? e->peak_macs_per_cycle : 0,
                    st == AK_OK ? e->bound_macs_per_cycle : 0, st == AK_OK && e->memory_bound);
            if (f != stdout)
                fprintf(stderr, "\r%s %s=%g        ", w0->name, names[p], values[p][i]);
        }
    }
    if (f != stdout)
        fprintf(stderr, "\n");
    free(w);
    free(e);
    if (out) {
        if (fclose(f) != 0 && rc == AK_EXIT_OK) {
            fprintf(stderr, "attnkit %s: --out %s: write failed\n", cmd, out);
            rc = AK_EXIT_FAIL;
        }
        if (rc == AK_EXIT_OK && rename(tmp, out) != 0) {
            fprintf(stderr, "attnkit %s: --out %s: cannot rename the finished file into place\n",
                    cmd, out);
            rc = AK_EXIT_FAIL;
        }
        if (rc != AK_EXIT_OK)
            remove(tmp);
        ak_cli_interrupt_forget(tmp, NULL);
    }
    return rc;
}
