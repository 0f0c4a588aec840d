/* attnkit status codes: every library function that can fail returns one of these (never
 * exits or aborts). The CLI turns them into messages and exit codes. */
#ifndef ATTNKIT_STATUS_H
#define ATTNKIT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AK_OK = 0,
    AK_EINVAL = -1,  /* a parameter is outside its documented domain */
    AK_ENOMEM = -2,  /* an allocation failed */
    AK_ERANGE = -3,  /* a value (scale, multiplier, size) cannot be represented */
    AK_ETHREAD = -4, /* a worker thread could not be started */
    AK_EBLAS = -5,   /* the OpenBLAS baseline is unavailable or failed */
    AK_EIO = -6,     /* a file could not be read or written (message says which) */
    AK_ENOTFOUND = -7, /* a requested item (a layer of a vector directory) does not exist */
    AK_EDEVICE = -8  /* the device (a simulator backend, or the driver on it) did not open */
} ak_status;

/* Short, static, human-readable text for a status code. */
const char *ak_strerror(ak_status s);

#ifdef __cplusplus
}
#endif

#endif
