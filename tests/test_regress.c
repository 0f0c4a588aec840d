/* scripts/regression/regress, the regression runner: a small seeded regression on the Verilated RTL
 * passes and writes JUnit XML that validates against tests/regress/junit.xsd (xmllint), a
 * results.json and a summary; the same seed gives the same test list; a test past its time
 * limit is a failure and the regression goes on; --rerun-failed runs exactly the failures;
 * Ctrl-C at the start, in the middle and at the end of a 20-test regression (and once on
 * Verilator) exits 130 with valid reports, every test passed, failed or not run, no process
 * left and no partial outputs, and --resume / --rerun-failed complete it; a failing test's
 * reproduce command carries the run's options and fails the same way; a failing Verilator
 * test keeps a real waveform and a killed waveform re-run leaves none; bad input (unknown
 * simulator, bad --tests entries, unknown --only ids, --count over the cap, unreadable test
 * list, unwritable output) is named with exit 2 and leaves nothing behind.
 * Needs the attnkit CLI with the simulator (AK_CLI). */
#define _POSIX_C_SOURCE 200809L
#include <cJSON.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ak_test.h"

static char dir[] = "/tmp/ak_test_regress_XXXXXX";

static int sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    const int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* results.json's count of a status ("passed", "failed", "not_run"), its total in *total */
static int count_status(const char *out, const char *status, int *total)
{
    char path[512];
    snprintf(path, sizeof path, "%s/results.json", out);
    cJSON *j = ak_test_read_json(path);
    int n = 0;
    *total = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(j, "results")) {
        (*total)++;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "status");
        if (cJSON_IsString(s) ? strcmp(s->valuestring, status) == 0
                              : strcmp(status, "passed") == 0 &&
                                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "passed")))
            n++;
    }
    cJSON_Delete(j);
    return n;
}

static int count_passed(const char *out, int *total)
{
    return count_status(out, "passed", total);
}

static void test_small_regression(void)
{
    char out[256];
    snprintf(out, sizeof out, "%s/run", dir);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 5 --count 8 -j 2 --out %s "
                       ">/dev/null 2>&1",
                       ak_test_cli(), out),
                    0);
    int total = 0;
    CU_ASSERT_EQUAL(count_passed(out, &total), 8);
    CU_ASSERT_EQUAL(total, 8);
    CU_ASSERT_EQUAL(sh("xmllint --noout --schema tests/regress/junit.xsd %s/junit.xml 2>/dev/null",
                       out),
                    0);
    char path[512];
    snprintf(path, sizeof path, "%s/summary.md", out);
    CU_ASSERT_EQUAL(access(path, R_OK), 0);
    /* the same seed gives the same list */
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 5 --count 8 --sim model "
                       "--out %s/again >/dev/null 2>&1",
                       ak_test_cli(), dir),
                    0);
    CU_ASSERT_EQUAL(sh("cmp -s %s/tests.json %s/again/tests.json", out, dir), 0);
}

static void test_timeout_and_rerun(void)
{
    char out[256];
    snprintf(out, sizeof out, "%s/slow", dir);
    /* a time limit no test can meet: every test fails as a timeout, none is lost */
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 9 --count 3 -j 2 "
                       "--timeout 0.001 --no-wave --out %s >/dev/null 2>&1",
                       ak_test_cli(), out),
                    1);
    int total = 0;
    CU_ASSERT_EQUAL(count_passed(out, &total), 0);
    CU_ASSERT_EQUAL(total, 3);
    CU_ASSERT_EQUAL(sh("grep -q 'timeout: no result within\\|timeout: vecgen' %s/junit.xml", out),
                    0);
    /* the failures again, now with time enough: all pass */
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --rerun-failed -j 2 --out %s "
                       ">/dev/null 2>&1",
                       ak_test_cli(), out),
                    0);
    CU_ASSERT_EQUAL(count_passed(out, &total), 3);
}

/* results.json's functional coverage: bins hit, total bins, and whether `bin` of `group` is a
 * hole */
static int coverage_of(const char *out, int *bins, int *groups, const char *group,
                       const char *bin, int *is_hole)
{
    char path[512];
    snprintf(path, sizeof path, "%s/results.json", out);
    cJSON *j = ak_test_read_json(path);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "functional_coverage");
    const int hit = cJSON_GetObjectItemCaseSensitive(c, "hit")
                        ? cJSON_GetObjectItemCaseSensitive(c, "hit")->valueint : -1;
    *bins = cJSON_GetObjectItemCaseSensitive(c, "bins")
                ? cJSON_GetObjectItemCaseSensitive(c, "bins")->valueint : -1;
    const cJSON *gs = cJSON_GetObjectItemCaseSensitive(c, "groups");
    *groups = cJSON_GetArraySize(gs);
    *is_hole = -1;
    const cJSON *holes = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(gs, group), "holes");
    if (holes) {
        *is_hole = 0;
        const cJSON *h;
        cJSON_ArrayForEach(h, holes) if (cJSON_IsString(h) && strcmp(h->valuestring, bin) == 0)
            *is_hole = 1;
    }
    cJSON_Delete(j);
    return hit;
}

/* One test hits exactly one bin of every coverpoint and cross, the bins its configuration
 * says (40 tokens in blocks of 16: a ragged edge); steering toward holes covers more bins than
 * plain random draws of the same seed and count. */
static void test_functional_coverage(void)
{
    char list[512], out[512];
    snprintf(list, sizeof list, "%s/one.json", dir);
    FILE *f = fopen(list, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "[{\"id\": \"t00000\", \"seed\": 1, \"tokens\": 40, \"heads\": 1, \"head_dim\": 32, "
               "\"block\": 16, \"mask\": {\"pattern\": \"dense\"}, \"latency\": 5}]\n");
    fclose(f);
    snprintf(out, sizeof out, "%s/cov1", dir);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --tests %s --sim model --out %s "
                       ">/dev/null 2>&1", ak_test_cli(), list, out), 0);
    int bins = 0, groups = 0, hole = -1;
    CU_ASSERT_EQUAL(coverage_of(out, &bins, &groups, "edge", "ragged", &hole), groups);
    CU_ASSERT(groups >= 9);
    CU_ASSERT(bins > groups);
    CU_ASSERT_EQUAL(hole, 0);
    coverage_of(out, &bins, &groups, "edge", "aligned", &hole);
    CU_ASSERT_EQUAL(hole, 1);
    coverage_of(out, &bins, &groups, "pattern x causality", "dense/full", &hole);
    CU_ASSERT_EQUAL(hole, 0);
    coverage_of(out, &bins, &groups, "head_dim x block", "32/16", &hole);
    CU_ASSERT_EQUAL(hole, 0);
    coverage_of(out, &bins, &groups, "memory", "fast", &hole);
    CU_ASSERT_EQUAL(hole, 0);
    CU_ASSERT_EQUAL(sh("grep -q '## Functional coverage' %s/summary.md", out), 0);

    int hit[2];
    for (int steer = 0; steer < 2; steer++) {
        snprintf(out, sizeof out, "%s/cov-steer%d", dir, steer);
        CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --seed 7 --count 40 %s "
                           "--sim model -j 2 --out %s >/dev/null 2>&1",
                           ak_test_cli(), steer ? "" : "--no-steer", out), 0);
        hit[steer] = coverage_of(out, &bins, &groups, "pattern", "dense", &hole);
    }
    CU_ASSERT(hit[1] > hit[0]);
    /* --no-steer is part of the list's source: a reproduce command regenerates the same list */
    CU_ASSERT_EQUAL(sh("grep -q '\"--no-steer\"' %s/cov-steer0/results.json", dir), 0);
}

/* ---- Ctrl-C ------------------------------------------------------------------------------ */

/* An attnkit that takes a second a command and leaves a helper running meanwhile, its own
 * child (sleeper.sh, a loop until killed): a runner that killed only its direct child and not
 * the process group would leave the helper behind. */
static void write_slow_attnkit(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sleeper.sh", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "trap 'exit 0' TERM\nwhile :; do sleep 0.2; done\n");
    fclose(f);
    snprintf(path, sizeof path, "%s/slow_attnkit", dir);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "#!/bin/sh\n/bin/sh %s/sleeper.sh &\ns=$!\nsleep 1\n%s \"$@\"\nrc=$?\n"
               "kill $s 2>/dev/null\nexit $rc\n",
            dir, ak_test_cli());
    fclose(f);
    chmod(path, 0755);
}

static int files_matching(const char *pattern)
{
    glob_t g;
    const int n = glob(pattern, 0, NULL, &g) == 0 ? (int)g.gl_pathc : 0;
    globfree(&g);
    return n;
}

/* Starts the runner (args), waits until `finished` tests have a result (or, for 0, until a
 * test has started), sends SIGINT as a terminal's Ctrl-C would, returns the exit status. */
static int interrupt_at(const char *args, const char *out, int finished)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "exec scripts/regression/regress %s --out %s >%s.txt 2>&1", args,
             out, out);
    const pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    char results[512], started[512];
    snprintf(results, sizeof results, "%s/tests/*/result.json", out);
    snprintf(started, sizeof started, "%s/tests/*/log.txt", out);
    const struct timespec tick = {0, 50 * 1000 * 1000};
    for (int i = 0; i < 20 * 120; i++) { /* two minutes at most */
        if (finished ? files_matching(results) >= finished : files_matching(started) > 0)
            break;
        nanosleep(&tick, NULL);
    }
    const int done_before = files_matching(results);
    kill(pid, SIGINT);
    int st = 0, waited = 0;
    for (int i = 0; i < 20 * 30 && !(waited = waitpid(pid, &st, WNOHANG) == pid); i++)
        nanosleep(&tick, NULL); /* 30 s: beyond its 2 s grace the runner is stuck */
    if (!waited) {
        printf("\n  regress %s: still running 30 s after SIGINT; killed\n", args);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        return -1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 130 || done_before < finished)
        printf("\n  regress %s: %d results when interrupted (wanted %d), exit %d\n", args,
               done_before, finished, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* After an interrupt: reports valid, 20 tests accounted for, nothing left running or lying
 * around; then `again` (--resume or --rerun-failed) runs exactly the not-run ones and the
 * regression ends with 20 passed. */
static void check_interrupted(const char *out, const char *again)
{
    int total = 0;
    const int passed = count_status(out, "passed", &total);
    const int failed = count_status(out, "failed", &total);
    const int not_run = count_status(out, "not_run", &total);
    CU_ASSERT_EQUAL(total, 20);
    CU_ASSERT_EQUAL(passed + failed + not_run, 20);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT_EQUAL(sh("xmllint --noout --schema tests/regress/junit.xsd %s/junit.xml 2>/dev/null",
                       out),
                    0);
    CU_ASSERT_EQUAL(sh("test -s %s/summary.md", out), 0);
    CU_ASSERT_EQUAL(sh("grep -q '^interrupted: %d passed, 0 failed, %d not run' %s.txt", passed,
                       not_run, out),
                    0);
    CU_ASSERT_EQUAL(sh("grep -c '<skipped' %s/junit.xml | grep -qx %d", out, not_run), 0);
    /* no process of the run (attnkit, attnkit-sim, the helpers: all name the directory) */
    CU_ASSERT_EQUAL(sh("pgrep -f '[/]%s' >/dev/null", dir + 1), 1);
    CU_ASSERT_EQUAL(sh("test -z \"$(ls -d %s/tests/*/vectors 2>/dev/null)\"", out), 0);
    char du[600], kb[32] = "?";
    snprintf(du, sizeof du, "du -sk %s | cut -f1", out);
    FILE *p = popen(du, "r");
    if (p) {
        if (!fgets(kb, sizeof kb, p))
            strcpy(kb, "?");
        pclose(p);
        kb[strcspn(kb, "\n")] = '\0';
    }
    CU_ASSERT(atoi(kb) > 0 && atoi(kb) < 10240); /* under 10 MB left in --out */
    char log[512];
    snprintf(log, sizeof log, "%s.again.txt", out);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s %s -j 2 --out %s >%s 2>&1",
                       ak_test_cli(), again, out, log),
                    0);
    if (not_run)
        CU_ASSERT_EQUAL(sh("grep -q 'running %d tests of the last run' %s", not_run, log), 0);
    CU_ASSERT_EQUAL(count_passed(out, &total), 20);
    CU_ASSERT_EQUAL(total, 20);
    printf("\n  %s: interrupted with %d passed, %d not run, %s KiB in --out; %s ran them: "
           "20 passed\n",
           out, passed, not_run, kb, again);
}

static void test_interrupt(void)
{
    write_slow_attnkit();
    static const struct {
        const char *name;
        int finished;
    } points[] = {{"irq-start", 0}, {"irq-middle", 5}, {"irq-end", 18}};
    for (unsigned i = 0; i < sizeof points / sizeof points[0]; i++) {
        char out[256], args[512];
        snprintf(out, sizeof out, "%s/%s", dir, points[i].name);
        snprintf(args, sizeof args, "--attnkit %s/slow_attnkit --sim model --count 20 -j 2", dir);
        CU_ASSERT_EQUAL(interrupt_at(args, out, points[i].finished), 130);
        check_interrupted(out, i == 1 ? "--rerun-failed" : "--resume");
    }
}

/* 20 tests of 150..245 tokens: about a second each on Verilator */
static void test_interrupt_verilator(void)
{
    char list[512], out[256], args[1024];
    snprintf(list, sizeof list, "%s/mid.json", dir);
    FILE *f = fopen(list, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputc('[', f);
    for (int i = 0; i < 20; i++)
        fprintf(f, "%s{\"id\": \"t%05d\", \"seed\": %d, \"tokens\": %d, \"heads\": 2, "
                   "\"head_dim\": 64, \"block\": 32, \"mask\": {\"pattern\": \"%s\"}, "
                   "\"latency\": 5}",
                i ? ",\n" : "", i, 3 + i, 150 + 5 * i, i % 2 ? "causal" : "dense");
    fputs("]\n", f);
    fclose(f);
    snprintf(out, sizeof out, "%s/irq-verilator", dir);
    snprintf(args, sizeof args, "--attnkit %s --sim verilator --tests %s -j 2", ak_test_cli(), list);
    CU_ASSERT_EQUAL(interrupt_at(args, out, 5), 130);
    check_interrupted(out, "--resume");
}

/* ---- reproduce and waveforms ------------------------------------------------------------- */

/* An attnkit whose `sim` or `vecgen --check` of test t00002 hangs for 3 s (and, on the
 * Verilator, whose waveform re-run writes a header stub, then hangs). */
static void write_hanging_attnkit(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/hang_attnkit", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "#!/bin/sh\ncase \"$*\" in\n"
               "*--wave*) for a; do [ \"$prev\" = --wave ] && head -c 330 /dev/zero > \"$a\"; "
               "prev=$a; done; sleep 3;;\n"
               "*--check*t00002/vectors*|\"sim --vectors \"*t00002/vectors*) sleep 3;;\nesac\nexec %s \"$@\"\n",
            ak_test_cli());
    fclose(f);
    chmod(path, 0755);
}

static char *reproduce_of(const char *out, const char *id)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tests/%s/result.json", out, id);
    cJSON *j = ak_test_read_json(path);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "reproduce");
    char *s = strdup(cJSON_IsString(r) ? r->valuestring : "");
    cJSON_Delete(j);
    return s;
}

static void test_reproduce(void)
{
    write_hanging_attnkit();
    char out[256];
    snprintf(out, sizeof out, "%s/repro", dir);
    /* t00002 hangs past --timeout 1.5: it fails, the others pass */
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s/hang_attnkit --sim model "
                       "--seed 3 --count 4 -j 2 --timeout 1.5 --out %s >%s.txt 2>&1",
                       dir, out, out),
                    1);
    int total;
    CU_ASSERT_EQUAL(count_passed(out, &total), 3);
    char *cmd = reproduce_of(out, "t00002");
    char want[512];
    snprintf(want, sizeof want, "--attnkit %s/hang_attnkit", dir);
    CU_ASSERT_PTR_NOT_NULL(strstr(cmd, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(cmd, "--timeout 1.5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cmd, "--only t00002"));
    CU_ASSERT_PTR_NOT_NULL(strstr(cmd, "--sim model"));
    snprintf(want, sizeof want, "--out %s/reproduce", out);
    CU_ASSERT_PTR_NOT_NULL(strstr(cmd, want));
    /* run from elsewhere, it fails the same way, on that test alone, in its own directory */
    CU_ASSERT_EQUAL(sh("cd / && %s >%s.reproduce.txt 2>&1", cmd, out), 1);
    char rout[512];
    snprintf(rout, sizeof rout, "%s/reproduce", out);
    CU_ASSERT_EQUAL(count_status(rout, "failed", &total), 1);
    CU_ASSERT_EQUAL(total, 1);
    CU_ASSERT_EQUAL(sh("grep -q 'timeout: no result within 1.5 s' %s/results.json", rout), 0);
    CU_ASSERT_EQUAL(count_passed(out, &total), 3); /* the run's own report is untouched */
    free(cmd);
}

static void test_waves(void)
{
    /* an output byte of t00001's vectors changed before the Verilator runs: a mismatch, and the
     * waveform re-run writes a real FST file */
    char wrap[512], out[256], reseal[512];
    /* the changed o.npy's sha256 written into the manifest: a wrong expected value that
     * `attnkit sim`'s check of the vectors lets through to the comparison */
    snprintf(reseal, sizeof reseal, "%s/reseal.py", dir);
    FILE *f = fopen(reseal, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("import hashlib, json, sys\n"
          "d = sys.argv[1]\n"
          "m = json.load(open(d + '/manifest.json'))\n"
          "for i, layer in enumerate(m['layers']):\n"
          "    o = '%s/layer%02d/o.npy' % (d, i + 1)\n"
          "    layer['files']['o.npy']['sha256'] = hashlib.sha256(open(o, 'rb').read()).hexdigest()\n"
          "json.dump(m, open(d + '/manifest.json', 'w'), indent=1)\n",
          f);
    fclose(f);
    snprintf(wrap, sizeof wrap, "%s/corrupt_attnkit", dir);
    f = fopen(wrap, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "#!/bin/sh\ncase \"$*\" in\n\"sim --vectors \"*t00001/vectors*) for o in %s/waves/tests/t00001/"
               "vectors/layer*/o.npy; do printf '\\125\\125\\125\\125' | dd of=$o bs=1 "
               "seek=$(($(stat -c %%s $o) - 4)) conv=notrunc 2>/dev/null; done; "
               "python3 %s %s/waves/tests/t00001/vectors;;\nesac\n"
               "exec %s \"$@\"\n",
            dir, reseal, dir, ak_test_cli());
    fclose(f);
    chmod(wrap, 0755);
    snprintf(out, sizeof out, "%s/waves", dir);
    char list[512];
    snprintf(list, sizeof list, "%s/two.json", dir);
    f = fopen(list, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "[{\"id\": \"t00000\", \"seed\": 1, \"tokens\": 16, \"heads\": 1, \"head_dim\": 32, "
               "\"block\": 16, \"mask\": {\"pattern\": \"dense\"}, \"latency\": 5},\n"
               " {\"id\": \"t00001\", \"seed\": 2, \"tokens\": 40, \"heads\": 1, \"head_dim\": 32, "
               "\"block\": 16, \"mask\": {\"pattern\": \"causal\"}, \"latency\": 5}]\n");
    fclose(f);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --tests %s -j 2 --out %s "
                       ">%s.txt 2>&1",
                       wrap, list, out, out),
                    1);
    CU_ASSERT_EQUAL(sh("grep -q 'output mismatch' %s/tests/t00001/result.json", out), 0);
    CU_ASSERT_EQUAL(sh("test $(stat -c %%s %s/tests/t00001/wave.fst) -ge 1024", out), 0);
    CU_ASSERT_EQUAL(sh("grep -q '\"wave\": \"%s/tests/t00001/wave.fst\"' "
                       "%s/tests/t00001/result.json",
                       out, out),
                    0);
    /* an attnkit sim that knows --wave-limit/--wave-from/--wave-to and names the failure's
     * cycle (150): the re-run gets the limit and the window [150 - 100, 150 + 100 / 10] */
    snprintf(wrap, sizeof wrap, "%s/window_attnkit", dir);
    f = fopen(wrap, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "#!/bin/sh\nreal=%s\ncase \"$*\" in\n"
               "\"sim --help\") $real sim --help; echo '  --wave-limit MB'; exit 0;;\n"
               "*--wave*) echo \"$*\" > %s/window_args; exit 1;;\n"
               "\"sim --vectors \"*) $real \"$@\" | sed 's/\"result\":\t\"PASS\",/"
               "\"result\": \"FAIL\", \"failure_cycle\": 150,/'; exit 1;;\n"
               "esac\nexec $real \"$@\"\n",
            ak_test_cli(), dir);
    fclose(f);
    chmod(wrap, 0755);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s --tests %s --only t00000 "
                       "--wave-limit 3 --wave-window 100 --out %s/window >/dev/null 2>&1",
                       wrap, list, dir),
                    1);
    CU_ASSERT_EQUAL(sh("grep -q -- '--layer 1 --wave-limit 3 --wave-from 50 --wave-to 160' "
                       "%s/window_args",
                       dir),
                    0);
    CU_ASSERT_EQUAL(sh("grep -q '\"wave\": null' %s/window/tests/t00000/result.json", dir), 0);
    /* a waveform re-run killed at its time limit leaves no stub and names none */
    write_hanging_attnkit();
    snprintf(out, sizeof out, "%s/stub", dir);
    CU_ASSERT_EQUAL(sh("scripts/regression/regress --attnkit %s/hang_attnkit --seed 3 --count 3 "
                       "--only t00002 --timeout 1.5 --out %s >%s.txt 2>&1",
                       dir, out, out),
                    1);
    CU_ASSERT_EQUAL(sh("test ! -e %s/tests/t00002/wave.fst", out), 0);
    CU_ASSERT_EQUAL(sh("grep -q '\"wave\": null' %s/tests/t00002/result.json", out), 0);
    CU_ASSERT_EQUAL(sh("grep -q 'waveform incomplete' %s/tests/t00002/log.txt", out), 0);
}

/* ---- bad input ------------------------------------------------------------------------------ */

static void expect_exit2(const char *args, const char *needle)
{
    char cmd[2048], buf[4096] = "";
    snprintf(cmd, sizeof cmd, "scripts/regression/regress --attnkit %s %s 2>&1", ak_test_cli(),
             args);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    const size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    const int rc = pclose(p);
    const int ok = WEXITSTATUS(rc) == 2 && strstr(buf, needle);
    if (!ok)
        printf("\n  regress %s: exit %d, wanted 2 and '%s': %s\n", args, WEXITSTATUS(rc), needle,
               buf);
    CU_ASSERT(ok);
}

/* a --tests file whose second test (t00003) has `field` set to `value` (JSON) */
static void bad_entry(const char *field, const char *value, const char *needle)
{
    char list[512], args[1024];
    snprintf(list, sizeof list, "%s/bad.json", dir);
    FILE *f = fopen(list, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    const char *good = "\"seed\": 3, \"tokens\": 40, \"heads\": 1, \"head_dim\": 32, "
                       "\"block\": 16, \"mask\": {\"pattern\": \"dense\"}, \"latency\": 5";
    fprintf(f, "[{\"id\": \"t00001\", %s},\n {\"id\": \"t00003\", %s, \"%s\": %s}]\n", good, good,
            field, value);
    fclose(f);
    snprintf(args, sizeof args, "--tests %s --out %s/fresh/out", list, dir);
    expect_exit2(args, needle);
    CU_ASSERT_EQUAL(sh("test ! -e %s/fresh", dir), 0); /* nothing created */
}

static void test_bad_input(void)
{
    char args[512];
    expect_exit2("--sim spice", "unknown simulator");
    snprintf(args, sizeof args, "--tests %s/none.json --out %s/x", dir, dir);
    expect_exit2(args, "cannot read it");
    expect_exit2("--out /proc/ak_regress", "cannot write there");
    snprintf(args, sizeof args, "--rerun-failed --out %s/empty", dir);
    expect_exit2(args, "no usable last run");
    /* JSON repeats a key: the last one counts, so each of these is t00003's value */
    bad_entry("mem_bw", "0", "test t00003: mem_bw 0: expected an integer 1..64");
    bad_entry("head_dim", "48", "test t00003: head_dim 48: expected 32, 64 or 128");
    bad_entry("mask", "{\"pattern\": \"spiral\"}", "test t00003: mask pattern 'spiral'");
    bad_entry("tokens", "\"40\"", "test t00003: tokens '40': expected an integer");
    bad_entry("mask", "{\"pattern\": \"window\", \"density\": 7}",
              "test t00003: layers[0].mask.density");
    bad_entry("latency", "0", "test t00003: latency 0: expected an integer 1..100000");
    snprintf(args, sizeof args, "--only t99999 --out %s/fresh/out", dir);
    expect_exit2(args, "--only: no test t99999");
    CU_ASSERT_EQUAL(sh("test ! -e %s/fresh", dir), 0);
    snprintf(args, sizeof args, "--count 1000000000 --out %s/fresh/out", dir);
    expect_exit2(args, "--count 1000000000: expected 1..100000");
    CU_ASSERT_EQUAL(sh("test ! -e %s/fresh", dir), 0);
}

static int setup(void)
{
    return mkdtemp(dir) ? 0 : 1;
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_regress: could not remove %s\n", dir);
}

int ak_test_register(void)
{
    if (setup())
        return 1;
    atexit(teardown);
    return AK_SUITE("regress",
                    {"8 seeded tests pass, JUnit validates, same seed same list",
                     test_small_regression},
                    {"time limit is a failure; --rerun-failed", test_timeout_and_rerun},
                    {"functional coverage: one test's bins; steering fills holes",
                     test_functional_coverage},
                    {"Ctrl-C at start, middle, end: 130, reports, no process; --resume",
                     test_interrupt},
                    {"Ctrl-C on Verilator mid-run; --resume completes it",
                     test_interrupt_verilator},
                    {"reproduce command carries the options and fails the same way",
                     test_reproduce},
                    {"failure keeps a real waveform; a killed re-run leaves no stub", test_waves},
                    {"bad input: exit 2, named, nothing written", test_bad_input});
}
