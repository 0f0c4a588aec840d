/* Flag parsing, usage errors, JSON output and the host-time clock for the attnkit CLI (cli.h). */
#define _DEFAULT_SOURCE
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "attnkit/scaled_attention.h"
#include "cli.h"

double ak_cli_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int ak_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "attnkit %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see: attnkit %s --help)\n", cmd);
    return AK_EXIT_USAGE;
}

/* strtoull and strtod skip leading white space and take a sign: " -1" would be 2^64 - 1.
   A number flag's value starts with its first digit (or, for a real number, sign or dot). */
static int starts_number(const char *s, int real)
{
    return (*s >= '0' && *s <= '9') || (real && (*s == '-' || *s == '+' || *s == '.'));
}

int ak_cli_u32(const char *cmd, const char *flag, const char *s, uint32_t lo, uint32_t hi,
               uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = starts_number(s, 0) ? strtoull(s, &end, 10) : 0;
    if (!starts_number(s, 0) || *end != '\0' || errno || v < lo || v > hi)
        return ak_cli_usage_error(cmd, "%s: expected a whole number %u..%u, got '%s'", flag,
                                  lo, hi, s);
    *out = (uint32_t)v;
    return 0;
}

int ak_cli_u64_max(const char *cmd, const char *flag, const char *s, uint64_t max,
                   const char *range, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = starts_number(s, 0) ? strtoull(s, &end, 0) : 0;
    if (!starts_number(s, 0) || *end != '\0' || errno || v > max)
        return ak_cli_usage_error(cmd, "%s: expected a whole number %s, got '%s'", flag, range,
                                  s);
    *out = (uint64_t)v;
    return 0;
}

int ak_cli_u64(const char *cmd, const char *flag, const char *s, uint64_t *out)
{
    return ak_cli_u64_max(cmd, flag, s, UINT64_MAX, "0..2^64-1", out);
}

int ak_cli_double(const char *cmd, const char *flag, const char *s, double lo, double hi,
                  double *out)
{
    char *end;
    errno = 0;
    double v = starts_number(s, 1) ? strtod(s, &end) : 0;
    if (!starts_number(s, 1) || *end != '\0' || errno || !isfinite(v) || !(v > lo) || !(v <= hi))
        return ak_cli_usage_error(cmd, "%s: expected a number in (%g, %g], got '%s'", flag, lo,
                                  hi, s);
    *out = v;
    return 0;
}

int ak_cli_getopt_error(const char *cmd, int c, char **argv)
{
    const char *opt = argv[optind - 1];
    if (c == ':')
        return ak_cli_usage_error(cmd, "%s: missing its value", opt);
    return ak_cli_usage_error(cmd, "unknown flag '%s'", opt);
}

int ak_cli_emit_json(cJSON *doc, int pretty)
{
    char *text = doc ? (pretty ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc)) : NULL;
    cJSON_Delete(doc);
    if (!text) {
        fprintf(stderr, "attnkit: could not format the JSON output (out of memory)\n");
        return AK_EXIT_FAIL;
    }
    puts(text);
    cJSON_free(text);
    return AK_EXIT_OK;
}

int ak_cli_input_quant(const char *cmd, const char *arg, ak_quant_spec *q)
{
    if (ak_input_quant_parse(arg, &q->input) != AK_OK)
        return ak_cli_usage_error(cmd, "--input-quant: expected max, mse or percentile:P with P "
                                       "in [50, 100], got '%s'", arg);
    return 0;
}

int ak_cli_output_scale(const char *cmd, const char *arg, ak_quant_spec *q)
{
    if (ak_oscale_from_name(arg, &q->output) != AK_OK)
        return ak_cli_usage_error(cmd, "--output-scale: expected calibrated, fixed or given, "
                                       "got '%s'", arg);
    q->output_set = 1;
    return 0;
}

int ak_cli_warn_saturation(const char *cmd, const char *where, uint64_t saturated,
                           uint64_t total, int quiet)
{
    const double rate = total ? (double)saturated / (double)total : 0.0;
    if (rate <= AK_SAT_WARN_RATE || quiet)
        return rate > AK_SAT_WARN_RATE;
    fflush(stdout); /* after the lines it is about, also when both go to one pipe */
    fprintf(stderr,
            "attnkit %s: warning: %s: %.2f%% of the int8 outputs saturate (%llu of %llu; above "
            "%.1f%%): the output scale clips the data; try --output-scale calibrated\n",
            cmd, where, 100.0 * rate, (unsigned long long)saturated, (unsigned long long)total,
            100.0 * AK_SAT_WARN_RATE);
    return 1;
}
