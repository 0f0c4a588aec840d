/* The progress line on stderr (progress.h). */
#define _DEFAULT_SOURCE
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define AK_PROGRESS_DELAY 0.5     /* seconds before the first draw */
#define AK_PROGRESS_INTERVAL 0.25 /* seconds between draws: at most 4 a second */

struct ak_progress {
    char what[64];
    uint64_t total;
    double start, last_draw;
    int drawn_len; /* the longest line drawn since the last erase, 0 if none on screen */
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* h:mm:ss, or m:ss under an hour. */
static void fmt_time(char *buf, size_t len, double s)
{
    unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

ak_progress *ak_progress_start(const char *what, uint64_t total)
{
    if (total == 0 || !isatty(STDERR_FILENO))
        return NULL;
    ak_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->what, sizeof p->what, "%s", what ? what : "");
    p->total = total;
    p->start = now();
    return p;
}

void ak_progress_update(ak_progress *p, uint64_t done)
{
    if (!p)
        return;
    const double t = now(), elapsed = t - p->start;
    if (elapsed < AK_PROGRESS_DELAY || t - p->last_draw < AK_PROGRESS_INTERVAL)
        return;
    if (done > p->total)
        done = p->total;
    char el[32], eta[32] = "?";
    fmt_time(el, sizeof el, elapsed);
    if (done > 0)
        fmt_time(eta, sizeof eta, elapsed * (double)(p->total - done) / (double)done);
    char line[160];
    int n = snprintf(line, sizeof line, "%s %llu/%llu, %s elapsed, ETA %s", p->what,
                     (unsigned long long)done, (unsigned long long)p->total, el, eta);
    if (n < 0)
        return;
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    /* Spaces over the rest of a longer earlier line. */
    fprintf(stderr, "\r%s%*s", line, p->drawn_len > n ? p->drawn_len - n : 0, "");
    fflush(stderr);
    if (n > p->drawn_len)
        p->drawn_len = n;
    p->last_draw = t;
}

void ak_progress_clear(ak_progress *p)
{
    if (!p || !p->drawn_len)
        return;
    fprintf(stderr, "\r%*s\r", p->drawn_len, "");
    fflush(stderr);
    p->drawn_len = 0;
}

void ak_progress_end(ak_progress *p)
{
    ak_progress_clear(p);
    free(p);
}
