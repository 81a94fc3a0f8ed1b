// SPDX-License-Identifier: MIT
#include "util/ossl_err.h"

#include <errno.h>
#include <openssl/err.h>

int ossl_errno(int fallback)
{
	unsigned long e;
	int r = fallback;

	/* The failure the caller sees is often the outermost one ("fetch failed"); the
	 * allocation that caused it sits deeper in the queue (ERR_R_MALLOC_FAILURE,
	 * openssl/err.h). */
	while ((e = ERR_get_error()))
		if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			r = -ENOMEM;
	return r;
}
