/* Reading a whole file into memory: the one place that loops over fread, grows the buffer and
 * reports errors naming the file (the library's readers, and host/'s run of a vector
 * directory, read through it). */
#ifndef ATTNKIT_FILE_IO_H
#define ATTNKIT_FILE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "attnkit/status.h"

/* *buf (malloc'd, NUL-terminated for text use) and *len on success. AK_EIO when the file
 * cannot be opened or read, AK_EINVAL when it exceeds max_bytes, AK_ENOMEM; err gets
 * "<path>: <why>". */
ak_status ak_read_file(const char *path, size_t max_bytes, uint8_t **buf, size_t *len, char *err,
                       size_t errlen);

#endif
