/* The committed golden vectors (vectors/golden): each set regenerates byte for byte, the
 * committed files match their manifests' SHA-256, and a corrupted or truncated copy is caught
 * with a message naming the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"

static char tmp[] = "/tmp/ak_test_golden_XXXXXX";
static char buf[1 << 14];

static void test_regenerates_byte_for_byte(void)
{
    FILE *f = fopen("vectors/golden/cases.txt", "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
    char line[256], name[64];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%63s", name) != 1)
            continue;
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "scripts/golden.sh check %s %s %s", ak_test_cli(), tmp, name);
        int rc = system(cmd);
        CU_ASSERT_EQUAL(rc, 0);
        cases++;
    }
    fclose(f);
    CU_ASSERT(cases >= 6);
}

static void test_checksums_and_corruption(void)
{
    const char *ok[] = {"vecgen", "--check", "vectors/golden/ragged-prune-n197", NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, ok), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "files match the manifest"));
    /* flip one byte of a copy */
    char cmd[1024], dir[512];
    snprintf(dir, sizeof dir, "%s/corrupt", tmp);
    snprintf(cmd, sizeof cmd,
             "rm -rf %s && cp -r vectors/golden/dense-n64 %s && "
             "printf 'X' | dd of=%s/layer01/o.npy bs=1 seek=200 conv=notrunc status=none",
             dir, dir, dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    const char *bad[] = {"vecgen", "--check", dir, NULL};
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, bad), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "layer01/o.npy: checksum mismatch"));
    /* a missing file */
    snprintf(cmd, sizeof cmd, "rm %s/layer01/kv_idx.npy", dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "cp vectors/golden/dense-n64/layer01/o.npy %s/layer01/o.npy", dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    CU_ASSERT_EQUAL(ak_test_run_cli(buf, sizeof buf, bad), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "kv_idx.npy: missing or unreadable"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

int ak_test_register(void)
{
    return AK_SUITE("golden", {"every golden set regenerates byte for byte", test_regenerates_byte_for_byte},
                    {"checksums verified; corruption and missing files caught", test_checksums_and_corruption});
}
