#ifndef DRIVERDESK_CPNG_SHIM_H
#define DRIVERDESK_CPNG_SHIM_H

// pkg-config adds -I/usr/include/libpng16, so this resolves to the 1.6 header
// that has the simplified (setjmp-free) write API.
#include <png.h>

#endif
