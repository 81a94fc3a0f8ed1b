/* SPDX-License-Identifier: MIT */
/* What a process holds, as /proc/self shows it: the lib tier's before/after checks. */
#ifndef SNPVMM_TESTS_LIB_PROC_COUNTS_H
#define SNPVMM_TESTS_LIB_PROC_COUNTS_H

/* Open file descriptors (/proc/self/fd, without the directory's own); -1 if unreadable. */
int count_fds(void);
/* Threads ("Threads:" in /proc/self/status); -1 if unreadable. */
int count_threads(void);

#endif /* SNPVMM_TESTS_LIB_PROC_COUNTS_H */
