/* NumPy .npy files (format versions 1.0, 2.0 and 3.0): reading any of the dtypes a user dumps
 * from PyTorch/NumPy for attention tensors, and writing version 1.0 little-endian C-order files
 * that numpy.load reads unchanged. Fortran-order arrays are handled (transposed to C order on
 * read). Every error names the file and what was wrong; nothing is written on error. */
#ifndef ATTNKIT_NPY_H
#define ATTNKIT_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AK_NPY_MAX_DIMS 8

typedef enum {
    AK_DT_I8,  /* '|i1' */
    AK_DT_U8,  /* '|u1' */
    AK_DT_I16, /* '<i2' */
    AK_DT_U16, /* '<u2' */
    AK_DT_I32, /* '<i4' */
    AK_DT_U32, /* '<u4' */
    AK_DT_I64, /* '<i8' */
    AK_DT_F16, /* '<f2' */
    AK_DT_F32, /* '<f4' */
    AK_DT_F64, /* '<f8' */
    AK_DT_COUNT
} ak_dtype;

typedef struct {
    ak_dtype dtype;
    uint32_t ndim;                   /* 0..AK_NPY_MAX_DIMS (0: a scalar, count 1) */
    uint64_t shape[AK_NPY_MAX_DIMS];
    uint64_t count;                  /* product of shape */
    void *data;                      /* count elements, C order, native byte order */
} ak_npy;

/* Bytes per element of a dtype, and its numpy descr ('|i1', '<f4', ...). */
size_t ak_dtype_size(ak_dtype t);
const char *ak_dtype_descr(ak_dtype t);

/* Parses a whole .npy image in memory. `name` is used in error messages (a file name). On
 * error returns AK_EINVAL (malformed or unsupported) or AK_ENOMEM, leaves *out zeroed, and
 * writes one line into err (if not NULL): "<name>: <what was wrong>". */
ak_status ak_npy_parse(const uint8_t *buf, size_t len, const char *name, ak_npy *out, char *err,
                       size_t errlen);

/* Reads a file: as ak_npy_parse, plus AK_EIO when it cannot be opened or read. */
ak_status ak_npy_read(const char *path, ak_npy *out, char *err, size_t errlen);

/* Writes a version 1.0 file (C order, little-endian). Writes to "<path>.tmp" and renames it
 * into place, so a failed write leaves no partial file. */
ak_status ak_npy_write(const char *path, const ak_npy *a, char *err, size_t errlen);

/* Converts every element to double (exact for all integer types and floats; float16 decoded
 * exactly, including subnormals, infinities and NaN). out holds a->count doubles. */
void ak_npy_to_double(const ak_npy *a, double *out);

void ak_npy_free(ak_npy *a);

#ifdef __cplusplus
}
#endif

#endif
