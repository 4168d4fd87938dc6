#ifndef DRIVERDESK_CQRENCODE_SHIM_H
#define DRIVERDESK_CQRENCODE_SHIM_H

// Wrapped in a shim so the modulemap does not hard-code the header's install path.
#include <qrencode.h>

#endif
