/* Ctrl-C on the CLI's long writers (host/cli/interrupt.h): `attnkit vecgen` on a 32k-token
 * decoder and `attnkit estimate --sweep --out` are sent SIGINT while their temporary exists
 * (polled every millisecond); each must end by SIGINT (a shell's 130) with nothing left in its
 * directory: no out.tmp.XXXXXX, no .csv.tmp, no output. A run that finishes before the signal
 * lands is a failure of the test's set-up, reported as such (the workloads take seconds). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ak_test.h"

static char dir[] = "/tmp/ak_test_interrupt_XXXXXX";

/* The directory's entries other than . and .., space-separated, into buf; their count. */
static int entries(const char *path, char *buf, size_t cap)
{
    int n = 0;
    buf[0] = '\0';
    DIR *d = opendir(path);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            n++;
            strncat(buf, e->d_name, cap - strlen(buf) - 2);
            strcat(buf, " ");
        }
    closedir(d);
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Starts `cli args` in `work` (stdout, stderr to /dev/null), waits until `work` holds an entry
 * (the temporary), sends SIGINT, and checks that the process ended by it with `work` empty. */
static void interrupt_when_written(const char *work, const char *const *args)
{
    const pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        if (chdir(work) != 0 || !freopen("/dev/null", "w", stdout) ||
            !freopen("/dev/null", "w", stderr))
            _exit(127);
        char *argv[16] = {(char *)ak_test_cli()};
        for (int i = 0; args[i] && i < 14; i++)
            argv[i + 1] = (char *)args[i];
        execv(argv[0], argv);
        _exit(127);
    }
    char names[1024];
    int status = 0, seen = 0;
    for (int ms = 0; ms < 60000 && !seen; ms++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        seen = entries(work, names, sizeof names) > 0;
        if (!seen)
            sleep_ms(1);
    }
    if (!seen) {
        CU_FAIL("the command ended (or wrote nothing in 60 s) before it could be interrupted");
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return;
    }
    sleep_ms(50); /* well into the work */
    CU_ASSERT_EQUAL(kill(pid, SIGINT), 0);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT))
        fprintf(stderr, "\n  %s %s: status 0x%x, not ended by SIGINT (finished first?)\n",
                args[0], args[1], status);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
    const int left = entries(work, names, sizeof names);
    if (left != 0)
        fprintf(stderr, "\n  %s left behind: %s\n", args[0], names);
    CU_ASSERT_EQUAL(left, 0);
}

static void test_vecgen(void)
{
    char work[256];
    snprintf(work, sizeof work, "%s/vecgen", dir);
    CU_ASSERT_FATAL(mkdir(work, 0777) == 0);
    interrupt_when_written(work, (const char *const[]){"vecgen", "--preset", "llm-32k", "--out",
                                                        "vectors", NULL});
}

static void test_estimate_sweep(void)
{
    char work[256];
    snprintf(work, sizeof work, "%s/sweep", dir);
    CU_ASSERT_FATAL(mkdir(work, 0777) == 0);
    interrupt_when_written(work, (const char *const[]){"estimate", "--preset", "vit-large",
                                                        "--sweep", "--out", "sweep.csv", NULL});
}

static int setup(void)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int ak_test_register(void)
{
    CU_pSuite s = CU_add_suite("interrupt", setup, teardown);
    return !s || !CU_add_test(s, "vecgen", test_vecgen) ||
           !CU_add_test(s, "estimate --sweep", test_estimate_sweep);
}
