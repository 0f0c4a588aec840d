/* Shared harness of attnkit's CUnit test programs. Each tests/test_*.c defines
 * ak_test_register() to add its suites; ak_test.c supplies main(), which runs them with the
 * basic interface (printing CUnit's Run Summary) and exits non-zero on any failure. */
#ifndef AK_TEST_H
#define AK_TEST_H

#include <CUnit/Basic.h>
#include <stdint.h>

/* Defined by each test program: registers its suites; returns 0 on success. */
int ak_test_register(void);

/* Adds a suite with the given tests; returns 0 on success. With the environment variable
 * AK_TEST_ONLY set, only the tests whose name contains its text run. */
typedef struct {
    const char *name;
    void (*fn)(void);
} ak_test_case;
int ak_test_add_suite(const char *name, const ak_test_case *cases, unsigned n);

#define AK_TESTS(...) ((const ak_test_case[]){__VA_ARGS__})
/* AK_SUITE("name", {"test", fn}, ...): adds a suite, counting its tests itself. */
#define AK_SUITE(name, ...)                                                                    \
    ak_test_add_suite(name, AK_TESTS(__VA_ARGS__),                                             \
                      (unsigned)(sizeof AK_TESTS(__VA_ARGS__) / sizeof(ak_test_case)))

/* Path of the attnkit CLI under test (environment AK_CLI, else BUILD/bin/attnkit: ak_test.c). */
const char *ak_test_cli(void);

/* The generated SystemVerilog packages, space-separated (environment AK_SV_PKG, else the three
 * in BUILD/gen/: ak_test.c). */
const char *ak_test_sv_pkg(void);

/* Runs `cli args...` with stdout and stderr captured into buf (NUL-terminated, truncated to
 * cap); returns the exit status (or -1 if it could not be run or was killed). */
int ak_test_run_cli(char *buf, size_t cap, const char *const *args);

/* A text file (up to 256 KB; a doc the test holds the code to), or NULL; the caller frees it.
 * Tests run from the repository root. */
char *ak_test_read_text(const char *path);

/* The JSON document in a file (up to 4 MB), or NULL if it cannot be read or parsed; the caller
 * frees it with cJSON_Delete. */
struct cJSON;
struct cJSON *ak_test_read_json(const char *path);

/* After a test changed `file` of layer `layer` (from 1) in the vector directory `set` on
 * purpose, writes that file's sha256 into the manifest, so `attnkit sim`'s check of the
 * vectors passes and the change reaches the comparison (a wrong expected value, not a
 * corrupted directory). 0, or -1 if the file or its manifest entry cannot be read or written. */
int ak_test_reseal_vectors(const char *set, unsigned layer, const char *file);

#endif
