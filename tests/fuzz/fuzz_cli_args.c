/* libFuzzer harness: arbitrary bytes into the CLI's flag-value parsers (host/cli/args.c,
 * shape_opts.c) and the library's name parsers the flags use.
 *
 * The input up to its first NUL is one flag value, given to ak_cli_u32 (three ranges),
 * ak_cli_u64, ak_cli_u64_max, ak_cli_double, ak_input_quant_parse, ak_oscale_from_name and
 * ak_pattern_from_name; the whole numbers are checked against an independent parser of the
 * grammar the messages promise (u32: decimal digits only; u64: a C integer constant, decimal,
 * 0x hexadecimal or 0 octal, without sign or space), the real numbers against their range.
 * The input split at newlines is then an argument vector for ak_shape_parse (the shared shape
 * flags and one subcommand flag), and an accepted small shape builds its mask. Any crash,
 * sanitizer report, leak or disagreement (abort) is a bug. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/mask.h"
#include "attnkit/numerics.h"
#include "attnkit/quant.h"
#include "cli.h"
#include "shape_opts.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference: the value of s as a whole number of the grammar above, or -1 (not one),
 * or -2 (one, above 2^64 - 1). */
static int ref_whole(const char *s, int c_constant, uint64_t *out)
{
    unsigned base = 10;
    if (c_constant && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (c_constant && s[0] == '0') {
        base = 8;
    }
    if (!*s)
        return -1;
    uint64_t v = 0;
    int over = 0;
    for (; *s; s++) {
        unsigned dg;
        if (*s >= '0' && *s <= '9')
            dg = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f')
            dg = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F')
            dg = (unsigned)(*s - 'A' + 10);
        else
            return -1;
        if (dg >= base)
            return -1;
        if (v > (UINT64_MAX - dg) / base)
            over = 1;
        else
            v = v * base + dg;
    }
    *out = v;
    return over ? -2 : 0;
}

static void check_u32(const char *s, uint32_t lo, uint32_t hi)
{
    uint32_t got = 7;
    uint64_t want;
    const int r = ref_whole(s, 0, &want);
    const int ok = r == 0 && want >= lo && want <= hi;
    const int rc = ak_cli_u32("fuzz", "--x", s, lo, hi, &got);
    if ((rc == 0) != ok || (ok && got != want) || (!ok && got != 7))
        abort();
}

static void check_u64(const char *s, uint64_t max)
{
    uint64_t got = 7, want;
    const int r = ref_whole(s, 1, &want);
    const int ok = r == 0 && want <= max;
    const int rc = max == UINT64_MAX ? ak_cli_u64("fuzz", "--x", s, &got)
                                     : ak_cli_u64_max("fuzz", "--x", s, max, "0..max", &got);
    if ((rc == 0) != ok || (ok && got != want) || (!ok && got != 7))
        abort();
}

static void check_double(const char *s, double lo, double hi)
{
    double got = -7;
    if (ak_cli_double("fuzz", "--x", s, lo, hi, &got) == 0) {
        if (!isfinite(got) || !(got > lo) || !(got <= hi) || got != strtod(s, NULL))
            abort();
    } else if (got != -7) {
        abort();
    }
}

static void help(void) {}

static int on_flag(int code, const char *arg, void *ctx)
{
    if (code != 'k')
        abort(); /* getopt gave a code nobody registered */
    return ak_cli_u32("fuzz", "--keep", arg, 1, 100, (uint32_t *)ctx);
}

static void check_shape(char *text)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = "fuzz";
    for (char *p = text; argc < 63;) {
        argv[argc++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    static const struct option extra[] = {{"keep", required_argument, NULL, 'k'}};
    uint32_t keep = 0;
    ak_shape_opts o;
    if (ak_shape_parse("fuzz", argc, argv, extra, 1, on_flag, &keep, help, &o) != 0)
        return;
    if (o.n < 1 || o.n > AK_MAX_TOKENS || o.heads < 1 || o.heads > 64 ||
        (o.d != 32 && o.d != 64 && o.d != 128) || !(o.density > 0 && o.density <= 1))
        abort(); /* accepted outside the documented ranges */
    /* the mask of an accepted shape, when it is small enough to build at fuzzing speed */
    if ((uint64_t)o.n * o.heads * o.d > (1u << 16))
        return;
    const size_t qk = (size_t)o.heads * o.n * o.d;
    int8_t *q = calloc(qk, 1), *k = calloc(qk, 1);
    for (size_t i = 0; q && k && i < qk; i++) {
        q[i] = (int8_t)(i * 7 % 255 - 127);
        k[i] = (int8_t)(i * 13 % 255 - 127);
    }
    ak_mask m;
    if (q && k && ak_shape_mask("fuzz", &o, q, k, &m) == 0)
        ak_mask_free(&m);
    free(q);
    free(k);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* The parsers print a usage error for every rejected value: into /dev/null, or a fuzzing
       run would write gigabytes. libFuzzer keeps the stream it opened with (its own copy of
       the original stderr) and the sanitizers write to file descriptor 2, so their reports
       are still seen. (glibc: stderr is a variable.) */
    FILE *nul = fopen("/dev/null", "w");
    if (nul)
        stderr = nul;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    check_u32(s, 0, UINT32_MAX);
    check_u32(s, 1, AK_MAX_TOKENS);
    check_u32(s, 16, 128);
    check_u64(s, UINT64_MAX);
    check_u64(s, 1ull << 53);
    check_double(s, 0.0, 1.0);
    check_double(s, -1e9, 1e9);

    ak_input_quant iq;
    if (ak_input_quant_parse(s, &iq) == AK_OK &&
        (iq.kind == AK_INQ_PERCENTILE ? !(iq.percentile >= 50 && iq.percentile <= 100)
                                      : iq.percentile != 100.0))
        abort();
    ak_oscale_policy op;
    (void)ak_oscale_from_name(s, &op);
    ak_pattern_kind pk;
    if (ak_pattern_from_name(s, &pk) == AK_OK && strcmp(ak_pattern_name(pk), s))
        abort(); /* a name must be its pattern's own */

    /* the whole input (NULs and all, cut at the first) as newline-separated arguments */
    check_shape(s);
    free(s);
    return 0;
}
