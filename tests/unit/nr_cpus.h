/* The kernel's NR_CPUS (kernel_max + 1), CPUMAP's max_entries limit; 0
 * when /sys does not say. Shared by the CPUMAP tests. */
#ifndef BPFVM_TESTS_NR_CPUS_H
#define BPFVM_TESTS_NR_CPUS_H

#include <stdint.h>
#include <stdio.h>

static inline uint32_t test_nr_cpus(void)
{
	unsigned n = 0;
	FILE *f = fopen("/sys/devices/system/cpu/kernel_max", "r");

	if (f && fscanf(f, "%u", &n) == 1)
		n++;
	if (f)
		fclose(f);
	return n;
}

#endif
