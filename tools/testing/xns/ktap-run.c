// SPDX-License-Identifier: GPL-2.0
/*
 * ktap-run - minimal KTAP test driver for the xns selftests.
 *
 * Runs inside the guest, one program after another, and reports them as a
 * KTAP test plan on stdout, the same way tools/testing/selftests/kselftest/
 * runner.sh does:
 *
 *	KTAP version 1
 *	1..N
 *	# SUITE: NAME
 *	# <output of the test, every line prefixed with "# ">
 *	ok 1 SUITE: NAME
 *	...
 *	# ktap-run: done
 *
 * A result is "ok" for exit status 0, "ok ... # SKIP" for 4 (KSFT_SKIP),
 * else "not ok ... # exit=X", "# signal=Y" or "# TIMEOUT S seconds".
 *
 * Each test runs in its own process group with stdin from /dev/null and its
 * stdout and stderr sent through a pipe.  When the group leader exits, or the
 * per-test timeout expires, the whole group is killed with SIGKILL, so stray
 * children cannot hang the run.  ktap-run is a child subreaper, so orphaned
 * grandchildren are reparented to it and reaped here.
 *
 * A program matching a -r GLOB (fnmatch on its path) that fails or times
 * out is run once more, and the second run decides its result.  This is for
 * the kernel's own suites, whose timing-dependent cases can lose a race on
 * a slow emulated CPU; ktap-run never retries a program on its own.  The
 * first attempt's output is kept, re-prefixed "# 1st attempt| " so it is not
 * parsed as results, and the retry is announced as
 *
 *	# ktap-run: flaky: COLLECTION: PROG failed (exit=1), running it again
 *
 * which ktap.py reports.  Kernel splats are never excused by a retry.
 *
 * Usage: ktap-run [-t SECONDS] [-s SUITE] [-r GLOB]... PROG...
 *
 * Exit status: 0 if every test passed or was skipped, 1 otherwise, 2 on
 * usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KSFT_SKIP	4
#define DEFAULT_TIMEOUT	120
/* How long to drain the pipe after the group leader has gone. */
#define GRACE_MS	2000
/* Poll interval when pidfd_open() is not available. */
#define TICK_MS		100
#define LINE_MAX_LEN	4096
#define MAX_RETRY_GLOBS	8

struct linebuf {
	size_t len;
	char buf[LINE_MAX_LEN];
};

/* Where the output of the running test goes: stdout, or a buffer. */
static FILE *out;

static void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Print the buffered line with its "# " prefix, as runner.sh does. */
static void print_line(struct linebuf *lb)
{
	fputs("# ", out);
	fwrite(lb->buf, 1, lb->len, out);
	fputc('\n', out);
	fflush(out);
	lb->len = 0;
}

/* Split child output into lines; overlong lines are broken up. */
static void feed(struct linebuf *lb, const char *data, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (data[i] == '\n') {
			print_line(lb);
			continue;
		}
		if (lb->len == sizeof(lb->buf))
			print_line(lb);
		lb->buf[lb->len++] = data[i];
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Has @pid exited?  Leaves it a zombie so its process group stays valid. */
static int leader_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == pid;
}

/* Reap every zombie child, including orphans reparented to us. */
static void reap_zombies(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void exec_child(const char *prog, int wfd)
{
	int fd;

	setpgid(0, 0);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	dup2(wfd, STDOUT_FILENO);
	dup2(wfd, STDERR_FILENO);
	if (wfd != STDOUT_FILENO && wfd != STDERR_FILENO)
		close(wfd);
	signal(SIGPIPE, SIG_DFL);
	execl(prog, prog, (char *)NULL);
	fprintf(stderr, "ktap-run: exec %s: %s\n", prog, strerror(errno));
	_exit(127);
}

/*
 * Run @prog and relay its output.  Returns its wait status, or -1 if it had
 * to be killed for running longer than @timeout seconds.
 */
static int run_one(const char *prog, int timeout)
{
	struct linebuf lb = { .len = 0 };
	struct pollfd pfd[2];
	long long deadline;
	int reaped = 0, timed_out = 0, status = 0;
	char buf[4096];
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		emit("# ktap-run: pipe: %s\n", strerror(errno));
		return 1 << 8;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		emit("# ktap-run: fork: %s\n", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return 1 << 8;
	}
	if (pid == 0)
		exec_child(prog, fds[1]);
	/* Also here, so that kill(-pid) is valid before the child runs. */
	setpgid(pid, pid);
	close(fds[1]);

	pfd[0].fd = fds[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = pidfd_open(pid);
	pfd[1].events = POLLIN;
	deadline = now_ms() + timeout * 1000LL;

	while (!reaped || pfd[0].fd >= 0) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			if (reaped || timed_out)
				break;
			/* Kill the group, then drain what it wrote so far. */
			kill(-pid, SIGKILL);
			timed_out = 1;
			deadline = now_ms() + GRACE_MS;
			continue;
		}
		if (!reaped && pfd[1].fd < 0 && left > TICK_MS)
			left = TICK_MS;
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR)
			break;

		if (pfd[0].fd >= 0 && pfd[0].revents) {
			ssize_t n = read(pfd[0].fd, buf, sizeof(buf));

			if (n > 0) {
				feed(&lb, buf, (size_t)n);
			} else if (n == 0 || errno != EINTR) {
				close(pfd[0].fd);
				pfd[0].fd = -1;
			}
		}
		if (!reaped && leader_exited(pid)) {
			/* Kill stragglers while the zombie holds the pgid. */
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			reaped = 1;
			if (pfd[1].fd >= 0)
				close(pfd[1].fd);
			pfd[1].fd = -1;
			if (deadline > now_ms() + GRACE_MS)
				deadline = now_ms() + GRACE_MS;
		}
	}

	/* A final line without a newline is still printed. */
	if (lb.len)
		print_line(&lb);
	if (pfd[0].fd >= 0)
		close(pfd[0].fd);
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	if (!reaped) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	reap_zombies();
	return timed_out ? -1 : status;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "Usage: %s [-t SECONDS] [-s SUITE] [-r GLOB]... PROG...\n",
		argv0);
	exit(2);
}

static int passed(int status)
{
	return status != -1 && WIFEXITED(status) &&
	       (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == KSFT_SKIP);
}

static void describe(int status, char *buf, size_t size, int timeout)
{
	if (status == -1)
		snprintf(buf, size, "TIMEOUT %d seconds", timeout);
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit=%d", WEXITSTATUS(status));
	else
		snprintf(buf, size, "signal=%d", WTERMSIG(status));
}

/*
 * Run @prog with its output held back; if it fails, print that output as a
 * first attempt and run it again.  Returns the status of the last run.
 */
static int run_with_retry(const char *prog, const char *name, int timeout)
{
	char *held = NULL, *line, *next, why[64];
	size_t size = 0;
	int status;

	out = open_memstream(&held, &size);
	if (!out) {
		out = stdout;
		return run_one(prog, timeout);
	}
	status = run_one(prog, timeout);
	fclose(out);
	out = stdout;
	if (passed(status)) {
		fwrite(held, 1, size, stdout);
		free(held);
		return status;
	}
	describe(status, why, sizeof(why), timeout);
	for (line = held; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		emit("# 1st attempt| %s\n", line);
	}
	free(held);
	emit("# ktap-run: flaky: %s failed (%s), running it again\n", name, why);
	return run_one(prog, timeout);
}

int main(int argc, char **argv)
{
	const char *retry_globs[MAX_RETRY_GLOBS];
	const char *suite = "selftests";
	int timeout = DEFAULT_TIMEOUT;
	int nr_retry_globs = 0;
	int failed = 0;
	int opt, i;

	out = stdout;
	while ((opt = getopt(argc, argv, "+t:s:r:h")) != -1) {
		char *end;
		long val;

		switch (opt) {
		case 't':
			errno = 0;
			val = strtol(optarg, &end, 10);
			if (errno || *end || val <= 0 || val > INT_MAX / 1000)
				usage(argv[0]);
			timeout = (int)val;
			break;
		case 's':
			suite = optarg;
			break;
		case 'r':
			if (nr_retry_globs == MAX_RETRY_GLOBS)
				usage(argv[0]);
			retry_globs[nr_retry_globs++] = optarg;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (optind >= argc)
		usage(argv[0]);

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A closed console must not kill the driver half way through. */
	signal(SIGPIPE, SIG_IGN);
	/* An inherited SIG_IGN would make the kernel reap children for us. */
	signal(SIGCHLD, SIG_DFL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		emit("# ktap-run: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));

	emit("KTAP version 1\n");
	emit("1..%d\n", argc - optind);

	for (i = optind; i < argc; i++) {
		char path[PATH_MAX], name[PATH_MAX];
		char *base;
		int num = i - optind + 1;
		int retry = 0;
		int status, g;

		/* "collection: program", as kselftest's runner.sh names them */
		snprintf(path, sizeof(path), "%s", argv[i]);
		base = strrchr(path, '/');
		if (base && base != path) {
			*base = '\0';
			snprintf(name, sizeof(name), "%s: %s",
				 basename(path), base + 1);
		} else {
			snprintf(name, sizeof(name), "%s", basename(path));
		}
		emit("# %s: %s\n", suite, name);
		for (g = 0; g < nr_retry_globs; g++)
			retry |= !fnmatch(retry_globs[g], argv[i], 0);
		if (retry)
			status = run_with_retry(argv[i], name, timeout);
		else
			status = run_one(argv[i], timeout);

		if (!passed(status)) {
			char why[64];

			describe(status, why, sizeof(why), timeout);
			emit("not ok %d %s: %s # %s\n", num, suite, name, why);
			failed++;
		} else if (WEXITSTATUS(status) == KSFT_SKIP) {
			emit("ok %d %s: %s # SKIP\n", num, suite, name);
		} else {
			emit("ok %d %s: %s\n", num, suite, name);
		}
	}

	reap_zombies();
	emit("# ktap-run: done\n");
	return failed ? 1 : 0;
}
