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
 * else "not ok ... # exit=X", "# signal=Y" or "# TIMEOUT S seconds".  Before
 * it, "# ktap-run: NAME took S.S s" gives the program's wall time.
 *
 * Each test runs with stdin from /dev/null and its stdout and stderr sent
 * through a pipe.  A limit of -t SECONDS applies to every program, or the
 * SECONDS of the first -T GLOB=SECONDS whose GLOB matches its path.  When
 * the program exits or its limit expires, every descendant of ktap-run is
 * killed with SIGKILL and reaped, whatever its process group or session:
 * kselftest_harness runs each test case in a process group of its own, so
 * killing the program's group would miss them, and a test process left
 * behind could hold module references and pins into the next program.
 * ktap-run is a child subreaper, so every orphan is reparented to it and
 * the descendants are found by following parent pids in /proc.
 *
 * A program matching a -r GLOB (fnmatch on its path) that fails or times
 * out is run again, up to MAX_ATTEMPTS times in all, and the last run
 * decides its result.  This is for the kernel's own suites, whose
 * timing-dependent cases can lose a race on a slow emulated CPU; ktap-run
 * never retries a program on its own.  The output of each failed attempt is
 * kept, re-prefixed "# 1st attempt| " ("# 2nd attempt| ", ...) so it is not
 * parsed as results, and each retry is announced as
 *
 *	# ktap-run: flaky: COLLECTION: PROG failed (exit=1), running it again
 *
 * which ktap.py reports, with the cases that failed in the attempt before
 * it.  Kernel splats are never excused by a retry.
 *
 * Usage: ktap-run [-t SECONDS] [-T GLOB=SECONDS]... [-s SUITE] [-r GLOB]...
 *	PROG...
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
#include <dirent.h>
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
/* Runs of a -r program: a 1-in-8 upstream flake then fails 1 run in 512. */
#define MAX_ATTEMPTS	3
#define MAX_LIMITS	8
/* How long killed descendants may take to die before they are reported. */
#define KILL_WAIT_MS	5000

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

/* A message about the running program, kept with its output. */
static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ktap-run: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
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

/* Has @pid exited?  Leaves it a zombie, to be reaped with its status. */
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

struct proc {
	pid_t pid;
	pid_t ppid;
	char state;
};

/*
 * Read the pid, parent pid and state of every process from /proc.  Returns
 * their number and sets *@procs (to be freed), or -1 if /proc is unreadable.
 */
static int read_procs(struct proc **procs)
{
	struct proc *list = NULL, *grown;
	int nr = 0, size = 0;
	struct dirent *de;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char path[64], buf[512], *paren;
		struct proc p;
		ssize_t n;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		p.pid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/stat", p.pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
		paren = strrchr(buf, ')');
		if (!paren || sscanf(paren + 1, " %c %d", &p.state, &p.ppid) != 2)
			continue;
		if (nr == size) {
			size = size ? 2 * size : 256;
			grown = realloc(list, size * sizeof(*list));
			if (!grown)
				break;
			list = grown;
		}
		list[nr++] = p;
	}
	closedir(dir);
	*procs = list;
	return nr;
}

/* Is @pid a descendant of @ancestor in @procs? */
static int descends_from(const struct proc *procs, int nr, pid_t pid,
			 pid_t ancestor)
{
	int depth, i;

	/* The depth bound ends a loop seen in a racy snapshot. */
	for (depth = 0; depth < nr && pid > 1; depth++) {
		for (i = 0; i < nr && procs[i].pid != pid; i++)
			;
		if (i == nr)
			return 0;
		pid = procs[i].ppid;
		if (pid == ancestor)
			return 1;
	}
	return 0;
}

/*
 * SIGKILL every live descendant of ktap-run, whatever its process group or
 * session, and reap the zombies among our children, except @keep (the
 * program, whose status the caller still wants).  Walks /proc again until
 * no live descendant is left, since one may fork while a walk runs.
 * Returns how many besides @keep the first walk found alive.
 */
static int kill_descendants(pid_t keep)
{
	long long deadline = now_ms() + KILL_WAIT_MS;
	pid_t self = getpid();
	int killed = 0, walk;

	for (walk = 0; ; walk++) {
		struct proc *procs = NULL;
		int nr, alive = 0, i;

		nr = read_procs(&procs);
		if (nr < 0) {
			note("/proc: %s\n", strerror(errno));
			return killed;
		}
		for (i = 0; i < nr; i++) {
			const struct proc *p = &procs[i];

			if (p->pid == self || !descends_from(procs, nr, p->pid, self))
				continue;
			if (p->state == 'Z' || p->state == 'X') {
				if (p->ppid == self && p->pid != keep)
					waitpid(p->pid, NULL, WNOHANG);
				continue;
			}
			if (!walk && p->pid != keep)
				killed++;
			kill(p->pid, SIGKILL);
			alive++;
		}
		free(procs);
		if (!alive)
			return killed;
		if (now_ms() > deadline) {
			note("%d processes still alive %d ms after SIGKILL\n",
			     alive, KILL_WAIT_MS);
			return killed;
		}
		usleep(10000);
	}
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
	int reaped = 0, timed_out = 0, status = 0, left_behind = 0;
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
	/* Also here, so that the child is in its group before it runs. */
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
			/* Kill the program and all it started, then drain. */
			kill_descendants(pid);
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
			waitpid(pid, &status, 0);
			reaped = 1;
			/* Left behind, they would run into the next program. */
			left_behind = kill_descendants(0);
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
		kill_descendants(pid);
		waitpid(pid, &status, 0);
		kill_descendants(0);
	}
	if (left_behind && !timed_out)
		note("killed %d processes left behind by %s\n", left_behind,
		     prog);
	reap_zombies();
	return timed_out ? -1 : status;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"Usage: %s [-t SECONDS] [-T GLOB=SECONDS]... [-s SUITE] [-r GLOB]... PROG...\n",
		argv0);
	exit(2);
}

/* A limit in seconds from the command line, or 0 if it is not one. */
static int parse_seconds(const char *text)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(text, &end, 10);
	if (errno || end == text || *end || val <= 0 || val > INT_MAX / 1000)
		return 0;
	return (int)val;
}

/* A program's own limit, given by -T GLOB=SECONDS. */
struct limit {
	const char *glob;
	int seconds;
};

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
 * Run @prog with its output held back; while it fails and attempts are
 * left, print that output as a failed attempt and run it again.  The last
 * attempt is printed as it runs.  Returns the status of the last run.
 */
static int run_with_retry(const char *prog, const char *name, int timeout)
{
	static const char *const ordinal[MAX_ATTEMPTS - 1] = { "1st", "2nd" };
	char *held, *line, *next, why[64];
	size_t size;
	int attempt, status;

	for (attempt = 0; attempt < MAX_ATTEMPTS - 1; attempt++) {
		held = NULL;
		size = 0;
		out = open_memstream(&held, &size);
		if (!out) {
			out = stdout;
			break;
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
			emit("# %s attempt| %s\n", ordinal[attempt], line);
		}
		free(held);
		emit("# ktap-run: flaky: %s failed (%s), running it again\n",
		     name, why);
	}
	return run_one(prog, timeout);
}

int main(int argc, char **argv)
{
	const char *retry_globs[MAX_RETRY_GLOBS];
	struct limit limits[MAX_LIMITS];
	const char *suite = "selftests";
	int default_timeout = DEFAULT_TIMEOUT;
	int nr_retry_globs = 0, nr_limits = 0;
	int failed = 0;
	int opt, i;

	out = stdout;
	while ((opt = getopt(argc, argv, "+t:T:s:r:h")) != -1) {
		char *eq;

		switch (opt) {
		case 't':
			default_timeout = parse_seconds(optarg);
			if (!default_timeout)
				usage(argv[0]);
			break;
		case 'T':
			eq = strrchr(optarg, '=');
			if (!eq || eq == optarg || nr_limits == MAX_LIMITS)
				usage(argv[0]);
			*eq = '\0';
			limits[nr_limits].glob = optarg;
			limits[nr_limits].seconds = parse_seconds(eq + 1);
			if (!limits[nr_limits++].seconds)
				usage(argv[0]);
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
		int timeout = default_timeout;
		int retry = 0;
		long long start, took;
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
		for (g = 0; g < nr_limits; g++) {
			if (!fnmatch(limits[g].glob, argv[i], 0)) {
				timeout = limits[g].seconds;
				break;
			}
		}
		for (g = 0; g < nr_retry_globs; g++)
			retry |= !fnmatch(retry_globs[g], argv[i], 0);
		start = now_ms();
		if (retry)
			status = run_with_retry(argv[i], name, timeout);
		else
			status = run_one(argv[i], timeout);
		/* Slowness shows long before the QEMU hard timeout. */
		took = now_ms() - start;
		emit("# ktap-run: %s took %lld.%lld s\n", name, took / 1000,
		     took / 100 % 10);

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
