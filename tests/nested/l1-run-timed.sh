#!/bin/sh
# SPDX-License-Identifier: MIT
# run-timed CMD [ARGS]: runs CMD with its stdout read line by line, each line prefixed with
# L1's uptime (/proc/uptime, 1/100 s) at the moment it was read; then one line
#   snpvmm-timed: exit STATUS UPTIME
# with the uptime taken as soon as CMD has exited. stderr is left alone.
{
	"$@"
	status=$?
	read -r up _ </proc/uptime
	echo "snpvmm-timed: exit $status $up"
} | while IFS= read -r line; do
	read -r up _ </proc/uptime
	printf '%s %s\n' "$up" "$line"
done
