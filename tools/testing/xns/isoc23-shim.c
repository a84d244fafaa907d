// SPDX-License-Identifier: GPL-2.0
/*
 * The riscv64 guest links the kernel's namespaces selftests against
 * libcap.a from Debian trixie (bookworm has no riscv64 port), built
 * against glibc 2.41.  Since glibc 2.38, <stdlib.h> redirects strtol()
 * and strtoul() under _GNU_SOURCE to their C23 versions (which also read
 * a 0b prefix), absent from the cross glibc 2.36 of bookworm that links
 * the static programs.  These two are the only symbols libcap.a needs
 * from the newer glibc; libcap parses no binary numbers.
 */
#include <stdlib.h>

long __isoc23_strtol(const char *nptr, char **endptr, int base)
{
	return strtol(nptr, endptr, base);
}

unsigned long __isoc23_strtoul(const char *nptr, char **endptr, int base)
{
	return strtoul(nptr, endptr, base);
}
