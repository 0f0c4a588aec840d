/* attnkit: the command-line front end. Dispatches git-style subcommands; each has --help. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attnkit/attnkit.h"
#include "cli.h"

/* `attnkit sim` is a program of its own, attnkit-sim (host/cli/sim_main.c: it links the
 * Verilated RTL and SystemC, which this one does not): run the one beside this executable
 * (build/bin/ or PREFIX/bin/) with the same arguments. Missing: exit 2, nothing done. */
static int run_sim_program(int argc, char **argv)
{
    (void)argc;
    char path[PATH_MAX + 16];
    const ssize_t n = readlink("/proc/self/exe", path, PATH_MAX - 1);
    path[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash) {
        fprintf(stderr, "attnkit sim: cannot find this program's directory (/proc/self/exe)\n");
        return AK_EXIT_USAGE;
    }
    strcpy(slash + 1, "attnkit-sim");
    argv[0] = path;
    execv(path, argv);
    if (errno == ENOENT)
        fprintf(stderr, "attnkit sim: the simulator is not built (%s missing): make sim\n", path);
    else
        fprintf(stderr, "attnkit sim: cannot run %s: %s\n", path, strerror(errno));
    return AK_EXIT_USAGE;
}

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"accuracy", ak_cmd_accuracy, "fixed-point model vs float64 on synthetic inputs"},
    {"estimate", ak_cmd_estimate, "throughput of a workload from the cycle model; design sweeps"},
    {"mask", ak_cmd_mask, "build a block mask and print its bitmap"},
    {"prune", ak_cmd_prune, "EViT token pruning, compared with a float64 selection"},
    {"sim", run_sim_program, "run a vector directory on the Verilated accelerator, compare bytes"},
    {"vecgen", ak_cmd_vecgen, "write a test-vector directory for a workload; check one"},
    {"workload", ak_cmd_workload, "list presets, plan a workload (tokens, MACs, pruning)"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: attnkit <command> [flags]   (attnkit <command> --help for its flags)\n\n"
               "attnkit %s: bit-exact fixed-point reference model of block-sparse attention "
               "(numerics v%d)\n\ncommands:\n",
            AK_VERSION, AK_NUMERICS_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s %s\n  %-10s %s\n", "version", "print the version", "help",
            "print this text");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return AK_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return AK_EXIT_OK;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("attnkit %s (numerics v%d)\n", AK_VERSION, AK_NUMERICS_VERSION);
        return AK_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "attnkit: unknown command '%s' (expected: accuracy, estimate, mask, prune, sim, vecgen, workload, version, help)\n",
            cmd);
    return AK_EXIT_USAGE;
}
