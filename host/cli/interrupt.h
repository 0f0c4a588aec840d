/* Ctrl-C and kill for the CLI: a command that writes files names the temporaries it may leave
 * (a path, or a path and a glob(3) suffix such as ".tmp.*"); SIGINT, SIGTERM or SIGHUP then removes them
 * (directories with everything in them), says so on stderr, and ends the process by the same
 * signal (a shell sees 128 + N), so no half-written file or directory stays behind. */
#ifndef ATTNKIT_CLI_INTERRUPT_H
#define ATTNKIT_CLI_INTERRUPT_H

/* Blocks the three signals in the calling thread (and so in every thread it starts later) and
 * starts the thread that waits for them. Call it once, before any other thread is created;
 * again is a no-op. 0, or -1 if the thread could not be started (the signals then keep their
 * default action). */
int ak_cli_interrupt_init(const char *cmd);

/* Adds what to remove on a signal: `path` taken literally (glob's special characters in it are
 * escaped), followed by the glob(3) pattern `suffix` ("" or NULL: the path itself; ".tmp.*":
 * the temporaries mkdtemp made beside it). -1 if out of memory or over the limit (16). */
int ak_cli_interrupt_remove(const char *path, const char *suffix);

/* Drops what an ak_cli_interrupt_remove with the same arguments added (the temporary was
 * renamed into place or removed). */
void ak_cli_interrupt_forget(const char *path, const char *suffix);

#endif
