/* Progress of long CLI work on stderr, on a terminal only: a line rewritten in place ("what:
 * 42% (done/total)"), at most a few times a second, and erased at the end. Nothing is written
 * when stderr is not a terminal (a log, a pipe, a test), so captured output stays clean.
 *
 * This is the API another branch adds as host/cli/progress.h; this minimal implementation
 * (progress.c) stands in until the two merge, and the merge keeps one of them. */
#ifndef ATTNKIT_CLI_PROGRESS_H
#define ATTNKIT_CLI_PROGRESS_H

#include <stdint.h>

typedef struct ak_progress ak_progress;

/* Starts a progress line for `total` units of work; NULL (and every call below a no-op) if
 * stderr is not a terminal or out of memory. `what` is copied. */
ak_progress *ak_progress_start(const char *what, uint64_t total);

/* `done` of the total units are finished. */
void ak_progress_update(ak_progress *p, uint64_t done);

/* Erases the line and frees p (NULL: nothing). */
void ak_progress_end(ak_progress *p);

#endif
