/* Ctrl-C and kill for the CLI (interrupt.h). The signals are blocked in every thread and taken
 * by one thread in sigwait(): there, unlike in a signal handler (async-signal-safe calls only),
 * glob(3) and nftw(3) may run, so a directory tree is removed whole. The other threads go on
 * until the process ends; a temporary they write to after its removal dies with them (the
 * process ends by the signal right after the removal, before any rename). */
#define _XOPEN_SOURCE 700 /* nftw's FTW_DEPTH, FTW_PHYS */
#include "interrupt.h"

#include <ftw.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATTERNS 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *patterns[MAX_PATTERNS];
static const char *command = "attnkit";
static int started;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Removes what every pattern matches; the count of paths removed. */
static int remove_all(void)
{
    int removed = 0;
    for (int i = 0; i < MAX_PATTERNS; i++) {
        if (!patterns[i])
            continue;
        glob_t g;
        if (glob(patterns[i], GLOB_NOSORT, NULL, &g) != 0)
            continue;
        for (size_t k = 0; k < g.gl_pathc; k++) {
            nftw(g.gl_pathv[k], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
            fprintf(stderr, "attnkit %s: removed %s\n", command, g.gl_pathv[k]);
            removed++;
        }
        globfree(&g);
    }
    return removed;
}

static void signal_set(sigset_t *s)
{
    sigemptyset(s);
    sigaddset(s, SIGINT);
    sigaddset(s, SIGTERM);
    sigaddset(s, SIGHUP);
}

static void *wait_for_signal(void *arg)
{
    (void)arg;
    sigset_t s;
    signal_set(&s);
    int sig = 0;
    if (sigwait(&s, &sig) != 0)
        return NULL;
    pthread_mutex_lock(&lock); /* held to the end: no pattern changes under the removal */
    fprintf(stderr, "\nattnkit %s: interrupted (%s)\n", command,
            sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
    remove_all();
    fflush(stderr);
    /* end the process by the same signal: its default action, unblocked in this thread */
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _Exit(128 + sig); /* not reached: the default action of all three ends the process */
}

int ak_cli_interrupt_init(const char *cmd)
{
    if (started)
        return 0;
    command = cmd;
    sigset_t s, old;
    signal_set(&s);
    if (pthread_sigmask(SIG_BLOCK, &s, &old) != 0)
        return -1;
    pthread_t t;
    if (pthread_create(&t, NULL, wait_for_signal, NULL) != 0) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    pthread_detach(t);
    started = 1;
    return 0;
}

/* path with glob's special characters escaped, then suffix as it is; NULL if out of memory */
static char *pattern_of(const char *path, const char *suffix)
{
    if (!suffix)
        suffix = "";
    char *p = malloc(2 * strlen(path) + strlen(suffix) + 1);
    if (!p)
        return NULL;
    char *o = p;
    for (const char *s = path; *s; s++) {
        if (strchr("*?[]\\", *s))
            *o++ = '\\';
        *o++ = *s;
    }
    strcpy(o, suffix);
    return p;
}

int ak_cli_interrupt_remove(const char *path, const char *suffix)
{
    char *pattern = pattern_of(path, suffix);
    if (!pattern)
        return -1;
    int rc = -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PATTERNS; i++)
        if (!patterns[i]) {
            patterns[i] = pattern;
            pattern = NULL;
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&lock);
    free(pattern);
    return rc;
}

void ak_cli_interrupt_forget(const char *path, const char *suffix)
{
    char *pattern = pattern_of(path, suffix);
    if (!pattern)
        return;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PATTERNS; i++)
        if (patterns[i] && !strcmp(patterns[i], pattern)) {
            free(patterns[i]);
            patterns[i] = NULL;
            break;
        }
    pthread_mutex_unlock(&lock);
    free(pattern);
}
