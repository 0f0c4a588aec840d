/* Text of the status codes of status.h. */
#include "attnkit/status.h"

const char *ak_strerror(ak_status s)
{
    switch (s) {
    case AK_OK: return "success";
    case AK_EINVAL: return "invalid parameter";
    case AK_ENOMEM: return "out of memory";
    case AK_ERANGE: return "value, size or address out of range";
    case AK_ETHREAD: return "could not start a worker thread";
    case AK_EBLAS: return "OpenBLAS baseline failed";
    case AK_EIO: return "file input/output failed";
    case AK_ENOTFOUND: return "no such item";
    case AK_EBACKEND: return "device access failed";
    case AK_ENODEV: return "not an attnkit accelerator";
    case AK_EVERSION: return "numerics version mismatch";
    case AK_EBUSY: return "busy";
    case AK_ETIMEOUT: return "timed out";
    case AK_EHANG: return "accelerator hang (cycle budget exceeded)";
    case AK_EHW: return "hardware reported an error";
    case AK_EADDRESS: return "address error response (unmapped register)";
    case AK_ERESPONSE: return "error response";
    case AK_ESYSTEMC: return "SystemC error";
    case AK_EDMA: return "DMA outside the job's regions";
    case AK_EASSERT: return "RTL assertion failed";
    }
    return "unknown status";
}
