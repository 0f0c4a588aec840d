/* The terminal progress line of progress.h. */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ak_progress {
    char what[64];
    uint64_t total;
    double last;   /* when the line was last drawn (monotonic seconds) */
    int shown;     /* something is on the line */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

ak_progress *ak_progress_start(const char *what, uint64_t total)
{
    if (!isatty(STDERR_FILENO))
        return NULL;
    ak_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->what, sizeof p->what, "%s", what ? what : "");
    p->total = total;
    p->last = now();  /* work shorter than the first interval draws nothing */
    return p;
}

void ak_progress_update(ak_progress *p, uint64_t done)
{
    if (!p)
        return;
    const double t = now();
    if (t - p->last < 0.2)
        return;
    p->last = t;
    const double pct = p->total ? 100.0 * (double)done / (double)p->total : 100.0;
    fprintf(stderr, "\r%s: %3.0f%% (%llu/%llu)\033[K", p->what, pct, (unsigned long long)done,
            (unsigned long long)p->total);
    fflush(stderr);
    p->shown = 1;
}

void ak_progress_end(ak_progress *p)
{
    if (!p)
        return;
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    free(p);
}
