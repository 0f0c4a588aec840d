/* Text of the status codes of status.h. */
#include "attnkit/status.h"

const char *ak_strerror(ak_status s)
{
    switch (s) {
    case AK_OK: return "success";
    case AK_EINVAL: return "invalid parameter";
    case AK_ENOMEM: return "out of memory";
    case AK_ERANGE: return "value out of representable range";
    case AK_ETHREAD: return "could not start a worker thread";
    case AK_EBLAS: return "OpenBLAS baseline failed";
    case AK_EIO: return "file input/output failed";
    case AK_ENOTFOUND: return "no such item";
    case AK_EDEVICE: return "the device did not open";
    }
    return "unknown status";
}
