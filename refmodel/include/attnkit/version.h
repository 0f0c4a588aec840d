/* The attnkit release version: read by the Makefile (library soname, pkg-config file), the CLI
 * and the manifests of generated vectors. */
#ifndef ATTNKIT_VERSION_H
#define ATTNKIT_VERSION_H

#define AK_VERSION "0.1.0"

#endif
