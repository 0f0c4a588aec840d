/* The cycle model and `attnkit estimate` on their own (their equality with the RTL's cycle
 * counts is tested in tests/test_sim.c): MACs and bytes against counts derived here from the
 * mask, the properties a schedule must have (a masked block costs nothing, less bandwidth or
 * more latency never makes a job faster, sparse layers scale), the sweep's CSV, and every bad
 * input named with exit status 2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"

static ak_estimate_config default_cfg(void)
{
    ak_estimate_config c = {.clock_mhz = 250};
    ak_hw_config_default(&c.hw);
    ak_mem_timing_default(&c.mem);
    return c;
}

static ak_cycle_report layer(const ak_estimate_config *c, const ak_pattern *p, uint32_t heads,
                             uint32_t nq, uint32_t nk, uint32_t d, uint32_t block, ak_mask *m)
{
    ak_cycle_report r = {0};
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(ak_mask_build(p, nq, nk, block, 1, NULL, NULL, d, m, &why), AK_OK);
    const ak_status st = ak_estimate_layer(c, heads, nq, nk, d, m, &r, NULL, &why);
    if (st != AK_OK)
        printf("\n  estimate: %s\n", why ? why : "?");
    CU_ASSERT_EQUAL(st, AK_OK);
    return r;
}

/* The key tiles a query tile of rows [r0, r0 + rows) runs: 16-key tiles of each listed block
 * below nk (and below the token-causal limit of its last row). */
static uint64_t records_of(const ak_mask *m, uint32_t heads, uint32_t rows, uint64_t *empty)
{
    uint64_t n = 0;
    *empty = 0;
    for (uint32_t h = 0; h < heads; h++)
        for (uint32_t r0 = 0; r0 < m->nq; r0 += rows) {
            uint32_t cnt = 0;
            const uint32_t *list = ak_mask_list(m, h, r0 / m->block, &cnt);
            const uint32_t last = r0 + rows < m->nq ? r0 + rows : m->nq;
            const int64_t lim = m->token_causal ? (int64_t)last + m->nk - m->nq : (int64_t)m->nk;
            uint64_t tiles = 0;
            for (uint32_t x = 0; x < cnt; x++)
                for (uint32_t t = list[x] * m->block; t < (list[x] + 1) * m->block; t += 16)
                    tiles += (int64_t)t < lim;
            n += tiles ? tiles : 1; /* a tile without keys still passes once, empty */
            *empty += tiles == 0;
        }
    return n;
}

static void test_counts_from_the_mask(void)
{
    const ak_estimate_config c = default_cfg();
    static const ak_pattern pats[] = {{.kind = AK_PATTERN_DENSE},
                                      {.kind = AK_PATTERN_CAUSAL},
                                      {.kind = AK_PATTERN_WINDOW, .window = 1},
                                      {.kind = AK_PATTERN_STRIDED, .stride = 3}};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        ak_mask m;
        const uint32_t heads = 3, nq = 200, nk = 200, d = 64, B = 32;
        const ak_cycle_report r = layer(&c, &pats[i], heads, nq, nk, d, B, &m);
        uint64_t empty;
        const uint64_t recs = records_of(&m, heads, c.hw.rows, &empty);
        CU_ASSERT_EQUAL(r.records, recs);
        /* every record with keys: d Q.K^T cycles of rows x 16 MACs, rows*d/16 P.V cycles of
           256; the empty ones none */
        CU_ASSERT(empty == 0 || pats[i].kind != AK_PATTERN_DENSE);
        const uint64_t full = recs - empty;
        CU_ASSERT_EQUAL(r.macs, full * (16ull * 16 * d + 256ull * 16 * d / 16));
        /* reads: K and V of every tile, Q of every query tile, the lists, descriptor and kv_off
           words; writes: exactly the output */
        CU_ASSERT_EQUAL(r.write_bytes, (uint64_t)heads * nq * d);
        CU_ASSERT(r.read_bytes >= 2 * full * 16 * d);
        CU_ASSERT(r.cycles > r.stall_cycles);
        /* heads end in order, the last just before the job */
        uint64_t done[3];
        ak_cycle_report again;
        CU_ASSERT_EQUAL(ak_estimate_layer(&c, heads, nq, nk, d, &m, &again, done, NULL), AK_OK);
        CU_ASSERT_EQUAL(again.cycles, r.cycles);
        CU_ASSERT(done[0] < done[1] && done[1] < done[2] && done[2] < r.cycles &&
                  done[2] + 5 > r.cycles);
        ak_mask_free(&m);
    }
}

static void test_schedule_properties(void)
{
    ak_estimate_config c = default_cfg();
    const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
    ak_mask m;
    const ak_cycle_report base = layer(&c, &dense, 2, 512, 512, 64, 64, &m);
    /* compute-bound: about a slot (d cycles) per key tile */
    const uint64_t slots = 2ull * 32 * 32;
    CU_ASSERT(base.cycles >= slots * 64 && base.cycles < slots * 64 * 105 / 100);
    ak_mask_free(&m);
    /* more latency, less bandwidth: never faster */
    uint64_t prev = base.cycles;
    for (uint32_t lat = 40; lat <= 320; lat *= 2) {
        c.mem.latency = lat;
        const ak_cycle_report r = layer(&c, &dense, 2, 512, 512, 64, 64, &m);
        CU_ASSERT(r.cycles >= prev);
        prev = r.cycles;
        ak_mask_free(&m);
    }
    c = default_cfg();
    prev = base.cycles;
    for (uint32_t bw = 32; bw >= 2; bw /= 2) {
        c.mem.bytes_per_cycle = bw;
        const ak_cycle_report r = layer(&c, &dense, 2, 512, 512, 64, 64, &m);
        CU_ASSERT(r.cycles >= prev);
        CU_ASSERT_EQUAL(r.macs, base.macs);
        prev = r.cycles;
        ak_mask_free(&m);
    }
    /* at 2 bytes a cycle a slot moves 2 x 16 x 64 bytes of K and V: memory-bound */
    CU_ASSERT(prev >= slots * 2 * 16 * 64 / 2);
    /* a jittered memory only ever delays: every draw, and so the mean, takes longer */
    c = default_cfg();
    CU_ASSERT_EQUAL_FATAL(ak_mask_build(&dense, 512, 512, 64, 1, NULL, NULL, 64, &m, NULL), AK_OK);
    ak_job_layout lay;
    CU_ASSERT_EQUAL_FATAL(ak_job_layout_plan_shape(2, 512, 512, 64, &m, 4096, &lay), AK_OK);
    c.mem.jitter_seed = 99;
    ak_cycle_report jit, one;
    double sd = -1;
    CU_ASSERT_EQUAL(ak_cycle_model_expected(&c.hw, &c.mem, 4, 2, 512, 512, 64, &m, &lay, &jit,
                                            &sd, NULL), AK_OK);
    CU_ASSERT_EQUAL(ak_cycle_model_run(&c.hw, &c.mem, 2, 512, 512, 64, &m, &lay, &one, NULL,
                                       NULL), AK_OK);
    CU_ASSERT(jit.cycles > base.cycles && one.cycles > base.cycles && sd > 0);
    CU_ASSERT_EQUAL(jit.macs, base.macs);
    ak_mask_free(&m);
    /* sparse: a window of 1 block each side at N = 2048 (density ~0.09) scales near 1/density */
    c = default_cfg();
    const ak_pattern win = {.kind = AK_PATTERN_WINDOW, .window = 1};
    const ak_cycle_report d2 = layer(&c, &dense, 1, 2048, 2048, 64, 64, &m);
    ak_mask_free(&m);
    const ak_cycle_report w2 = layer(&c, &win, 1, 2048, 2048, 64, 64, &m);
    const double density = ak_mask_density(&m);
    const double speedup = (double)d2.cycles / (double)w2.cycles;
    printf("\n  window at N=2048: density %.4f, speed-up %.2f (ideal %.2f)\n", density, speedup,
           1 / density);
    CU_ASSERT(speedup >= 0.85 / density);
    ak_mask_free(&m);
}

static void test_bad_hardware_and_jobs(void)
{
    const char *why = NULL;
    ak_hw_config hw;
    ak_hw_config_default(&hw);
    hw.rows = 20;
    CU_ASSERT_EQUAL(ak_hw_config_check(&hw, &why), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(why && strstr(why, "rows"));
    ak_mem_timing mt;
    ak_mem_timing_default(&mt);
    mt.bytes_per_cycle = 0;
    CU_ASSERT_EQUAL(ak_mem_timing_check(&mt, &why), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "bandwidth"));
    /* a head dim above the hardware's maximum, a block below the query tile */
    ak_estimate_config c = default_cfg();
    c.hw.max_head_dim = 32;
    ak_mask m;
    const ak_pattern dense = {.kind = AK_PATTERN_DENSE};
    CU_ASSERT_EQUAL_FATAL(ak_mask_build(&dense, 64, 64, 16, 1, NULL, NULL, 64, &m, &why), AK_OK);
    ak_cycle_report r;
    CU_ASSERT_EQUAL(ak_estimate_layer(&c, 1, 64, 64, 64, &m, &r, NULL, &why), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "head dim"));
    c = default_cfg();
    c.hw.rows = 32;
    CU_ASSERT_EQUAL(ak_estimate_layer(&c, 1, 64, 64, 64, &m, &r, NULL, &why), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "block size"));
    ak_mask_free(&m);
}

static void expect_usage_error(const char *const *args, const char *needle)
{
    char buf[8192];
    const int rc = ak_test_run_cli(buf, sizeof buf, args);
    const int ok = rc == 2 && strstr(buf, needle);
    if (!ok)
        printf("\n  %s %s: exit %d, wanted 2 and '%s':\n%s\n", args[0], args[1], rc, needle, buf);
    CU_ASSERT(ok);
}

static void test_cli(void)
{
    char buf[1 << 16];
    const char *ok[] = {"estimate", "--preset", "deit-small", "--json", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, ok), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"images_per_s\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "compute-bound"));
    const char *dec[] = {"estimate", "--preset", "llm-4k", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, dec), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "time to first token"));
    expect_usage_error((const char *[]){"estimate", "--preset", "deit-small", "--rows", "20",
                                        NULL},
                       "rows");
    expect_usage_error((const char *[]){"estimate", "--preset", "deit-small", "--mem-bw", "0",
                                        NULL},
                       "bandwidth");
    expect_usage_error((const char *[]){"estimate", "--preset", "deit-small", "--max-head-dim",
                                        "32", NULL},
                       "head dim");
    expect_usage_error((const char *[]){"estimate", "--preset", "nope", NULL}, "unknown preset");
}

/* One record of RFC 4180 CSV from f: fields into fld[] (each up to 511 characters), quoted
 * fields with "" inside and embedded commas and line ends; the record ends in CRLF or LF. The
 * number of fields, or -1 at the end of the file or on a malformed record. */
#define CSV_MAX_FIELDS 40
typedef char csv_fields[CSV_MAX_FIELDS][512];
static int csv_record(FILE *f, csv_fields fld)
{
    int n = 0, c = fgetc(f);
    size_t len = 0;
    if (c == EOF)
        return -1;
    for (;;) {
        if (n >= CSV_MAX_FIELDS)
            return -1;
        len = 0;
        if (c == '"') { /* quoted: up to the closing quote, "" is a quote */
            for (;;) {
                c = fgetc(f);
                if (c == EOF)
                    return -1;
                if (c == '"' && (c = fgetc(f)) != '"')
                    break;
                if (len < 511)
                    fld[n][len++] = (char)c;
            }
        } else {
            while (c != ',' && c != '\r' && c != '\n' && c != EOF) {
                if (c == '"')
                    return -1; /* a quote inside an unquoted field */
                if (len < 511)
                    fld[n][len++] = (char)c;
                c = fgetc(f);
            }
        }
        fld[n++][len] = 0;
        if (c == ',') {
            c = fgetc(f);
            continue;
        }
        if (c == '\r')
            c = fgetc(f);
        return c == '\n' || c == EOF ? n : -1;
    }
}

static int col(csv_fields hdr, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0)
            return i;
    CU_FAIL("a column is missing");
    printf("\n  column %s missing\n", name);
    return 0;
}

/* The sweep of a workload file: every record parses with the header's field count and the
 * workload's name intact, the keep column is the workload's own keep rate outside the keep
 * sweep and the keep sweep contains it, density rows are non-increasing in cycles and flag a
 * reached density far from the requested one, a point that does not fit has fits=0, a reason
 * and no figures. Returns the rows read. */
static unsigned check_sweep(const char *path, const char *name, double own_keep,
                            unsigned *saturated, unsigned *unfit)
{
    static csv_fields hdr, fld;
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    const int nh = csv_record(f, hdr);
    CU_ASSERT_FATAL(nh > 20);
    const int c_name = col(hdr, nh, "workload"), c_sweep = col(hdr, nh, "sweep"),
              c_keep = col(hdr, nh, "keep"), c_dens = col(hdr, nh, "density"),
              c_act = col(hdr, nh, "active_density"), c_sat = col(hdr, nh, "saturated"),
              c_fits = col(hdr, nh, "fits"), c_why = col(hdr, nh, "why"),
              c_cyc = col(hdr, nh, "cycles"), c_ips = col(hdr, nh, "images_per_s"),
              c_tps = col(hdr, nh, "tokens_per_s");
    unsigned rows = 0, density_rows = 0, own_in_keep = 0;
    double prev_cycles = 0;
    *saturated = *unfit = 0;
    int n;
    while ((n = csv_record(f, fld)) >= 0) {
        rows++;
        CU_ASSERT_EQUAL(n, nh);
        if (n != nh)
            break;
        CU_ASSERT_STRING_EQUAL(fld[c_name], name);
        const double keep = atof(fld[c_keep]);
        if (strcmp(fld[c_sweep], "keep") != 0) {
            CU_ASSERT(fabs(keep - own_keep) < 1e-9);
        } else {
            own_in_keep += fabs(keep - own_keep) < 1e-9;
        }
        if (strcmp(fld[c_fits], "1") != 0) {
            (*unfit)++;
            CU_ASSERT_STRING_EQUAL(fld[c_fits], "0");
            CU_ASSERT(strlen(fld[c_why]) > 0);
            CU_ASSERT_STRING_EQUAL(fld[c_cyc], ""); /* not 0: nothing was estimated */
            CU_ASSERT_STRING_EQUAL(fld[c_ips], "");
            CU_ASSERT_STRING_EQUAL(fld[c_tps], "");
            continue;
        }
        CU_ASSERT_STRING_EQUAL(fld[c_why], "");
        CU_ASSERT(atof(fld[c_ips]) > 0 || atof(fld[c_tps]) > 0);
        if (strcmp(fld[c_sweep], "density") == 0) {
            const double cycles = atof(fld[c_cyc]), asked = atof(fld[c_dens]),
                         got = atof(fld[c_act]);
            /* less density, never more cycles (a 4-block grid cannot reach every density) */
            CU_ASSERT(density_rows == 0 || cycles <= prev_cycles);
            prev_cycles = cycles;
            density_rows++;
            const int sat = fabs(got - asked) > fmax(0.1 * asked, 0.01);
            CU_ASSERT_EQUAL(atoi(fld[c_sat]), sat);
            *saturated += (unsigned)sat;
        } else {
            CU_ASSERT_STRING_EQUAL(fld[c_sat], "0");
        }
    }
    CU_ASSERT_EQUAL(n, -1);
    CU_ASSERT(feof(f));
    fclose(f);
    CU_ASSERT_EQUAL(density_rows, 5);
    if (own_keep < 1) {
        CU_ASSERT_EQUAL(own_in_keep, 1);
    }
    return rows;
}

/* a workload file from the vit-keep06 one, under another name */
static void write_renamed(const char *path, const char *name)
{
    char *text = ak_test_read_text("vectors/workloads/vit-keep06.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    char *at = strstr(text, "\"vit-keep06\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "%.*s\"", (int)(at - text), text);
    for (const char *s = name; *s; s++)
        fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s); /* a JSON string */
    fprintf(f, "\"%s", at + strlen("\"vit-keep06\""));
    fclose(f);
    free(text);
}

static void test_sweep_csv(void)
{
    char dir[] = "/tmp/ak_test_estimate_XXXXXX", path[128], wl[160], buf[1 << 13];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    unsigned sat, unfit;
    const char *args[] = {"estimate", "--preset", "deit-tiny", "--sweep", "--out", path, NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, args), 0);
    /* 3 rows + 4 blocks + 5 densities + 4 keep rates (0.7 is the preset's) + 5 bandwidths */
    CU_ASSERT_EQUAL(check_sweep(path, "deit-tiny", 0.7, &sat, &unfit), 3 + 4 + 5 + 4 + 5);
    CU_ASSERT(sat >= 1); /* 197 tokens in 64-token blocks: 0.05 is out of reach */
    CU_ASSERT_EQUAL(unfit, 0);
    /* the saturation said once on stderr; no progress line when stderr is not a terminal */
    const char *said = strstr(buf, "saturates");
    CU_ASSERT(said && !strstr(said + 1, "saturates"));
    CU_ASSERT_PTR_NULL(strchr(buf, '\r'));
    remove(path);
    /* keep 0.6 of its own, block 32 (rows 64 does not fit), and names that are not file names:
       RFC 4180 quoting keeps the records whole */
    static const char *const names[] = {"vit-keep06", "vit,\"v2\"", "../../evil",
                                        "line\nbreak"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(wl, sizeof wl, "%s/w%zu.json", dir, i);
        write_renamed(wl, names[i]);
        const char *a[] = {"estimate", "--workload", wl, "--sweep", "--out", path, NULL};
        const int rc = ak_test_run_cli(buf, sizeof buf, a);
        if (rc != 0)
            printf("\n  %s: %s\n", names[i], buf);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT_EQUAL(check_sweep(path, names[i], 0.6, &sat, &unfit), 3 + 4 + 5 + 5 + 5);
        CU_ASSERT_EQUAL(unfit, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "rows=64: does not fit: "));
        remove(path);
        remove(wl);
    }
    /* an unwritable place: exit 1, nothing left behind */
    snprintf(path, sizeof path, "%s/missing/sweep.csv", dir);
    const char *bad[] = {"estimate", "--preset", "deit-tiny", "--sweep", "--out", path, NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, bad), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "--out"));
    CU_ASSERT_EQUAL(rmdir(dir), 0); /* empty: no temporary file was left */
}

/* Memoised (the default) and plain estimates agree bit for bit: every layer's figures, the
 * totals, the decoder's decode step. Workloads with identical layers (the presets), pruned
 * ones (EViT changes the tokens, so the key), eviction, and random masks whose seed follows
 * the layer (no two layers alike). */
static int same_bits(const void *a, const void *b, size_t n)
{
    return memcmp(a, b, n) == 0;
}

static void expect_same_estimate(const ak_workload *w, const ak_estimate_config *c)
{
    ak_workload_estimate *m = calloc(1, sizeof *m), *p = calloc(1, sizeof *p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    char err[256] = "";
    const ak_estimate_opts plain = {.plain = 1};
    const ak_status sm = ak_estimate_workload_opts(w, c, NULL, m, err, sizeof err);
    const ak_status sp = ak_estimate_workload_opts(w, c, &plain, p, err, sizeof err);
    CU_ASSERT_EQUAL(sm, sp);
    int ok = m->n_layers == p->n_layers;
    for (uint32_t l = 0; ok && l < m->n_layers; l++) {
        const ak_layer_estimate *a = &m->layer[l], *b = &p->layer[l];
        ok = a->tokens == b->tokens && a->active_blocks == b->active_blocks &&
             same_bits(&a->density, &b->density, sizeof a->density) &&
             same_bits(&a->rep, &b->rep, sizeof a->rep) &&
             same_bits(a->head_done, b->head_done, sizeof a->head_done) &&
             same_bits(&a->utilisation, &b->utilisation, sizeof a->utilisation) &&
             same_bits(&a->seconds, &b->seconds, sizeof a->seconds) &&
             a->prune_on_host == b->prune_on_host;
    }
#define SAME(f) (ok = ok && same_bits(&m->f, &p->f, sizeof m->f))
    SAME(cycles);
    SAME(macs);
    SAME(bytes);
    SAME(seconds);
    SAME(utilisation);
    SAME(images_per_s);
    SAME(ttft_s);
    SAME(decode_cycles);
    SAME(tokens_per_s);
    SAME(kv_tokens);
    SAME(peak_macs_per_cycle);
    SAME(bytes_per_cycle);
    SAME(intensity);
    SAME(bound_macs_per_cycle);
    SAME(memory_bound);
#undef SAME
    if (!ok)
        printf("\n  %s: memoised and plain estimates differ\n", w->name);
    CU_ASSERT(ok);
    CU_ASSERT(m->layers_run <= p->layers_run);
    CU_ASSERT_EQUAL(p->layers_run, p->n_layers);
    free(m);
    free(p);
}

static void progress_count(void *ctx, uint32_t done, uint32_t n)
{
    uint32_t *calls = ctx;
    CU_ASSERT(done >= 1 && done <= n);
    CU_ASSERT_EQUAL(done, *calls + 1); /* once a layer, in order */
    (*calls)++;
}

static void test_memoised_equals_plain(void)
{
    const ak_estimate_config c = default_cfg();
    static ak_workload w;
    static const char *const presets[] = {"deit-tiny", "deit-small", "vit-base-dense", "llm-4k"};
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        CU_ASSERT_EQUAL_FATAL(ak_workload_preset(presets[i], &w), AK_OK);
        expect_same_estimate(&w, &c);
    }
    /* identical layers run once: deit-small's 12 layers at 3 token counts (EViT after 4, 7,
       10) run 4 times (the pruning layers differ from the others at the same tokens) */
    CU_ASSERT_EQUAL_FATAL(ak_workload_preset("deit-small", &w), AK_OK);
    ak_workload_estimate *e = calloc(1, sizeof *e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    char err[256];
    CU_ASSERT_EQUAL(ak_estimate_workload(&w, &c, e, err, sizeof err), AK_OK);
    CU_ASSERT(e->layers_run < e->n_layers);
    /* a decoder with eviction and a random mask seeded per layer, mixed with sparse layers */
    CU_ASSERT_EQUAL_FATAL(ak_workload_preset("llm-4k", &w), AK_OK);
    w.n_layers = 6;
    w.tokens = 1024;
    w.eviction = (ak_eviction_spec){.budget = 512, .sinks = 4, .recent = 64, .window = 32};
    for (uint32_t l = 0; l < w.n_layers; l++) {
        w.layers[l].n_parts = 1;
        w.layers[l].parts[0].density = 0;
        w.layers[l].parts[0].pattern =
            l % 2 ? (ak_pattern){.kind = AK_PATTERN_RANDOM, .window = 1, .sinks = 1, .random = 2}
                  : (ak_pattern){.kind = AK_PATTERN_WINDOW, .window = 2, .causal = AK_CAUSAL_ON};
    }
    expect_same_estimate(&w, &c);
    CU_ASSERT_EQUAL(ak_estimate_workload(&w, &c, e, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL(e->layers_run, 1 + 3); /* the window layers once, each random layer */
    /* dense layers with a seed each (as the sweep's density 1 sets them): the seed draws
       nothing for a dense mask, so they are one layer */
    CU_ASSERT_EQUAL_FATAL(ak_workload_preset("deit-tiny-dense", &w), AK_OK);
    for (uint32_t l = 0; l < w.n_layers; l++)
        w.layers[l].parts[0].pattern.seed = l + 7;
    expect_same_estimate(&w, &c);
    CU_ASSERT_EQUAL(ak_estimate_workload(&w, &c, e, err, sizeof err), AK_OK);
    CU_ASSERT_EQUAL(e->layers_run, 1);
    /* from workload files: random parts with an explicit seed (shared), unions of a sparse and
       a top-k part, pruning at uneven layers with keep 0.6; the progress callback once a layer */
    static const char *const docs[] = {
        "{\"format\":\"attnkit-workload\",\"version\":2,\"name\":\"mix\",\"kind\":\"decoder\","
        "\"tokens\":1024,\"heads\":4,\"head_dim\":64,\"block\":64,\"seed\":3,\"layers\":["
        "{\"mask\":{\"pattern\":\"random\",\"density\":0.2}},"
        "{\"mask\":{\"pattern\":\"random\",\"density\":0.2}},"
        "{\"mask\":{\"pattern\":\"random\",\"density\":0.2,\"seed\":9}},"
        "{\"mask\":{\"pattern\":\"random\",\"density\":0.2,\"seed\":9}},"
        "{\"mask\":[{\"pattern\":\"sinks\",\"density\":0.05},"
        "{\"pattern\":\"topk\",\"density\":0.05,\"causal\":true}]},"
        "{\"mask\":[{\"pattern\":\"sinks\",\"density\":0.05},"
        "{\"pattern\":\"topk\",\"density\":0.05,\"causal\":true}]},"
        "{\"mask\":{\"pattern\":\"causal\"}},{\"mask\":{\"pattern\":\"causal\"}}],"
        "\"eviction\":{\"budget\":256,\"sinks\":4,\"recent\":64,\"window\":16}}",
        "{\"format\":\"attnkit-workload\",\"version\":2,\"name\":\"vis\",\"kind\":\"vision\","
        "\"tokens\":401,\"heads\":3,\"head_dim\":32,\"block\":32,\"layers\":["
        "{\"mask\":{\"pattern\":\"dense\"}},{\"mask\":{\"pattern\":\"dense\"}},"
        "{\"mask\":{\"pattern\":\"dense\"}},"
        "{\"mask\":{\"pattern\":\"window\",\"density\":0.3}},"
        "{\"mask\":{\"pattern\":\"window\",\"density\":0.3}},"
        "{\"mask\":{\"pattern\":\"dense\"}},{\"mask\":{\"pattern\":\"dense\"}},"
        "{\"mask\":{\"pattern\":\"dense\"}}],"
        "\"pruning\":{\"layers\":[3,6],\"keep_rate\":0.6}}"};
    /* mix: layers 1, 2, 3, 5, 7 run; vis (401 -> 242 -> 147 tokens): 1, 3, 4, 6, 7 */
    static const uint32_t runs[] = {5, 5};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        const ak_status st = ak_workload_parse(docs[i], strlen(docs[i]), "test", &w, err,
                                               sizeof err);
        if (st != AK_OK)
            printf("\n  %s\n", err);
        CU_ASSERT_EQUAL_FATAL(st, AK_OK);
        expect_same_estimate(&w, &c);
        uint32_t calls = 0;
        const ak_estimate_opts o = {.progress = progress_count, .progress_ctx = &calls};
        CU_ASSERT_EQUAL(ak_estimate_workload_opts(&w, &c, &o, e, err, sizeof err), AK_OK);
        CU_ASSERT_EQUAL(calls, w.n_layers);
        CU_ASSERT_EQUAL(e->layers_run, runs[i]);
    }
    free(e);
}

int ak_test_register(void)
{
    return AK_SUITE("estimate", {"MACs, records and bytes from the mask", test_counts_from_the_mask},
                    {"latency, bandwidth and sparsity", test_schedule_properties},
                    {"bad hardware and jobs named", test_bad_hardware_and_jobs},
                    {"attnkit estimate: output and exit 2", test_cli},
                    {"--sweep CSV", test_sweep_csv},
                    {"memoised estimate equals the plain one", test_memoised_equals_plain});
}
