/* Shared pieces of the attnkit CLI: the exit codes, subcommand entry points, and flag parsing
 * that names the flag and the allowed values in every error. */
#ifndef ATTNKIT_CLI_H
#define ATTNKIT_CLI_H

#include <stdint.h>

#include "attnkit/workload.h"

enum {
    AK_EXIT_OK = 0,
    AK_EXIT_FAIL = 1,  /* the run failed (library error, check failed) */
    AK_EXIT_USAGE = 2  /* bad flag or argument; nothing was done or written */
};

int ak_cmd_accuracy(int argc, char **argv);
int ak_cmd_accuracy_real(int argc, char **argv); /* accuracy --npy-dir: real tensors */
int ak_cmd_mask(int argc, char **argv);
int ak_cmd_workload(int argc, char **argv);
int ak_cmd_prune(int argc, char **argv);
int ak_cmd_sim(int argc, char **argv); /* cmd_sim.c: only in attnkit-sim (sim_main.c, sim/sim.mk) */
int ak_cmd_estimate(int argc, char **argv);

/* Loads exactly one of --preset NAME / <file_flag> FILE into *w; on failure prints why (naming
 * the file and field) and returns an exit code, else 0. */
int ak_cli_load_workload(const char *cmd, const char *preset, const char *file,
                         const char *file_flag, ak_workload *w);
int ak_cmd_vecgen(int argc, char **argv);

/* Prints the workload presets, a line each. */
void ak_cli_list_presets(void);

/* A layer's mask for tables: its pattern names joined by '+' ("sinks+topk"). */
void ak_cli_mask_name(const ak_layer_spec *s, char *buf, size_t len);

/* --input-quant Q and --output-scale P (numerics.md 3.1, 3.2) into a workload's quant spec;
 * 0 or a usage error's exit code. The help text of both flags is AK_CLI_QUANT_HELP. */
int ak_cli_input_quant(const char *cmd, const char *arg, ak_quant_spec *q);
int ak_cli_output_scale(const char *cmd, const char *arg, ak_quant_spec *q);
#define AK_CLI_QUANT_HELP                                                                       \
    "  --input-quant Q   float inputs: max, mse or percentile:P (P in [50, 100]): how each\n"    \
    "                    head's clip is chosen (numerics.md 3.1; default: the workload's, max)\n" \
    "  --output-scale P  calibrated (from the layer's o_fx: no int8 saturation), fixed\n"        \
    "                    (s_v / 8, numerics v1) or given (scales.npy's 4th column); default:\n"   \
    "                    the workload's, else given when scales.npy has it, else calibrated\n"

/* Whether `saturated` of `total` int8 outputs exceed AK_SAT_WARN_RATE; if so and not `quiet`,
 * prints "attnkit <cmd>: warning: <where>: ..." on stderr. With --json the commands pass
 * quiet and put the answer into the document ("saturation_warning"), so stdout and stderr
 * together stay one JSON document. */
int ak_cli_warn_saturation(const char *cmd, const char *where, uint64_t saturated,
                           uint64_t total, int quiet);

/* A monotonic clock in seconds, for the host-time figures. */
double ak_cli_seconds(void);


/* Prints "attnkit <cmd>: <message>" and a pointer to --help on stderr; returns AK_EXIT_USAGE. */
int ak_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a whole decimal number in [lo, hi] (digits only: no sign, no leading space); on failure print a usage error naming `flag` and
 * the range, and return AK_EXIT_USAGE (0 on success). */
int ak_cli_u32(const char *cmd, const char *flag, const char *s, uint32_t lo, uint32_t hi,
               uint32_t *out);
/* A whole number, decimal, 0x hexadecimal or 0 octal, 0..2^64-1 (ak_cli_u64) or 0..max
 * (`range` is max as the message shows it, e.g. "0..2^53"). */
int ak_cli_u64(const char *cmd, const char *flag, const char *s, uint64_t *out);
int ak_cli_u64_max(const char *cmd, const char *flag, const char *s, uint64_t max,
                   const char *range, uint64_t *out);
/* A finite number in (lo, hi]. */
int ak_cli_double(const char *cmd, const char *flag, const char *s, double lo, double hi,
                  double *out);

/* Prints a JSON document on stdout (pretty or on one line), frees it, and returns the exit
 * code: AK_EXIT_FAIL if it could not be printed (e.g. out of memory while building it). */
struct cJSON;
int ak_cli_emit_json(struct cJSON *doc, int pretty);

/* The getopt_long error for the option at argv[optind-1]: unknown flag or missing argument. */
int ak_cli_getopt_error(const char *cmd, int c, char **argv);

#endif
