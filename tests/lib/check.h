/* SPDX-License-Identifier: MIT */
/*
 * CHECK(cond, fmt, ...): the lib tier's expectation. One that fails is printed with its
 * place, its condition and why, and counted in the test's own `static int failures`; the
 * test goes on (a sweep reports every failing cycle) and its main() fails at the end.
 */
#ifndef SNPVMM_TESTS_LIB_CHECK_H
#define SNPVMM_TESTS_LIB_CHECK_H

#include <stdio.h>

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
			failures++;                                                       \
		}                                                                         \
	} while (0)

#endif /* SNPVMM_TESTS_LIB_CHECK_H */
