/* A progress line on stderr for long commands: "accuracy: head 12/64, 0:07 elapsed, ETA 0:30",
 * redrawn in place (\r) at most about four times a second and erased by ak_progress_end.
 * Only when stderr is a terminal: on a pipe or a file nothing at all is printed, so logs and
 * captured stderr stay clean (no \r, no partial lines).
 *
 * The API is deliberately tiny and stable; a NULL ak_progress * is valid everywhere and does
 * nothing, so callers just pass the result of ak_progress_start around. Not thread-safe: one
 * thread updates a given line. A command that prints lines while the progress line is up
 * (per-layer rows, warnings) calls ak_progress_clear first; the next update redraws it. */
#ifndef ATTNKIT_CLI_PROGRESS_H
#define ATTNKIT_CLI_PROGRESS_H

#include <stdint.h>

typedef struct ak_progress ak_progress;

/* Starts a line labelled `what` ("accuracy: head", "vecgen: layer") counting up to `total`
 * steps. NULL if stderr is not a terminal, total is 0, or out of memory. Draws nothing yet: a
 * command that finishes within its first half second never shows a line. */
ak_progress *ak_progress_start(const char *what, uint64_t total);

/* `done` of the total steps are finished; redraws the line if the last draw is >= 0.25 s old
 * (and the line has been running for >= 0.5 s). NULL: no-op. */
void ak_progress_update(ak_progress *p, uint64_t done);

/* Erases the line (if one is drawn) so that ordinary output can follow on the terminal; the
 * next ak_progress_update draws it again. NULL: no-op. */
void ak_progress_clear(ak_progress *p);

/* Erases the line (if one is drawn) and frees p. NULL: no-op. */
void ak_progress_end(ak_progress *p);

#endif
