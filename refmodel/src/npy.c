/* NumPy .npy reading and writing (npy.h). The header is a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }; no C library parses that, so a
 * small strict parser is written here. Every read is bounds-checked: the parser is fuzzed
 * (tests/fuzz/fuzz_npy.c). */
#include "attnkit/npy.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attnkit/file_io.h"

/* In-memory arrays are in host byte order, and the writer emits little-endian files. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.c assumes a little-endian host"
#endif

static const struct {
    const char *descr; /* without the byte-order character */
    size_t size;
} dtypes[AK_DT_COUNT] = {
    [AK_DT_I8] = {"i1", 1},  [AK_DT_U8] = {"u1", 1},  [AK_DT_I16] = {"i2", 2},
    [AK_DT_U16] = {"u2", 2}, [AK_DT_I32] = {"i4", 4}, [AK_DT_U32] = {"u4", 4},
    [AK_DT_I64] = {"i8", 8}, [AK_DT_F16] = {"f2", 2}, [AK_DT_F32] = {"f4", 4},
    [AK_DT_F64] = {"f8", 8},
};

size_t ak_dtype_size(ak_dtype t)
{
    return (unsigned)t < AK_DT_COUNT ? dtypes[t].size : 0;
}

const char *ak_dtype_descr(ak_dtype t)
{
    static const char *const full[AK_DT_COUNT] = {"|i1", "|u1", "<i2", "<u2", "<i4",
                                                  "<u4", "<i8", "<f2", "<f4", "<f8"};
    return (unsigned)t < AK_DT_COUNT ? full[t] : "?";
}

static ak_status fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "%s: ", name);
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < errlen)
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return AK_EINVAL;
}

void ak_npy_free(ak_npy *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- the header dict ------------------------------------------------------------------- */

typedef struct {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

static int take(cursor *c, char ch)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string ('...' or "...") copied into out (at most cap - 1 characters). */
static int quoted(cursor *c, char *out, size_t cap)
{
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return 0;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (n + 1 >= cap)
            return 0;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return 0;
    c->p++;
    out[n] = '\0';
    return 1;
}

static int word(cursor *c, const char *w)
{
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, w, n)) {
        c->p += n;
        return 1;
    }
    return 0;
}

static int number(cursor *c, uint64_t *v)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return 0;
    uint64_t x = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        uint64_t d = (uint64_t)(*c->p++ - '0');
        if (x > (UINT64_MAX - d) / 10)
            return 0;
        x = x * 10 + d;
    }
    *v = x;
    return 1;
}

typedef struct {
    char descr[16];
    int fortran, have_descr, have_fortran, have_shape;
    uint32_t ndim;
    uint64_t shape[AK_NPY_MAX_DIMS];
} header;

/* Parses the dict; returns NULL or a static description of what was expected. */
static const char *parse_dict(cursor *c, header *h)
{
    if (!take(c, '{'))
        return "header: expected '{'";
    for (;;) {
        if (take(c, '}'))
            break;
        char key[32];
        if (!quoted(c, key, sizeof key))
            return "header: expected a quoted key or '}'";
        if (!take(c, ':'))
            return "header: expected ':' after a key";
        if (!strcmp(key, "descr")) {
            if (h->have_descr || !quoted(c, h->descr, sizeof h->descr))
                return "header: 'descr' must be given once, as a quoted dtype";
            h->have_descr = 1;
        } else if (!strcmp(key, "fortran_order")) {
            if (h->have_fortran)
                return "header: 'fortran_order' given twice";
            if (word(c, "True"))
                h->fortran = 1;
            else if (!word(c, "False"))
                return "header: 'fortran_order' must be True or False";
            h->have_fortran = 1;
        } else if (!strcmp(key, "shape")) {
            if (h->have_shape || !take(c, '('))
                return "header: 'shape' must be given once, as a tuple";
            while (!take(c, ')')) {
                uint64_t v;
                if (h->ndim == AK_NPY_MAX_DIMS)
                    return "header: more than 8 dimensions";
                if (!number(c, &v))
                    return "header: shape entries must be whole numbers";
                h->shape[h->ndim++] = v;
                if (!take(c, ',')) {
                    if (!take(c, ')'))
                        return "header: expected ',' or ')' in the shape";
                    break;
                }
            }
            h->have_shape = 1;
        } else {
            return "header: unknown key (expected descr, fortran_order, shape)";
        }
        if (!take(c, ',')) {
            if (!take(c, '}'))
                return "header: expected ',' or '}'";
            break;
        }
    }
    skip_ws(c);
    if (c->p != c->end)
        return "header: unexpected text after the dict";
    if (!h->have_descr || !h->have_fortran || !h->have_shape)
        return "header: needs descr, fortran_order and shape";
    return NULL;
}

static uint16_t rd16(const uint8_t *p, int big)
{
    return big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Copies n elements of `size` bytes into host (little-endian) order, reversing each element's
 * bytes when the file is big-endian. */
static void copy_elems(uint8_t *dst, const uint8_t *src, uint64_t n, size_t size, int big)
{
    if (!big) {
        memcpy(dst, src, n * size);
        return;
    }
    for (uint64_t i = 0; i < n; i++)
        for (size_t b = 0; b < size; b++)
            dst[i * size + b] = src[i * size + size - 1 - b];
}

ak_status ak_npy_parse(const uint8_t *buf, size_t len, const char *name, ak_npy *out, char *err,
                       size_t errlen)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    name = name ? name : "npy";
    if (!buf || len < 10 || memcmp(buf, "\x93NUMPY", 6))
        return fail(err, errlen, name, "not a .npy file (bad magic: expected \\x93NUMPY)");
    const unsigned major = buf[6];
    size_t hlen, hstart;
    if (major == 1) {
        hlen = rd16(buf + 8, 0);
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return fail(err, errlen, name, "truncated: the header length is cut off");
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
               (size_t)buf[11] << 24;
        hstart = 12;
    } else {
        return fail(err, errlen, name, "unsupported format version %u.%u (expected 1, 2 or 3)",
                    major, buf[7]);
    }
    if (hlen > len - hstart)
        return fail(err, errlen, name,
                    "header length %zu runs past the end of the file (%zu bytes after the "
                    "length field)",
                    hlen, len - hstart);
    if (hlen == 0 || buf[hstart + hlen - 1] != '\n')
        return fail(err, errlen, name, "header is not terminated by a newline");
    header h = {0};
    cursor c = {(const char *)buf + hstart, (const char *)buf + hstart + hlen - 1};
    const char *why = parse_dict(&c, &h);
    if (why)
        return fail(err, errlen, name, "%s", why);
    /* dtype: byte order + kind/size */
    const char order = h.descr[0];
    const char *kind = (order == '<' || order == '>' || order == '|' || order == '=') ? h.descr + 1
                                                                                    : h.descr;
    int dt = -1;
    for (int t = 0; t < AK_DT_COUNT; t++)
        if (!strcmp(kind, dtypes[t].descr))
            dt = t;
    if (dt < 0)
        return fail(err, errlen, name,
                    "unsupported dtype '%s' (expected int8/16/32/64, uint8/16/32, float16/32/64)",
                    h.descr);
    const size_t size = dtypes[dt].size;
    const int big = order == '>' && size > 1;
    uint64_t count = 1;
    for (uint32_t d = 0; d < h.ndim; d++) {
        if (h.shape[d] && count > UINT64_MAX / h.shape[d])
            return fail(err, errlen, name, "shape is too large (element count overflows)");
        count *= h.shape[d];
    }
    const size_t data_at = hstart + hlen, have = len - data_at;
    if (count > have / size)
        return fail(err, errlen, name, "too few bytes: expected %llu bytes of data, found %zu",
                    (unsigned long long)(count * size), have);
    if (have != count * size)
        return fail(err, errlen, name, "%zu unexpected bytes after the data",
                    have - (size_t)(count * size));
    uint8_t *data = malloc(count ? count * size : 1);
    uint8_t *tmp = h.fortran && count ? malloc(count * size) : NULL;
    if (!data || (h.fortran && count && !tmp)) {
        free(data);
        free(tmp);
        return AK_ENOMEM;
    }
    if (count) /* an empty array has nothing to copy (and tmp is NULL) */
        copy_elems(h.fortran ? tmp : data, buf + data_at, count, size, big);
    if (h.fortran && count) {
        /* element at C index (i0..in-1) sits at Fortran offset sum i_d * prod_{e<d} shape[e] */
        uint64_t idx[AK_NPY_MAX_DIMS] = {0};
        for (uint64_t ci = 0; ci < count; ci++) {
            uint64_t fo = 0, stride = 1;
            for (uint32_t d = 0; d < h.ndim; d++) {
                fo += idx[d] * stride;
                stride *= h.shape[d];
            }
            memcpy(data + ci * size, tmp + fo * size, size);
            for (uint32_t d = h.ndim; d-- > 0;) { /* next C index: last dimension fastest */
                if (++idx[d] < h.shape[d])
                    break;
                idx[d] = 0;
            }
        }
    }
    free(tmp);
    out->dtype = (ak_dtype)dt;
    out->ndim = h.ndim;
    memcpy(out->shape, h.shape, sizeof h.shape);
    out->count = count;
    out->data = data;
    return AK_OK;
}

ak_status ak_npy_read(const char *path, ak_npy *out, char *err, size_t errlen)
{
    if (!out)
        return AK_EINVAL;
    memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    ak_status st = ak_read_file(path, SIZE_MAX - 1, &buf, &len, err, errlen);
    if (st == AK_OK)
        st = ak_npy_parse(buf, len, path, out, err, errlen);
    free(buf);
    return st;
}

ak_status ak_npy_write(const char *path, const ak_npy *a, char *err, size_t errlen)
{
    if (!path || !a || (unsigned)a->dtype >= AK_DT_COUNT || a->ndim > AK_NPY_MAX_DIMS ||
        (a->count && !a->data))
        return AK_EINVAL;
    char dict[256];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     ak_dtype_descr(a->dtype));
    for (uint32_t d = 0; d < a->ndim; d++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%llu,%s",
                      (unsigned long long)a->shape[d], d + 1 < a->ndim ? " " : "");
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* pad with spaces so the data starts at a multiple of 64 bytes, then '\n' */
    size_t total = 10 + (size_t)n + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(hlen & 0xff),
                       (uint8_t)(hlen >> 8)};
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return fail(err, errlen, path, "path too long");
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fail(err, errlen, path, "cannot create %s: %s", tmp, strerror(errno));
        return AK_EIO;
    }
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(dict, 1, (size_t)n, f) == (size_t)n;
    for (size_t i = 0; ok && i < pad; i++)
        ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    const size_t bytes = (size_t)a->count * ak_dtype_size(a->dtype);
    ok = ok && (bytes == 0 || fwrite(a->data, 1, bytes, f) == bytes); /* little-endian host */
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fail(err, errlen, path, "write failed: %s", strerror(errno));
        remove(tmp);
        return AK_EIO;
    }
    return AK_OK;
}

/* IEEE binary16 to double, exactly. */
static double half_to_double(uint16_t h)
{
    const int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v;
    if (exp == 0)
        v = frac * 0x1p-24; /* subnormal: frac * 2^-14 * 2^-10 */
    else if (exp == 31)
        v = frac ? (double)NAN : (double)INFINITY;
    else {
        v = (1024 + frac) * 0x1p-10;
        for (int e = exp - 15; e > 0; e--)
            v *= 2.0;
        for (int e = exp - 15; e < 0; e++)
            v *= 0.5;
    }
    return sign ? -v : v;
}

void ak_npy_to_double(const ak_npy *a, double *out)
{
    const uint8_t *p = a->data;
    for (uint64_t i = 0; i < a->count; i++) {
        const uint8_t *e = p + i * ak_dtype_size(a->dtype);
        switch (a->dtype) {
#define AS(T) do { T v_; memcpy(&v_, e, sizeof v_); out[i] = (double)v_; } while (0)
        case AK_DT_I8: AS(int8_t); break;
        case AK_DT_U8: AS(uint8_t); break;
        case AK_DT_I16: AS(int16_t); break;
        case AK_DT_U16: AS(uint16_t); break;
        case AK_DT_I32: AS(int32_t); break;
        case AK_DT_U32: AS(uint32_t); break;
        case AK_DT_I64: AS(int64_t); break;
        case AK_DT_F32: AS(float); break;
        case AK_DT_F64: AS(double); break;
#undef AS
        case AK_DT_F16: out[i] = half_to_double(rd16(e, 0)); break;
        default: out[i] = 0.0; break;
        }
    }
}
