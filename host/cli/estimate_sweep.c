/* The design-space sweep of estimate_sweep.h. Each sweep varies one parameter over its values
 * with the others at the base configuration and the workload's own masks and keep rate.
 *
 * Every row says what was estimated:
 *   mask      "workload" (the workload's own masks), or for the density sweep "dense" /
 *             "random" (every layer's mask replaced by a random block mask of that density)
 *   density   the density sweep: the requested density; otherwise the workload's masks'
 *   active_density  the density the masks reached, over all layers (active / all blocks)
 *   saturated 1 when the reached density is off the requested one by more than the tolerance
 *             below (a random mask of a few blocks cannot go below the diagonal and globals):
 *             said once on stderr too
 *   keep      the EViT keep rate used: the swept value, else the workload's own (1: none)
 *   fits      0 when the configuration does not fit the hardware: `why` says why and the
 *             figures are empty, never 0
 * The keep sweep runs 1, .9, .7, .5 and the workload's own keep rate (only for a workload that
 * prunes). A point equal to the base configuration (rows, block, bandwidth or keep at the base
 * value) reuses the base's estimate instead of running the cycle model again.
 *
 * CSV per RFC 4180 (csv_field): fields holding , " CR or LF are quoted, a " inside doubled,
 * records end in CRLF. Debian 12's libcsv-dev (libcsv 3.0.3) parses and writes CSV (csv_fwrite
 * quotes every field); it is not used to keep the CLI free of another link dependency for what
 * is one function here. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/attnkit.h"
#include "cli.h"
#include "estimate_sweep.h"
#include "interrupt.h"
#include "progress.h"

typedef enum { P_ROWS, P_BLOCK, P_DENSITY, P_KEEP, P_BW, P_COUNT } param;

#define MAX_VALUES 6
static const char *const names[P_COUNT] = {"rows", "block", "density", "keep", "mem_bw"};
static const double values[P_COUNT][MAX_VALUES] = {
    {16, 32, 64}, {16, 32, 64, 128}, {1, 0.5, 0.25, 0.1, 0.05}, {1, 0.9, 0.7, 0.5}, {64, 32, 16, 8, 4}};
static const int counts[P_COUNT] = {3, 4, 5, 4, 5};

/* A reached density is "saturated" when it differs from the requested one by more than
 * DENSITY_REL_TOL of the request or DENSITY_ABS_TOL, whichever is larger (0.5 reaching 0.52 on
 * a 4-block grid is a fit; 0.25 reaching 0.52 is not). */
#define DENSITY_REL_TOL 0.10
#define DENSITY_ABS_TOL 0.01

/* ---- CSV (RFC 4180) ---- */

typedef struct {
    FILE *f;
    int n; /* fields written in the current record */
} csv_row;

/* Writes one field: as is, or between double quotes (a " inside doubled) if it holds a comma,
 * a double quote, CR or LF. NULL is an empty field. */
static void csv_field(csv_row *r, const char *s)
{
    if (r->n++)
        fputc(',', r->f);
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, r->f);
        return;
    }
    fputc('"', r->f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', r->f);
        fputc(*s, r->f);
    }
    fputc('"', r->f);
}

/* A printf-formatted field (numbers). */
static void csv_fmt(csv_row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void csv_fmt(csv_row *r, const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    csv_field(r, buf);
}

static void csv_end(csv_row *r)
{
    fputs("\r\n", r->f);
    r->n = 0;
}

static const char *const header[] = {
    "workload", "kind", "sweep", "rows", "block", "mask", "density", "active_density",
    "saturated", "keep", "mem_bw", "latency", "clock_mhz", "fits", "why", "cycles", "macs",
    "bytes", "mac_utilisation", "seconds", "images_per_s", "tokens_per_s", "intensity",
    "macs_per_cycle", "peak_macs_per_cycle", "bound_macs_per_cycle", "memory_bound"};

/* ---- the points ---- */

typedef struct {
    param p;
    double v;
} point;

static int prunes(const ak_workload *w)
{
    for (uint32_t l = 0; l < w->n_layers; l++)
        if (w->layers[l].keep_ppm)
            return 1;
    return 0;
}

/* The workload's own keep rate: its pruning layers' (a workload file has one rate for all;
 * built in code they could differ, and the first is shown); 1 without pruning. */
static double own_keep(const ak_workload *w)
{
    for (uint32_t l = 0; l < w->n_layers; l++)
        if (w->layers[l].keep_ppm)
            return w->layers[l].keep_ppm / 1e6;
    return 1;
}

static uint32_t keep_ppm_of(double v)
{
    return v >= 1 ? 0 : (uint32_t)(v * 1e6 + 0.5);
}

/* Every layer's mask is a single dense part: the density sweep's point 1 is the base. */
static int all_dense(const ak_workload *w)
{
    for (uint32_t l = 0; l < w->n_layers; l++)
        if (w->layers[l].n_parts != 1 || w->layers[l].parts[0].pattern.kind != AK_PATTERN_DENSE)
            return 0;
    return 1;
}

/* Whether point (p, v) is the base configuration with the workload's own masks and keep. */
static int is_base(param p, double v, const ak_workload *w0, const ak_estimate_config *c0)
{
    switch (p) {
    case P_ROWS: return (uint32_t)v == c0->hw.rows;
    case P_BLOCK: return (uint32_t)v == w0->block;
    case P_BW: return (uint32_t)v == c0->mem.bytes_per_cycle;
    case P_DENSITY: return v >= 1 && all_dense(w0);
    case P_KEEP:
        for (uint32_t l = 0; l < w0->n_layers; l++)
            if (w0->layers[l].keep_ppm && w0->layers[l].keep_ppm != keep_ppm_of(v))
                return 0;
        return 1;
    default: return 0;
    }
}

/* The sweep's points in order; the keep sweep gains the workload's own rate. */
static int points_of(const ak_workload *w0, point *pts)
{
    int n = 0;
    for (int p = 0; p < P_COUNT; p++) {
        if (p == P_KEEP && !prunes(w0))
            continue;
        double v[MAX_VALUES + 1];
        int k = counts[p];
        memcpy(v, values[p], sizeof(double) * (size_t)k);
        if (p == P_KEEP) {
            const double own = own_keep(w0);
            int have = 0;
            for (int i = 0; i < k; i++)
                have |= keep_ppm_of(v[i]) == keep_ppm_of(own);
            if (!have) { /* in descending order, as the others */
                int i = k;
                while (i > 0 && v[i - 1] < own) {
                    v[i] = v[i - 1];
                    i--;
                }
                v[i] = own;
                k++;
            }
        }
        for (int i = 0; i < k; i++)
            pts[n++] = (point){(param)p, v[i]};
    }
    return n;
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
                w->layers[l].keep_ppm = keep_ppm_of(v);
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

/* The density the masks reached over all layers: active blocks / all blocks of every head. */
static double reached_density(const ak_workload *w, const ak_workload_estimate *e)
{
    double grid = 0, active = 0;
    for (uint32_t l = 0; l < e->n_layers; l++) {
        const double b = ceil((double)e->layer[l].tokens / w->block);
        active += (double)e->layer[l].active_blocks;
        grid += (double)w->heads * b * b;
    }
    return grid > 0 ? active / grid : 0;
}

static int saturates(double requested, double reached)
{
    return fabs(reached - requested) > fmax(DENSITY_REL_TOL * requested, DENSITY_ABS_TOL);
}

/* The estimate's error without the "<workload>: " it starts with. */
static const char *reason(const ak_workload *w, const char *err)
{
    const size_t n = strlen(w->name);
    return strncmp(err, w->name, n) == 0 && strncmp(err + n, ": ", 2) == 0 ? err + n + 2 : err;
}

typedef struct {
    ak_progress *bar;
    uint64_t base; /* layers done in earlier points */
} progress_ctx;

static void on_layer(void *ctx, uint32_t done, uint32_t n)
{
    (void)n;
    progress_ctx *pc = ctx;
    ak_progress_update(pc->bar, pc->base + done);
}

static void write_row(FILE *f, const ak_workload *w0, const point *pt, const ak_workload *w,
                      const ak_estimate_config *c, int fits, const char *why,
                      const ak_workload_estimate *e, double reached, int saturated)
{
    csv_row r = {f, 0};
    csv_field(&r, w0->name);
    csv_field(&r, w0->kind == AK_WORKLOAD_VISION ? "vision" : "decoder");
    csv_field(&r, names[pt->p]);
    csv_fmt(&r, "%u", c->hw.rows);
    csv_fmt(&r, "%u", w->block);
    if (pt->p == P_DENSITY) {
        csv_field(&r, pt->v >= 1 ? "dense" : "random");
        csv_fmt(&r, "%g", pt->v);
    } else {
        csv_field(&r, "workload");
        if (fits)
            csv_fmt(&r, "%.6f", reached);
        else
            csv_field(&r, NULL);
    }
    if (fits)
        csv_fmt(&r, "%.6f", reached);
    else
        csv_field(&r, NULL);
    csv_fmt(&r, "%d", saturated);
    csv_fmt(&r, "%g", pt->p == P_KEEP ? pt->v : own_keep(w0));
    csv_fmt(&r, "%u", c->mem.bytes_per_cycle);
    csv_fmt(&r, "%u", c->mem.latency);
    csv_fmt(&r, "%g", c->clock_mhz);
    csv_fmt(&r, "%d", fits);
    csv_field(&r, fits ? NULL : why);
    if (!fits) {
        for (size_t i = 15; i < sizeof header / sizeof header[0]; i++)
            csv_field(&r, NULL); /* no figures for what was not estimated */
    } else {
        const int vision = w0->kind == AK_WORKLOAD_VISION;
        csv_fmt(&r, "%llu", (unsigned long long)e->cycles);
        csv_fmt(&r, "%llu", (unsigned long long)e->macs);
        csv_fmt(&r, "%llu", (unsigned long long)e->bytes);
        csv_fmt(&r, "%.6f", e->utilisation);
        csv_fmt(&r, "%.9g", e->seconds);
        if (vision)
            csv_fmt(&r, "%.6g", e->images_per_s);
        else
            csv_field(&r, NULL);
        if (vision)
            csv_field(&r, NULL);
        else
            csv_fmt(&r, "%.6g", e->tokens_per_s);
        csv_fmt(&r, "%.6g", e->intensity);
        csv_fmt(&r, "%.6g", e->cycles ? (double)e->macs / (double)e->cycles : 0);
        csv_fmt(&r, "%.6g", e->peak_macs_per_cycle);
        csv_fmt(&r, "%.6g", e->bound_macs_per_cycle);
        csv_fmt(&r, "%d", e->memory_bound);
    }
    csv_end(&r);
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
            ak_cli_interrupt_forget(tmp, NULL);
            return AK_EXIT_FAIL;
        }
    }
    point pts[P_COUNT * (MAX_VALUES + 1)];
    const int n_pts = points_of(w0, pts);
    ak_workload *w = malloc(sizeof *w);
    ak_workload_estimate *e = malloc(sizeof *e), *be = malloc(sizeof *be);
    int rc = w && e && be ? AK_EXIT_OK : AK_EXIT_FAIL;
    if (rc != AK_EXIT_OK)
        fprintf(stderr, "attnkit %s: out of memory\n", cmd);
    int have_base = 0; /* be holds the base configuration's estimate */
    char sat[512] = "";
    size_t sat_len = 0;
    csv_row hr = {f, 0};
    for (size_t i = 0; i < sizeof header / sizeof header[0]; i++)
        csv_field(&hr, header[i]);
    csv_end(&hr);
    progress_ctx pc = {ak_progress_start("estimate --sweep", (uint64_t)n_pts * w0->n_layers), 0};
    const ak_estimate_opts opts = {.progress = on_layer, .progress_ctx = &pc};
    for (int i = 0; rc == AK_EXIT_OK && i < n_pts; i++) {
        const point *pt = &pts[i];
        ak_estimate_config c;
        char err[512] = "";
        apply(pt->p, pt->v, w0, base, w, &c);
        const int base_point = is_base(pt->p, pt->v, w0, base);
        ak_status st = AK_OK;
        if (base_point && have_base)
            memcpy(e, be, sizeof *e);
        else
            st = ak_estimate_workload_opts(w, &c, &opts, e, err, sizeof err);
        pc.base += w0->n_layers;
        ak_progress_update(pc.bar, pc.base);
        if (st != AK_OK && st != AK_EINVAL) {
            fprintf(stderr, "attnkit %s: %s\n", cmd, ak_strerror(st));
            rc = AK_EXIT_FAIL;
            break;
        }
        if (st == AK_OK && base_point && !have_base) {
            memcpy(be, e, sizeof *e);
            have_base = 1;
        }
        const int fits = st == AK_OK;
        const double reached = fits ? reached_density(w, e) : 0;
        const int saturated = fits && pt->p == P_DENSITY && saturates(pt->v, reached);
        if (saturated && sat_len < sizeof sat)
            sat_len += (size_t)snprintf(sat + sat_len, sizeof sat - sat_len, "%s%g -> %.3f",
                                        sat_len ? ", " : "", pt->v, reached);
        if (!fits) {
            ak_progress_clear(pc.bar); /* the next update draws the line again */
            fprintf(stderr, "attnkit %s: sweep %s=%g: does not fit: %s\n", cmd, names[pt->p],
                    pt->v, reason(w0, err));
        }
        write_row(f, w0, pt, w, &c, fits, reason(w0, err), e, reached, saturated);
    }
    ak_progress_end(pc.bar);
    if (sat_len)
        fprintf(stderr,
                "attnkit %s: %s: the density sweep saturates (requested -> reached: %s): a "
                "random block mask on this grid cannot be that sparse; those rows have "
                "saturated=1\n",
                cmd, w0->name, sat);
    free(w);
    free(e);
    free(be);
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
    } else if (fflush(stdout) != 0 && rc == AK_EXIT_OK) {
        fprintf(stderr, "attnkit %s: writing the CSV failed\n", cmd);
        rc = AK_EXIT_FAIL;
    }
    return rc;
}
