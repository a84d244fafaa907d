// SPDX-License-Identifier: GPL-2.0
/*
 * xns stress: NR_WORKERS processes, for XNS_STRESS_SECONDS (default 5),
 * do random interleavings of unshare (NS_CREATE_CHILD on the own
 * namespace, then setns()), fork + exit + waitpid of children (that may
 * unshare, setns or set a label before exiting), setns() into namespace
 * files picked from a pool (each worker keeps POOL_FDS files opened from
 * its own, other workers' and exiting children's /proc/<pid>/ns/xns,
 * reopened from another worker's fds through /proc/<pid>/fd, or made by
 * NS_CREATE_CHILD on a pooled file, which only that file keeps alive),
 * bind mounts of xns files in a private mount namespace, label
 * set/get/del/list, and readdir + readlink of /proc/<pid>/ns of exiting
 * tasks.  Any errno other than the races the API documents fails the
 * test, naming the operation; once every worker is gone, the number of
 * live namespaces must be back where it started.
 *
 * Everything happens below a namespace the test unshares first, so the
 * initial namespace (and its labels) is not touched.  XNS_SEED repeats a
 * run's random choices (not its interleaving).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "xns_stress.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define NR_WORKERS		10
#define POOL_FDS		4
#define NR_TARGETS		3
#define RING_SIZE		64
#define NR_KEYS			80
/* How long workers may overrun their deadline before they count as hung. */
#define GRACE_MS		30000
#define THREAD_SELF_LINK	"/proc/thread-self/ns/xns"

enum op {
	OP_UNSHARE,
	OP_FORK,
	OP_SETNS,
	OP_SETNS_HOME,
	OP_OPEN_SELF,
	OP_OPEN_OTHER,
	OP_STEAL,
	OP_CLOSE,
	OP_CREATE,
	OP_BIND,
	OP_UMOUNT,
	OP_LABEL_SET,
	OP_LABEL_GET,
	OP_LABEL_DEL,
	OP_LABEL_LIST,
	OP_READDIR,
	NR_OPS,
};

static const char * const op_names[NR_OPS] = {
	[OP_UNSHARE]	= "unshare",
	[OP_FORK]	= "fork",
	[OP_SETNS]	= "setns",
	[OP_SETNS_HOME]	= "setns-home",
	[OP_OPEN_SELF]	= "open-self",
	[OP_OPEN_OTHER]	= "open-other",
	[OP_STEAL]	= "reopen-fd",
	[OP_CLOSE]	= "close",
	[OP_CREATE]	= "create-child",
	[OP_BIND]	= "bind-mount",
	[OP_UMOUNT]	= "umount",
	[OP_LABEL_SET]	= "label-set",
	[OP_LABEL_GET]	= "label-get",
	[OP_LABEL_DEL]	= "label-del",
	[OP_LABEL_LIST]	= "label-list",
	[OP_READDIR]	= "readdir",
};

/* Relative frequencies of the operations. */
static const unsigned int op_weights[NR_OPS] = {
	[OP_UNSHARE]	= 6,
	[OP_FORK]	= 8,
	[OP_SETNS]	= 8,
	[OP_SETNS_HOME]	= 2,
	[OP_OPEN_SELF]	= 5,
	[OP_OPEN_OTHER]	= 8,
	[OP_STEAL]	= 4,
	[OP_CLOSE]	= 4,
	[OP_CREATE]	= 4,
	[OP_BIND]	= 4,
	[OP_UMOUNT]	= 4,
	[OP_LABEL_SET]	= 6,
	[OP_LABEL_GET]	= 4,
	[OP_LABEL_DEL]	= 4,
	[OP_LABEL_LIST]	= 3,
	[OP_READDIR]	= 6,
};

/* Shared between all workers (MAP_SHARED). */
struct stress_shared {
	pid_t workers[NR_WORKERS];
	/* Each worker's pool, for reopening through /proc/<pid>/fd. */
	int fds[NR_WORKERS][POOL_FDS];
	/* Recently forked children, possibly exiting or gone. */
	pid_t ring[RING_SIZE];
	unsigned int ring_pos;
};

/* What a worker sends back through its pipe. */
struct stress_report {
	__u64 ops[NR_OPS];
	__u64 cycles;
	/* Documented errors that a race explains (ENOENT, EACCES, ...). */
	__u64 races;
	__s32 err;
	__s32 err_op;
	char msg[200];
};

struct worker {
	int idx;
	bool userns;
	__u64 rng;
	__u64 deadline_ms;
	__u32 init_inum;
	struct stress_shared *sh;
	const char *dir;
	int devfd;
	int homefd;
	int pool[POOL_FDS];
	bool mounted[NR_TARGETS];
	pid_t kid;
	struct stress_report rep;
};

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return splitmix64(&w->rng) % n;
}

/* Record the first unexpected result; the worker stops after it. */
static __printf(4, 5) int fail(struct worker *w, enum op which, int err,
			       const char *fmt, ...)
{
	va_list ap;

	if (w->rep.err)
		return -1;
	w->rep.err = err ? err : -1;
	w->rep.err_op = which;
	va_start(ap, fmt);
	vsnprintf(w->rep.msg, sizeof(w->rep.msg), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Errors of a /proc/<pid>/... access that the task explains by exiting or
 * being reaped meanwhile: ENOENT (no such process, or it left its
 * namespaces), ESRCH (reaped during the path walk, from the permission
 * check of /proc/<pid>), EACCES (the PTRACE_MODE_READ check, which also
 * fails once the task is reaped after the lookup).
 */
static bool proc_race(int err)
{
	return err == ENOENT || err == ESRCH || err == EACCES;
}

static void ring_push(struct worker *w, pid_t pid)
{
	unsigned int pos;

	pos = __atomic_fetch_add(&w->sh->ring_pos, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&w->sh->ring[pos % RING_SIZE], pid, __ATOMIC_RELAXED);
}

/* A worker, a recent child or 0. */
static pid_t pick_pid(struct worker *w)
{
	if (!rnd(w, 3))
		return __atomic_load_n(&w->sh->workers[rnd(w, NR_WORKERS)],
				       __ATOMIC_RELAXED);
	return __atomic_load_n(&w->sh->ring[rnd(w, RING_SIZE)],
			       __ATOMIC_RELAXED);
}

static void pool_set(struct worker *w, unsigned int slot, int fd)
{
	if (w->pool[slot] >= 0) {
		__atomic_store_n(&w->sh->fds[w->idx][slot], -1,
				 __ATOMIC_RELAXED);
		close(w->pool[slot]);
	}
	w->pool[slot] = fd;
	__atomic_store_n(&w->sh->fds[w->idx][slot], fd, __ATOMIC_RELAXED);
}

/*
 * Keep @fd (an xns file) in the pool, unless it is the initial namespace:
 * the test stays below the namespace it unshared (a recycled pid can name
 * any process).
 */
static void pool_add(struct worker *w, int fd)
{
	__u32 inum = 0;

	if (xns_fd_inum(fd, &inum) || inum == w->init_inum) {
		close(fd);
		return;
	}
	pool_set(w, rnd(w, POOL_FDS), fd);
}

static int pool_pick(struct worker *w)
{
	unsigned int i, start = rnd(w, POOL_FDS);

	for (i = 0; i < POOL_FDS; i++)
		if (w->pool[(start + i) % POOL_FDS] >= 0)
			return w->pool[(start + i) % POOL_FDS];
	return -1;
}

/* The caller's namespace, as /proc and XNS_IOC_GET_INFO see it, is @inum. */
static int check_current(struct worker *w, enum op which, __u32 inum)
{
	struct xns_info info;
	__u32 link = 0;
	int ret;

	ret = xns_link_inum(THREAD_SELF_LINK, &link);
	if (ret)
		return fail(w, which, -ret, "readlink %s", THREAD_SELF_LINK);
	ret = xns_get_info(w->devfd, &info);
	if (ret)
		return fail(w, which, -ret, "XNS_IOC_GET_INFO");
	if (link != inum || info.inum != inum)
		return fail(w, which, 0, "in xns %u (link) / %u (GET_INFO), want %u",
			    link, info.inum, inum);
	return 0;
}

static int op_unshare(struct worker *w)
{
	struct xns_info before, after;
	int ret;

	ret = xns_get_info(w->devfd, &before);
	if (ret)
		return fail(w, OP_UNSHARE, -ret, "XNS_IOC_GET_INFO");
	ret = xns_unshare();
	if (ret == -ENOSPC) {
		/* Depth limit, or max_module_namespaces: both documented. */
		w->rep.races++;
		return 0;
	}
	if (ret)
		return fail(w, OP_UNSHARE, -ret, "NS_CREATE_CHILD + setns at depth %u",
			    before.depth);
	ret = xns_get_info(w->devfd, &after);
	if (ret)
		return fail(w, OP_UNSHARE, -ret, "XNS_IOC_GET_INFO after");
	if (after.depth != before.depth + 1 || after.inum == before.inum)
		return fail(w, OP_UNSHARE, 0,
			    "depth %u -> %u, inum %u -> %u after unshare",
			    before.depth, after.depth, before.inum, after.inum);
	return check_current(w, OP_UNSHARE, after.inum);
}

static int reap_kid(struct worker *w, enum op which, pid_t pid)
{
	int status = 0;
	pid_t ret;

	do {
		ret = waitpid(pid, &status, 0);
	} while (ret < 0 && errno == EINTR);
	if (ret != pid)
		return fail(w, which, errno, "waitpid(%d)", pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return fail(w, which, 0, "child %d: status 0x%x", pid, status);
	return 0;
}

/* A short-lived child: maybe change its xns or labels, then exit. */
static __noreturn void kid_main(struct worker *w)
{
	const char *what = "";
	int ret = 0, fd;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		_exit(2);
	switch (rnd(w, 4)) {
	case 1:
		what = "NS_CREATE_CHILD + setns";
		ret = xns_unshare();
		if (ret == -ENOSPC)
			ret = 0;
		break;
	case 2:
		what = "setns";
		fd = pool_pick(w);
		if (fd >= 0)
			ret = xns_setns(fd, 0);
		if (ret == -EPERM && w->userns)
			ret = 0;
		break;
	case 3:
		what = "XNS_IOC_LABEL_SET";
		ret = xns_label_set(w->devfd, "kid", "exiting");
		if (ret == -ENOSPC || (ret == -EPERM && w->userns))
			ret = 0;
		break;
	}
	if (ret) {
		fprintf(stderr, "# worker %d: child %d: %s: %s\n", w->idx,
			getpid(), what, strerror(-ret));
		_exit(1);
	}
	usleep(rnd(w, 2000));
	_exit(0);
}

static int op_fork(struct worker *w)
{
	pid_t pid;

	if (w->kid > 0) {
		pid = w->kid;
		w->kid = 0;
		return reap_kid(w, OP_FORK, pid);
	}
	pid = fork();
	if (pid < 0)
		return fail(w, OP_FORK, errno, "fork");
	if (pid == 0)
		kid_main(w);
	w->kid = pid;
	ring_push(w, pid);
	return 0;
}

static int op_setns(struct worker *w)
{
	int fd = pool_pick(w), flags, ret;
	__u32 inum = 0;

	if (fd < 0)
		return 0;
	flags = rnd(w, 2) ? 0 : XNS_NS_TYPE;
	ret = xns_setns(fd, flags);
	if (ret == -EPERM && w->userns) {
		/* A namespace owned by the initial user namespace. */
		w->rep.races++;
		return 0;
	}
	if (ret)
		return fail(w, OP_SETNS, -ret, "setns(xns file, %#x)", flags);
	ret = xns_fd_inum(fd, &inum);
	if (ret)
		return fail(w, OP_SETNS, -ret, "fstat");
	return check_current(w, OP_SETNS, inum);
}

static int op_setns_home(struct worker *w)
{
	__u32 inum = 0;
	int ret;

	ret = xns_setns(w->homefd, XNS_NS_TYPE);
	if (ret)
		return fail(w, OP_SETNS_HOME, -ret, "setns(home, XNS_NS_TYPE)");
	ret = xns_fd_inum(w->homefd, &inum);
	if (ret)
		return fail(w, OP_SETNS_HOME, -ret, "fstat");
	return check_current(w, OP_SETNS_HOME, inum);
}

static int op_open_self(struct worker *w)
{
	__u32 link = 0, inum = 0;
	int fd, ret;

	ret = xns_self_inum(&link);
	if (ret)
		return fail(w, OP_OPEN_SELF, -ret, "readlink %s", XNS_SELF_LINK);
	fd = xns_open_ns(0);
	if (fd < 0)
		return fail(w, OP_OPEN_SELF, -fd, "open %s", XNS_SELF_LINK);
	ret = xns_fd_inum(fd, &inum);
	if (ret || inum != link) {
		close(fd);
		return fail(w, OP_OPEN_SELF, -ret, "opened xns %u, link says %u",
			    inum, link);
	}
	if (rnd(w, 2))
		pool_add(w, fd);
	else
		close(fd);
	return 0;
}

/*
 * Another task's /proc/<pid>/ns/xns.  It may be exiting or gone (see
 * proc_race()), or out of reach of a worker in a user namespace (EACCES).
 */
static int op_open_other(struct worker *w)
{
	pid_t pid = pick_pid(w);
	char path[64], link[64];
	int fd, ret;

	if (pid <= 0)
		return 0;
	xns_pid_path(pid, path, sizeof(path));
	ret = xns_readlink(path, link, sizeof(link));
	if (ret && !proc_race(-ret))
		return fail(w, OP_OPEN_OTHER, -ret, "readlink %s", path);
	if (!ret && strncmp(link, "xns:[", 5))
		return fail(w, OP_OPEN_OTHER, 0, "readlink %s: %s", path, link);
	fd = xns_open_ns(pid);
	if (fd < 0) {
		if (!proc_race(-fd))
			return fail(w, OP_OPEN_OTHER, -fd, "open %s", path);
		w->rep.races++;
		return 0;
	}
	ret = ioctl(fd, NS_GET_NSTYPE);
	if (ret != XNS_NS_TYPE) {
		close(fd);
		return fail(w, OP_OPEN_OTHER, ret < 0 ? errno : 0,
			    "NS_GET_NSTYPE on %s: %d", path, ret);
	}
	if (rnd(w, 3))
		pool_add(w, fd);
	else
		close(fd);
	return 0;
}

/*
 * Reopen a file of another worker's pool through /proc/<pid>/fd/<n>.  The
 * worker may have closed it, and reused the number for any of its files,
 * in the meantime: keep what turns out to be an xns file.
 */
static int op_steal(struct worker *w)
{
	unsigned int other = rnd(w, NR_WORKERS);
	char path[64];
	pid_t pid;
	int fd, nr, ret;

	pid = __atomic_load_n(&w->sh->workers[other], __ATOMIC_RELAXED);
	nr = __atomic_load_n(&w->sh->fds[other][rnd(w, POOL_FDS)],
			     __ATOMIC_RELAXED);
	if (pid <= 0 || nr < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, nr);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (!proc_race(errno))
			return fail(w, OP_STEAL, errno, "open %s", path);
		w->rep.races++;
		return 0;
	}
	ret = ioctl(fd, NS_GET_NSTYPE);
	if (ret == XNS_NS_TYPE) {
		pool_add(w, fd);
		return 0;
	}
	close(fd);
	/* Not an nsfs file any more. */
	if (ret < 0 && errno == ENOTTY) {
		w->rep.races++;
		return 0;
	}
	return fail(w, OP_STEAL, ret < 0 ? errno : 0,
		    "NS_GET_NSTYPE on %s: %d", path, ret);
}

static int op_close(struct worker *w)
{
	pool_set(w, rnd(w, POOL_FDS), -1);
	return 0;
}

/*
 * NS_CREATE_CHILD on a pooled file: a child of a namespace the worker is
 * usually not in, which another worker's task may be leaving right now.
 * Keep it by its file alone (in the pool), enter it, or drop it at once.
 * ENOSPC (XNS_MAX_DEPTH, max_module_namespaces) is documented; the caller
 * has CAP_SYS_ADMIN in its own user namespace, which owns the child.
 */
static int op_create(struct worker *w)
{
	int fd = pool_pick(w), child, ret;
	__u32 parent = 0, inum = 0;

	if (fd < 0)
		return 0;
	ret = xns_fd_inum(fd, &parent);
	if (ret)
		return fail(w, OP_CREATE, -ret, "fstat");
	child = xns_create_child(fd);
	if (child == -ENOSPC) {
		w->rep.races++;
		return 0;
	}
	if (child < 0)
		return fail(w, OP_CREATE, -child, "NS_CREATE_CHILD on xns %u",
			    parent);
	ret = ioctl(child, NS_GET_NSTYPE);
	if (ret != XNS_NS_TYPE || xns_fd_inum(child, &inum) ||
	    inum == parent) {
		close(child);
		return fail(w, OP_CREATE, ret < 0 ? errno : 0,
			    "child of xns %u: type %d, inode %u", parent,
			    ret, inum);
	}
	switch (rnd(w, 3)) {
	case 0:
		pool_add(w, child);
		return 0;
	case 1:
		ret = xns_setns(child, rnd(w, 2) ? 0 : XNS_NS_TYPE);
		close(child);
		if (ret)
			return fail(w, OP_CREATE, -ret,
				    "setns into a child just made");
		return check_current(w, OP_CREATE, inum);
	default:
		close(child);
		return 0;
	}
}

static void target_path(struct worker *w, unsigned int t, char *buf,
			size_t size)
{
	snprintf(buf, size, "%s/w%d-%u", w->dir, w->idx, t);
}

static int op_bind(struct worker *w)
{
	unsigned int t = rnd(w, NR_TARGETS), how = rnd(w, 4);
	char src[64], dst[128];
	__u32 want = 0;
	ino_t ino = 0;
	pid_t pid = 0;
	int fd, ret;

	if (w->mounted[t])
		return 0;
	target_path(w, t, dst, sizeof(dst));
	fd = pool_pick(w);
	if (how == 0 && fd >= 0) {
		snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
		ret = xns_fd_inum(fd, &want);
	} else if (how == 1) {
		pid = pick_pid(w);
		if (pid <= 0)
			return 0;
		xns_pid_path(pid, src, sizeof(src));
		ret = 0;
	} else {
		xns_pid_path(0, src, sizeof(src));
		ret = xns_self_inum(&want);
	}
	if (ret)
		return fail(w, OP_BIND, -ret, "inode of %s", src);
	if (mount(src, dst, NULL, MS_BIND, NULL)) {
		if (pid && proc_race(errno)) {
			w->rep.races++;
			return 0;
		}
		return fail(w, OP_BIND, errno, "mount --bind %s %s", src, dst);
	}
	w->mounted[t] = true;
	ret = xns_path_ino(dst, &ino, NULL);
	if (ret)
		return fail(w, OP_BIND, -ret, "stat %s", dst);
	if (want && ino != want)
		return fail(w, OP_BIND, 0, "%s is inode %lu, want %u", dst,
			    (unsigned long)ino, want);
	/* Sometimes enter the namespace through the mount. */
	if (!rnd(w, 4)) {
		fd = open(dst, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(w, OP_BIND, errno, "open %s", dst);
		ret = xns_setns(fd, XNS_NS_TYPE);
		close(fd);
		if (ret && !(ret == -EPERM && w->userns))
			return fail(w, OP_BIND, -ret, "setns(%s)", dst);
		if (!ret)
			return check_current(w, OP_BIND, ino);
	}
	return 0;
}

static int op_umount(struct worker *w)
{
	unsigned int t = rnd(w, NR_TARGETS);
	char dst[128];

	if (!w->mounted[t])
		return 0;
	target_path(w, t, dst, sizeof(dst));
	if (umount2(dst, 0)) {
		/*
		 * Another worker may have reopened, through /proc/<pid>/fd,
		 * a descriptor number that op_bind() was using for the mount.
		 */
		if (errno != EBUSY)
			return fail(w, OP_UMOUNT, errno, "umount %s", dst);
		w->rep.races++;
		return 0;
	}
	w->mounted[t] = false;
	return 0;
}

static void pick_key(struct worker *w, char *key, size_t size)
{
	snprintf(key, size, "k%02u", rnd(w, NR_KEYS));
}

/* Labels of namespaces owned by another user namespace are read-only. */
static bool write_refused(struct worker *w, int ret)
{
	return ret == -EPERM && w->userns;
}

static int op_label_set(struct worker *w)
{
	char key[16], value[32];
	int ret;

	pick_key(w, key, sizeof(key));
	snprintf(value, sizeof(value), "w%d-%u", w->idx, rnd(w, 1000));
	ret = xns_label_set(w->devfd, key, value);
	if (ret == -ENOSPC || write_refused(w, ret)) {
		w->rep.races++;
		return 0;
	}
	if (ret)
		return fail(w, OP_LABEL_SET, -ret, "LABEL_SET %s", key);
	return 0;
}

static int op_label_get(struct worker *w)
{
	struct xns_label label;
	char key[16];
	int ret;

	pick_key(w, key, sizeof(key));
	xns_label_fill(&label, key, NULL);
	ret = xns_ioctl(w->devfd, XNS_IOC_LABEL_GET, &label);
	if (ret == -ENOENT) {
		w->rep.races++;
		return 0;
	}
	if (ret)
		return fail(w, OP_LABEL_GET, -ret, "LABEL_GET %s", key);
	if (strcmp(label.key, key) ||
	    strnlen(label.value, sizeof(label.value)) == sizeof(label.value))
		return fail(w, OP_LABEL_GET, 0, "LABEL_GET %s: bad reply", key);
	return 0;
}

static int op_label_del(struct worker *w)
{
	char key[16];
	int ret;

	pick_key(w, key, sizeof(key));
	ret = xns_label_del(w->devfd, key);
	if (ret == -ENOENT || write_refused(w, ret)) {
		w->rep.races++;
		return 0;
	}
	if (ret)
		return fail(w, OP_LABEL_DEL, -ret, "LABEL_DEL %s", key);
	return 0;
}

static bool key_ok(const char *key)
{
	size_t i;

	for (i = 0; i < XNS_LABEL_KEY_MAX && key[i]; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return false;
	return i > 0 && i < XNS_LABEL_KEY_MAX;
}

static int op_label_list(struct worker *w)
{
	static char keys[XNS_LABELS_MAX][XNS_LABEL_KEY_MAX];
	__u32 room = rnd(w, XNS_LABELS_MAX + 1), count = room, i;
	int ret;

	ret = xns_label_list(w->devfd, keys, &count);
	if (ret == -EOVERFLOW) {
		if (count <= room || count > XNS_LABELS_MAX)
			return fail(w, OP_LABEL_LIST, EOVERFLOW,
				    "LIST with room %u: count %u", room, count);
		w->rep.races++;
		return 0;
	}
	if (ret)
		return fail(w, OP_LABEL_LIST, -ret, "LIST with room %u", room);
	if (count > room)
		return fail(w, OP_LABEL_LIST, 0, "LIST: %u keys in room %u",
			    count, room);
	for (i = 0; i < count; i++)
		if (!key_ok(keys[i]))
			return fail(w, OP_LABEL_LIST, 0, "LIST: bad key %u", i);
	return 0;
}

/*
 * readdir + readlink of /proc/<pid>/ns of a child exiting right now, or of
 * a random recent task.  A listing that completes without error must show
 * xns; once the task is reaped, getdents fails with ENOENT.  (Raw
 * getdents64: glibc's readdir() reports that ENOENT as the end of the
 * directory.)
 */
static int op_readdir(struct worker *w)
{
	static __u64 buf[512];
	char path[64], link[64];
	struct dirent64 *de;
	bool found = false;
	pid_t pid, kid = 0;
	ssize_t n, len;
	int fd, err = 0;
	size_t off;

	if (rnd(w, 2)) {
		kid = fork();
		if (kid < 0)
			return fail(w, OP_READDIR, errno, "fork");
		if (kid == 0)
			_exit(0);
		ring_push(w, kid);
		pid = kid;
	} else {
		pid = pick_pid(w);
	}
	if (pid <= 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/ns", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (!proc_race(errno))
			fail(w, OP_READDIR, errno, "open %s", path);
		else
			w->rep.races++;
		goto out;
	}
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < (size_t)n; off += de->d_reclen) {
			de = (struct dirent64 *)((char *)buf + off);
			if (de->d_name[0] == '.')
				continue;
			found |= !strcmp(de->d_name, "xns");
			len = readlinkat(fd, de->d_name, link, sizeof(link));
			if (len < 0 && !proc_race(errno))
				err = errno;
			if (err) {
				fail(w, OP_READDIR, err, "readlink %s/%s",
				     path, de->d_name);
				break;
			}
		}
		if (err)
			break;
	}
	if (n < 0)
		err = errno;
	close(fd);
	if (w->rep.err)
		goto out;
	if (err == ENOENT)
		w->rep.races++;
	else if (err)
		fail(w, OP_READDIR, err, "getdents64 %s", path);
	else if (!found)
		fail(w, OP_READDIR, 0, "complete listing of %s lacks xns",
		     path);
out:
	if (kid > 0 && reap_kid(w, OP_READDIR, kid))
		return -1;
	return w->rep.err ? -1 : 0;
}

static int (*const op_fns[NR_OPS])(struct worker *w) = {
	[OP_UNSHARE]	= op_unshare,
	[OP_FORK]	= op_fork,
	[OP_SETNS]	= op_setns,
	[OP_SETNS_HOME]	= op_setns_home,
	[OP_OPEN_SELF]	= op_open_self,
	[OP_OPEN_OTHER]	= op_open_other,
	[OP_STEAL]	= op_steal,
	[OP_CLOSE]	= op_close,
	[OP_CREATE]	= op_create,
	[OP_BIND]	= op_bind,
	[OP_UMOUNT]	= op_umount,
	[OP_LABEL_SET]	= op_label_set,
	[OP_LABEL_GET]	= op_label_get,
	[OP_LABEL_DEL]	= op_label_del,
	[OP_LABEL_LIST]	= op_label_list,
	[OP_READDIR]	= op_readdir,
};

static enum op pick_op(struct worker *w)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		total += op_weights[i];
	r = rnd(w, total);
	for (i = 0; i < NR_OPS; i++) {
		if (r < op_weights[i])
			break;
		r -= op_weights[i];
	}
	return i;
}

/*
 * Set up: a user namespace for every other worker of the mixed variant
 * (there it owns a namespace of its own, its home), then a private mount
 * namespace for the bind mounts.
 */
static int worker_setup(struct worker *w, int parent_devfd)
{
	int ret;

	if (w->userns) {
		ret = xns_enter_userns();
		if (ret)
			return fail(w, OP_UNSHARE, -ret, "entering a user namespace");
	}
	if (unshare(CLONE_NEWNS))
		return fail(w, OP_BIND, errno, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return fail(w, OP_BIND, errno, "mount --make-rprivate /");
	w->devfd = xns_open_dev_or(parent_devfd);
	if (w->devfd < 0)
		return fail(w, OP_UNSHARE, -w->devfd, "open %s", XNS_DEV);
	if (w->userns) {
		ret = xns_unshare();
		if (ret)
			return fail(w, OP_UNSHARE, -ret,
				    "NS_CREATE_CHILD + setns in a user namespace");
	}
	w->homefd = xns_open_ns(0);
	if (w->homefd < 0)
		return fail(w, OP_OPEN_SELF, -w->homefd, "open %s",
			    XNS_SELF_LINK);
	return 0;
}

static void worker_cleanup(struct worker *w)
{
	char dst[128];
	unsigned int i;

	if (w->kid > 0) {
		reap_kid(w, OP_FORK, w->kid);
		w->kid = 0;
	}
	for (i = 0; i < POOL_FDS; i++)
		pool_set(w, i, -1);
	for (i = 0; i < NR_TARGETS; i++) {
		if (!w->mounted[i])
			continue;
		target_path(w, i, dst, sizeof(dst));
		if (umount2(dst, 0) &&
		    (errno != EBUSY || umount2(dst, MNT_DETACH)))
			fail(w, OP_UMOUNT, errno, "umount %s at the end", dst);
		w->mounted[i] = false;
	}
	if (w->homefd >= 0)
		close(w->homefd);
	if (w->devfd >= 0)
		close(w->devfd);
}

static __noreturn void worker_main(struct worker *w, int parent_devfd,
				   int repfd)
{
	enum op op;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		_exit(2);
	__atomic_store_n(&w->sh->workers[w->idx], getpid(), __ATOMIC_RELAXED);
	if (!worker_setup(w, parent_devfd)) {
		while (now_ms() < w->deadline_ms) {
			op = pick_op(w);
			w->rep.ops[op]++;
			w->rep.cycles++;
			if (op_fns[op](w))
				break;
		}
	}
	worker_cleanup(w);
	_exit(xns_send(repfd, &w->rep, sizeof(w->rep)) ? 3 : 0);
}

FIXTURE(stress)
{
	int devfd;
	__u32 init_inum;
	__u32 nr_live0;
	char dir[64];
	bool tmpfs;
	struct stress_shared *sh;
	pid_t pids[NR_WORKERS];
	int reps[NR_WORKERS];
};

FIXTURE_VARIANT(stress)
{
	bool userns;
};

FIXTURE_VARIANT_ADD(stress, root)
{
	.userns = false,
};

/* Every other worker is root in a user namespace of its own. */
FIXTURE_VARIANT_ADD(stress, mixed_userns)
{
	.userns = true,
};

FIXTURE_SETUP(stress)
{
	char path[128];
	int ret, i, j, fd;

	self->devfd = -1;
	self->dir[0] = '\0';
	self->tmpfs = false;
	self->sh = MAP_FAILED;
	for (i = 0; i < NR_WORKERS; i++) {
		self->pids[i] = -1;
		self->reps[i] = -1;
	}
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (xns_setup_load(_metadata))
		return;
	/* Bind mounts and the tmpfs stay private to this test. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(self->dir, sizeof(self->dir), "/tmp/xns-stress-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) {
		self->dir[0] = '\0';
	}
	ASSERT_EQ(0, mount("xns-stress", self->dir, "tmpfs", 0, "mode=0755")) {
		TH_LOG("mount tmpfs on %s: %m", self->dir);
	}
	self->tmpfs = true;
	for (i = 0; i < NR_WORKERS; i++) {
		for (j = 0; j < NR_TARGETS; j++) {
			snprintf(path, sizeof(path), "%s/w%d-%d", self->dir, i,
				 j);
			fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
			ASSERT_GE(fd, 0);
			close(fd);
		}
	}
	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
	for (i = 0; i < NR_WORKERS; i++)
		for (j = 0; j < POOL_FDS; j++)
			self->sh->fds[i][j] = -1;

	self->devfd = xns_open_dev();
	ASSERT_GE(self->devfd, 0);
	ASSERT_EQ(0, xns_self_inum(&self->init_inum));
	/* Work below a namespace of our own. */
	ret = xns_unshare();
	ASSERT_EQ(0, ret) {
		TH_LOG("NS_CREATE_CHILD + setns: %s", strerror(-ret));
	}
	ASSERT_EQ(0, xns_nr_live(self->devfd, &self->nr_live0));
}

FIXTURE_TEARDOWN(stress)
{
	int i;

	for (i = 0; i < NR_WORKERS; i++) {
		if (self->pids[i] > 0) {
			kill(self->pids[i], SIGKILL);
			waitpid(self->pids[i], NULL, 0);
		}
		if (self->reps[i] >= 0)
			close(self->reps[i]);
	}
	if (self->sh != MAP_FAILED)
		munmap(self->sh, sizeof(*self->sh));
	if (self->tmpfs)
		umount2(self->dir, MNT_DETACH);
	if (self->dir[0])
		rmdir(self->dir);
	if (self->devfd >= 0)
		close(self->devfd);
}

/* Wait for all workers until @deadline_ms; SIGKILL those left. */
static int reap_workers(pid_t *pids, __u64 deadline_ms, int *status)
{
	int left = NR_WORKERS, hung = 0, i;
	pid_t ret;

	while (left) {
		left = 0;
		for (i = 0; i < NR_WORKERS; i++) {
			if (pids[i] <= 0)
				continue;
			ret = waitpid(pids[i], &status[i], WNOHANG);
			if (ret == pids[i] || (ret < 0 && errno != EINTR))
				pids[i] = -1;
			else
				left++;
		}
		if (left && now_ms() > deadline_ms) {
			for (i = 0; i < NR_WORKERS; i++) {
				if (pids[i] <= 0)
					continue;
				ksft_print_msg("worker %d (pid %d) hung\n", i,
					       pids[i]);
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &status[i], 0);
				pids[i] = -1;
				hung++;
			}
			return hung;
		}
		if (left)
			xns_msleep(20);
	}
	return 0;
}

TEST_F_TIMEOUT(stress, workers, 150)
{
	double seconds = stress_seconds();
	__u64 seed = stress_seed(), start, total_ops[NR_OPS] = {};
	__u64 cycles = 0, races = 0;
	struct stress_report rep;
	int status[NR_WORKERS] = {};
	struct worker w;
	int i, ret, pipefd[2], hung;
	__u32 seen = 0;

	ksft_print_msg("%s: seed=%llu (XNS_SEED to repeat), %.1f s, %d workers\n",
		       variant->userns ? "mixed_userns" : "root",
		       (unsigned long long)seed, seconds, NR_WORKERS);
	start = now_ms();
	for (i = 0; i < NR_WORKERS; i++) {
		memset(&w, 0, sizeof(w));
		w.idx = i;
		w.userns = variant->userns && (i & 1);
		w.rng = seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		w.deadline_ms = start + (__u64)(seconds * 1000);
		w.init_inum = self->init_inum;
		w.sh = self->sh;
		w.dir = self->dir;
		w.devfd = -1;
		w.homefd = -1;
		memset(w.pool, -1, sizeof(w.pool));
		ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
		fflush(stdout);
		fflush(stderr);
		self->pids[i] = fork();
		ASSERT_GE(self->pids[i], 0);
		if (self->pids[i] == 0) {
			close(pipefd[0]);
			worker_main(&w, self->devfd, pipefd[1]);
		}
		close(pipefd[1]);
		self->reps[i] = pipefd[0];
	}

	hung = reap_workers(self->pids, start + (__u64)(seconds * 1000) + GRACE_MS,
			    status);
	EXPECT_EQ(0, hung) {
		TH_LOG("%d workers did not finish %d s after the deadline",
		       hung, GRACE_MS / 1000);
	}
	for (i = 0; i < NR_WORKERS; i++) {
		memset(&rep, 0, sizeof(rep));
		ret = xns_recv(self->reps[i], &rep, sizeof(rep));
		close(self->reps[i]);
		self->reps[i] = -1;
		EXPECT_EQ(0, ret) {
			TH_LOG("worker %d sent no report (status 0x%x)", i,
			       status[i]);
		}
		EXPECT_EQ(0, status[i]) {
			TH_LOG("worker %d: exit status 0x%x", i, status[i]);
		}
		EXPECT_EQ(0, rep.err) {
			TH_LOG("worker %d%s: %s: %s: %s", i,
			       variant->userns && (i & 1) ? " (userns)" : "",
			       op_names[rep.err_op % NR_OPS], rep.msg,
			       rep.err > 0 ? strerror(rep.err) : "wrong result");
		}
		cycles += rep.cycles;
		races += rep.races;
		for (ret = 0; ret < NR_OPS; ret++)
			total_ops[ret] += rep.ops[ret];
	}
	ksft_print_msg("cycles=%llu races=%llu in %.1f s\n",
		       (unsigned long long)cycles, (unsigned long long)races,
		       (now_ms() - start) / 1000.0);
	for (i = 0; i < NR_OPS; i++)
		ksft_print_msg("  %-11s %llu\n", op_names[i],
			       (unsigned long long)total_ops[i]);
	EXPECT_NE(0ULL, cycles);

	/* Every namespace the workers made must go, after RCU at most. */
	ret = xns_wait_nr_live(self->devfd, self->nr_live0, 10000, &seen);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live is %u 10 s after all workers exited, was %u",
		       seen, self->nr_live0);
	}
}

TEST_HARNESS_MAIN
