// SPDX-License-Identifier: GPL-2.0
/*
 * xns_bench - compare the xns namespace with the in-tree UTS namespace.
 *
 * Part 1 (latency) times single operations: create and destroy (in a
 * forked child), setns in and out, /proc/self/ns access, fork inside a
 * namespace and, for xns only, labels.  The namespace operations run twice:
 * from the initial namespace of each type (where UTS skips all reference
 * counting) and from inside a non-initial one ("_child" ops), so that the
 * cost of a module type is not mistaken for the cost of initial-namespace
 * handling.  Rounds are interleaved and the type that goes first
 * alternates, so that drift in the machine (caches, frequency, other
 * guests) affects both types alike.
 *
 * A new xns is made as userspace makes one: NS_CREATE_CHILD on a file of
 * the caller's namespace, setns() into the child and close() of its file;
 * a new UTS namespace with unshare(CLONE_NEWUTS).
 *
 * Times come from CLOCK_MONOTONIC.  Under QEMU with -icount shift=0 the
 * guest clock advances one nanosecond per guest instruction, so the same
 * numbers are instruction counts (make bench MEASURE=icount).
 *
 * Part 2 (scale) creates N sibling namespaces, each pinned by an open
 * nsfs fd, and reports creation time, memory per namespace from
 * /proc/meminfo and /proc/slabinfo, and teardown time.
 *
 * Every result is also printed as one self-contained "csv,..." line, so a
 * host script can grep them out of a serial console log.  Must run as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

/* A new child of a namespace of a module's type (patch 0009 of xns). */
#ifndef NS_CREATE_CHILD
#define NS_CREATE_CHILD	_IO(NSIO, 0x20)
#endif

#define XNS_DEV		"/dev/xns"
/* Per user, in the caller's user namespace: module types, and UTS. */
#define MODULE_MAX_SYSCTL	"/proc/sys/user/max_module_namespaces"
#define UTS_MAX_SYSCTL	"/proc/sys/user/max_uts_namespaces"
#define NR_OPEN_SYSCTL	"/proc/sys/fs/nr_open"
#define WARMUP		10
#define MAX_SCALE	16
#define TOP_CACHES	6
/* Namespaces are freed after an RCU grace period; allow for a slow guest. */
#define FREE_TIMEOUT_MS	60000
#define TB(t)		(1U << (t))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { T_XNS, T_UTS, T_NONE, NR_TYPES };

static const char * const type_name[NR_TYPES] = { "xns", "uts", "none" };
static const char * const ns_path[2] = {
	"/proc/self/ns/xns", "/proc/self/ns/uts"
};

static const int ns_flag[2] = { XNS_NS_TYPE, CLONE_NEWUTS };

/* What an op does; where it does it is struct op's @inside. */
enum kind {
	K_CREATE, K_CREATE_NOFORK, K_SETNS, K_PROCNS, K_PROCNS_OPEN,
	K_PROCNS_READLINK, K_FORK, K_LSET, K_LGET
};

struct op {
	const char *name;
	enum kind kind;
	unsigned int types;	/* TB() of the types it is measured for */
	int inside;		/* runs inside the pinned child namespace */
	int forks;		/* bound by fork(), not by the namespace */
};

#define BOTH	(TB(T_XNS) | TB(T_UTS))

static const struct op ops[] = {
	{ "create_destroy", K_CREATE, BOTH | TB(T_NONE), 0, 1 },
	{ "create_destroy_nofork", K_CREATE_NOFORK, BOTH, 0, 0 },
	{ "setns", K_SETNS, BOTH, 0, 0 },
	{ "proc_ns", K_PROCNS, BOTH, 0, 0 },
	/* proc_ns in parts, to see where a difference comes from */
	{ "proc_ns_open", K_PROCNS_OPEN, BOTH, 0, 0 },
	{ "proc_ns_readlink", K_PROCNS_READLINK, BOTH, 0, 0 },
	/* The same from inside a non-initial namespace of the type. */
	{ "create_destroy_nofork_child", K_CREATE_NOFORK, BOTH, 1, 0 },
	{ "setns_child", K_SETNS, BOTH, 1, 0 },
	{ "proc_ns_child", K_PROCNS, BOTH, 1, 0 },
	{ "proc_ns_open_child", K_PROCNS_OPEN, BOTH, 1, 0 },
	{ "proc_ns_readlink_child", K_PROCNS_READLINK, BOTH, 1, 0 },
	{ "fork_inside", K_FORK, BOTH, 1, 1 },
	{ "label_set", K_LSET, TB(T_XNS), 1, 0 },
	{ "label_get", K_LGET, TB(T_XNS), 1, 0 },
};

#define NR_OPS		ARRAY_SIZE(ops)

/* A limit raised for the benchmark, and its value to restore. */
struct saved {
	const char *path;
	char old[32];
	int set;
};

static struct saved saved[] = {
	{ .path = NR_OPEN_SYSCTL },
	{ .path = MODULE_MAX_SYSCTL },
	{ .path = UTS_MAX_SYSCTL },
};

enum { SAVED_NR_OPEN, SAVED_MODULE_MAX, SAVED_UTS_MAX };

static int dev_fd = -1;
static int orig_fd[2] = { -1, -1 };
/* Two child namespaces of each type: setns_child goes from one to the other. */
static int pin_fd[2] = { -1, -1 };
static int pin2_fd[2] = { -1, -1 };
static unsigned int avail;	/* TB() of the types that can run */
static unsigned long long op_mask = ~0ULL;	/* --ops */
static struct xns_label label = { .key = "bench", .value = "value" };

static int rounds, iters;
static unsigned long long *samples[NR_OPS][NR_TYPES];
static unsigned long long *scratch;

static void die(const char *fmt, ...)
{
	int err = errno;
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fprintf(stderr, "xns-bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* open/write/close only, so that it can run in a signal handler. */
static int write_str(const char *path, const char *s)
{
	ssize_t len = strlen(s), ret;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	ret = write(fd, s, len);
	close(fd);
	return ret == len ? 0 : -1;
}

static int read_ull(const char *path, unsigned long long *val)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f)
		return -1;
	ret = fscanf(f, "%llu", val) == 1 ? 0 : -1;
	fclose(f);
	return ret;
}

static void restore_all(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(saved); i++) {
		if (saved[i].set && write_str(saved[i].path, saved[i].old))
			write(2, "xns-bench: restoring a limit failed\n", 36);
		saved[i].set = 0;
	}
}

/* Put the host's limits back even when the run is interrupted. */
static void on_signal(int sig)
{
	restore_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Raise the limit in @s to at least @want, remembering the old value. */
static void raise_limit(struct saved *s, unsigned long long want)
{
	unsigned long long cur;
	char buf[32];

	if (read_ull(s->path, &cur)) {
		fprintf(stderr, "xns-bench: %s: %s\n", s->path, strerror(errno));
		return;
	}
	if (cur >= want)
		return;
	snprintf(buf, sizeof(buf), "%llu", want);
	if (write_str(s->path, buf)) {
		fprintf(stderr, "xns-bench: write %s to %s: %s\n", buf,
			s->path, strerror(errno));
		return;
	}
	if (!s->set)
		snprintf(s->old, sizeof(s->old), "%llu", cur);
	s->set = 1;
}

static void cpu_model(char *buf, size_t size)
{
	char line[256], impl[32] = "", part[32] = "";
	int found = 0;
	FILE *f;

	snprintf(buf, size, "unknown");
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	while (!found && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		v += v[1] == ' ' ? 2 : 1;
		v[strcspn(v, "\n")] = '\0';
		if (!strncmp(line, "model name", 10)) {
			snprintf(buf, size, "%.120s", v);
			found = 1;
		} else if (!strncmp(line, "CPU implementer", 15) && !impl[0]) {
			snprintf(impl, sizeof(impl), "%.20s", v);
		} else if (!strncmp(line, "CPU part", 8) && !part[0]) {
			snprintf(part, sizeof(part), "%.20s", v);
		}
	}
	fclose(f);
	if (!found && impl[0])
		snprintf(buf, size, "implementer %s part %s", impl, part);
}

/*
 * Move the caller into a new namespace of type @t, a child of its own;
 * @cur is a file of the caller's namespace of that type.  -1 on failure.
 */
static int create_ns(int t, int cur)
{
	int child, ret, err;

	if (t != T_XNS)
		return unshare(CLONE_NEWUTS);
	child = ioctl(cur, NS_CREATE_CHILD);
	if (child < 0)
		return -1;
	ret = setns(child, 0);
	err = errno;
	close(child);
	errno = err;
	return ret;
}

static void enter_ns(int t, int fd)
{
	if (setns(fd, ns_flag[t]))
		die("setns %s", type_name[t]);
}

/*
 * Fork a child that creates a namespace of type @t (none: nothing), a
 * child of the caller's, of which @cur is a file.
 */
static void fork_child(int t, int cur)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		_exit(t != T_NONE && create_ns(t, cur) ? errno : 0);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* The child exits with the errno of the failed create. */
		errno = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
		die("create %s in child", type_name[t]);
	}
}

static void do_op(int op, int t)
{
	/* The namespace the op starts from and returns to, and another. */
	int home = ops[op].inside ? pin_fd[t] : orig_fd[t];
	int other = ops[op].inside ? pin2_fd[t] : pin_fd[t];
	struct stat st;
	char buf[64];
	int fd;

	switch (ops[op].kind) {
	case K_CREATE:
		fork_child(t, home);
		break;
	case K_CREATE_NOFORK:
		/* Leaving the new namespace drops its last reference. */
		if (create_ns(t, home))
			die("create %s", type_name[t]);
		enter_ns(t, home);
		break;
	case K_SETNS:
		enter_ns(t, other);
		enter_ns(t, home);
		break;
	case K_PROCNS:
		fd = open(ns_path[t], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || readlink(ns_path[t], buf, sizeof(buf)) < 0 ||
		    fstat(fd, &st))
			die("%s", ns_path[t]);
		close(fd);
		break;
	case K_PROCNS_OPEN:
		fd = open(ns_path[t], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("%s", ns_path[t]);
		close(fd);
		break;
	case K_PROCNS_READLINK:
		if (readlink(ns_path[t], buf, sizeof(buf)) < 0)
			die("%s", ns_path[t]);
		break;
	case K_FORK:
		fork_child(T_NONE, home);
		break;
	case K_LSET:
		if (ioctl(dev_fd, XNS_IOC_LABEL_SET, &label))
			die("XNS_IOC_LABEL_SET");
		break;
	case K_LGET:
		if (ioctl(dev_fd, XNS_IOC_LABEL_GET, &label))
			die("XNS_IOC_LABEL_GET");
		break;
	}
}

/* Run @k iterations of @op for type @t; record them in @out if set. */
static void run_block(int op, int t, unsigned long long *out, int k)
{
	unsigned long long t0;
	int i;

	if (ops[op].inside)
		enter_ns(t, pin_fd[t]);
	for (i = 0; i < k; i++) {
		t0 = now_ns();
		do_op(op, t);
		if (out)
			out[i] = now_ns() - t0;
	}
	if (ops[op].inside)
		enter_ns(t, orig_fd[t]);
}

/* Create a child namespace of type @t and return an fd that pins it. */
static int pin(int t)
{
	int fd;

	if (create_ns(t, orig_fd[t]))
		die("create %s", type_name[t]);
	fd = open(ns_path[t], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s", ns_path[t]);
	/* label_get needs the label to exist. */
	if (t == T_XNS && ioctl(dev_fd, XNS_IOC_LABEL_SET, &label))
		die("XNS_IOC_LABEL_SET");
	enter_ns(t, orig_fd[t]);
	return fd;
}

static unsigned int lat_types(int op)
{
	if (!(op_mask & (1ULL << op)))
		return 0;
	return ops[op].types & (avail | TB(T_NONE));
}

/*
 * The types of @op in the order of round @r: xns first on even rounds,
 * uts first on odd ones, the fork baseline always in the middle.
 */
static int round_order(int op, int r, int *order)
{
	static const int base[] = { T_XNS, T_NONE, T_UTS };
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		int t = base[r % 2 ? 2 - i : i];

		if (lat_types(op) & TB(t))
			order[n++] = t;
	}
	return n;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Median of @v; leaves a sorted copy in scratch. */
static unsigned long long median(const unsigned long long *v, size_t n)
{
	memcpy(scratch, v, n * sizeof(*v));
	qsort(scratch, n, sizeof(*v), cmp_ull);
	return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

struct lat {
	unsigned long long med, p99, mean;
};

struct ratio {
	double med, rmin, rmax, net;
	int valid, net_valid;
};

static void compute_ratio(int op, const struct lat *s, struct ratio *q)
{
	const struct lat *x = &s[T_XNS], *u = &s[T_UTS], *n = &s[T_NONE];
	double rr;
	int r;

	memset(q, 0, sizeof(*q));
	if ((lat_types(op) & (TB(T_XNS) | TB(T_UTS))) !=
	    (TB(T_XNS) | TB(T_UTS)) || !u->med)
		return;
	q->valid = 1;
	q->med = (double)x->med / u->med;
	for (r = 0; r < rounds; r++) {
		unsigned long long mx, mu;

		mx = median(samples[op][T_XNS] + (size_t)r * iters, iters);
		mu = median(samples[op][T_UTS] + (size_t)r * iters, iters);
		rr = mu ? (double)mx / mu : 0;
		if (!r || rr < q->rmin)
			q->rmin = rr;
		if (!r || rr > q->rmax)
			q->rmax = rr;
	}
	/* What the namespace adds to a bare fork + exit + wait. */
	if (ops[op].kind == K_CREATE && (lat_types(op) & TB(T_NONE)) &&
	    u->med > n->med) {
		q->net_valid = 1;
		q->net = ((double)x->med - n->med) / (u->med - n->med);
	}
}

static void report_latency(void)
{
	size_t n = (size_t)rounds * iters, i;
	struct lat s[NR_OPS][NR_TYPES] = {};
	struct ratio q[NR_OPS];
	int op, t;

	for (op = 0; op < (int)NR_OPS; op++) {
		for (t = 0; t < NR_TYPES; t++) {
			unsigned long long sum = 0;

			if (!(lat_types(op) & TB(t)))
				continue;
			s[op][t].med = median(samples[op][t], n);
			s[op][t].p99 = scratch[(99 * n + 99) / 100 - 1];
			for (i = 0; i < n; i++)
				sum += samples[op][t][i];
			s[op][t].mean = sum / n;
		}
		compute_ratio(op, s[op], &q[op]);
	}

	printf("%-27s %-5s %8s %10s %10s %10s %15s  %-18s %s\n", "op",
	       "type", "samples", "median_ns", "p99_ns", "mean_ns",
	       "ratio(xns/uts)", "rounds[min..max]", "net");
	for (op = 0; op < (int)NR_OPS; op++) {
		if (!lat_types(op))
			continue;
		for (t = 0; t < NR_TYPES; t++) {
			const struct lat *l = &s[op][t];

			if (!(lat_types(op) & TB(t))) {
				/* An xns-only op: show that uts has no such. */
				if (t == T_UTS && (lat_types(op) & TB(T_XNS)) &&
				    !(ops[op].types & TB(T_UTS)))
					printf("%-27s %-5s %8s %10s %10s %10s\n",
					       ops[op].name, "uts", "-", "-", "-",
					       "-");
				continue;
			}
			printf("%-27s %-5s %8zu %10llu %10llu %10llu",
			       ops[op].name, type_name[t], n, l->med, l->p99,
			       l->mean);
			if (t == T_XNS && q[op].valid) {
				char rr[40];

				snprintf(rr, sizeof(rr), "[%.3f..%.3f]",
					 q[op].rmin, q[op].rmax);
				printf(" %15.3f  %-18s", q[op].med, rr);
				if (q[op].net_valid)
					printf(" %.3f", q[op].net);
				else
					printf(" -");
			}
			printf("\n");
		}
	}

	for (op = 0; op < (int)NR_OPS; op++) {
		for (t = 0; t < NR_TYPES; t++) {
			if (lat_types(op) & TB(t))
				printf("csv,latency,%s,%s,%zu,%llu,%llu,%llu\n",
				       ops[op].name, type_name[t], n,
				       s[op][t].med, s[op][t].p99,
				       s[op][t].mean);
		}
		if (!q[op].valid)
			continue;
		printf("csv,ratio,%s,%.3f,%.3f,%.3f,", ops[op].name, q[op].med,
		       q[op].rmin, q[op].rmax);
		if (q[op].net_valid)
			printf("%.3f", q[op].net);
		printf("\n");
	}
}

static void run_latency(void)
{
	size_t n = (size_t)rounds * iters;
	int op, t, r, i, nt, order[NR_TYPES];

	printf("\nxns-bench: latency, %d rounds x %d iterations, interleaved\n",
	       rounds, iters);
	scratch = malloc(n * sizeof(*scratch));
	if (!scratch)
		die("malloc");
	/* A namespace may be freed after its creator's wait() returns. */
	raise_limit(&saved[SAVED_MODULE_MAX], 1U << 20);
	raise_limit(&saved[SAVED_UTS_MAX], 1U << 20);
	for (t = T_XNS; t <= T_UTS; t++) {
		if (avail & TB(t)) {
			pin_fd[t] = pin(t);
			pin2_fd[t] = pin(t);
		}
	}
	for (op = 0; op < (int)NR_OPS; op++) {
		for (t = 0; t < NR_TYPES; t++) {
			if (!(lat_types(op) & TB(t)))
				continue;
			samples[op][t] = malloc(n * sizeof(**samples));
			if (!samples[op][t])
				die("malloc");
			run_block(op, t, NULL, WARMUP);
		}
	}
	for (r = 0; r < rounds; r++) {
		for (op = 0; op < (int)NR_OPS; op++) {
			nt = round_order(op, r, order);
			for (i = 0; i < nt; i++)
				run_block(op, order[i], samples[op][order[i]] +
					  (size_t)r * iters, iters);
		}
	}
	report_latency();
	for (t = T_XNS; t <= T_UTS; t++) {
		if (pin_fd[t] >= 0)
			close(pin_fd[t]);
		if (pin2_fd[t] >= 0)
			close(pin2_fd[t]);
		pin_fd[t] = -1;
		pin2_fd[t] = -1;
	}
	for (op = 0; op < (int)NR_OPS; op++)
		for (t = 0; t < NR_TYPES; t++)
			free(samples[op][t]);
	free(scratch);
}

struct cache {
	char name[64];
	long long bytes;
};

/* Memory figures in bytes; nc < 0 if /proc/slabinfo cannot be read. */
struct snap {
	long long avail, slab, sunreclaim;
	struct cache *c;
	int nc;
};

static void read_meminfo(struct snap *s)
{
	char line[256];
	long long v;
	FILE *f;

	f = fopen("/proc/meminfo", "re");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemAvailable: %lld", &v) == 1)
			s->avail = v * 1024;
		else if (sscanf(line, "Slab: %lld", &v) == 1)
			s->slab = v * 1024;
		else if (sscanf(line, "SUnreclaim: %lld", &v) == 1)
			s->sunreclaim = v * 1024;
	}
	fclose(f);
}

static void read_snap(struct snap *s)
{
	static int warned;
	unsigned long long active, num, size;
	char line[512], name[64];
	struct cache *c;
	FILE *f;

	memset(s, 0, sizeof(*s));
	read_meminfo(s);
	s->nc = -1;
	f = fopen("/proc/slabinfo", "re");
	if (!f) {
		if (!warned++)
			printf("xns-bench: /proc/slabinfo: %s; reporting /proc/meminfo only\n",
			       strerror(errno));
		return;
	}
	s->nc = 0;
	while (fgets(line, sizeof(line), f)) {
		/* The two header lines do not parse. */
		if (sscanf(line, "%63s %llu %llu %llu", name, &active, &num,
			   &size) != 4)
			continue;
		c = realloc(s->c, (s->nc + 1) * sizeof(*c));
		if (!c)
			die("realloc");
		s->c = c;
		snprintf(c[s->nc].name, sizeof(c->name), "%s", name);
		c[s->nc++].bytes = active * size;
	}
	fclose(f);
}

static long long cache_bytes(const struct snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->nc; i++)
		if (!strcmp(s->c[i].name, name))
			return s->c[i].bytes;
	return 0;
}

/* The fields of a csv,scale line after the status; empty if unknown. */
enum { F_PER, F_FIRST, F_LAST, F_CLOSE, F_FREED, F_SLAB, F_NSFS, F_OTHER,
	F_AVAIL, NR_F };

static const char * const f_name[NR_F] = {
	"ns/create", "first", "last", "close_ms", "freed_ms", "slab_B",
	"nsfs_B", "other_B", "avail_B"
};

struct scale_res {
	int type;
	unsigned long n;
	char status[32];
	char f[NR_F][24];
};

static struct snap before, after;

static void setf(struct scale_res *r, int i, const char *fmt, double v)
{
	snprintf(r->f[i], sizeof(r->f[i]), fmt, v);
}

static void print_scale_csv(const struct scale_res *r)
{
	int i;

	printf("csv,scale,%s,%lu,%s", type_name[r->type], r->n, r->status);
	for (i = 0; i < NR_F; i++)
		printf(",%s", r->f[i]);
	printf("\n");
}

/*
 * Fill in the memory fields of @r for @done namespaces and print the top
 * caches.  Returns the larger of slab and MemAvailable bytes per namespace.
 */
static double report_memory(struct scale_res *r, unsigned long done)
{
	int i, j, nd = after.nc > 0 ? after.nc : 0;
	double slab, nsfs, avail = (before.avail - after.avail) / (double)done;
	struct cache *d;
	long long sum = 0;

	setf(r, F_AVAIL, "%.1f", avail);
	if (after.nc < 0 || before.nc < 0) {
		slab = (after.slab - before.slab) / (double)done;
		setf(r, F_SLAB, "%.1f", slab);
		printf("  per ns: meminfo Slab %.1f B, MemAvailable %.1f B\n",
		       slab, avail);
		return slab > avail ? slab : avail;
	}
	d = calloc(nd + 1, sizeof(*d));
	if (!d)
		die("calloc");
	for (i = 0; i < nd; i++) {
		d[i] = after.c[i];
		d[i].bytes -= cache_bytes(&before, d[i].name);
		sum += d[i].bytes;
	}
	slab = sum / (double)done;
	/* Every pinned namespace has an nsfs dentry, inode and file. */
	nsfs = (cache_bytes(&after, "dentry") - cache_bytes(&before, "dentry") +
		cache_bytes(&after, "inode_cache") -
		cache_bytes(&before, "inode_cache") +
		cache_bytes(&after, "filp") - cache_bytes(&before, "filp")) /
	       (double)done;
	setf(r, F_SLAB, "%.1f", slab);
	setf(r, F_NSFS, "%.1f", nsfs);
	setf(r, F_OTHER, "%.1f", slab - nsfs);
	printf("  per ns: slab %.1f B (nsfs %.1f, other %.1f), ", slab, nsfs,
	       slab - nsfs);
	printf("MemAvailable %.1f B, meminfo Slab %.1f B, SUnreclaim %.1f B\n",
	       avail, (after.slab - before.slab) / (double)done,
	       (after.sunreclaim - before.sunreclaim) / (double)done);
	/* Partial selection sort: only the top few are needed. */
	printf("  top caches (B/ns):");
	for (i = 0; i < TOP_CACHES && i < nd; i++) {
		for (j = i + 1; j < nd; j++) {
			if (d[j].bytes > d[i].bytes) {
				d[nd] = d[i];
				d[i] = d[j];
				d[j] = d[nd];
			}
		}
		if (d[i].bytes <= 0)
			break;
		printf("%s %s %.1f", i ? "," : "", d[i].name,
		       d[i].bytes / (double)done);
	}
	printf("\n");
	for (j = 0; j < i; j++)
		printf("csv,slab,%s,%lu,%s,%.1f\n", type_name[r->type], r->n,
		       d[j].name, d[j].bytes / (double)done);
	free(d);
	return slab > avail ? slab : avail;
}

/* Create a namespace of type @t, open it and go back; -1 on failure. */
static int create_pinned(int t)
{
	int fd, err;

	if (create_ns(t, orig_fd[t]))
		return -1;
	fd = open(ns_path[t], O_RDONLY | O_CLOEXEC);
	err = errno;
	enter_ns(t, orig_fd[t]);
	errno = err;
	return fd;
}

static void raise_limits(int t, unsigned long n)
{
	unsigned long long want = n + 4096;
	struct rlimit rl;

	raise_limit(&saved[SAVED_NR_OPEN], want);
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (rl.rlim_max < want)
			rl.rlim_max = want;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			/* No CAP_SYS_RESOURCE: take what the hard limit gives. */
			fprintf(stderr, "xns-bench: setrlimit NOFILE %llu: %s\n",
				want, strerror(errno));
			getrlimit(RLIMIT_NOFILE, &rl);
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	raise_limit(&saved[t == T_XNS ? SAVED_MODULE_MAX : SAVED_UTS_MAX],
		    n + 1000);
}

/* Wait until nr_live is back to @live0 or the timeout; return nr_live. */
static __u32 wait_freed(__u32 live0, unsigned long long t0)
{
	struct xns_info info = {};

	for (;;) {
		if (ioctl(dev_fd, XNS_IOC_GET_INFO, &info))
			die("XNS_IOC_GET_INFO");
		if (info.nr_live == live0 ||
		    now_ns() - t0 > FREE_TIMEOUT_MS * 1000000ULL)
			return info.nr_live;
		usleep(1000);
	}
}

/* Create @n pinned siblings of type @t, measure, tear down. */
static void scale_run(struct scale_res *r, int t, unsigned long n,
		      double *bpn)
{
	unsigned long long tb[11], t0, need;
	unsigned long i, b = 0, nb = n < 10 ? n : 10;
	struct xns_info info = {};
	int *fds, err = 0;
	__u32 live;

	read_meminfo(&before);
	need = (*bpn > 0 ? *bpn : 4096) * n * 1.3;
	if (need > (unsigned long long)before.avail) {
		printf("SKIP scale %s N=%lu: needs ~%llu MiB, MemAvailable %lld MiB\n",
		       type_name[t], n, need >> 20, before.avail >> 20);
		snprintf(r->status, sizeof(r->status), "skipped");
		return;
	}
	raise_limits(t, n);
	fds = malloc(n * sizeof(*fds));
	if (!fds)
		die("malloc");
	memset(fds, 0xff, n * sizeof(*fds));
	/* Grow the fd table now, so that its growth is not charged below. */
	if (dup2(orig_fd[t], n + 64) >= 0)
		close(n + 64);
	if (t == T_XNS && ioctl(dev_fd, XNS_IOC_GET_INFO, &info))
		die("XNS_IOC_GET_INFO");

	read_snap(&before);
	tb[0] = now_ns();
	for (i = 0; i < n; i++) {
		fds[i] = create_pinned(t);
		if (fds[i] < 0) {
			err = errno;
			break;
		}
		if (i + 1 == (b + 1) * n / nb)
			tb[++b] = now_ns();
	}
	printf("scale %s N=%lu: ", type_name[t], n);
	if (err) {
		printf("create failed after %lu: %s\n", i, strerror(err));
		snprintf(r->status, sizeof(r->status), "failed:%s",
			 strerrorname_np(err) ?: "unknown");
		if (i)
			setf(r, F_PER, "%.0f", (now_ns() - tb[0]) / (double)i);
	} else {
		/* Not after a failure: the fds may have run out. */
		read_snap(&after);
		setf(r, F_PER, "%.0f", (tb[nb] - tb[0]) / (double)n);
		setf(r, F_FIRST, "%.0f", (tb[1] - tb[0]) / (double)(n / nb));
		setf(r, F_LAST, "%.0f", (tb[nb] - tb[nb - 1]) /
		     (double)(n - (nb - 1) * n / nb));
		printf("%s ns/create (first batch %s, last %s)\n", r->f[F_PER],
		       r->f[F_FIRST], r->f[F_LAST]);
		*bpn = report_memory(r, n);
	}

	t0 = now_ns();
	while (i)
		close(fds[--i]);
	setf(r, F_CLOSE, "%.1f", (now_ns() - t0) / 1e6);
	printf("  teardown: close %s ms", r->f[F_CLOSE]);
	/* Freeing ends when nr_live is back; time it from the first close. */
	live = t == T_XNS ? wait_freed(info.nr_live, t0) : 0;
	if (t == T_XNS && live == info.nr_live) {
		setf(r, F_FREED, "%.1f", (now_ns() - t0) / 1e6);
		printf(", freed %s ms", r->f[F_FREED]);
	} else if (t == T_XNS) {
		printf(", nr_live still %u, not %u, after %d s", live,
		       info.nr_live, FREE_TIMEOUT_MS / 1000);
		if (!err)
			snprintf(r->status, sizeof(r->status), "free-timeout");
	}
	printf("\n");
	free(fds);
	free(before.c);
	free(after.c);
	before.c = NULL;
	after.c = NULL;
	/* Let RCU-deferred frees finish before the next measurement. */
	sleep(1);
}

static void run_scale(const unsigned long *list, int nlist,
		      unsigned int types)
{
	struct scale_res res[MAX_SCALE * 2] = {}, *r;
	double bpn[2] = { 0, 0 };
	int i, j, t, nres = 0;

	printf("\nxns-bench: scale, N siblings pinned by open nsfs fds\n");
	for (i = 0; i < nlist; i++) {
		for (t = T_XNS; t <= T_UTS; t++) {
			if (!(types & TB(t)))
				continue;
			r = &res[nres++];
			r->type = t;
			r->n = list[i];
			snprintf(r->status, sizeof(r->status), "ok");
			if (avail & TB(t)) {
				scale_run(r, t, list[i], &bpn[t]);
			} else {
				printf("SKIP scale %s N=%lu: %s not available\n",
				       type_name[t], list[i], type_name[t]);
				snprintf(r->status, sizeof(r->status),
					 "skipped");
			}
			print_scale_csv(r);
		}
	}
	restore_all();

	printf("\n%-4s %8s %-14s", "type", "n", "status");
	for (j = 0; j < NR_F; j++)
		printf(" %9s", f_name[j]);
	printf("\n");
	for (i = 0; i < nres; i++) {
		r = &res[i];
		printf("%-4s %8lu %-14s", type_name[r->type], r->n, r->status);
		for (j = 0; j < NR_F; j++)
			printf(" %9s", r->f[j][0] ? r->f[j] : "-");
		printf("\n");
	}
}

static unsigned int parse_types(const char *s)
{
	unsigned int mask = 0;
	char buf[64], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "xns")) {
			mask |= TB(T_XNS);
		} else if (!strcmp(tok, "uts")) {
			mask |= TB(T_UTS);
		} else {
			errno = EINVAL;
			die("type %s", tok);
		}
	}
	return mask;
}

/* --ops: a comma-separated list of op names. */
static unsigned long long parse_ops(const char *s)
{
	unsigned long long mask = 0;
	char buf[512], *tok, *save;
	size_t op;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (op = 0; op < NR_OPS; op++)
			if (!strcmp(tok, ops[op].name))
				break;
		if (op == NR_OPS) {
			errno = EINVAL;
			die("op %s", tok);
		}
		mask |= 1ULL << op;
	}
	return mask;
}

static unsigned long parse_num(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != ',') || !v || v > max) {
		errno = EINVAL;
		die("number %s", s);
	}
	return v;
}

static int parse_list(const char *s, unsigned long *list)
{
	int n = 0;

	for (; *s; s++) {
		if (n == MAX_SCALE) {
			errno = E2BIG;
			die("--scale");
		}
		list[n++] = parse_num(s, 100000000);
		s = strchrnul(s, ',');
		if (!*s)
			break;
	}
	return n;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: xns_bench [--quick] [--rounds R] [--iters K] [--types LIST] [--ops LIST]\n"
		"                 [--scale LIST] [--scale-types LIST] [--no-latency] [--no-scale]\n"
		"  --rounds R         interleaved latency rounds (15)\n"
		"  --iters K          iterations per round, op and type (100)\n"
		"  --types LIST       namespace types to run: xns,uts (both)\n"
		"  --ops LIST         latency ops to run, by name (all)\n"
		"  --scale LIST       namespace counts (1000,10000,100000,1000000)\n"
		"  --scale-types LIST types for the scale part (xns,uts)\n"
		"  --quick            --rounds 3 --iters 20 --scale 1000\n");
}

int main(int argc, char **argv)
{
	int opt, quick = 0, no_lat = 0, no_scale = 0, nlist = 0, t;
	const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "iters", required_argument, NULL, 'k' },
		{ "types", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'o' },
		{ "scale", required_argument, NULL, 's' },
		{ "scale-types", required_argument, NULL, 'S' },
		{ "quick", no_argument, &quick, 1 },
		{ "no-latency", no_argument, &no_lat, 1 },
		{ "no-scale", no_argument, &no_scale, 1 },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned int types = TB(T_XNS) | TB(T_UTS), stypes = types;
	unsigned long list[MAX_SCALE];
	const char *scale_arg = NULL;
	struct utsname u;
	char cpu[128];

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rounds = parse_num(optarg, 100000);
			break;
		case 'k':
			iters = parse_num(optarg, 100000);
			break;
		case 't':
			types = parse_types(optarg);
			break;
		case 'o':
			op_mask = parse_ops(optarg);
			break;
		case 's':
			scale_arg = optarg;
			break;
		case 'S':
			stypes = parse_types(optarg);
			break;
		case 0:
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		print_usage(stderr);
		return 1;
	}
	/* Explicit options win over --quick, whatever their order. */
	if (!rounds)
		rounds = quick ? 3 : 15;
	if (!iters)
		iters = quick ? 20 : 100;
	if (!scale_arg)
		scale_arg = quick ? "1000" : "1000,10000,100000,1000000";
	nlist = parse_list(scale_arg, list);

	/* Each line in one write, so console messages cannot split it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(restore_all);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (uname(&u))
		die("uname");
	cpu_model(cpu, sizeof(cpu));
	printf("xns-bench: kernel %s %s, %ld CPUs, cpu \"%s\"\n", u.release,
	       u.machine, sysconf(_SC_NPROCESSORS_ONLN), cpu);

	if (types & TB(T_XNS)) {
		dev_fd = open(XNS_DEV, O_RDWR | O_CLOEXEC);
		if (dev_fd < 0)
			printf("xns-bench: SKIP xns: %s: %s\n", XNS_DEV,
			       strerror(errno));
	}
	for (t = T_XNS; t <= T_UTS; t++) {
		if (!(types & TB(t)) || (t == T_XNS && dev_fd < 0))
			continue;
		orig_fd[t] = open(ns_path[t], O_RDONLY | O_CLOEXEC);
		if (orig_fd[t] < 0)
			printf("xns-bench: SKIP %s: %s: %s\n", type_name[t],
			       ns_path[t], strerror(errno));
		else
			avail |= TB(t);
	}

	if (!no_lat)
		run_latency();
	if (!no_scale)
		run_scale(list, nlist, stypes & types);
	restore_all();
	printf("xns-bench: done\n");
	return 0;
}
