/* attnkit-desc-fuzz: the descriptor fuzzer (host/desc_fuzz.h, docs/dma-safety.md) as a program,
 * behind `make fuzz-rtl`: runs --runs cases of --seed on the Verilated RTL (DMA confinement and
 * the memory model's AXI checks on) or, with --backend tlm, on the TLM model (no confinement
 * check: its memory records no bursts), prints the tally and the time taken, and exits 1 on any
 * failure (hang, DMA outside the job, AXI protocol error, a valid job failing) or, with
 * --require-all-codes, on an error code of the register map no run reached; 2 on bad usage.
 * --compare runs the same cases on both and counts the runs whose ERR codes differ (an
 * independent cross-check of the TLM model's job checks against the RTL's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attnkit_err.h"
#include "backend_tlm.h"
#include "backend_verilator.h"
#include "desc_fuzz.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: attnkit-desc-fuzz [--seed S] [--first I] [--runs N] [--cap CYCLES]\n"
            "                         [--backend verilator|tlm] [--compare] [--require-all-codes]\n"
            "                         [--verbose]\n"
            "  --seed S      the campaign's seed (default 1); run i of seed S is always the same\n"
            "  --first I     first run index (default 0); --runs N runs (default 1000)\n"
            "  --cap CYCLES  the largest cycle budget: a job describing more work is a long job,\n"
            "                aborted (default 20000)\n"
            "  --backend     verilator (default; DMA confinement checked) or tlm\n"
            "  --compare     the same runs on the TLM model too: report runs whose ERR codes differ\n"
            "  --require-all-codes  fail unless every ERR code of the register map was reached\n");
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return 0;
    *v = strtoull(s, &end, 0);
    return *end == '\0';
}

static uint64_t protocol_errors(void *ctx, char *msg, size_t len)
{
    ak_mem_stats st;
    ak_backend_verilator_mem_stats(ctx, &st);
    snprintf(msg, len, "%s", st.first_protocol_error);
    return st.protocol_errors;
}

int main(int argc, char **argv)
{
    ak_fuzz_config cfg = {.seed = 1, .runs = 1000, .log = stderr, .progress = 500};
    const char *backend = "verilator";
    int all_codes = 0, compare = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--seed") && parse_u64(v, &cfg.seed))
            i++;
        else if (!strcmp(a, "--first") && parse_u64(v, &cfg.first))
            i++;
        else if (!strcmp(a, "--runs") && parse_u64(v, &cfg.runs))
            i++;
        else if (!strcmp(a, "--cap") && parse_u64(v, &cfg.long_cap))
            i++;
        else if (!strcmp(a, "--backend") && v && (!strcmp(v, "verilator") || !strcmp(v, "tlm"))) {
            backend = v;
            i++;
        } else if (!strcmp(a, "--compare"))
            compare = 1;
        else if (!strcmp(a, "--require-all-codes"))
            all_codes = 1;
        else if (!strcmp(a, "--verbose"))
            cfg.verbose = 1;
        else if (!strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "attnkit-desc-fuzz: bad argument '%s'%s\n", a,
                    v ? "" : " (or its value is missing)");
            usage(stderr);
            return 2;
        }
    }
    ak_backend be;
    char err[200] = "";
    ak_status st;
    const int rtl = !strcmp(backend, "verilator");
    if (rtl)
        st = ak_backend_verilator_open(NULL, &be, err, sizeof err);
    else
        st = ak_backend_tlm_open(NULL, &be, err, sizeof err);
    if (st != AK_OK) {
        fprintf(stderr, "attnkit-desc-fuzz: %s\n", err[0] ? err : ak_strerror(st));
        return 1;
    }
    if (rtl) {
        cfg.protocol_errors = protocol_errors;
        cfg.protocol_ctx = &be;
    }
    printf("descriptor fuzzer: %s backend, seed %llu, runs %llu..%llu%s\n", backend,
           (unsigned long long)cfg.seed, (unsigned long long)cfg.first,
           (unsigned long long)(cfg.first + cfg.runs - 1),
           rtl ? ", DMA confinement and AXI protocol checked" : " (no DMA confinement check)");
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ak_fuzz_tally t;
    memset(&t, 0, sizeof t);
    uint8_t *codes = compare ? calloc(cfg.runs ? cfg.runs : 1, 2) : NULL;
    if (compare && !codes) {
        fprintf(stderr, "attnkit-desc-fuzz: out of memory\n");
        return 1;
    }
    st = ak_fuzz_run(&be, &cfg, &t, codes);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (be.close)
        be.close(be.ctx);
    uint64_t differ = 0;
    if (compare && st == AK_OK) {
        ak_backend tlm;
        ak_fuzz_tally t2;
        memset(&t2, 0, sizeof t2);
        ak_fuzz_config c2 = cfg;
        c2.protocol_errors = NULL;
        c2.log = NULL;
        st = ak_backend_tlm_open(NULL, &tlm, err, sizeof err);
        if (st == AK_OK) {
            st = ak_fuzz_run(&tlm, &c2, &t2, codes + cfg.runs);
            tlm.close(tlm.ctx);
        }
        for (uint64_t i = 0; st == AK_OK && i < cfg.runs; i++)
            if (codes[i] != codes[cfg.runs + i] && differ++ < 20)
                printf("run %llu: RTL ERR %u, TLM ERR %u\n", (unsigned long long)(cfg.first + i),
                       codes[i], codes[cfg.runs + i]);
        printf("TLM cross-check: %llu of %llu runs with a different ERR code (0xFF: no code, "
               "a long job or a failure)\n", (unsigned long long)differ, (unsigned long long)cfg.runs);
    }
    free(codes);
    if (st != AK_OK) {
        fprintf(stderr, "attnkit-desc-fuzz: %s\n", ak_strerror(st));
        return 1;
    }
    const double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    ak_fuzz_print(stdout, &t);
    printf("time: %.1f s (%.1f runs/s)\n", secs, secs > 0 ? (double)t.runs / secs : 0.0);
    unsigned missing = 0;
    for (unsigned c = AK_HW_ERR_NONE + 1; c < 256; c++)
        if (ak_hw_err_name(c) && !t.code[c]) {
            if (all_codes)
                printf("error code %u %s: never reached\n", c, ak_hw_err_name(c));
            missing++;
        }
    const int ok = t.failures == 0 && (!all_codes || missing == 0) && differ == 0;
    printf("%s: %llu hangs, %llu DMA accesses outside the job, %llu AXI protocol errors, "
           "%llu failed valid jobs, %u error codes not reached\n",
           ok ? "PASS" : "FAIL", (unsigned long long)t.outcome[AK_FUZZ_HANG],
           (unsigned long long)t.outcome[AK_FUZZ_DMA], (unsigned long long)t.outcome[AK_FUZZ_PROTOCOL],
           (unsigned long long)t.outcome[AK_FUZZ_VALID_ERR], missing);
    return ok ? 0 : 1;
}
