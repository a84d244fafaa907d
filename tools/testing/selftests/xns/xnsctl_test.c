// SPDX-License-Identifier: GPL-2.0
/*
 * xnsctl (tools/xns/), run as a user runs it: the real binary, /bin/xnsctl
 * in the test guest or $XNSCTL, is executed with its stdout, stderr and
 * exit status captured.  Covers help and usage errors; types, which finds
 * the built-in types, xns and the counter sample with their ns_type,
 * module and count; list of any types as a table, raw and JSON, with
 * namespaces found by listns(2) only (kept by an fd), by their processes
 * and by their bind mounts; unshare of one or several module types, with
 * labels; enter by pid (several types in one setns() on a pidfd), by path
 * and by namespace id; label get/set/del/ls in the caller's and in other
 * namespaces; pin/unpin by pid, type and id keeping a namespace alive; and
 * the error messages and exit codes.
 *
 * Each test runs in a private mount namespace (pins stay in it), removes
 * its pins and stops its helpers, so the module can be unloaded afterwards.
 * The xnsctl_counter tests load the counter sample ($NS_COUNTER_MODULE,
 * default /lib/modules/rust_ns_counter.ko) if it is not loaded, and unload
 * it again.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/xns.h>

#include "../../../../samples/rust/ns_counter.h"
#include "xns_util.h"
#include "kselftest_harness.h"
#include "xns_harness.h"

#define XNSCTL_DEFAULT		"/bin/xnsctl"
#define SH			"/bin/sh"

/* Output kept per stream; more is read and dropped. */
#define RUN_OUT_MAX		16384
/* A command that takes longer is killed (with its process group). */
#define RUN_TIMEOUT_MS		15000
/* Exit status of the child when its setup before exec failed. */
#define RUN_SETUP_FAILED	125

#define NR_KIDS			2
#define NR_FILES		2
#define PATH_SLOT		96

static const char *xnsctl_path(void)
{
	const char *path = getenv("XNSCTL");

	return path && *path ? path : XNSCTL_DEFAULT;
}

/*
 * Running commands
 */

struct run_result {
	/* Exit status, 128 + signal number, or a negative errno. */
	int status;
	char out[RUN_OUT_MAX];
	char err[RUN_OUT_MAX];
};

/* Runs in the child before exec; returns 0 or a negative errno. */
typedef int (*run_setup_fn)(void *arg);

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Append what @fd has to @buf (kept NUL-terminated); false at EOF. */
static bool drain(int fd, char *buf, size_t *len)
{
	char tmp[4096];
	ssize_t n;
	size_t room;

	n = read(fd, tmp, sizeof(tmp));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	room = RUN_OUT_MAX - 1 - *len;
	if ((size_t)n < room)
		room = n;
	memcpy(buf + *len, tmp, room);
	*len += room;
	buf[*len] = '\0';
	return true;
}

/*
 * Run @argv (argv[0] is the path) with stdin from /dev/null, capture its
 * output and wait for it.  @setup, if given, runs in the child first.
 */
static void run_argv(struct run_result *r, run_setup_fn setup, void *arg,
		     const char *const *argv)
{
	size_t len[2] = { 0, 0 };
	int outp[2], errp[2], status, ret, i, nfds;
	struct pollfd pfd[2];
	long long deadline;
	bool timed_out = false;
	pid_t pid;

	r->status = -EINVAL;
	r->out[0] = '\0';
	r->err[0] = '\0';
	signal(SIGPIPE, SIG_IGN);
	if (pipe2(outp, O_CLOEXEC)) {
		r->status = -errno;
		return;
	}
	if (pipe2(errp, O_CLOEXEC)) {
		r->status = -errno;
		close(outp[0]);
		close(outp[1]);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		r->status = -errno;
		close(outp[0]);
		close(outp[1]);
		close(errp[0]);
		close(errp[1]);
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(outp[1], 1) < 0 ||
		    dup2(errp[1], 2) < 0)
			_exit(RUN_SETUP_FAILED);
		if (setup) {
			ret = setup(arg);
			if (ret) {
				dprintf(2, "run: setup: %s\n", strerror(-ret));
				_exit(RUN_SETUP_FAILED);
			}
		}
		execv(argv[0], (char *const *)argv);
		dprintf(2, "run: exec %s: %s\n", argv[0], strerror(errno));
		_exit(RUN_SETUP_FAILED);
	}
	close(outp[1]);
	close(errp[1]);

	pfd[0].fd = outp[0];
	pfd[1].fd = errp[0];
	deadline = now_ms() + RUN_TIMEOUT_MS;
	for (;;) {
		nfds = 0;
		for (i = 0; i < 2; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			if (pfd[i].fd >= 0)
				nfds++;
		}
		if (!nfds)
			break;
		if (now_ms() >= deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		ret = poll(pfd, 2, deadline - now_ms());
		if (ret < 0 && errno != EINTR)
			break;
		for (i = 0; ret > 0 && i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (!drain(pfd[i].fd, i ? r->err : r->out, &len[i])) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
	}
	for (i = 0; i < 2; i++) {
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			r->status = -errno;
			return;
		}
	}
	if (timed_out)
		r->status = -ETIMEDOUT;
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
	else
		r->status = WEXITSTATUS(status);
}

/* Run xnsctl with @args (NULL-terminated). */
static void run_xnsctl_setup(struct run_result *r, run_setup_fn setup,
			     void *arg, const char *const *args)
{
	const char *argv[32];
	int n = 0;

	argv[n++] = xnsctl_path();
	while (*args && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	run_argv(r, setup, arg, argv);
}

#define ARGS(...)	((const char *const []){ __VA_ARGS__, NULL })

/* XNSCTL(r, "label", "get", "a") runs "xnsctl label get a". */
#define XNSCTL(r, ...)	run_xnsctl_setup(r, NULL, NULL, ARGS(__VA_ARGS__))
#define XNSCTL_AS(r, setup, arg, ...) \
	run_xnsctl_setup(r, setup, arg, ARGS(__VA_ARGS__))

/* Whether @r exited with @want; if not, show what it printed. */
static bool status_is(struct __test_metadata *_metadata,
		      const struct run_result *r, int want)
{
	if (r->status == want)
		return true;
	TH_LOG("exit status %d, want %d; stdout \"%s\", stderr \"%s\"",
	       r->status, want, r->out, r->err);
	return false;
}

static bool contains(struct __test_metadata *_metadata, const char *haystack,
		     const char *needle)
{
	if (strstr(haystack, needle))
		return true;
	TH_LOG("\"%s\" does not contain \"%s\"", haystack, needle);
	return false;
}

#define EXPECT_STATUS(want, r)	EXPECT_TRUE(status_is(_metadata, r, want))
#define ASSERT_STATUS(want, r)	ASSERT_TRUE(status_is(_metadata, r, want))
#define EXPECT_CONTAINS(haystack, needle) \
	EXPECT_TRUE(contains(_metadata, haystack, needle))

/* Setups for run_argv(). */

static int setup_nobody(__always_unused void *arg)
{
	return xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
}

/* A new xns namespace, then drop privileges. */
static int setup_unshare_nobody(__always_unused void *arg)
{
	int ret;

	ret = xns_unshare();
	if (ret)
		return ret;
	return xns_drop_privs(XNS_NOBODY, XNS_NOBODY);
}

/* Nest down to XNS_MAX_DEPTH, below which nothing can be created. */
static int setup_max_depth(__always_unused void *arg)
{
	int ret;

	do {
		ret = xns_unshare();
	} while (!ret);
	return ret == -ENOSPC ? 0 : ret;
}

/* Set $SHELL to @arg, or unset it if @arg is NULL. */
static int setup_shell(void *arg)
{
	if (arg)
		return setenv("SHELL", arg, 1) ? -errno : 0;
	return unsetenv("SHELL") ? -errno : 0;
}

/*
 * Reading the output
 */

/* "xns:[N]\n" as printed by readlink. */
static bool parse_link_line(const char *s, __u32 *inum)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", s);
	buf[strcspn(buf, "\n")] = '\0';
	return !xns_parse_link(buf, inum);
}

/* The inode number of the caller's namespace of type @type, "@type:[N]". */
static int ns_self_inum(const char *type, __u32 *inum)
{
	char path[64], buf[64], *end;
	size_t len = strlen(type);
	unsigned long val;
	int ret;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	ret = xns_readlink(path, buf, sizeof(buf));
	if (ret)
		return ret;
	if (strncmp(buf, type, len) || strncmp(buf + len, ":[", 2))
		return -EINVAL;
	errno = 0;
	val = strtoul(buf + len + 2, &end, 10);
	if (errno || strcmp(end, "]") || !val || val > 0xffffffffUL)
		return -EINVAL;
	*inum = val;
	return 0;
}

static int split_words(char *line, char **words, int max)
{
	char *save, *w;
	int n = 0;

	for (w = strtok_r(line, " \t", &save); w && n < max;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	return n;
}

/* The words of the first line of @out (a table's heading) into @buf. */
static int heading_words(const char *out, char *buf, size_t size, char **words,
			 int max)
{
	snprintf(buf, size, "%.*s", (int)strcspn(out, "\n"), out);
	return split_words(buf, words, max);
}

/*
 * The columns the tests ask "xnsctl list --raw" for, in this order.  Raw
 * output separates the cells by one space and escapes spaces in them, so
 * a line splits into exactly these fields.
 */
#define LIST_COLS	"NS,INUM,TYPE,NPROCS,PID,USER,COMMAND,PARENT,OWNER,PNS,LABELS,NSFS"

enum {
	F_NS, F_INUM, F_TYPE, F_NPROCS, F_PID, F_USER, F_COMMAND, F_PARENT,
	F_OWNER, F_PNS, F_LABELS, F_NSFS, NR_LIST_FIELDS
};

/* The columns of "xnsctl types --raw", the default ones. */
enum { T_TYPE, T_NSTYPE, T_MODULE, T_COUNT, NR_TYPE_FIELDS };

#define FIELD_MAX	128
#define FIELDS_MAX	16

/* A line of raw output, split into its fields. */
struct raw_row {
	int n;
	char f[FIELDS_MAX][FIELD_MAX];
};

/*
 * Find the line of raw output @out with @nfields fields whose field @col
 * is @want, and split it into @row.
 */
static bool raw_find(const char *out, int nfields, int col, const char *want,
		     struct raw_row *row)
{
	char line[1024], *w[FIELDS_MAX + 1];
	const char *p = out;
	size_t len;
	int n, i;

	while (*p) {
		len = strcspn(p, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len;
		if (*p)
			p++;
		n = split_words(line, w, FIELDS_MAX + 1);
		if (n != nfields || strcmp(w[col], want))
			continue;
		row->n = n;
		for (i = 0; i < n; i++)
			snprintf(row->f[i], FIELD_MAX, "%s", w[i]);
		return true;
	}
	return false;
}

/* The row of the namespace with inode number @inum in "list --raw" output. */
static bool list_find(const char *out, __u32 inum, struct raw_row *row)
{
	char want[16];

	snprintf(want, sizeof(want), "%u", inum);
	return raw_find(out, NR_LIST_FIELDS, F_INUM, want, row);
}

/* The row of the namespace with id @id in "list --raw" output. */
static bool list_find_id(const char *out, __u64 id, struct raw_row *row)
{
	char want[32];

	snprintf(want, sizeof(want), "%llu", (unsigned long long)id);
	return raw_find(out, NR_LIST_FIELDS, F_NS, want, row);
}

/* The row of type @name in "types --raw -n" output. */
static bool types_find(const char *out, const char *name, struct raw_row *row)
{
	return raw_find(out, NR_TYPE_FIELDS, T_TYPE, name, row);
}

/* Run "xnsctl list --raw -n -o LIST_COLS [-t @type]", as @setup makes it. */
static void list_raw_as(struct run_result *r, run_setup_fn setup,
			const char *type)
{
	if (type)
		XNSCTL_AS(r, setup, NULL, "list", "--raw", "-n", "-o", LIST_COLS,
			  "-t", type);
	else
		XNSCTL_AS(r, setup, NULL, "list", "--raw", "-n", "-o", LIST_COLS);
}

static void list_raw(struct run_result *r, const char *type)
{
	list_raw_as(r, NULL, type);
}

/* The id of a namespace file, as a string. */
static void path_id_str(const char *path, char *buf, size_t size)
{
	__u64 id = 0;

	xns_path_ns_id(path, &id);
	snprintf(buf, size, "%llu", (unsigned long long)id);
}

static bool has_line(const char *out, const char *want)
{
	size_t len = strlen(want);
	const char *p = out;

	while (*p) {
		if (!strncmp(p, want, len) && (p[len] == '\n' || !p[len]))
			return true;
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return false;
}

static int count_lines(const char *out)
{
	int n = 0;

	for (; *out; out++)
		n += *out == '\n';
	return n;
}

/* A strict JSON syntax check (RFC 8259), enough to trust the output. */
struct json {
	const char *p;
	int depth;
};

static bool json_value(struct json *j);

static void json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool json_string(struct json *j)
{
	int i;

	if (*j->p++ != '"')
		return false;
	while (*j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (i = 1; i <= 4; i++) {
					if (!isxdigit((unsigned char)j->p[i]))
						return false;
				}
				j->p += 4;
			} else if (!*j->p || !strchr("\"\\/bfnrt", *j->p)) {
				return false;
			}
		}
		j->p++;
	}
	j->p++;
	return true;
}

static bool json_digits(struct json *j)
{
	if (!isdigit((unsigned char)*j->p))
		return false;
	while (isdigit((unsigned char)*j->p))
		j->p++;
	return true;
}

static bool json_number(struct json *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (!json_digits(j))
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!json_digits(j))
			return false;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!json_digits(j))
			return false;
	}
	return true;
}

/* An array or object, after its opening bracket. */
static bool json_container(struct json *j, char close)
{
	if (++j->depth > 64)
		return false;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (close == '}') {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool json_value(struct json *j)
{
	static const char *const literals[] = { "true", "false", "null" };
	unsigned int i;

	json_ws(j);
	switch (*j->p) {
	case '[':
		j->p++;
		return json_container(j, ']');
	case '{':
		j->p++;
		return json_container(j, '}');
	case '"':
		return json_string(j);
	}
	for (i = 0; i < ARRAY_SIZE(literals); i++) {
		if (!strncmp(j->p, literals[i], strlen(literals[i]))) {
			j->p += strlen(literals[i]);
			return true;
		}
	}
	return json_number(j);
}

static bool json_valid(const char *s)
{
	struct json j = { .p = s };

	if (!json_value(&j))
		return false;
	json_ws(&j);
	return !*j.p;
}

/* Skip "KEY" ':' and whitespace; NULL if @p is not at "KEY". */
static const char *json_after_key(const char *p, const char *key)
{
	size_t len = strlen(key);

	if (*p != '"' || strncmp(p + 1, key, len) || p[len + 1] != '"')
		return NULL;
	p += len + 2;
	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != ':')
		return NULL;
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/*
 * The flat object of the array in "list --json" or "types --json" output
 * in which @key has the value @want (its JSON text): copy it into @obj.
 * Objects hold no nested ones, and the strings of the namespaces and
 * types the tests look at hold no braces.
 */
static bool json_find_obj(const char *s, const char *key, const char *want,
			  char *obj, size_t size)
{
	const char *p, *v, *start, *end;
	char quoted[64];
	size_t len = strlen(want);

	snprintf(quoted, sizeof(quoted), "\"%s\"", key);
	for (p = strstr(s, quoted); p; p = strstr(p + 1, quoted)) {
		v = json_after_key(p, key);
		if (!v || strncmp(v, want, len) ||
		    (v[len] != ',' && v[len] != '}' && !isspace((unsigned char)v[len])))
			continue;
		for (start = p; start > s && *start != '{'; start--)
			;
		end = strchr(p, '}');
		if (*start != '{' || !end)
			return false;
		snprintf(obj, size, "%.*s", (int)(end - start + 1), start);
		return true;
	}
	return false;
}

/* The object of the namespace with inode number @inum. */
static bool json_find_ns(const char *s, __u32 inum, char *obj, size_t size)
{
	char want[16];

	snprintf(want, sizeof(want), "%u", inum);
	return json_find_obj(s, "inum", want, obj, size);
}

/* The value of @key in the flat object @obj, as its JSON text. */
static bool json_field(const char *obj, const char *key, char *val,
		       size_t size)
{
	const char *p, *v;
	size_t len;

	for (p = strchr(obj, '"'); p; p = strchr(p + 1, '"')) {
		v = json_after_key(p, key);
		if (!v)
			continue;
		if (*v == '"')
			len = strcspn(v + 1, "\"") + 2;
		else
			len = strcspn(v, ",}");
		while (len && isspace((unsigned char)v[len - 1]))
			len--;
		snprintf(val, size, "%.*s", (int)len, v);
		return true;
	}
	return false;
}

static bool json_field_is(const char *obj, const char *key, const char *want)
{
	char val[128];

	return json_field(obj, key, val, sizeof(val)) && !strcmp(val, want);
}

/*
 * The fixture
 */

FIXTURE(xnsctl)
{
	int devfd;
	__u32 inum;
	struct xns_child kids[NR_KIDS];
	char dir[64];
	/* Files a test created (pins among them), removed by teardown. */
	char files[NR_FILES][PATH_SLOT];
};

FIXTURE_SETUP(xnsctl)
{
	int i;

	self->devfd = -1;
	self->dir[0] = '\0';
	for (i = 0; i < NR_KIDS; i++)
		xns_child_init(&self->kids[i]);
	for (i = 0; i < NR_FILES; i++)
		self->files[i][0] = '\0';

	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (xns_setup_load(_metadata))
		return;
	if (access(xnsctl_path(), X_OK))
		SKIP(return, "%s: %s (build tools/xns, or set XNSCTL)",
		     xnsctl_path(), strerror(errno));
	self->devfd = xns_setup_open_dev(_metadata);
	ASSERT_EQ(0, xns_self_inum(&self->inum));

	/* Pins (bind mounts) made by a test stay private to it. */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(self->dir, sizeof(self->dir), "/tmp/xnsctl_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir)) {
		self->dir[0] = '\0';
	}
	/* Others (uid 65534) may reach the pins in it. */
	ASSERT_EQ(0, chmod(self->dir, 0755));
}

FIXTURE_TEARDOWN(xnsctl)
{
	int i, n;

	for (i = 0; i < NR_KIDS; i++)
		xns_child_kill(&self->kids[i]);
	for (i = 0; i < NR_FILES; i++) {
		if (!self->files[i][0])
			continue;
		/* Pins left behind, e.g. by a failed unpin. */
		for (n = 0; n < 8 && !umount2(self->files[i], MNT_DETACH); n++)
			;
		if (unlink(self->files[i]) && errno != ENOENT)
			TH_LOG("could not remove %s: %m", self->files[i]);
	}
	if (self->dir[0] && rmdir(self->dir))
		TH_LOG("could not remove %s: %m", self->dir);
	if (self->devfd >= 0)
		close(self->devfd);
}

/* A file @name in the test's directory, noted in @slot for teardown. */
static const char *test_file(char slot[PATH_SLOT], const char *dir,
			     const char *name)
{
	snprintf(slot, PATH_SLOT, "%s/%s", dir, name);
	return slot;
}

/* Start helper @kid in a new child namespace with one label. */
static struct xns_holder_report start_holder(struct __test_metadata *_metadata,
					     struct xns_child *kid,
					     const char *key, const char *value)
{
	struct xns_holder_args args = { .depth = 1, .key = key, .value = value };
	struct xns_holder_report rep;
	int ret;

	ret = xns_holder_start(kid, &args, &rep);
	EXPECT_EQ(0, ret) {
		TH_LOG("holder: %s", strerror(-ret));
	}
	if (ret)
		memset(&rep, 0, sizeof(rep));
	return rep;
}

/* nr_live once namespaces freed before the test are gone. */
static __u32 settled_nr_live(int devfd)
{
	__u32 nr = 0;

	xns_wait_nr_live(devfd, 1, XNS_SETTLE_MS, &nr);
	return nr;
}

static const char *const subcommands[] = {
	"types", "list", "unshare", "enter", "label", "pin", "unpin",
};

TEST_F(xnsctl, help)
{
	struct run_result r;
	char want[64];
	unsigned int i;

	XNSCTL(&r, "--help");
	EXPECT_STATUS(0, &r);
	EXPECT_CONTAINS(r.out, "Usage:");
	EXPECT_CONTAINS(r.out, "xnsctl [options] <command>");
	for (i = 0; i < ARRAY_SIZE(subcommands); i++)
		EXPECT_CONTAINS(r.out, subcommands[i]);
	EXPECT_STREQ("", r.err);

	XNSCTL(&r, "-h");
	EXPECT_STATUS(0, &r);
	EXPECT_CONTAINS(r.out, "Usage:");

	XNSCTL(&r, "--version");
	EXPECT_STATUS(0, &r);
	EXPECT_EQ(0, strncmp(r.out, "xnsctl ", 7)) {
		TH_LOG("--version printed \"%s\"", r.out);
	}

	for (i = 0; i < ARRAY_SIZE(subcommands); i++) {
		snprintf(want, sizeof(want), "xnsctl %s", subcommands[i]);
		XNSCTL(&r, subcommands[i], "--help");
		EXPECT_STATUS(0, &r);
		EXPECT_CONTAINS(r.out, "Usage:");
		EXPECT_CONTAINS(r.out, want);
		EXPECT_STREQ("", r.err);
		XNSCTL(&r, subcommands[i], "-h");
		EXPECT_STATUS(0, &r);
		EXPECT_CONTAINS(r.out, want);
	}
}

TEST_F(xnsctl, unknown_command)
{
	struct run_result r;

	XNSCTL(&r, "frobnicate");
	EXPECT_STATUS(2, &r);
	EXPECT_CONTAINS(r.err, "xnsctl: unknown command 'frobnicate'");
	EXPECT_CONTAINS(r.err, "Usage:");
	EXPECT_STREQ("", r.out);
}

TEST_F(xnsctl, usage_errors)
{
	static const char *const cases[][8] = {
		{ NULL },
		{ "--bogus" },
		{ "enter" },
		{ "enter", "-t", "1", "-p", "/proc/1/ns/xns" },
		{ "enter", "-t", "abc" },
		{ "enter", "-t", "0" },
		{ "enter", "--bogus" },
		{ "unshare", "--label", "novalue" },
		{ "unshare", "--label", "=value" },
		{ "unshare", "-x" },
		{ "enter", "-a", "-p", "/proc/1/ns/xns" },
		{ "enter", "-t", "1", "-a", "-T", "xns" },
		{ "enter", "-t", "1", "--id", "1" },
		{ "enter", "--id", "abc" },
		{ "enter", "--id", "0" },
		{ "enter", "-i" },
		{ "unshare", "-t", "uts", "--label", "a=b" },
		{ "unshare", "--type" },
		{ "types", "extra" },
		{ "types", "--bogus" },
		{ "types", "-o", "TYPE,BOGUS" },
		{ "list", "extra" },
		{ "list", "--bogus" },
		{ "list", "-t" },
		{ "list", "-o", "BOGUS" },
		{ "list", "-o", "+BOGUS" },
		{ "list", "-o", "," },
		{ "label" },
		{ "label", "frob" },
		{ "label", "get" },
		{ "label", "get", "a", "b" },
		{ "label", "set", "k" },
		{ "label", "ls", "x" },
		{ "label", "-t", "1", "-p", "/proc/1/ns/xns", "ls" },
		{ "pin" },
		{ "pin", "a", "b" },
		{ "pin", "a", "--id", "x" },
		{ "pin", "a", "--id", "1", "-t", "1" },
		{ "unpin" },
		{ "unpin", "a", "b" },
		{ "unpin", "--id", "1", "a" },
		{ "unpin", "--id", "-1" },
	};
	struct run_result r;
	const char *first;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		run_xnsctl_setup(&r, NULL, NULL, cases[i]);
		first = cases[i][0];
		if (!first)
			first = "";
		EXPECT_STATUS(2, &r) {
			TH_LOG("case %u: xnsctl %s ...", i, first);
		}
		EXPECT_CONTAINS(r.err, "Usage:");
		EXPECT_STREQ("", r.out);
	}
}

TEST_F(xnsctl, unshare_label)
{
	struct run_result r;
	char script[512], *nl;
	__u32 inum = 0;

	snprintf(script, sizeof(script),
		 "readlink /proc/self/ns/xns; %s label get a; %s label get c",
		 xnsctl_path(), xnsctl_path());
	XNSCTL(&r, "unshare", "--label", "a=b", "-l", "c=d=e", "--",
	       SH, "-c", script);
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	ASSERT_TRUE(parse_link_line(r.out, &inum)) {
		TH_LOG("output: \"%s\"", r.out);
	}
	EXPECT_NE(self->inum, inum);
	nl = strchr(r.out, '\n');
	ASSERT_NE(NULL, nl);
	EXPECT_STREQ("b\nd=e\n", nl + 1);

	/* Without "--", and a program looked up in $PATH. */
	XNSCTL(&r, "unshare", "readlink", "/proc/self/ns/xns");
	EXPECT_STATUS(0, &r);
	EXPECT_TRUE(parse_link_line(r.out, &inum));
	EXPECT_NE(self->inum, inum);

	/* The caller's namespace is not touched. */
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "c", NULL, 0));
}

TEST_F(xnsctl, unshare_shell)
{
	struct run_result r;
	const char *script;
	__u32 inum = 0;
	FILE *f;

	/* $SHELL is run when no program is given. */
	script = test_file(self->files[0], self->dir, "shell");
	f = fopen(script, "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "#!/bin/sh\nreadlink /proc/self/ns/xns\n");
	ASSERT_EQ(0, fclose(f));
	ASSERT_EQ(0, chmod(script, 0755));
	XNSCTL_AS(&r, setup_shell, (void *)script, "unshare");
	EXPECT_STATUS(0, &r);
	EXPECT_TRUE(parse_link_line(r.out, &inum)) {
		TH_LOG("output: \"%s\"", r.out);
	}
	EXPECT_NE(self->inum, inum);

	/* Without $SHELL, /bin/sh (reading an empty stdin). */
	XNSCTL_AS(&r, setup_shell, NULL, "unshare");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
}

TEST_F(xnsctl, label_roundtrip)
{
	char value[XNS_LABEL_VALUE_MAX];
	struct run_result r;
	__u32 inum = 0;

	/* The test moves to a namespace of its own; its labels are ours. */
	ASSERT_EQ(0, xns_unshare());
	ASSERT_EQ(0, xns_self_inum(&inum));
	ASSERT_NE(self->inum, inum);

	XNSCTL(&r, "label", "ls");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.out);

	XNSCTL(&r, "label", "set", "k", "v");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ("", r.err);
	XNSCTL(&r, "label", "get", "k");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("v\n", r.out);
	ASSERT_EQ(0, xns_label_get(self->devfd, "k", value, sizeof(value)));
	EXPECT_STREQ("v", value);

	/* Replace; values with spaces, a leading '-', empty; keys too. */
	XNSCTL(&r, "label", "set", "k", "v2");
	EXPECT_STATUS(0, &r);
	XNSCTL(&r, "label", "set", "k2", "x y");
	EXPECT_STATUS(0, &r);
	XNSCTL(&r, "label", "set", "k3", "-1");
	EXPECT_STATUS(0, &r);
	XNSCTL(&r, "label", "set", "--", "-k4", "");
	EXPECT_STATUS(0, &r);
	XNSCTL(&r, "label", "get", "k3");
	EXPECT_STREQ("-1\n", r.out);
	XNSCTL(&r, "label", "get", "--", "-k4");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("\n", r.out);

	XNSCTL(&r, "label", "ls");
	EXPECT_STATUS(0, &r);
	EXPECT_EQ(4, count_lines(r.out));
	EXPECT_TRUE(has_line(r.out, "k=v2"));
	EXPECT_TRUE(has_line(r.out, "k2=x y"));
	EXPECT_TRUE(has_line(r.out, "k3=-1"));
	EXPECT_TRUE(has_line(r.out, "-k4="));

	XNSCTL(&r, "label", "del", "k");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "k", NULL, 0));
	XNSCTL(&r, "label", "get", "k");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ("xnsctl: label get k: No such file or directory\n", r.err);
	XNSCTL(&r, "label", "del", "k");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "No such file or directory");

	XNSCTL(&r, "label", "ls");
	EXPECT_STATUS(0, &r);
	EXPECT_EQ(3, count_lines(r.out));
	EXPECT_FALSE(has_line(r.out, "k=v2"));

	/* Malformed keys: the kernel's EINVAL, or too long to pass. */
	XNSCTL(&r, "label", "set", "a b", "v");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "Invalid argument");
	XNSCTL(&r, "label", "set",
	       "0123456789012345678901234567890123456789012345678901234567890123",
	       "v");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "too long");
}

TEST_F(xnsctl, label_other_ns)
{
	struct xns_holder_report rep;
	char pid[16], path[64];
	struct run_result r;

	/* Labels the test sees must not change: give it a namespace. */
	ASSERT_EQ(0, xns_unshare());
	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	snprintf(pid, sizeof(pid), "%d", self->kids[0].pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/xns", self->kids[0].pid);

	XNSCTL(&r, "label", "-t", pid, "get", "hk");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("hv\n", r.out);
	XNSCTL(&r, "label", "--target", pid, "set", "x", "y");
	EXPECT_STATUS(0, &r);
	XNSCTL(&r, "label", "-p", path, "get", "x");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("y\n", r.out);
	XNSCTL(&r, "label", "--path", path, "ls");
	EXPECT_STATUS(0, &r);
	EXPECT_EQ(2, count_lines(r.out));
	EXPECT_TRUE(has_line(r.out, "hk=hv"));
	EXPECT_TRUE(has_line(r.out, "x=y"));
	XNSCTL(&r, "label", "-t", pid, "del", "x");
	EXPECT_STATUS(0, &r);
	XNSCTL(&r, "label", "-t", pid, "get", "x");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "No such file or directory");

	/* None of it happened in the caller's namespace. */
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "x", NULL, 0));
	EXPECT_EQ(-ENOENT, xns_label_get(self->devfd, "hk", NULL, 0));
	XNSCTL(&r, "label", "ls");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.out);

	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	XNSCTL(&r, "label", "-t", pid, "ls");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "No such file or directory");
}

TEST_F(xnsctl, list_table)
{
	static const char *const heading[] = {
		"NS", "INUM", "TYPE", "NPROCS", "PID", "USER", "COMMAND",
		"PARENT", "OWNER", "LABELS",
	};
	char want[32], self_id[32], user_id[32], buf[256], *w[32];
	struct xns_holder_report rep;
	struct xns_info info;
	struct run_result r;
	struct raw_row row;
	ino_t uts = 0;
	unsigned int i;
	int n;

	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	ASSERT_EQ(0, xns_get_info(self->devfd, &info));
	ASSERT_EQ(0, xns_path_ino("/proc/self/ns/uts", &uts, NULL));
	path_id_str(XNS_SELF_LINK, self_id, sizeof(self_id));
	path_id_str("/proc/self/ns/user", user_id, sizeof(user_id));

	/* The default columns, LABELS among them as xns is listed. */
	XNSCTL(&r, "list");
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	n = heading_words(r.out, buf, sizeof(buf), w, 32);
	ASSERT_EQ((int)ARRAY_SIZE(heading), n) {
		TH_LOG("heading \"%s\"", buf);
	}
	for (i = 0; i < ARRAY_SIZE(heading); i++)
		EXPECT_STREQ(heading[i], w[i]);
	XNSCTL(&r, "list", "-t", "uts");
	ASSERT_STATUS(0, &r);
	n = heading_words(r.out, buf, sizeof(buf), w, 32);
	EXPECT_EQ((int)ARRAY_SIZE(heading) - 1, n) {
		TH_LOG("LABELS without xns namespaces: %s", r.out);
	}

	list_raw(&r, NULL);
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);

	/* The caller's own namespace. */
	ASSERT_TRUE(list_find(r.out, self->inum, &row)) {
		TH_LOG("no row for %u in:\n%s", self->inum, r.out);
	}
	EXPECT_STREQ(self_id, row.f[F_NS]);
	EXPECT_STREQ("xns", row.f[F_TYPE]);
	EXPECT_GE(atoi(row.f[F_NPROCS]), 1);
	EXPECT_LE(atoi(row.f[F_PID]), getpid());
	snprintf(want, sizeof(want), "%u", info.nr_labels);
	EXPECT_STREQ(want, row.f[F_LABELS]);

	/* The helper's, a child of it: one process, one label. */
	ASSERT_TRUE(list_find(r.out, rep.inum, &row)) {
		TH_LOG("no row for %u in:\n%s", rep.inum, r.out);
	}
	EXPECT_STREQ("xns", row.f[F_TYPE]);
	EXPECT_STREQ(self_id, row.f[F_PARENT]);
	snprintf(want, sizeof(want), "%u", self->inum);
	EXPECT_STREQ(want, row.f[F_PNS]);
	EXPECT_STREQ(user_id, row.f[F_OWNER]);
	EXPECT_STREQ("1", row.f[F_NPROCS]);
	snprintf(want, sizeof(want), "%d", self->kids[0].pid);
	EXPECT_STREQ(want, row.f[F_PID]);
	/* The guest's /etc/passwd names uid 0; without it, the number. */
	EXPECT_TRUE(!strcmp(row.f[F_USER], "root") ||
		    !strcmp(row.f[F_USER], "0")) {
		TH_LOG("USER %s, want root", row.f[F_USER]);
	}
	EXPECT_STREQ("xnsctl_test", row.f[F_COMMAND]);
	EXPECT_STREQ("1", row.f[F_LABELS]);
	EXPECT_STREQ("-", row.f[F_NSFS]);

	/* A built-in type: no parent (UTS namespaces do not nest), no labels. */
	ASSERT_TRUE(list_find(r.out, uts, &row)) {
		TH_LOG("no row for uts %lu in:\n%s", (unsigned long)uts, r.out);
	}
	EXPECT_STREQ("uts", row.f[F_TYPE]);
	EXPECT_STREQ("-", row.f[F_PARENT]);
	EXPECT_STREQ(user_id, row.f[F_OWNER]);
	EXPECT_STREQ("-", row.f[F_LABELS]);
	EXPECT_GE(atoi(row.f[F_NPROCS]), 1);

	XNSCTL(&r, "list", "--noheadings");
	EXPECT_STATUS(0, &r);
	EXPECT_EQ(NULL, strstr(r.out, "INUM"));
	snprintf(want, sizeof(want), "%u", rep.inum);
	EXPECT_CONTAINS(r.out, want);
}

TEST_F(xnsctl, list_types_and_columns)
{
	static const char all_cols[] =
		"NS INUM TYPE NPROCS PID UID USER COMMAND PARENT OWNER PNS ONS OUID NSFS LABELS";
	char buf[512], *w[32];
	struct run_result r;
	struct raw_row row;
	ino_t uts = 0;
	int n;

	ASSERT_EQ(0, xns_path_ino("/proc/self/ns/uts", &uts, NULL));

	/* One type, a list of types, the same type twice. */
	list_raw(&r, "uts");
	ASSERT_STATUS(0, &r);
	EXPECT_TRUE(list_find(r.out, uts, &row));
	EXPECT_FALSE(list_find(r.out, self->inum, &row)) {
		TH_LOG("an xns namespace in list -t uts:\n%s", r.out);
	}
	XNSCTL(&r, "list", "--raw", "-n", "-o", LIST_COLS, "-t", "uts,xns",
	       "--type", "uts");
	ASSERT_STATUS(0, &r);
	EXPECT_TRUE(list_find(r.out, uts, &row));
	EXPECT_TRUE(list_find(r.out, self->inum, &row));

	/* Columns chosen, in any case, added to the default, all. */
	XNSCTL(&r, "list", "-o", "ns,TYPE");
	ASSERT_STATUS(0, &r);
	n = heading_words(r.out, buf, sizeof(buf), w, 32);
	ASSERT_EQ(2, n);
	EXPECT_STREQ("NS", w[0]);
	EXPECT_STREQ("TYPE", w[1]);
	XNSCTL(&r, "list", "-t", "xns", "--output", "+NSFS,OUID");
	ASSERT_STATUS(0, &r);
	n = heading_words(r.out, buf, sizeof(buf), w, 32);
	ASSERT_EQ(12, n);
	EXPECT_STREQ("NS", w[0]);
	EXPECT_STREQ("LABELS", w[9]);
	EXPECT_STREQ("NSFS", w[10]);
	EXPECT_STREQ("OUID", w[11]);
	XNSCTL(&r, "list", "--raw", "--output-all");
	ASSERT_STATUS(0, &r);
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(r.out, "\n"), r.out);
	EXPECT_STREQ(all_cols, buf);

	/* The former "xnsctl list": its columns, its values. */
	XNSCTL(&r, "list", "-t", "xns", "-o", "INUM,PNS,OUID,NPROCS,PID,COMMAND,LABELS");
	ASSERT_STATUS(0, &r);
	n = heading_words(r.out, buf, sizeof(buf), w, 32);
	ASSERT_EQ(7, n);
	EXPECT_STREQ("PNS", w[1]);
	EXPECT_STREQ("OUID", w[2]);

	/* A type the kernel does not offer is a failure, not a usage error. */
	XNSCTL(&r, "list", "-t", "nosuchtype");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: unknown namespace type 'nosuchtype'\n", r.err);
	EXPECT_STREQ("", r.out);
	XNSCTL(&r, "list", "-t", "uts,nosuchtype");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "unknown namespace type 'nosuchtype'");
	/* *_for_children entries are the same types again, not types. */
	XNSCTL(&r, "list", "-t", "pid_for_children");
	EXPECT_STATUS(1, &r);
}

TEST_F(xnsctl, list_json)
{
	static const char *const keys[] = {
		"ns", "inum", "type", "nprocs", "pid", "user", "command",
		"parent", "owner", "labels",
	};
	char obj[1024], want[32], val[128], self_id[32];
	struct xns_holder_report rep;
	struct run_result r;
	unsigned int i;
	const char *p;

	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	path_id_str(XNS_SELF_LINK, self_id, sizeof(self_id));

	XNSCTL(&r, "list", "--json");
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	ASSERT_TRUE(json_valid(r.out)) {
		TH_LOG("not valid JSON:\n%s", r.out);
	}
	for (p = r.out; isspace((unsigned char)*p); p++)
		;
	EXPECT_EQ('{', *p);
	EXPECT_CONTAINS(r.out, "\"namespaces\": [");

	ASSERT_TRUE(json_find_ns(r.out, self->inum, obj, sizeof(obj))) {
		TH_LOG("no \"inum\": %u in:\n%s", self->inum, r.out);
	}
	ASSERT_TRUE(json_field(obj, "nprocs", val, sizeof(val)));
	EXPECT_GE(atoi(val), 1);
	EXPECT_TRUE(json_field_is(obj, "ns", self_id));

	ASSERT_TRUE(json_find_ns(r.out, rep.inum, obj, sizeof(obj))) {
		TH_LOG("no \"inum\": %u in:\n%s", rep.inum, r.out);
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		EXPECT_TRUE(json_field(obj, keys[i], val, sizeof(val))) {
			TH_LOG("no \"%s\" in %s", keys[i], obj);
		}
	}
	EXPECT_FALSE(json_field(obj, "nsfs", val, sizeof(val)));
	EXPECT_TRUE(json_field_is(obj, "type", "\"xns\""));
	EXPECT_TRUE(json_field_is(obj, "parent", self_id)) {
		TH_LOG("%s", obj);
	}
	snprintf(want, sizeof(want), "%d", self->kids[0].pid);
	EXPECT_TRUE(json_field_is(obj, "pid", want)) {
		TH_LOG("%s", obj);
	}
	EXPECT_TRUE(json_field_is(obj, "nprocs", "1"));
	EXPECT_TRUE(json_field_is(obj, "command", "\"xnsctl_test\""));
	EXPECT_TRUE(json_field_is(obj, "labels", "1")) {
		TH_LOG("%s", obj);
	}

	/* Only the columns asked for; '-' is null. */
	XNSCTL(&r, "list", "-J", "-t", "xns", "-o", "INUM,NSFS,PARENT");
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(json_valid(r.out)) {
		TH_LOG("not valid JSON:\n%s", r.out);
	}
	ASSERT_TRUE(json_find_ns(r.out, rep.inum, obj, sizeof(obj)));
	EXPECT_TRUE(json_field_is(obj, "nsfs", "null"));
	EXPECT_FALSE(json_field(obj, "ns", val, sizeof(val)));
	EXPECT_TRUE(json_find_ns(r.out, self->inum, obj, sizeof(obj)));
}

TEST_F(xnsctl, pin_unpin)
{
	char cmd[128], obj[512], self_id[32];
	struct run_result r;
	struct raw_row row;
	const char *path;
	__u32 before, inum = 0, now = 0;
	struct stat st;
	int ret;

	before = settled_nr_live(self->devfd);
	path = test_file(self->files[0], self->dir, "pin");
	path_id_str(XNS_SELF_LINK, self_id, sizeof(self_id));

	/* A namespace pinned from inside, by its only process. */
	XNSCTL(&r, "unshare", "--label", "k=pinned", "--",
	       xnsctl_path(), "pin", path);
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.out);
	ASSERT_EQ(0, stat(path, &st));
	inum = st.st_ino;
	EXPECT_NE(self->inum, inum);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	ret = xns_wait_nr_live(self->devfd, before + 1, XNS_SETTLE_MS, &now);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u", now, before + 1);
	}

	/* It is listed with no process, and where it is mounted. */
	list_raw(&r, "xns");
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(list_find(r.out, inum, &row)) {
		TH_LOG("no row for the pinned %u in:\n%s", inum, r.out);
	}
	EXPECT_STREQ("0", row.f[F_NPROCS]);
	EXPECT_STREQ("-", row.f[F_PID]);
	EXPECT_STREQ("-", row.f[F_COMMAND]);
	EXPECT_STREQ("-", row.f[F_USER]);
	EXPECT_STREQ("1", row.f[F_LABELS]);
	EXPECT_STREQ(self_id, row.f[F_PARENT]);
	EXPECT_STREQ(path, row.f[F_NSFS]);
	XNSCTL(&r, "list", "--json");
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(json_find_ns(r.out, inum, obj, sizeof(obj)));
	EXPECT_TRUE(json_field_is(obj, "nprocs", "0"));
	EXPECT_TRUE(json_field_is(obj, "pid", "null"));
	EXPECT_TRUE(json_field_is(obj, "command", "null"));

	/* It can be entered, and keeps its label. */
	XNSCTL(&r, "enter", "-p", path, "--", xnsctl_path(), "label", "get", "k");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("pinned\n", r.out);
	XNSCTL(&r, "enter", "--path", path, SH, "-c",
	       "readlink /proc/self/ns/xns");
	EXPECT_STATUS(0, &r);
	snprintf(cmd, sizeof(cmd), "xns:[%u]\n", inum);
	EXPECT_STREQ(cmd, r.out);
	XNSCTL(&r, "label", "-p", path, "get", "k");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("pinned\n", r.out);

	/* Unpinned, it goes away; the file stays. */
	XNSCTL(&r, "unpin", path);
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_STREQ("", r.err);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_NE(inum, st.st_ino);
	ret = xns_wait_nr_live(self->devfd, before, XNS_SETTLE_MS, &now);
	EXPECT_EQ(0, ret) {
		TH_LOG("nr_live %u, want %u", now, before);
	}
	list_raw(&r, "xns");
	EXPECT_STATUS(0, &r);
	EXPECT_FALSE(list_find(r.out, inum, &row));

	XNSCTL(&r, "unpin", path);
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_CONTAINS(r.err, "no namespace is pinned there");
	XNSCTL(&r, "enter", "-p", path, "--", "/bin/true");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "not a namespace file");
}

TEST_F(xnsctl, pin_target)
{
	struct xns_holder_report rep;
	struct run_result r;
	struct raw_row row;
	const char *path;
	char pid[16];
	struct stat st;
	__u32 before;
	int fd;

	before = settled_nr_live(self->devfd);
	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	snprintf(pid, sizeof(pid), "%d", self->kids[0].pid);

	/* An existing file; the option after the path. */
	path = test_file(self->files[0], self->dir, "pin");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ASSERT_GE(fd, 0);
	close(fd);
	XNSCTL(&r, "pin", path, "-t", pid);
	ASSERT_STATUS(0, &r);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(rep.inum, st.st_ino);

	/* The last process leaves; the bind mount alone keeps it, listed. */
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	list_raw(&r, "xns");
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(list_find(r.out, rep.inum, &row)) {
		TH_LOG("no row for %u in:\n%s", rep.inum, r.out);
	}
	EXPECT_STREQ("0", row.f[F_NPROCS]);
	EXPECT_STREQ("-", row.f[F_PID]);
	EXPECT_STREQ("1", row.f[F_LABELS]);
	EXPECT_STREQ(path, row.f[F_NSFS]);
	XNSCTL(&r, "label", "-p", path, "get", "hk");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("hv\n", r.out);

	/* A type the kernel does not offer: nothing is created. */
	XNSCTL(&r, "pin", test_file(self->files[1], self->dir, "none"), "-T",
	       "nosuchtype");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: unknown namespace type 'nosuchtype'\n", r.err);
	EXPECT_EQ(-1, access(self->files[1], F_OK));

	XNSCTL(&r, "unpin", path);
	EXPECT_STATUS(0, &r);
	EXPECT_EQ(0, xns_wait_nr_live(self->devfd, before, XNS_SETTLE_MS, NULL));
}

TEST_F(xnsctl, pin_other_types)
{
	struct run_result r;
	struct raw_row row;
	const char *path;
	ino_t uts = 0;
	struct stat st;
	__u64 id = 0;
	char ids[32];

	/* The caller's uts namespace, by type; the pin is listed. */
	ASSERT_EQ(0, xns_path_ino("/proc/self/ns/uts", &uts, NULL));
	path = test_file(self->files[0], self->dir, "uts");
	XNSCTL(&r, "pin", "-T", "uts", path);
	ASSERT_STATUS(0, &r);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(uts, st.st_ino);
	list_raw(&r, "uts");
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(list_find(r.out, uts, &row));
	EXPECT_STREQ(path, row.f[F_NSFS]);
	XNSCTL(&r, "unpin", path);
	EXPECT_STATUS(0, &r);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_NE(uts, st.st_ino);

	/* By id, of any type; unpinned by id. */
	ASSERT_EQ(0, xns_path_ns_id("/proc/self/ns/uts", &id));
	snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);
	XNSCTL(&r, "pin", path, "--id", ids);
	ASSERT_STATUS(0, &r);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(uts, st.st_ino);
	XNSCTL(&r, "pin", test_file(self->files[1], self->dir, "x"), "--id",
	       ids, "-T", "xns");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "not a namespace of type xns");
	XNSCTL(&r, "unpin", "-i", ids);
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_NE(uts, st.st_ino);
	XNSCTL(&r, "unpin", "--id", ids);
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "not pinned in this mount namespace");
}

TEST_F(xnsctl, pin_unpin_id)
{
	struct xns_holder_report rep;
	struct run_result r;
	struct raw_row row;
	char ids[32], err[128];
	const char *path;
	struct stat st;
	__u64 id = 0;
	int ret;

	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	ASSERT_EQ(0, xns_pid_ns_id(self->kids[0].pid, &id));
	snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);

	/* Pinned by id, twice; kept when its last process left. */
	path = test_file(self->files[0], self->dir, "pin");
	XNSCTL(&r, "pin", path, "--id", ids);
	ASSERT_STATUS(0, &r);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(rep.inum, st.st_ino);
	XNSCTL(&r, "pin", test_file(self->files[1], self->dir, "pin2"), "-i",
	       ids, "-T", "xns");
	ASSERT_STATUS(0, &r);
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	list_raw(&r, "xns");
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(list_find_id(r.out, id, &row)) {
		TH_LOG("no row for id %s in:\n%s", ids, r.out);
	}
	EXPECT_STREQ("0", row.f[F_NPROCS]);

	/* unpin --id removes both; then it goes. */
	XNSCTL(&r, "unpin", "--id", ids);
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_NE(rep.inum, st.st_ino);
	ASSERT_EQ(0, stat(self->files[1], &st));
	EXPECT_NE(rep.inum, st.st_ino);
	ret = xns_wait_listed(XNS_NS_TYPE, id, false, XNS_SETTLE_MS);
	EXPECT_EQ(0, ret);
	XNSCTL(&r, "unpin", "--id", ids);
	EXPECT_STATUS(1, &r);
	snprintf(err, sizeof(err), "xnsctl: cannot open namespace %s: %s\n",
		 ids, strerror(ESTALE));
	EXPECT_STREQ(err, r.err);
}

TEST_F(xnsctl, enter_target)
{
	struct xns_holder_report rep;
	struct run_result r;
	char pid[16], want[64];

	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	snprintf(pid, sizeof(pid), "%d", self->kids[0].pid);

	XNSCTL(&r, "enter", "-t", pid, "--", SH, "-c",
	       "readlink /proc/self/ns/xns");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	snprintf(want, sizeof(want), "xns:[%u]\n", rep.inum);
	EXPECT_STREQ(want, r.out);

	XNSCTL(&r, "enter", "--target", pid, xnsctl_path(), "label", "get",
	       "hk");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("hv\n", r.out);

	/* The program's exit status is passed on. */
	XNSCTL(&r, "enter", "-t", pid, "--", SH, "-c", "exit 7");
	EXPECT_STATUS(7, &r);
}

TEST_F(xnsctl, enter_errors)
{
	char err[128];
	struct run_result r;

	XNSCTL(&r, "enter", "-p", "/nonexistent");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: cannot open /nonexistent: No such file or directory\n",
		     r.err);
	EXPECT_STREQ("", r.out);

	XNSCTL(&r, "enter", "-t", "999999999");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: cannot open process 999999999: No such process\n",
		     r.err);

	/* A namespace file of another type than the one asked for. */
	XNSCTL(&r, "enter", "-T", "xns", "-p", "/proc/self/ns/uts", "--",
	       "/bin/true");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: /proc/self/ns/uts: not a namespace of type xns\n",
		     r.err);
	XNSCTL(&r, "enter", "-T", "nosuchtype", "-p", "/proc/self/ns/uts");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: unknown namespace type 'nosuchtype'\n", r.err);

	XNSCTL(&r, "enter", "-p", self->dir, "--", "/bin/true");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	snprintf(err, sizeof(err), "xnsctl: %s: not a namespace file\n",
		 self->dir);
	EXPECT_STREQ(err, r.err);

	/* An id no namespace has (ids count up from 1). */
	XNSCTL(&r, "enter", "--id", "18446744073709551614", "--", "/bin/true");
	EXPECT_STATUS(1, &r);
	snprintf(err, sizeof(err),
		 "xnsctl: cannot open namespace 18446744073709551614: %s\n",
		 strerror(ESTALE));
	EXPECT_STREQ(err, r.err);

	/* The program cannot be found or run: 127, 126. */
	XNSCTL(&r, "unshare", "--", "/nonexistent/prog");
	EXPECT_STATUS(127, &r);
	EXPECT_STREQ("xnsctl: failed to execute /nonexistent/prog: No such file or directory\n",
		     r.err);
	XNSCTL(&r, "enter", "-t", "1", "--", self->dir);
	EXPECT_STATUS(126, &r);
	EXPECT_CONTAINS(r.err, "Permission denied");
}

TEST_F(xnsctl, enter_path_any_type)
{
	struct run_result r;
	char want[80], buf[64];

	/* A namespace file of any type is entered: here the caller's uts. */
	ASSERT_EQ(0, xns_readlink("/proc/self/ns/uts", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%s\n", buf);
	XNSCTL(&r, "enter", "-p", "/proc/self/ns/uts", "--", SH, "-c",
	       "readlink /proc/self/ns/uts");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	EXPECT_STREQ(want, r.out);
	XNSCTL(&r, "enter", "-T", "uts,xns", "-p", "/proc/self/ns/uts", "-p",
	       XNS_SELF_LINK, "--", "/bin/true");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
}

TEST_F(xnsctl, enter_id)
{
	struct xns_holder_report rep;
	struct run_result r;
	char ids[32], want[64], err[128];
	__u64 id = 0;
	int ret;

	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	ASSERT_EQ(0, xns_pid_ns_id(self->kids[0].pid, &id));
	snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);

	/* Opened by a handle of its id, entered with setns(). */
	XNSCTL(&r, "enter", "--id", ids, "--", SH, "-c",
	       "readlink /proc/self/ns/xns");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	snprintf(want, sizeof(want), "xns:[%u]\n", rep.inum);
	EXPECT_STREQ(want, r.out);
	XNSCTL(&r, "enter", "-i", ids, "-T", "xns", xnsctl_path(), "label",
	       "get", "hk");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("hv\n", r.out);

	/* Of another type than the one asked for: nothing is run. */
	XNSCTL(&r, "enter", "-i", ids, "-T", "uts", "--", SH, "-c", "echo ran");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	snprintf(err, sizeof(err), "xnsctl: namespace %s: not a namespace of type uts\n",
		 ids);
	EXPECT_STREQ(err, r.err);

	/* Not for uid 65534: setns() needs CAP_SYS_ADMIN over its owner. */
	XNSCTL_AS(&r, setup_nobody, NULL, "enter", "--id", ids, "--",
		  "/bin/true");
	EXPECT_STATUS(1, &r);

	/* Gone with its last process: no namespace has the id any more. */
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ret = xns_wait_listed(XNS_NS_TYPE, id, false, XNS_SETTLE_MS);
	EXPECT_EQ(0, ret);
	XNSCTL(&r, "enter", "--id", ids, "--", "/bin/true");
	EXPECT_STATUS(1, &r);
	snprintf(err, sizeof(err), "xnsctl: cannot open namespace %s: %s\n",
		 ids, strerror(ESTALE));
	EXPECT_STREQ(err, r.err);
}

/*
 * A helper that makes a child of its xns with NS_CREATE_CHILD and holds
 * the file it got, without entering it: no task is in the namespace.
 */
struct fd_holder_report {
	__s32 err;
	__u32 inum;
	__u64 id;
};

static int fd_holder_fn(struct xns_child *c, __always_unused void *arg)
{
	struct fd_holder_report rep = {};
	int nsfd, child = -1;

	nsfd = xns_open_ns(0);
	rep.err = nsfd < 0 ? nsfd : 0;
	if (!rep.err) {
		child = xns_create_child(nsfd);
		rep.err = child < 0 ? child : 0;
		close(nsfd);
	}
	if (!rep.err)
		rep.err = xns_fd_inum(child, &rep.inum);
	if (!rep.err)
		rep.err = xns_fd_ns_id(child, &rep.id);
	if (xns_send(c->rep, &rep, sizeof(rep)) || rep.err)
		return 1;
	xns_child_hold(c);
	close(child);
	return 0;
}

TEST_F(xnsctl, list_kept_by_fd)
{
	struct fd_holder_report rep = {};
	char self_id[32], want[32];
	struct run_result r;
	struct raw_row row;
	int ret;

	path_id_str(XNS_SELF_LINK, self_id, sizeof(self_id));
	ASSERT_EQ(0, xns_child_start(&self->kids[0], fd_holder_fn, NULL));
	ASSERT_EQ(0, xns_child_recv(&self->kids[0], &rep, sizeof(rep)));
	ASSERT_EQ(0, rep.err) {
		TH_LOG("NS_CREATE_CHILD: %s", strerror(-rep.err));
	}

	/* Only listns() knows it: no process is in it, nothing mounts it. */
	list_raw(&r, "xns");
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	ASSERT_TRUE(list_find(r.out, rep.inum, &row)) {
		TH_LOG("no row for %u, kept by an fd, in:\n%s", rep.inum, r.out);
	}
	snprintf(want, sizeof(want), "%llu", (unsigned long long)rep.id);
	EXPECT_STREQ(want, row.f[F_NS]);
	EXPECT_STREQ("xns", row.f[F_TYPE]);
	EXPECT_STREQ("0", row.f[F_NPROCS]);
	EXPECT_STREQ("-", row.f[F_PID]);
	EXPECT_STREQ("-", row.f[F_COMMAND]);
	EXPECT_STREQ("-", row.f[F_NSFS]);
	EXPECT_STREQ(self_id, row.f[F_PARENT]);
	EXPECT_STREQ("0", row.f[F_LABELS]);

	/* Unfiltered too. */
	list_raw(&r, NULL);
	ASSERT_STATUS(0, &r);
	EXPECT_TRUE(list_find_id(r.out, rep.id, &row));

	/* The file closed, it is gone. */
	EXPECT_EQ(0, xns_child_stop(&self->kids[0]));
	ret = xns_wait_listed(XNS_NS_TYPE, rep.id, false, XNS_SETTLE_MS);
	EXPECT_EQ(0, ret);
	list_raw(&r, "xns");
	EXPECT_STATUS(0, &r);
	EXPECT_FALSE(list_find(r.out, rep.inum, &row));
}

/* Every entry of /proc/self/ns but *_for_children must be a row. */
static void expect_all_types(struct __test_metadata *_metadata,
			     const char *out)
{
	struct raw_row row;
	struct dirent *de;
	size_t len;
	DIR *dir;

	dir = opendir("/proc/self/ns");
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (len > 13 && !strcmp(de->d_name + len - 13, "_for_children")) {
			EXPECT_FALSE(types_find(out, de->d_name, &row));
			continue;
		}
		EXPECT_TRUE(types_find(out, de->d_name, &row)) {
			TH_LOG("no row for type %s in:\n%s", de->d_name, out);
		}
	}
	closedir(dir);
}

/* The row of type @name must say @nstype and @module, and count some. */
static void expect_type(struct __test_metadata *_metadata, const char *out,
			const char *name, unsigned int nstype,
			const char *module)
{
	struct raw_row row;
	char want[32];

	ASSERT_TRUE(types_find(out, name, &row)) {
		TH_LOG("no row for type %s in:\n%s", name, out);
	}
	snprintf(want, sizeof(want), "%#x", nstype);
	EXPECT_STREQ(want, row.f[T_NSTYPE]) {
		TH_LOG("type %s", name);
	}
	EXPECT_STREQ(module, row.f[T_MODULE]) {
		TH_LOG("type %s", name);
	}
	EXPECT_GE(atoi(row.f[T_COUNT]), 1) {
		TH_LOG("type %s: COUNT %s", name, row.f[T_COUNT]);
	}
}

TEST_F(xnsctl, types)
{
	char buf[256], obj[512], *w[8];
	struct run_result r;
	int n;

	XNSCTL(&r, "types");
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	n = heading_words(r.out, buf, sizeof(buf), w, 8);
	ASSERT_EQ(NR_TYPE_FIELDS, n);
	EXPECT_STREQ("TYPE", w[T_TYPE]);
	EXPECT_STREQ("NSTYPE", w[T_NSTYPE]);
	EXPECT_STREQ("MODULE", w[T_MODULE]);
	EXPECT_STREQ("COUNT", w[T_COUNT]);

	XNSCTL(&r, "types", "--raw", "-n");
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	expect_all_types(_metadata, r.out);
	expect_type(_metadata, r.out, "uts", CLONE_NEWUTS, "-");
	expect_type(_metadata, r.out, "user", CLONE_NEWUSER, "-");
	expect_type(_metadata, r.out, "mnt", CLONE_NEWNS, "-");
	expect_type(_metadata, r.out, "xns", XNS_NS_TYPE, XNS_MODULE_NAME);

	XNSCTL(&r, "types", "--json");
	ASSERT_STATUS(0, &r);
	ASSERT_TRUE(json_valid(r.out)) {
		TH_LOG("not valid JSON:\n%s", r.out);
	}
	EXPECT_CONTAINS(r.out, "\"types\": [");
	ASSERT_TRUE(json_find_obj(r.out, "type", "\"xns\"", obj, sizeof(obj)));
	snprintf(buf, sizeof(buf), "%u", XNS_NS_TYPE);
	EXPECT_TRUE(json_field_is(obj, "nstype", buf));
	EXPECT_TRUE(json_field_is(obj, "module", "\"" XNS_MODULE_NAME "\""));
	EXPECT_TRUE(json_field(obj, "count", buf, sizeof(buf)));
	ASSERT_TRUE(json_find_obj(r.out, "type", "\"uts\"", obj, sizeof(obj)));
	EXPECT_TRUE(json_field_is(obj, "module", "null"));

	XNSCTL(&r, "types", "-o", "nstype,TYPE", "-n", "--raw");
	ASSERT_STATUS(0, &r);
	snprintf(buf, sizeof(buf), "%#x xns", XNS_NS_TYPE);
	EXPECT_TRUE(has_line(r.out, buf)) {
		TH_LOG("no line \"%s\" in:\n%s", buf, r.out);
	}
}

TEST_F(xnsctl, unshare_types)
{
	struct run_result r;
	char err[128];
	__u32 inum = 0;

	/* unshare -t xns is the default. */
	XNSCTL(&r, "unshare", "-t", "xns", "--", "readlink",
	       "/proc/self/ns/xns");
	EXPECT_STATUS(0, &r);
	EXPECT_TRUE(parse_link_line(r.out, &inum));
	EXPECT_NE(self->inum, inum);

	/* A built-in type is made with unshare(2), not NS_CREATE_CHILD. */
	XNSCTL(&r, "unshare", "-t", "uts", "--", SH, "-c", "echo ran");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	snprintf(err, sizeof(err), "xnsctl: unshare uts: %s\n",
		 strerror(EOPNOTSUPP));
	EXPECT_STREQ(err, r.err);
	/* Nothing is entered when one of several types fails. */
	XNSCTL(&r, "unshare", "-t", "xns,uts", "--", SH, "-c", "echo ran");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_CONTAINS(r.err, "unshare uts");

	XNSCTL(&r, "unshare", "-t", "nosuchtype", "--", "/bin/true");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: unknown namespace type 'nosuchtype'\n", r.err);
}

TEST_F(xnsctl, label_set_eperm)
{
	struct run_result r;

	/* uid 65534 in a namespace of its own, owned by the initial userns. */
	XNSCTL_AS(&r, setup_unshare_nobody, NULL, "label", "set", "a", "b");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: label set a: Operation not permitted\n", r.err);
	XNSCTL_AS(&r, setup_unshare_nobody, NULL, "label", "del", "a");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "Operation not permitted");

	/* Reading is allowed. */
	XNSCTL_AS(&r, setup_unshare_nobody, NULL, "label", "get", "a");
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "No such file or directory");
	XNSCTL_AS(&r, setup_unshare_nobody, NULL, "label", "ls");
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);

	/* Creating namespaces is not. */
	XNSCTL_AS(&r, setup_nobody, NULL, "unshare", "--", "/bin/true");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: unshare xns: Operation not permitted\n", r.err);
}

TEST_F(xnsctl, unshare_enospc)
{
	struct run_result r;

	/* At XNS_MAX_DEPTH: the kernel's ENOSPC, and nothing is run. */
	XNSCTL_AS(&r, setup_max_depth, NULL, "unshare", "--", SH, "-c",
		  "echo ran");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: unshare xns: No space left on device\n", r.err);
	EXPECT_STREQ("", r.out);
}

TEST_F(xnsctl, setns_eperm)
{
	struct xns_holder_report rep;
	struct run_result r;
	struct raw_row row;
	const char *path;
	char pid[16];

	rep = start_holder(_metadata, &self->kids[0], "hk", "hv");
	ASSERT_NE(0U, rep.inum);
	snprintf(pid, sizeof(pid), "%d", self->kids[0].pid);
	path = test_file(self->files[0], self->dir, "pin");
	XNSCTL(&r, "pin", "--target", pid, path);
	ASSERT_STATUS(0, &r);

	XNSCTL_AS(&r, setup_nobody, NULL, "enter", "-p", path, "--",
		  "/bin/true");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: setns: Operation not permitted\n", r.err);
	XNSCTL_AS(&r, setup_nobody, NULL, "label", "-p", path, "get", "hk");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("xnsctl: setns: Operation not permitted\n", r.err);

	/*
	 * Listed through the pin: the helper's /proc files are not open to
	 * uid 65534, and its labels cannot be counted.
	 */
	list_raw_as(&r, setup_nobody, NULL);
	EXPECT_STATUS(0, &r);
	ASSERT_TRUE(list_find(r.out, rep.inum, &row)) {
		TH_LOG("no row for %u in:\n%s", rep.inum, r.out);
	}
	EXPECT_STREQ("0", row.f[F_NPROCS]);
	EXPECT_STREQ("-", row.f[F_LABELS]);
	EXPECT_STREQ(path, row.f[F_NSFS]);

	/* Unpinning needs privilege too. */
	XNSCTL_AS(&r, setup_nobody, NULL, "unpin", path);
	EXPECT_STATUS(1, &r);
	EXPECT_CONTAINS(r.err, "Operation not permitted");

	XNSCTL(&r, "unpin", path);
	EXPECT_STATUS(0, &r);
}

/*
 * With the counter sample loaded: a second module type, found and used
 * without xnsctl knowing it.
 */

FIXTURE(xnsctl_counter)
{
	struct xns_child kid;
	bool loaded;		/* by this test: it unloads it */
	__u32 xns, counter, uts;	/* the test's own namespaces */
};

FIXTURE_SETUP(xnsctl_counter)
{
	int ret;

	xns_child_init(&self->kid);
	self->loaded = false;
	if (geteuid() != 0)
		SKIP(return, "must be run as root");
	if (xns_setup_load(_metadata))
		return;
	if (access(xnsctl_path(), X_OK))
		SKIP(return, "%s: %s (build tools/xns, or set XNSCTL)",
		     xnsctl_path(), strerror(errno));
	if (!nsc_loaded() && access(nsc_module_path(), R_OK)) {
		/* make check ships the sample with xns.ko (xns_harness.h). */
		ASSERT_FALSE(xns_module_required()) {
			TH_LOG("%s: %m, and XNS_REQUIRE_MODULE=1: it must be shipped",
			       nsc_module_path());
		}
		SKIP(return, "%s: %s (build samples/rust or set NS_COUNTER_MODULE)",
		     nsc_module_path(), strerror(errno));
	}
	if (!nsc_loaded()) {
		ret = nsc_load();
		ASSERT_TRUE(ret == 0 || ret == -EEXIST) {
			TH_LOG("loading %s failed: %s", nsc_module_path(),
			       strerror(-ret));
		}
		self->loaded = ret == 0;
	}
	ASSERT_EQ(0, xns_self_inum(&self->xns));
	ASSERT_EQ(0, ns_self_inum(NSC_NAME, &self->counter));
	ASSERT_EQ(0, ns_self_inum("uts", &self->uts));
}

FIXTURE_TEARDOWN(xnsctl_counter)
{
	int ret;

	xns_child_kill(&self->kid);
	if (self->loaded) {
		ret = nsc_unload_wait(XNS_SETTLE_MS);
		if (ret)
			TH_LOG("could not unload %s: %s", NSC_MODULE_NAME,
			       strerror(-ret));
	}
}

/* What a helper reports: the inode numbers of its namespaces. */
struct ns_report {
	__s32 err;
	__u32 xns, counter, uts;
};

#define NEW_XNS		0x1
#define NEW_COUNTER	0x2
#define NEW_UTS		0x4

/* A helper in new namespaces of the types in *@arg (NEW_*). */
static int ns_holder_fn(struct xns_child *c, void *arg)
{
	int what = *(int *)arg;
	struct ns_report rep = {};

	if (what & NEW_XNS)
		rep.err = xns_unshare();
	if (!rep.err && (what & NEW_COUNTER))
		rep.err = xns_unshare_type(NSC_NAME, NS_COUNTER_NS_TYPE);
	if (!rep.err && (what & NEW_UTS) && unshare(CLONE_NEWUTS))
		rep.err = -errno;
	if (!rep.err)
		rep.err = xns_self_inum(&rep.xns);
	if (!rep.err)
		rep.err = ns_self_inum(NSC_NAME, &rep.counter);
	if (!rep.err)
		rep.err = ns_self_inum("uts", &rep.uts);
	if (xns_send(c->rep, &rep, sizeof(rep)) || rep.err)
		return 1;
	xns_child_hold(c);
	return 0;
}

static void start_ns_holder(struct __test_metadata *_metadata,
			    struct xns_child *kid, int what,
			    struct ns_report *rep)
{
	ASSERT_EQ(0, xns_child_start(kid, ns_holder_fn, &what));
	ASSERT_EQ(0, xns_child_recv(kid, rep, sizeof(*rep)));
	ASSERT_EQ(0, rep->err) {
		TH_LOG("helper: %s", strerror(-rep->err));
	}
}

/* readlink of the three links (busybox readlink takes one file). */
#define READ_LINKS \
	"readlink /proc/self/ns/xns; readlink /proc/self/ns/counter; readlink /proc/self/ns/uts"

static void links_of(char *buf, size_t size, __u32 xns, __u32 counter,
		     __u32 uts)
{
	snprintf(buf, size, "xns:[%u]\ncounter:[%u]\nuts:[%u]\n", xns, counter,
		 uts);
}

TEST_F(xnsctl_counter, types)
{
	char buf[128], obj[512];
	struct run_result r;

	XNSCTL(&r, "types", "--raw", "--noheadings");
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	expect_all_types(_metadata, r.out);
	expect_type(_metadata, r.out, "uts", CLONE_NEWUTS, "-");
	expect_type(_metadata, r.out, "xns", XNS_NS_TYPE, XNS_MODULE_NAME);
	expect_type(_metadata, r.out, NSC_NAME, NS_COUNTER_NS_TYPE,
		    NSC_MODULE_NAME);

	XNSCTL(&r, "types", "-J");
	ASSERT_STATUS(0, &r);
	ASSERT_TRUE(json_valid(r.out)) {
		TH_LOG("not valid JSON:\n%s", r.out);
	}
	ASSERT_TRUE(json_find_obj(r.out, "type", "\"" NSC_NAME "\"", obj,
				  sizeof(obj)));
	snprintf(buf, sizeof(buf), "%u", NS_COUNTER_NS_TYPE);
	EXPECT_TRUE(json_field_is(obj, "nstype", buf)) {
		TH_LOG("%s", obj);
	}
	EXPECT_TRUE(json_field_is(obj, "module", "\"" NSC_MODULE_NAME "\"")) {
		TH_LOG("%s", obj);
	}
}

TEST_F(xnsctl_counter, unshare)
{
	char parent[64], want[80];
	struct run_result r;
	__u32 xns = 0, counter = 0;
	int n;

	/* A new counter namespace: another link than the parent's. */
	ASSERT_EQ(0, xns_readlink(NSC_SELF_LINK, parent, sizeof(parent)));
	XNSCTL(&r, "unshare", "-t", NSC_NAME, "--", "readlink", NSC_SELF_LINK);
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	snprintf(want, sizeof(want), "%s\n", parent);
	EXPECT_STRNE(want, r.out);
	EXPECT_EQ(0, strncmp(r.out, NSC_NAME ":[", strlen(NSC_NAME) + 2)) {
		TH_LOG("readlink printed \"%s\"", r.out);
	}

	/* Two types at once, with a label in the new xns; uts stays. */
	XNSCTL(&r, "unshare", "--type", "xns,counter", "-l", "k=v", "--", SH,
	       "-c", READ_LINKS);
	ASSERT_STATUS(0, &r);
	n = sscanf(r.out, "xns:[%u]\ncounter:[%u]\n", &xns, &counter);
	ASSERT_EQ(2, n) {
		TH_LOG("output \"%s\"", r.out);
	}
	EXPECT_NE(self->xns, xns);
	EXPECT_NE(self->counter, counter);
	snprintf(want, sizeof(want), "\nuts:[%u]\n", self->uts);
	EXPECT_CONTAINS(r.out, want);

	/* --label needs xns among the types. */
	XNSCTL(&r, "unshare", "-t", NSC_NAME, "-l", "k=v", "--", "/bin/true");
	EXPECT_STATUS(2, &r);
	EXPECT_CONTAINS(r.err, "Usage:");
}

TEST_F(xnsctl_counter, enter_pid_types)
{
	struct ns_report rep;
	struct run_result r;
	char pid[16], want[128];

	start_ns_holder(_metadata, &self->kid,
			NEW_XNS | NEW_COUNTER | NEW_UTS, &rep);
	ASSERT_NE(self->counter, rep.counter);
	snprintf(pid, sizeof(pid), "%d", self->kid.pid);

	/* By default every module type, in one setns() on a pidfd. */
	XNSCTL(&r, "enter", "-t", pid, "--", SH, "-c", READ_LINKS);
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	links_of(want, sizeof(want), rep.xns, rep.counter, self->uts);
	EXPECT_STREQ(want, r.out);

	/* The types asked for. */
	XNSCTL(&r, "enter", "-t", pid, "-T", NSC_NAME, "--", SH, "-c",
	       READ_LINKS);
	EXPECT_STATUS(0, &r);
	links_of(want, sizeof(want), self->xns, rep.counter, self->uts);
	EXPECT_STREQ(want, r.out);
	XNSCTL(&r, "enter", "-t", pid, "-T", "uts", "--type", "xns", "--", SH,
	       "-c", READ_LINKS);
	EXPECT_STATUS(0, &r);
	links_of(want, sizeof(want), rep.xns, self->counter, rep.uts);
	EXPECT_STREQ(want, r.out);

	/* All, built-in ones too; those it shares with us are left out. */
	XNSCTL(&r, "enter", "-t", pid, "--all", "--", SH, "-c", READ_LINKS);
	EXPECT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	links_of(want, sizeof(want), rep.xns, rep.counter, rep.uts);
	EXPECT_STREQ(want, r.out);

	/* All or nothing: uid 65534 may not, and nothing is run. */
	XNSCTL_AS(&r, setup_nobody, NULL, "enter", "-t", pid, "--", SH, "-c",
		  "echo ran");
	EXPECT_STATUS(1, &r);
	EXPECT_STREQ("", r.out);
	EXPECT_CONTAINS(r.err, "xnsctl: ");
}

TEST_F(xnsctl_counter, list)
{
	struct ns_report rep;
	struct run_result r;
	struct raw_row row;
	char pid[16], user_id[32];

	start_ns_holder(_metadata, &self->kid, NEW_COUNTER, &rep);
	snprintf(pid, sizeof(pid), "%d", self->kid.pid);
	path_id_str("/proc/self/ns/user", user_id, sizeof(user_id));

	list_raw(&r, NSC_NAME);
	ASSERT_STATUS(0, &r);
	EXPECT_STREQ("", r.err);
	ASSERT_TRUE(list_find(r.out, rep.counter, &row)) {
		TH_LOG("no row for %u in:\n%s", rep.counter, r.out);
	}
	EXPECT_STREQ(NSC_NAME, row.f[F_TYPE]);
	EXPECT_STREQ("1", row.f[F_NPROCS]);
	EXPECT_STREQ(pid, row.f[F_PID]);
	/* Counter namespaces do not nest (EINVAL), and have no labels. */
	EXPECT_STREQ("-", row.f[F_PARENT]);
	EXPECT_STREQ(user_id, row.f[F_OWNER]);
	EXPECT_STREQ("-", row.f[F_LABELS]);
	ASSERT_TRUE(list_find(r.out, self->counter, &row));
	EXPECT_FALSE(list_find(r.out, self->xns, &row));

	/* Unfiltered, with the other types. */
	list_raw(&r, NULL);
	ASSERT_STATUS(0, &r);
	EXPECT_TRUE(list_find(r.out, rep.counter, &row));
	EXPECT_TRUE(list_find(r.out, self->xns, &row));
	EXPECT_TRUE(list_find(r.out, self->uts, &row));
}

TEST_HARNESS_MAIN
