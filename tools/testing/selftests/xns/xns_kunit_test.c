// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit suites of rust/xns_kunit.rs, reported as kselftest results.
 *
 * Loading xns_kunit.ko runs its suites (KUnit runs the suites of a module
 * when it goes live); their results are read back from
 * /sys/kernel/debug/kunit/<suite>/results, each case becomes one result
 * here with the case's own lines (a failed assertion's file, line and
 * condition) as diagnostics, and the module is unloaded again.  In the
 * xns guest (XNS_REQUIRE_MODULE=1) a missing module or KUnit fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest.h"

#define KUNIT_MODULE	"/lib/modules/xns_kunit.ko"
#define KUNIT_NAME	"xns_kunit"
#define KUNIT_DIR	"/sys/kernel/debug/kunit"

/* The suites of xns_kunit.ko, as #[kunit_tests(...)] names them. */
static const char *const suites[] = { "xns_labels" };

#define MAX_CASES	64

struct kunit_case {
	char name[128];
	int status;	/* KSFT_PASS, KSFT_FAIL or KSFT_SKIP */
};

static bool required(void)
{
	const char *req = getenv("XNS_REQUIRE_MODULE");

	return req && !strcmp(req, "1");
}

static void exit_unavailable(const char *what)
{
	if (required())
		ksft_exit_fail_msg("%s\n", what);
	ksft_exit_skip("%s\n", what);
}

/*
 * Reads the results of @suite: the cases' lines, indented by four spaces
 * and ending in "ok N name" or "not ok N name", are printed as diagnostics
 * and their verdicts stored in @verdicts.  Returns the number of cases, or -1
 * if the results cannot be read or are not the suite's.
 */
static int read_suite(const char *suite, struct kunit_case *verdicts,
		      int *planned)
{
	char path[256], line[1024], name[128];
	int nr = 0, num;
	FILE *f;

	snprintf(path, sizeof(path), KUNIT_DIR "/%s/results", suite);
	f = fopen(path, "re");
	if (!f) {
		ksft_print_msg("%s: %s\n", path, strerror(errno));
		return -1;
	}
	*planned = -1;
	while (fgets(line, sizeof(line), f)) {
		char *text = line;
		bool ok;

		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "    ", 4))
			continue;	/* the suite's own KTAP lines */
		text += 4;
		if (sscanf(text, "1..%d", &num) == 1) {
			*planned = num;
			continue;
		}
		ksft_print_msg("%s: %s\n", suite, text);
		ok = !strncmp(text, "ok ", 3);
		if (!ok && strncmp(text, "not ok ", 7))
			continue;
		if (sscanf(text + (ok ? 3 : 7), "%d %127s", &num, name) != 2 ||
		    nr == MAX_CASES)
			continue;
		snprintf(verdicts[nr].name, sizeof(verdicts[nr].name), "%s", name);
		verdicts[nr].status = ok ? KSFT_PASS : KSFT_FAIL;
		if (ok && strstr(text, "# SKIP"))
			verdicts[nr].status = KSFT_SKIP;
		nr++;
	}
	fclose(f);
	return nr;
}

int main(void)
{
	struct kunit_case verdicts[ARRAY_SIZE(suites)][MAX_CASES];
	int nr[ARRAY_SIZE(suites)], total = 0, planned, fd;
	unsigned int i;

	ksft_print_header();
	if (access(KUNIT_MODULE, F_OK))
		exit_unavailable(KUNIT_MODULE " is missing (a kernel without KUnit?)");
	fd = open(KUNIT_MODULE, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		ksft_exit_fail_msg("loading %s: %s\n", KUNIT_MODULE,
				   strerror(errno));
	close(fd);
	if (access(KUNIT_DIR, F_OK))
		exit_unavailable(KUNIT_DIR " is missing (no KUnit debugfs)");

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		nr[i] = read_suite(suites[i], verdicts[i], &planned);
		if (nr[i] < 0)
			ksft_exit_fail_msg("suite %s: no results\n", suites[i]);
		if (nr[i] == 0 || planned != nr[i])
			ksft_exit_fail_msg("suite %s: %d results for a plan of %d\n",
					   suites[i], nr[i], planned);
		total += nr[i];
	}
	if (syscall(SYS_delete_module, KUNIT_NAME, O_NONBLOCK))
		ksft_print_msg("unloading %s: %s\n", KUNIT_NAME,
			       strerror(errno));

	ksft_set_plan(total);
	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		for (int c = 0; c < nr[i]; c++) {
			const char *name = verdicts[i][c].name;

			switch (verdicts[i][c].status) {
			case KSFT_PASS:
				ksft_test_result_pass("%s.%s\n", suites[i], name);
				break;
			case KSFT_SKIP:
				ksft_test_result_skip("%s.%s\n", suites[i], name);
				break;
			default:
				ksft_test_result_fail("%s.%s\n", suites[i], name);
			}
		}
	}
	ksft_finished();
}
