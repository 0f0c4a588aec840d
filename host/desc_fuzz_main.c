/* attnkit-desc-fuzz: the descriptor fuzzer (host/desc_fuzz.h, docs/dma-safety.md) as a program,
 * behind `make fuzz-rtl`: runs --runs cases of --seed on the Verilated RTL (DMA confinement and
 * the memory model's AXI checks on) or, with --backend tlm, on the TLM model (no confinement
 * check: its memory records no bursts), prints the tally and the time taken, and exits 1 on any
 * failure (hang, DMA outside the job, AXI protocol error, a valid job failing) or, with
 * --require-all-codes, on an error code of the register map no run reached; 2 on bad usage. */
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
            "                         [--backend verilator|tlm] [--require-all-codes] [--verbose]\n"
            "  --seed S      the campaign's seed (default 1); run i of seed S is always the same\n"
            "  --first I     first run index (default 0); --runs N runs (default 1000)\n"
            "  --cap CYCLES  the largest cycle budget: a job describing more work is a long job,\n"
            "                aborted (default 20000)\n"
            "  --backend     verilator (default; DMA confinement checked) or tlm\n"
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
    ak_fuzz_config cfg = {.seed = 1, .runs = 1000, .log = stderr};
    const char *backend = "verilator";
    int all_codes = 0;
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
        } else if (!strcmp(a, "--require-all-codes"))
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
    st = ak_fuzz_run(&be, &cfg, &t, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (be.close)
        be.close(be.ctx);
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
    const int ok = t.failures == 0 && (!all_codes || missing == 0);
    printf("%s: %llu hangs, %llu DMA accesses outside the job, %llu AXI protocol errors, "
           "%llu failed valid jobs, %u error codes not reached\n",
           ok ? "PASS" : "FAIL", (unsigned long long)t.outcome[AK_FUZZ_HANG],
           (unsigned long long)t.outcome[AK_FUZZ_DMA], (unsigned long long)t.outcome[AK_FUZZ_PROTOCOL],
           (unsigned long long)t.outcome[AK_FUZZ_VALID_ERR], missing);
    return ok ? 0 : 1;
}
