// SPDX-License-Identifier: GPL-2.0
/*
 * Contract cases of namespace files that the other suites leave out:
 *
 *  - aliased_inode_locks: /proc/self/ns/xns, /proc/<child>/ns/xns of a
 *    task in the same namespace and a bind mount of it are one nsfs inode,
 *    so a lock taken through one conflicts with a lock through the others
 *    (nsfs files are immutable, so no file can be opened for writing and
 *    the write side of the conflict is an F_OFD_GETLK of F_WRLCK and an
 *    exclusive flock(), which also blocks until released);
 *  - pin_o_path, pin_scm_rights, pin_bind_mount_mntns_dies: an O_PATH fd,
 *    an fd in flight in an SCM_RIGHTS message after its sender closed it
 *    and exited, and a bind mount keep a namespace with no member alive;
 *    it is freed once the fd is closed, the message dropped, or the mount
 *    namespace holding the bind mount dies;
 *  - other_ns_keep_xns: unshare(CLONE_NEWUTS), unshare(CLONE_NEWNS), clone3
 *    with CLONE_NEWUTS and setns() of a UTS namespace keep the xns;
 *  - thread_unshare: NS_CREATE_CHILD on /proc/thread-self/ns/xns and
 *    setns() move the calling thread only, as /proc/<pid>/task/<tid>/ns/xns
 *    shows;
 *  - zombie_readlink: the namespace links of a zombie behave as its
 *    /proc/<pid>/ns/uts does (ENOENT).
 *
 * Each case checks that the number of live namespaces comes back to
 * where it started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/xns.h>

#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

/* How long a task blocked on a lock is given to (wrongly) get it. */
#define BLOCK_MS	300

FIXTURE(contract)
{
	int devfd;
	__u32 start_live;
};

FIXTURE_SETUP(contract)
{
	self->devfd = -1;
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	self->devfd = xns_setup_dev(_metadata);
	if (self->devfd < 0)
		return;
	ASSERT_EQ(0, xns_nr_live(self->devfd, &self->start_live));
}

FIXTURE_TEARDOWN(contract)
{
	if (self->devfd >= 0)
		close(self->devfd);
}

/* The number of live namespaces must come back to @want. */
#define EXPECT_NR_LIVE(want) do {					\
	__u32 __nr_seen = 0, __nr_want = (want);				\
	EXPECT_EQ(0, xns_wait_nr_live(self->devfd, __nr_want,		\
				      XNS_SETTLE_MS, &__nr_seen)) {	\
		TH_LOG("%u namespaces alive, want %u", __nr_seen, __nr_want);	\
	}								\
} while (0)

/* No namespace is freed while it should be pinned: wait, then count. */
#define EXPECT_STILL_LIVE(want) do {					\
	__u32 __nr = 0;							\
	xns_msleep(200);						\
	EXPECT_EQ(0, xns_nr_live(self->devfd, &__nr));			\
	EXPECT_EQ((__u32)(want), __nr);					\
} while (0)

/* A child that reports it is ready and waits to be released. */
static int hold_fn(struct xns_child *c, __always_unused void *arg)
{
	char byte = 0;

	if (xns_send(c->rep, &byte, 1))
		return 1;
	xns_child_hold(c);
	return 0;
}

/* In a child: enter @fd's namespace and check the label @key is @value. */
static int check_label_fn(__always_unused struct xns_child *c, void *arg)
{
	const char * const *kv = arg;
	char value[XNS_LABEL_VALUE_MAX];
	int devfd, ret, fd;

	fd = atoi(kv[0]);
	ret = xns_setns(fd, XNS_NS_TYPE);
	xns_child_check(!ret, "setns: %s", strerror(-ret));
	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open: %s", strerror(-devfd));
	ret = xns_label_get(devfd, kv[1], value, sizeof(value));
	xns_child_check(!ret && !strcmp(value, kv[2]),
			"label %s: %s, \"%s\", want \"%s\"", kv[1],
			strerror(-ret), value, kv[2]);
	return 0;
}

/* The namespace @fd refers to has label @key = @value (checked in a child). */
static int fd_has_label(int fd, const char *key, const char *value)
{
	char num[16];
	const char *kv[3] = { num, key, value };

	snprintf(num, sizeof(num), "%d", fd);
	return xns_run_child(check_label_fn, kv);
}

static void make_private_mounts(struct __test_metadata *_metadata)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
}

static int make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Does @fd see a lock on its inode that forbids a write lock? */
static int ofd_conflict(int fd, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = F_WRLCK;
	fl->l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_GETLK, fl))
		return -errno;
	return fl->l_type != F_UNLCK;
}

struct blocker {
	int fd;
	int done;
	int err;
};

static void *flock_thread(void *arg)
{
	struct blocker *b = arg;

	b->err = flock(b->fd, LOCK_EX) ? errno : 0;
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST_F(contract, aliased_inode_locks)
{
	struct xns_holder_args args = { .depth = 1 };
	struct xns_holder_report rep;
	struct xns_child kid = XNS_CHILD_INIT, other = XNS_CHILD_INIT;
	int fds[3], fd_other, i, uts_err, xns_err;
	char path[64], mnt[64];
	struct blocker b = {};
	struct stat st[3];
	struct flock fl;
	pthread_t t;
	char byte;

	/* X, with the test and a child in it. */
	ASSERT_EQ(0, xns_unshare());
	ASSERT_EQ(0, xns_child_start(&kid, hold_fn, NULL));
	ASSERT_EQ(0, xns_child_recv(&kid, &byte, 1));
	make_private_mounts(_metadata);
	snprintf(mnt, sizeof(mnt), "/tmp/xns_alias.%d", getpid());
	ASSERT_EQ(0, make_file(mnt));
	ASSERT_EQ(0, mount(XNS_SELF_LINK, mnt, NULL, MS_BIND, NULL)) {
		TH_LOG("bind mount: %s", strerror(errno));
	}

	fds[0] = xns_open_ns(0);
	fds[1] = xns_open_ns(kid.pid);
	fds[2] = open(mnt, O_RDONLY | O_CLOEXEC);
	for (i = 0; i < 3; i++) {
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, fstat(fds[i], &st[i]));
		EXPECT_EQ(st[0].st_ino, st[i].st_ino);
		EXPECT_EQ(st[0].st_dev, st[i].st_dev);
	}

	/* Immutable, as nsfs files are: no write lock at all, as for UTS. */
	errno = 0;
	EXPECT_GT(0, open(XNS_SELF_LINK, O_RDWR | O_CLOEXEC));
	xns_err = errno;
	errno = 0;
	EXPECT_GT(0, open("/proc/self/ns/uts", O_RDWR | O_CLOEXEC));
	uts_err = errno;
	EXPECT_EQ(uts_err, xns_err);
	EXPECT_EQ(EPERM, xns_err);

	/* A read lock through one name forbids a write lock through all. */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	ASSERT_EQ(0, fcntl(fds[0], F_OFD_SETLK, &fl));
	for (i = 1; i < 3; i++) {
		EXPECT_EQ(1, ofd_conflict(fds[i], &fl)) {
			TH_LOG("no conflict through alias %d", i);
		}
		EXPECT_EQ(F_RDLCK, fl.l_type);
		/* An OFD lock has no owning process. */
		EXPECT_EQ(-1, fl.l_pid);
	}

	/* An exclusive flock() through one name excludes the others... */
	ASSERT_EQ(0, flock(fds[0], LOCK_EX | LOCK_NB));
	for (i = 1; i < 3; i++) {
		EXPECT_EQ(-1, flock(fds[i], LOCK_EX | LOCK_NB));
		EXPECT_EQ(EWOULDBLOCK, errno);
	}
	/* ...and blocks them until it is released. */
	b.fd = fds[2];
	ASSERT_EQ(0, pthread_create(&t, NULL, flock_thread, &b));
	xns_msleep(BLOCK_MS);
	EXPECT_EQ(0, __atomic_load_n(&b.done, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, flock(fds[0], LOCK_UN));
	pthread_join(t, NULL);
	EXPECT_EQ(0, b.err);
	EXPECT_EQ(0, flock(fds[2], LOCK_UN));

	/* Control: another namespace is another inode, no conflict. */
	ASSERT_EQ(0, xns_holder_start(&other, &args, &rep));
	snprintf(path, sizeof(path), "/proc/%d/ns/xns", other.pid);
	fd_other = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd_other);
	EXPECT_EQ(0, ofd_conflict(fd_other, &fl));
	ASSERT_EQ(0, flock(fds[0], LOCK_EX | LOCK_NB));
	EXPECT_EQ(0, flock(fd_other, LOCK_EX | LOCK_NB));

	close(fd_other);
	for (i = 0; i < 3; i++)
		close(fds[i]);
	EXPECT_EQ(0, umount2(mnt, MNT_DETACH));
	unlink(mnt);
	EXPECT_EQ(0, xns_child_stop(&other));
	EXPECT_EQ(0, xns_child_stop(&kid));
	/* X remains: the test is in it. */
	EXPECT_NR_LIVE(self->start_live + 1);
}

TEST_F(contract, pin_o_path)
{
	struct xns_holder_args args = { .depth = 1, .key = "pin",
					.value = "o_path" };
	struct xns_holder_report rep;
	struct xns_child c = XNS_CHILD_INIT;
	char path[64];
	struct stat st;
	int pfd, fd;

	ASSERT_EQ(0, xns_holder_start(&c, &args, &rep));
	snprintf(path, sizeof(path), "/proc/%d/ns/xns", c.pid);
	pfd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, pfd);
	EXPECT_EQ(0, xns_child_stop(&c));

	/* Its only member is gone; the O_PATH fd keeps it. */
	EXPECT_STILL_LIVE(self->start_live + 1);
	ASSERT_EQ(0, fstat(pfd, &st));
	EXPECT_EQ(rep.inum, st.st_ino);
	/* An O_PATH fd cannot be passed to setns()... */
	EXPECT_EQ(-EBADF, xns_setns(pfd, XNS_NS_TYPE));
	/* ...but reopens, through /proc, as the same namespace, labels kept. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) {
		TH_LOG("reopen an O_PATH nsfs fd: %s", strerror(errno));
	}
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(rep.inum, st.st_ino);
	EXPECT_EQ(0, fd_has_label(fd, "pin", "o_path"));
	close(fd);
	EXPECT_STILL_LIVE(self->start_live + 1);
	close(pfd);
	EXPECT_NR_LIVE(self->start_live);
}

/*
 * In a child: move into a new xns, set label @key = @value there and
 * return the new namespace's info in @info.
 */
static void child_enter_labelled(int devfd, const char *key,
				 const char *value, struct xns_info *info)
{
	int ret = xns_unshare();

	xns_child_check(!ret, "UNSHARE: %s", strerror(-ret));
	ret = xns_label_set(devfd, key, value);
	xns_child_check(!ret, "SET: %s", strerror(-ret));
	ret = xns_get_info(devfd, info);
	xns_child_check(!ret, "GET_INFO: %s", strerror(-ret));
}

/* Send our namespace's fd with SCM_RIGHTS, close it, exit. */
static int scm_sender_fn(__always_unused struct xns_child *c, void *arg)
{
	int sock = *(int *)arg;
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct msghdr msg = {};
	struct cmsghdr *cmsg;
	struct xns_info info;
	struct iovec iov;
	int devfd, fd;

	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open: %s", strerror(-devfd));
	child_enter_labelled(devfd, "pin", "scm", &info);
	fd = xns_open_ns(0);
	xns_child_check(fd >= 0, "open: %s", strerror(-fd));
	iov.iov_base = &info.inum;
	iov.iov_len = sizeof(info.inum);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	xns_child_check(sendmsg(sock, &msg, 0) == sizeof(info.inum),
			"sendmsg: %s", strerror(errno));
	close(fd);
	close(devfd);
	return 0;
}

static int scm_recv(int sock, __u32 *inum)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { .iov_base = inum, .iov_len = sizeof(*inum) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != sizeof(*inum))
		return -EIO;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EIO;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}

TEST_F(contract, pin_scm_rights)
{
	struct stat st;
	__u32 inum = 0;
	int sv[2], fd;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
	/* The sender is gone and closed its fd: only the message pins it. */
	ASSERT_EQ(0, xns_run_child(scm_sender_fn, &sv[1]));
	EXPECT_STILL_LIVE(self->start_live + 1);
	fd = scm_recv(sv[0], &inum);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(inum, st.st_ino);
	EXPECT_EQ(0, fd_has_label(fd, "pin", "scm"));
	close(fd);
	EXPECT_NR_LIVE(self->start_live);

	/* A message never received pins it until its socket goes away. */
	ASSERT_EQ(0, xns_run_child(scm_sender_fn, &sv[1]));
	EXPECT_STILL_LIVE(self->start_live + 1);
	close(sv[0]);
	close(sv[1]);
	EXPECT_NR_LIVE(self->start_live);
}

/*
 * In a mount namespace of its own, bind-mount a new xns namespace on
 * @arg, leave the namespace, report its inum and wait.
 */
static int bind_pin_fn(struct xns_child *c, void *arg)
{
	const char *file = arg;
	struct xns_info info;
	int devfd, home, ret;

	home = xns_open_ns(0);
	devfd = xns_open_dev();
	xns_child_check(home >= 0 && devfd >= 0, "open");
	xns_child_check(!unshare(CLONE_NEWNS), "unshare: %s", strerror(errno));
	xns_child_check(!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL),
			"mount: %s", strerror(errno));
	child_enter_labelled(devfd, "pin", "mount", &info);
	xns_child_check(!mount(XNS_SELF_LINK, file, NULL, MS_BIND, NULL),
			"bind mount: %s", strerror(errno));
	ret = xns_setns(home, XNS_NS_TYPE);
	xns_child_check(!ret, "setns: %s", strerror(-ret));
	close(home);
	close(devfd);
	if (xns_send(c->rep, &info.inum, sizeof(info.inum)))
		return 1;
	xns_child_hold(c);
	return 0;
}

TEST_F(contract, pin_bind_mount_mntns_dies)
{
	struct xns_child c = XNS_CHILD_INIT;
	char file[64], path[128];
	struct stat st;
	__u32 inum = 0;
	int fd;

	snprintf(file, sizeof(file), "/tmp/xns_pin.%d", getpid());
	ASSERT_EQ(0, make_file(file));
	ASSERT_EQ(0, xns_child_start(&c, bind_pin_fn, file));
	ASSERT_EQ(0, xns_child_recv(&c, &inum, sizeof(inum)));

	/* No member, no fd: the bind mount alone keeps it. */
	EXPECT_STILL_LIVE(self->start_live + 1);
	snprintf(path, sizeof(path), "/proc/%d/root%s", c.pid, file);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(inum, st.st_ino);
	/* Our own view of the file is not the mount. */
	ASSERT_EQ(0, stat(file, &st));
	EXPECT_NE(inum, st.st_ino);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fd_has_label(fd, "pin", "mount"));
	close(fd);

	/* Its mount namespace dies with it, the mount and the pin too. */
	EXPECT_EQ(0, xns_child_stop(&c));
	EXPECT_NR_LIVE(self->start_live);
	EXPECT_NE(0, stat(path, &st));
	unlink(file);
}

static int ns_ino(const char *name, ino_t *ino)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return xns_path_ino(path, ino, NULL);
}

/* Our xns is still @inum, with its label, through readlink and GET_INFO. */
static void check_same_xns(int devfd, __u32 inum, const char *what)
{
	char value[XNS_LABEL_VALUE_MAX];
	struct xns_info info;
	__u32 link = 0;
	int ret;

	ret = xns_self_inum(&link);
	xns_child_check(!ret && link == inum, "after %s: xns:[%u], was %u",
			what, link, inum);
	ret = xns_get_info(devfd, &info);
	xns_child_check(!ret && info.inum == inum,
			"after %s: GET_INFO inum %u, was %u", what, info.inum,
			inum);
	ret = xns_label_get(devfd, "keep", value, sizeof(value));
	xns_child_check(!ret && !strcmp(value, "me"),
			"after %s: label: %s", what, strerror(-ret));
}

/* struct clone_args of <linux/sched.h>, CLONE_ARGS_SIZE_VER0. */
struct xns_clone_args {
	__aligned_u64 flags;
	__aligned_u64 pidfd;
	__aligned_u64 child_tid;
	__aligned_u64 parent_tid;
	__aligned_u64 exit_signal;
	__aligned_u64 stack;
	__aligned_u64 stack_size;
	__aligned_u64 tls;
};

static int keep_xns_fn(__always_unused struct xns_child *c,
		       __always_unused void *arg)
{
	struct xns_clone_args ca = {
		.flags = CLONE_NEWUTS,
		.exit_signal = SIGCHLD,
	};
	ino_t uts0 = 0, uts1 = 0, cur = 0, mnt0 = 0, mnt = 0;
	struct xns_info info;
	int devfd, utsfd, status;
	pid_t pid;

	devfd = xns_open_dev();
	xns_child_check(devfd >= 0, "open: %s", strerror(-devfd));
	/* In a namespace of our own, not the initial one. */
	child_enter_labelled(devfd, "keep", "me", &info);
	utsfd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	xns_child_check(utsfd >= 0 && !ns_ino("uts", &uts0) &&
			!ns_ino("mnt", &mnt0), "uts/mnt");

	xns_child_check(!unshare(CLONE_NEWUTS), "unshare: %s", strerror(errno));
	xns_child_check(!ns_ino("uts", &uts1) && uts1 != uts0,
			"unshare(CLONE_NEWUTS) did not");
	check_same_xns(devfd, info.inum, "unshare(CLONE_NEWUTS)");

	xns_child_check(!unshare(CLONE_NEWNS), "unshare: %s", strerror(errno));
	xns_child_check(!ns_ino("mnt", &mnt) && mnt != mnt0,
			"unshare(CLONE_NEWNS) did not");
	check_same_xns(devfd, info.inum, "unshare(CLONE_NEWNS)");

	xns_child_check(!unshare(CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWIPC),
			"unshare: %s", strerror(errno));
	check_same_xns(devfd, info.inum, "unshare(UTS|NS|IPC)");

	/* An inode number is unique among live namespaces only. */
	xns_child_check(!ns_ino("uts", &uts1), "uts");
	fflush(stderr);
	pid = syscall(SYS_clone3, &ca, sizeof(ca));
	xns_child_check(pid >= 0, "clone3: %s", strerror(errno));
	if (!pid) {
		xns_child_check(!ns_ino("uts", &cur) && cur != uts1,
				"clone3(CLONE_NEWUTS) did not");
		check_same_xns(devfd, info.inum, "clone3(CLONE_NEWUTS)");
		_exit(0);
	}
	xns_child_check(waitpid(pid, &status, 0) == pid &&
			WIFEXITED(status) && !WEXITSTATUS(status),
			"clone3 child: status %#x", status);

	xns_child_check(!setns(utsfd, CLONE_NEWUTS), "setns: %s",
			strerror(errno));
	xns_child_check(!ns_ino("uts", &cur) && cur == uts0,
			"setns(utsfd) did not");
	check_same_xns(devfd, info.inum, "setns(utsfd, CLONE_NEWUTS)");
	xns_child_check(!unshare(CLONE_NEWUTS), "unshare: %s", strerror(errno));
	xns_child_check(!setns(utsfd, 0), "setns: %s", strerror(errno));
	check_same_xns(devfd, info.inum, "setns(utsfd, 0)");
	close(utsfd);
	close(devfd);
	return 0;
}

TEST_F(contract, other_ns_keep_xns)
{
	EXPECT_EQ(0, xns_run_child(keep_xns_fn, NULL));
	EXPECT_NR_LIVE(self->start_live);
}

struct thread_ns {
	int devfd;
	int go[2];
	int done[2];
	pid_t tid;
	__u32 inum;
	int err;
};

static void *unshare_thread(void *arg)
{
	struct thread_ns *t = arg;
	struct xns_info info;
	__u32 link = 0;
	char byte;

	t->tid = gettid();
	t->err = xns_unshare();
	if (!t->err)
		t->err = xns_label_set(t->devfd, "thread", "only");
	if (!t->err)
		t->err = xns_get_info(t->devfd, &info);
	if (!t->err)
		t->err = xns_link_inum("/proc/thread-self/ns/xns", &link);
	if (!t->err && link != info.inum)
		t->err = -EXDEV;
	t->inum = info.inum;
	xns_send(t->done[1], &byte, 1);
	/* Stay until the test has looked at us. */
	xns_recv(t->go[0], &byte, 1);
	return NULL;
}

TEST_F(contract, thread_unshare)
{
	struct thread_ns t = { .devfd = self->devfd };
	char path[64], value[XNS_LABEL_VALUE_MAX];
	struct xns_info info;
	__u32 mine, inum = 0;
	pthread_t thread;
	char byte = 0;

	/* Threads share the namespaces of the process at first: X. */
	ASSERT_EQ(0, xns_unshare());
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	mine = info.inum;
	ASSERT_EQ(0, pipe2(t.go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(t.done, O_CLOEXEC));
	ASSERT_EQ(0, pthread_create(&thread, NULL, unshare_thread, &t));
	ASSERT_EQ(0, xns_recv(t.done[0], &byte, 1));
	ASSERT_EQ(0, t.err) {
		TH_LOG("thread: %s", strerror(-t.err));
	}
	EXPECT_NE(mine, t.inum);

	/* The thread, and only it, is in the new namespace. */
	snprintf(path, sizeof(path), "/proc/self/task/%d/ns/xns", t.tid);
	EXPECT_EQ(0, xns_link_inum(path, &inum));
	EXPECT_EQ(t.inum, inum);
	snprintf(path, sizeof(path), "/proc/self/task/%d/ns/xns", gettid());
	EXPECT_EQ(0, xns_link_inum(path, &inum));
	EXPECT_EQ(mine, inum);
	/* /proc/<pid> is the thread group leader: us. */
	EXPECT_EQ(0, xns_pid_inum(getpid(), &inum));
	EXPECT_EQ(mine, inum);
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	EXPECT_EQ(mine, info.inum);
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "thread", value,
					 sizeof(value)));
	EXPECT_NR_LIVE(self->start_live + 2);

	/* Its only member exits: it is freed. */
	ASSERT_EQ(0, xns_send(t.go[1], &byte, 1));
	pthread_join(thread, NULL);
	EXPECT_NR_LIVE(self->start_live + 1);
	close(t.go[0]);
	close(t.go[1]);
	close(t.done[0]);
	close(t.done[1]);
}

/* readlink, open and lstat of /proc/<pid>/ns/<name>: 0 or an errno. */
struct link_result {
	int readlink_err;
	int open_err;
	int lstat_err;
	bool listed;
};

static void probe_link(pid_t pid, const char *name, struct link_result *res)
{
	char path[64], buf[64];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	res->readlink_err = readlink(path, buf, sizeof(buf)) < 0 ? errno : 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	res->open_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	res->lstat_err = lstat(path, &st) ? errno : 0;
	res->listed = false;
	snprintf(path, sizeof(path), "/proc/%d/ns", pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (!strcmp(d->d_name, name))
			res->listed = true;
	if (dir)
		closedir(dir);
}

TEST_F(contract, zombie_readlink)
{
	struct link_result xns, uts;
	siginfo_t si = {};
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Both in namespaces of their own that die with it. */
		if (xns_unshare() || unshare(CLONE_NEWUTS))
			_exit(1);
		_exit(0);
	}
	/* Wait until it is a zombie, without reaping it. */
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	ASSERT_EQ(CLD_EXITED, si.si_code);
	ASSERT_EQ(0, si.si_status);

	probe_link(pid, "xns", &xns);
	probe_link(pid, "uts", &uts);
	TH_LOG("zombie: readlink xns %s, uts %s", strerror(xns.readlink_err),
	       strerror(uts.readlink_err));
	EXPECT_EQ(uts.readlink_err, xns.readlink_err);
	EXPECT_EQ(uts.open_err, xns.open_err);
	EXPECT_EQ(uts.lstat_err, xns.lstat_err);
	EXPECT_EQ(uts.listed, xns.listed);
	/* As for UTS: a zombie has no namespaces, the links are gone. */
	EXPECT_EQ(ENOENT, xns.readlink_err);
	EXPECT_EQ(ENOENT, xns.open_err);
	/* A zombie holds no namespace. */
	EXPECT_NR_LIVE(self->start_live);

	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
}

TEST_HARNESS_MAIN
