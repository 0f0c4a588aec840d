/* Whole-file reads (attnkit/file_io.h). */
#include "attnkit/file_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ak_status ak_read_file(const char *path, size_t max_bytes, uint8_t **buf, size_t *len, char *err,
                       size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return AK_EIO;
    }
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    ak_status st = AK_OK;
    const char *why = NULL;
    for (;;) {
        if (n + 1 >= cap) { /* room for the data and a terminating NUL */
            size_t ncap = cap ? cap * 2 : 1 << 16;
            uint8_t *nb = ncap > cap ? realloc(b, ncap) : NULL;
            if (!nb) {
                st = AK_ENOMEM;
                why = "out of memory";
                break;
            }
            b = nb;
            cap = ncap;
        }
        size_t r = fread(b + n, 1, cap - 1 - n, f);
        n += r;
        if (n > max_bytes) {
            st = AK_EINVAL;
            why = "larger than this reader accepts";
            break;
        }
        if (r == 0) {
            if (ferror(f)) {
                st = AK_EIO;
                why = strerror(errno);
            }
            break;
        }
    }
    fclose(f);
    if (st != AK_OK) {
        free(b);
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, why);
        return st;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return AK_OK;
}
