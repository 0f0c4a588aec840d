/* .npy reading and writing: byte images built here from the format description (not by the
 * writer), every dtype through write and read, Fortran order and big-endian files, float16
 * decoding, each malformed-input error, no partial file on a failed write, and interop with
 * numpy itself (scripts/data/npy_interop.py) in both directions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ak_test.h"
#include "attnkit/npy.h"

/* Builds a v1.0 (or v2.0) image: magic, version, header length, dict padded with spaces to a
 * 64-byte boundary and '\n', then `data`. Returns its length. */
static size_t image(uint8_t *buf, int major, const char *dict, const void *data, size_t bytes)
{
    size_t pre = major == 1 ? 10 : 12, n = strlen(dict);
    size_t hlen = n + 1;
    while ((pre + hlen) % 64)
        hlen++;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)major;
    buf[7] = 0;
    buf[8] = (uint8_t)(hlen & 0xff);
    buf[9] = (uint8_t)(hlen >> 8);
    if (major != 1)
        buf[10] = buf[11] = 0;
    memcpy(buf + pre, dict, n);
    memset(buf + pre + n, ' ', hlen - n - 1);
    buf[pre + hlen - 1] = '\n';
    memcpy(buf + pre + hlen, data, bytes);
    return pre + hlen + bytes;
}

static void test_hand_built_images(void)
{
    uint8_t buf[512];
    char err[256];
    ak_npy a;
    const int16_t v[6] = {1, -2, 3, -4, 5, -6};
    size_t len = image(buf, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", v,
                       sizeof v);
    CU_ASSERT_EQUAL_FATAL(ak_npy_parse(buf, len, "t.npy", &a, err, sizeof err), AK_OK);
    CU_ASSERT(a.dtype == AK_DT_I16 && a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3);
    CU_ASSERT(!memcmp(a.data, v, sizeof v));
    ak_npy_free(&a);
    /* v2.0, double quotes, keys in another order, a 1-tuple without a trailing space */
    len = image(buf, 2, "{\"shape\": (6,), \"fortran_order\": False, \"descr\": \"<i2\"}", v, sizeof v);
    CU_ASSERT_EQUAL_FATAL(ak_npy_parse(buf, len, "t.npy", &a, err, sizeof err), AK_OK);
    CU_ASSERT(a.ndim == 1 && a.shape[0] == 6 && !memcmp(a.data, v, sizeof v));
    ak_npy_free(&a);
    /* Fortran order: memory holds columns; the reader returns C order */
    const int16_t f[6] = {1, 4, 2, 5, 3, 6}; /* the 2x3 matrix [[1,2,3],[4,5,6]] by columns */
    const int16_t c[6] = {1, 2, 3, 4, 5, 6};
    len = image(buf, 1, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }", f, sizeof f);
    CU_ASSERT_EQUAL_FATAL(ak_npy_parse(buf, len, "t.npy", &a, err, sizeof err), AK_OK);
    CU_ASSERT(!memcmp(a.data, c, sizeof c));
    ak_npy_free(&a);
    /* big-endian int32 */
    const uint8_t be[8] = {0x00, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xfe};
    len = image(buf, 1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be, 8);
    CU_ASSERT_EQUAL_FATAL(ak_npy_parse(buf, len, "t.npy", &a, err, sizeof err), AK_OK);
    CU_ASSERT(((int32_t *)a.data)[0] == 258 && ((int32_t *)a.data)[1] == -2);
    ak_npy_free(&a);
    /* an empty Fortran-order array (found by fuzzing: nothing to copy, no buffer) */
    len = image(buf, 1, "{'descr': '<i2', 'fortran_order': True, 'shape': (0, 3), }", v, 0);
    CU_ASSERT_EQUAL_FATAL(ak_npy_parse(buf, len, "t.npy", &a, err, sizeof err), AK_OK);
    CU_ASSERT(a.count == 0 && a.ndim == 2);
    ak_npy_free(&a);
    /* a scalar */
    const double one = 1.5;
    len = image(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", &one, 8);
    CU_ASSERT_EQUAL_FATAL(ak_npy_parse(buf, len, "t.npy", &a, err, sizeof err), AK_OK);
    CU_ASSERT(a.ndim == 0 && a.count == 1 && ((double *)a.data)[0] == 1.5);
    ak_npy_free(&a);
}

static void test_float16(void)
{
    const uint16_t bits[] = {0x3c00, 0xc000, 0x0001, 0x7c00, 0x0400, 0x7bff, 0x8000};
    const double want[] = {1.0, -2.0, 0x1p-24, INFINITY, 0x1p-14, 65504.0, -0.0};
    ak_npy a = {.dtype = AK_DT_F16, .ndim = 1, .shape = {7}, .count = 7, .data = (void *)bits};
    double out[7];
    ak_npy_to_double(&a, out);
    for (int i = 0; i < 7; i++)
        CU_ASSERT_EQUAL(out[i], want[i]);
    CU_ASSERT(signbit(out[6]));
}

typedef struct {
    const char *dict;
    size_t data_bytes;
    const char *must_say;
} bad_case;

static void test_malformed(void)
{
    static const bad_case cases[] = {
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", 10, "too few bytes: expected 12"},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", 14, "2 unexpected bytes"},
        {"{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported dtype '<c8'"},
        {"{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", 2, "unsupported dtype"},
        {"{'descr': '<i2', 'shape': (2,), }", 4, "needs descr, fortran_order and shape"},
        {"{'descr': '<i2', 'fortran_order': Maybe, 'shape': (2,), }", 4, "True or False"},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, x), }", 4, "whole numbers"},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 2, "more than 8"},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", 2, "overflows"},
        {"{'descr': '<i2', 'fortran_order': False, 'shape': (2,), 'x': 1}", 4, "unknown key"},
        {"['descr']", 4, "expected '{'"},
    };
    uint8_t buf[512], zeros[64] = {0};
    char err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ak_npy a;
        size_t len = image(buf, 1, cases[i].dict, zeros, cases[i].data_bytes);
        ak_status st = ak_npy_parse(buf, len, "bad.npy", &a, err, sizeof err);
        int ok = st == AK_EINVAL && !strncmp(err, "bad.npy: ", 9) && strstr(err, cases[i].must_say);
        if (!ok)
            printf("\n    case %zu: status %d: %s ", i, st, err);
        CU_ASSERT(ok);
        CU_ASSERT(a.data == NULL);
    }
    ak_npy a;
    size_t len = image(buf, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", zeros, 4);
    buf[0] = 'X';
    CU_ASSERT_EQUAL(ak_npy_parse(buf, len, "m.npy", &a, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad magic"));
    buf[0] = 0x93;
    buf[6] = 9;
    CU_ASSERT_EQUAL(ak_npy_parse(buf, len, "m.npy", &a, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unsupported format version 9"));
    buf[6] = 1;
    buf[8] = 0xff; /* header length 0x..ff: past the end */
    CU_ASSERT_EQUAL(ak_npy_parse(buf, len, "m.npy", &a, err, sizeof err), AK_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "runs past the end of the file"));
    CU_ASSERT_EQUAL(ak_npy_parse(buf, 5, "m.npy", &a, err, sizeof err), AK_EINVAL);
    CU_ASSERT_EQUAL(ak_npy_read("/nonexistent/x.npy", &a, err, sizeof err), AK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.npy: cannot open"));
}

static char dir[] = "/tmp/ak_test_npy_XXXXXX";

/* x[i] = (i * 37 + 11) % 251 - 125 (+125 for unsigned): the values scripts/data/npy_interop.py
 * expects. */
static double value(uint64_t i, int is_unsigned)
{
    return (double)((int64_t)((i * 37 + 11) % 251) - 125 + (is_unsigned ? 125 : 0));
}

static void fill(ak_npy *a)
{
    size_t size = ak_dtype_size(a->dtype);
    a->data = malloc(a->count * size);
    for (uint64_t i = 0; i < a->count; i++) {
        double v = value(i, a->dtype == AK_DT_U16);
        uint8_t *e = (uint8_t *)a->data + i * size;
        switch (a->dtype) {
        case AK_DT_I8: { int8_t x = (int8_t)v; memcpy(e, &x, 1); break; }
        case AK_DT_I32: { int32_t x = (int32_t)v; memcpy(e, &x, 4); break; }
        case AK_DT_U16: { uint16_t x = (uint16_t)v; memcpy(e, &x, 2); break; }
        case AK_DT_F32: { float x = (float)v; memcpy(e, &x, 4); break; }
        case AK_DT_F64: memcpy(e, &v, 8); break;
        case AK_DT_F16: { /* |v| <= 125 is exact in binary16: build its bits */
            uint16_t bits = 0;
            double m = fabs(v);
            if (m > 0) {
                int ex = 0;
                while (m >= 2.0) { m /= 2.0; ex++; }
                bits = (uint16_t)(((ex + 15) << 10) | (uint16_t)((m - 1.0) * 1024.0));
            }
            if (v < 0) bits |= 0x8000;
            memcpy(e, &bits, 2);
            break;
        }
        default: break;
        }
    }
}

static void test_round_trip_and_numpy(void)
{
    static const struct {
        const char *name;
        ak_dtype t;
        uint32_t ndim;
        uint64_t shape[3];
    } arrays[] = {{"a_i8", AK_DT_I8, 3, {2, 3, 4}}, {"a_i32", AK_DT_I32, 2, {5, 7}},
                  {"a_f32", AK_DT_F32, 2, {3, 5}},  {"a_f16", AK_DT_F16, 2, {4, 4}},
                  {"a_f64", AK_DT_F64, 1, {6}},     {"a_u16", AK_DT_U16, 2, {2, 9}}};
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[256], err[256];
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        ak_npy a = {.dtype = arrays[i].t, .ndim = arrays[i].ndim, .count = 1};
        for (uint32_t d = 0; d < a.ndim; d++) {
            a.shape[d] = arrays[i].shape[d];
            a.count *= a.shape[d];
        }
        fill(&a);
        snprintf(path, sizeof path, "%s/ak_%s.npy", dir, arrays[i].name);
        CU_ASSERT_EQUAL_FATAL(ak_npy_write(path, &a, err, sizeof err), AK_OK);
        ak_npy b;
        CU_ASSERT_EQUAL_FATAL(ak_npy_read(path, &b, err, sizeof err), AK_OK);
        CU_ASSERT(b.dtype == a.dtype && b.ndim == a.ndim && b.count == a.count);
        CU_ASSERT(!memcmp(a.data, b.data, a.count * ak_dtype_size(a.dtype)));
        ak_npy_free(&b);
        free(a.data);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "python3 -c 'import numpy' 2>/dev/null");
    if (system(cmd) != 0) {
        printf("\n    numpy not installed: interop not checked (make deps installs it) ");
        CU_FAIL("numpy missing");
        return;
    }
    /* numpy reads what we wrote ... */
    snprintf(cmd, sizeof cmd, "python3 scripts/data/npy_interop.py check %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    /* ... and we read what numpy wrote, C and Fortran order alike */
    snprintf(cmd, sizeof cmd, "python3 scripts/data/npy_interop.py write %s", dir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        for (int fortran = 0; fortran < 2; fortran++) {
            snprintf(path, sizeof path, "%s/np_%s_%c.npy", dir, arrays[i].name, fortran ? 'f' : 'c');
            ak_npy b;
            CU_ASSERT_EQUAL_FATAL(ak_npy_read(path, &b, err, sizeof err), AK_OK);
            double *v = malloc(b.count * sizeof *v);
            ak_npy_to_double(&b, v);
            for (uint64_t x = 0; x < b.count; x++)
                CU_ASSERT_EQUAL_FATAL(v[x], value(x, b.dtype == AK_DT_U16));
            free(v);
            ak_npy_free(&b);
        }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_failed_write_leaves_nothing(void)
{
    int8_t v[4] = {1, 2, 3, 4};
    ak_npy a = {.dtype = AK_DT_I8, .ndim = 1, .shape = {4}, .count = 4, .data = v};
    char err[256];
    CU_ASSERT_EQUAL(ak_npy_write("/nonexistent/dir/x.npy", &a, err, sizeof err), AK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot create"));
    CU_ASSERT_NOT_EQUAL(access("/nonexistent/dir/x.npy.tmp", F_OK), 0);
}

int ak_test_register(void)
{
    return AK_SUITE("npy", {"hand-built images: v1/v2, Fortran, big-endian, scalar", test_hand_built_images},
                    {"float16 decoding", test_float16},
                    {"malformed files: one clear error each", test_malformed},
                    {"every dtype round trip; numpy interop both ways", test_round_trip_and_numpy},
                    {"failed write leaves no file", test_failed_write_leaves_nothing});
}
