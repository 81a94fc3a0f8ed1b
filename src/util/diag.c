// SPDX-License-Identifier: MIT
#include "util/diag.h"

#include <stdarg.h>
#include <stdio.h>

int diag_fail(struct diag *d, int err, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}

int diag_fail_field(struct diag *d, int err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return err;
	snprintf(d->field, sizeof(d->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return err;
}
