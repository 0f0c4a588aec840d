/* attnkit status codes: the one status type of refmodel, host (the driver, its backends,
 * run-and-compare) and the sim/ C APIs. Every function that can fail returns one of these
 * (never exits or aborts); the CLI alone turns them into messages and exit codes.
 *
 * Error text, one convention: ak_strerror(code) is the code's short static text. A function
 * with more to say than its code (which file, field, register or limit) takes
 * `char *err, size_t errlen` as its last two parameters: on failure it writes one line there
 * (no newline, truncated to errlen; nothing when err is NULL or errlen 0), complete in itself;
 * a caller that finds err empty after a failure prints ak_strerror(code). A result struct that
 * outlives the call carries the same line in its own buffer (ak_drv_result.msg). No other
 * per-module status type or strerror: a simulator's C API returns these codes too. */
#ifndef ATTNKIT_STATUS_H
#define ATTNKIT_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AK_OK = 0,
    AK_EINVAL = -1,    /* a parameter is outside its documented domain; a malformed job */
    AK_ENOMEM = -2,    /* an allocation failed */
    AK_ERANGE = -3,    /* a value, size or address outside what can be represented or reached
                          (a job larger than the memory window, an access outside memory) */
    AK_ETHREAD = -4,   /* a worker thread could not be started */
    AK_EBLAS = -5,     /* the OpenBLAS baseline is unavailable or failed */
    AK_EIO = -6,       /* a file could not be read or written (message says which) */
    AK_ENOTFOUND = -7, /* a requested item (a layer of a vector directory) does not exist */
    AK_EBACKEND = -8,  /* a device access (CSR or memory window) through a backend failed */
    AK_ENODEV = -9,    /* the ID register is not 'AKIT': not an attnkit accelerator */
    AK_EVERSION = -10, /* VERSION.numerics differs from AK_NUMERICS_VERSION */
    AK_EBUSY = -11,    /* busy: a job still running, or the simulator's one slot taken */
    AK_ETIMEOUT = -12, /* a simulator saw no interrupt or handshake within its cycle limit */
    AK_EHANG = -13,    /* no interrupt within the job's cycle budget (the job was aborted) */
    AK_EHW = -14,      /* the job ended with STATUS.error (ERR.code says why) */
    AK_EADDRESS = -15, /* a CSR access answered an address error (unmapped register) */
    AK_ERESPONSE = -16,/* a CSR access answered another error response */
    AK_ESYSTEMC = -17, /* SystemC reported an error or refused */
    AK_EDMA = -18,     /* the accelerator accessed memory outside the regions its job names
                          (docs/dma-safety.md) */
    AK_EASSERT = -19   /* an RTL assertion failed in simulation (docs/assertions.md) */
} ak_status;

/* Short, static, human-readable text for a status code ("unknown status" for another value). */
const char *ak_strerror(ak_status s);

#ifdef __cplusplus
}
#endif

#endif
