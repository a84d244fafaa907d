// SPDX-License-Identifier: GPL-2.0
/*
 * xnsctl: run programs in xns namespaces, list the namespaces and manage
 * their labels, in the manner of unshare(1), nsenter(1) and lsns(8).
 *
 *   xnsctl unshare [--label KEY=VALUE]... [--] [PROGRAM [ARGUMENT...]]
 *   xnsctl enter (-t PID | -p PATH) [--] [PROGRAM [ARGUMENT...]]
 *   xnsctl list [--json] [--noheadings]
 *   xnsctl label [-t PID | -p PATH] get KEY | set KEY VALUE | del KEY | ls
 *   xnsctl pin PATH [-t PID]
 *   xnsctl unpin PATH
 *
 * Exit status: 0 on success, 1 on failure, 2 on a usage error; 126 and 127
 * when the program to run cannot be executed or found.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/types.h>
#include <linux/xns.h>

/* Older <linux/nsfs.h> lack these; the values are fixed UAPI. */
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE		_IO(NSIO, 0x3)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID	_IO(NSIO, 0x4)
#endif
/* A new child of a namespace of a module's type (patch 0009 of xns). */
#ifndef NS_CREATE_CHILD
#define NS_CREATE_CHILD		_IO(NSIO, 0x20)
#endif

#ifndef XNSCTL_VERSION
#define XNSCTL_VERSION		"0.1"
#endif

#define PROG			"xnsctl"
#define XNS_DEV			"/dev/xns"
#define SELF_NS			"/proc/self/ns/xns"
#define DEFAULT_SHELL		"/bin/sh"

#define EXIT_USAGE		2
#define EXIT_EXEC_FAILED	126
#define EXIT_EXEC_ENOENT	127

/* Enough for "/proc/<pid>/ns/xns" and "/proc/self/fd/<fd>". */
#define PROC_PATH_MAX		64

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * Messages are "xnsctl: <what>" (warnx(), errx()) and
 * "xnsctl: <what>: <strerror(errno)>" (warn(), err()), on stderr.
 */

/* Flush stdout; a write error (e.g. a full disk) is a failure. */
static int close_stdout(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		if (errno == EPIPE)
			return status;
		warn("write error");
		return EXIT_FAILURE;
	}
	return status;
}

/* Usage texts, printed by --help to stdout and on usage errors to stderr. */

static const char usage_main[] =
	"Usage:\n"
	" xnsctl [options] <command> [<args>]\n"
	"\n"
	"Manage xns namespaces and their labels.\n"
	"\n"
	"Commands:\n"
	" unshare [-l <key>=<value>]... [--] [<program> [<arg>...]]\n"
	"                          run a program in a new xns namespace\n"
	" enter (-t <pid> | -p <path>) [--] [<program> [<arg>...]]\n"
	"                          run a program in an existing xns namespace\n"
	" list [-J] [-n]           list the xns namespaces\n"
	" label [-t <pid> | -p <path>] (get|set|del|ls) [<key> [<value>]]\n"
	"                          read or change the labels of a namespace\n"
	" pin <path> [-t <pid>]    keep a namespace alive by a bind mount on <path>\n"
	" unpin <path>             remove such a bind mount\n"
	"\n"
	"Options:\n"
	" -h, --help               display this help\n"
	" -V, --version            display version\n"
	"\n"
	"Run 'xnsctl <command> --help' for the options of a command.\n";

static const char usage_unshare[] =
	"Usage:\n"
	" xnsctl unshare [options] [--] [<program> [<arg>...]]\n"
	"\n"
	"Move into a new xns namespace, a child of the current one, set its\n"
	"labels and run a program in it (default: $SHELL, or /bin/sh).\n"
	"\n"
	"Options:\n"
	" -l, --label <key>=<value>  set a label in the new namespace; repeatable\n"
	" -h, --help                 display this help\n";

static const char usage_enter[] =
	"Usage:\n"
	" xnsctl enter (-t <pid> | -p <path>) [--] [<program> [<arg>...]]\n"
	"\n"
	"Enter the xns namespace of a process, or the one of a namespace file\n"
	"(e.g. pinned by 'xnsctl pin'), and run a program in it (default:\n"
	"$SHELL, or /bin/sh).\n"
	"\n"
	"Options:\n"
	" -t, --target <pid>  the namespace of process <pid>\n"
	" -p, --path <path>   the namespace of the file <path>\n"
	" -h, --help          display this help\n";

static const char usage_list[] =
	"Usage:\n"
	" xnsctl list [options]\n"
	"\n"
	"List the xns namespaces that processes are in or that are bind-mounted\n"
	"in the current mount namespace.\n"
	"\n"
	"Options:\n"
	" -J, --json          use JSON output format\n"
	" -n, --noheadings    don't print headings\n"
	" -h, --help          display this help\n"
	"\n"
	"Columns:\n"
	" INUM     inode number of the namespace\n"
	" PARENT   inode number of the parent namespace\n"
	" OWNER    uid of the owner of the owning user namespace\n"
	" NPROCS   number of processes in the namespace\n"
	" PID      lowest PID in the namespace\n"
	" COMMAND  command name of that process\n"
	" LABELS   number of labels\n"
	"A value that cannot be known (permission, none) is '-' (null in JSON).\n";

static const char usage_label[] =
	"Usage:\n"
	" xnsctl label [options] get <key>\n"
	" xnsctl label [options] set <key> <value>\n"
	" xnsctl label [options] del <key>\n"
	" xnsctl label [options] ls\n"
	"\n"
	"Print the value of a label, set or delete a label, or list all labels\n"
	"as <key>=<value> lines, in the caller's xns namespace or another one.\n"
	"\n"
	"Options:\n"
	" -t, --target <pid>  act on the namespace of process <pid>\n"
	" -p, --path <path>   act on the namespace of the file <path>\n"
	" -h, --help          display this help\n";

static const char usage_pin[] =
	"Usage:\n"
	" xnsctl pin <path> [options]\n"
	"\n"
	"Bind-mount an xns namespace file on <path> (a file, created if it\n"
	"does not exist), which keeps the namespace alive after its last\n"
	"process exited.  'xnsctl unpin' removes the bind mount.\n"
	"\n"
	"Options:\n"
	" -t, --target <pid>  the namespace of process <pid> (default: the caller's)\n"
	" -h, --help          display this help\n";

static const char usage_unpin[] =
	"Usage:\n"
	" xnsctl unpin <path>\n"
	"\n"
	"Unmount an xns namespace file bind-mounted on <path> by 'xnsctl pin'.\n"
	"The file itself is left in place.\n"
	"\n"
	"Options:\n"
	" -h, --help          display this help\n";

static noreturn void help(const char *usage)
{
	fputs(usage, stdout);
	exit(close_stdout(EXIT_SUCCESS));
}

/* A usage error: the usage on stderr, after a message if there is one. */
static noreturn void usage_exit(const char *usage)
{
	fflush(stdout);
	fputs(usage, stderr);
	exit(EXIT_USAGE);
}

#define usage_error(usage, ...) (warnx(__VA_ARGS__), usage_exit(usage))

/*
 * Subcommands parse their arguments from argv[0] = the command name;
 * make getopt_long() start afresh and name the command in its messages.
 */
static void getopt_start(char **argv, const char *name)
{
	argv[0] = (char *)name;
	optind = 0;
	opterr = 1;
}

static pid_t parse_pid(const char *usage, const char *arg)
{
	unsigned long val;
	char *end;

	errno = 0;
	val = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || !val ||
	    val > INT_MAX)
		usage_error(usage, "invalid PID '%s'", arg);
	return val;
}

/* Parse "xns:[N]" (a /proc/<pid>/ns/xns link or an nsfs mount root). */
static int parse_ns_name(const char *name, __u32 *inum)
{
	unsigned long val;
	char *end;

	if (strncmp(name, "xns:[", 5) || name[5] < '0' || name[5] > '9')
		return -1;
	errno = 0;
	val = strtoul(name + 5, &end, 10);
	if (errno || strcmp(end, "]") || !val || val > 0xffffffffUL)
		return -1;
	*inum = val;
	return 0;
}

/* The inode number of the namespace a /proc/<pid>/ns/xns link names. */
static int read_ns_link(const char *path, __u32 *inum)
{
	char buf[64];
	ssize_t len;

	len = readlink(path, buf, sizeof(buf) - 1);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	if (parse_ns_name(buf, inum)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void pid_ns_path(char *buf, size_t size, pid_t pid)
{
	if (pid > 0)
		snprintf(buf, size, "/proc/%d/ns/xns", pid);
	else
		snprintf(buf, size, SELF_NS);
}

/* Open an xns namespace file; exits on failure or if it is not one. */
static int open_ns(const char *path)
{
	int fd, type;

	/* O_NONBLOCK: a FIFO given by mistake must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 && errno == ENOTTY)
		errx(EXIT_FAILURE, "%s: not a namespace file", path);
	if (type < 0)
		err(EXIT_FAILURE, "%s: NS_GET_NSTYPE", path);
	if (type != XNS_NS_TYPE)
		errx(EXIT_FAILURE, "%s: not an xns namespace", path);
	return fd;
}

static int open_dev(void)
{
	int fd = open(XNS_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		err(EXIT_FAILURE, "cannot open %s", XNS_DEV);
	return fd;
}

static noreturn void exec_program(char **argv)
{
	const char *shell;
	char *sh_argv[2];

	if (!argv[0]) {
		shell = getenv("SHELL");
		if (!shell || !*shell)
			shell = DEFAULT_SHELL;
		sh_argv[0] = (char *)shell;
		sh_argv[1] = NULL;
		execv(shell, sh_argv);
		warn("failed to execute %s", shell);
	} else {
		execvp(argv[0], argv);
		warn("failed to execute %s", argv[0]);
	}
	exit(errno == ENOENT ? EXIT_EXEC_ENOENT : EXIT_EXEC_FAILED);
}

/*
 * Run @fn in a child process that first enters the namespace of @nsfd, and
 * return its exit status.  The caller's own namespaces are left alone.
 */
static int run_in_ns(int nsfd, int (*fn)(void *arg), void *arg)
{
	int status, ret;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		err(EXIT_FAILURE, "fork");
	if (pid == 0) {
		if (setns(nsfd, XNS_NS_TYPE)) {
			warn("setns");
			_exit(EXIT_FAILURE);
		}
		ret = fn(arg);
		_exit(close_stdout(ret));
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			err(EXIT_FAILURE, "waitpid");
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	warnx("child process killed by signal %d", WTERMSIG(status));
	return EXIT_FAILURE;
}

/* Fill a struct xns_label; exits if @key or @value does not fit. */
static void label_fill(struct xns_label *label, const char *key,
		       const char *value)
{
	size_t len;

	memset(label, 0, sizeof(*label));
	len = strlen(key);
	if (len >= sizeof(label->key))
		errx(EXIT_FAILURE, "label key too long (at most %zu bytes): %s",
		     sizeof(label->key) - 1, key);
	memcpy(label->key, key, len);
	if (!value)
		return;
	len = strlen(value);
	if (len >= sizeof(label->value))
		errx(EXIT_FAILURE, "label value too long (at most %zu bytes): key %s",
		     sizeof(label->value) - 1, key);
	memcpy(label->value, value, len);
}

/*
 * xnsctl unshare
 */

static int cmd_unshare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct xns_label *labels;
	int nr_labels = 0, devfd = -1, nsfd, child, c, i;
	char *eq;

	labels = calloc(argc, sizeof(*labels));
	if (!labels)
		err(EXIT_FAILURE, "calloc");

	getopt_start(argv, PROG " unshare");
	while ((c = getopt_long(argc, argv, "+l:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				usage_error(usage_unshare,
					    "invalid label '%s': not <key>=<value>",
					    optarg);
			*eq = '\0';
			label_fill(&labels[nr_labels++], optarg, eq + 1);
			*eq = '=';
			break;
		case 'h':
			help(usage_unshare);
		default:
			usage_exit(usage_unshare);
		}
	}

	/* The labels are set through /dev/xns: fail before creating anything. */
	if (nr_labels)
		devfd = open_dev();
	/*
	 * A new child of our namespace, made through the namespace's file
	 * (NS_CREATE_CHILD: EPERM without CAP_SYS_ADMIN, ENOSPC at a limit),
	 * and entered; the file of the child holds it until then.
	 */
	nsfd = open_ns(SELF_NS);
	child = ioctl(nsfd, NS_CREATE_CHILD);
	if (child < 0)
		err(EXIT_FAILURE, "unshare");
	if (setns(child, XNS_NS_TYPE))
		err(EXIT_FAILURE, "unshare: setns");
	close(child);
	close(nsfd);
	for (i = 0; i < nr_labels; i++) {
		if (ioctl(devfd, XNS_IOC_LABEL_SET, &labels[i]))
			err(EXIT_FAILURE, "label set %s", labels[i].key);
	}
	if (devfd >= 0)
		close(devfd);
	free(labels);
	exec_program(argv + optind);
}

/*
 * xnsctl enter
 */

static int cmd_enter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "path", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char proc_path[PROC_PATH_MAX];
	const char *path = NULL;
	pid_t pid = 0;
	int fd, c;

	getopt_start(argv, PROG " enter");
	while ((c = getopt_long(argc, argv, "+t:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			pid = parse_pid(usage_enter, optarg);
			break;
		case 'p':
			path = optarg;
			break;
		case 'h':
			help(usage_enter);
		default:
			usage_exit(usage_enter);
		}
	}
	if (!pid == !path)
		usage_error(usage_enter, "exactly one of --target and --path is needed");
	if (pid) {
		pid_ns_path(proc_path, sizeof(proc_path), pid);
		path = proc_path;
	}

	fd = open_ns(path);
	if (setns(fd, XNS_NS_TYPE))
		err(EXIT_FAILURE, "setns");
	close(fd);
	exec_program(argv + optind);
}

/*
 * xnsctl label
 */

enum label_op { LABEL_GET, LABEL_SET, LABEL_DEL, LABEL_LS };

struct label_req {
	enum label_op op;
	const char *key;
	const char *value;
	int devfd;
};

static int label_ls(int devfd)
{
	struct xns_label_list list = {};
	struct xns_label label;
	char (*keys)[XNS_LABEL_KEY_MAX] = NULL;
	__u32 room = XNS_LABELS_MAX, i;

	for (;;) {
		free(keys);
		keys = calloc(room, sizeof(*keys));
		if (!keys)
			err(EXIT_FAILURE, "calloc");
		list.count = room;
		list.reserved = 0;
		list.keys = (__u64)(unsigned long)keys;
		if (!ioctl(devfd, XNS_IOC_LABEL_LIST, &list))
			break;
		/* Labels were added since: try again with more room. */
		if (errno != EOVERFLOW || list.count <= room) {
			warn("label ls");
			free(keys);
			return EXIT_FAILURE;
		}
		room = list.count;
	}

	for (i = 0; i < list.count; i++) {
		memset(&label, 0, sizeof(label));
		memcpy(label.key, keys[i], sizeof(label.key) - 1);
		if (ioctl(devfd, XNS_IOC_LABEL_GET, &label)) {
			/* Deleted since the list was taken. */
			if (errno == ENOENT)
				continue;
			warn("label get %s", label.key);
			free(keys);
			return EXIT_FAILURE;
		}
		label.value[sizeof(label.value) - 1] = '\0';
		printf("%s=%s\n", label.key, label.value);
	}
	free(keys);
	return EXIT_SUCCESS;
}

static int label_do(void *arg)
{
	const struct label_req *req = arg;
	struct xns_label label;

	switch (req->op) {
	case LABEL_GET:
		label_fill(&label, req->key, NULL);
		if (ioctl(req->devfd, XNS_IOC_LABEL_GET, &label)) {
			warn("label get %s", req->key);
			return EXIT_FAILURE;
		}
		label.value[sizeof(label.value) - 1] = '\0';
		printf("%s\n", label.value);
		return EXIT_SUCCESS;
	case LABEL_SET:
		label_fill(&label, req->key, req->value);
		if (ioctl(req->devfd, XNS_IOC_LABEL_SET, &label)) {
			warn("label set %s", req->key);
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	case LABEL_DEL:
		label_fill(&label, req->key, NULL);
		if (ioctl(req->devfd, XNS_IOC_LABEL_DEL, &label)) {
			warn("label del %s", req->key);
			return EXIT_FAILURE;
		}
		return EXIT_SUCCESS;
	case LABEL_LS:
		return label_ls(req->devfd);
	}
	return EXIT_FAILURE;
}

static int cmd_label(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "path", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static const struct {
		const char *name;
		enum label_op op;
		int nargs;
	} ops[] = {
		{ "get", LABEL_GET, 1 },
		{ "set", LABEL_SET, 2 },
		{ "del", LABEL_DEL, 1 },
		{ "ls", LABEL_LS, 0 },
	};
	char proc_path[PROC_PATH_MAX];
	struct label_req req = {};
	const char *path = NULL;
	unsigned int i;
	pid_t pid = 0;
	int nsfd = -1, ret, c;

	getopt_start(argv, PROG " label");
	while ((c = getopt_long(argc, argv, "+t:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			pid = parse_pid(usage_label, optarg);
			break;
		case 'p':
			path = optarg;
			break;
		case 'h':
			help(usage_label);
		default:
			usage_exit(usage_label);
		}
	}
	if (pid && path)
		usage_error(usage_label, "--target and --path are mutually exclusive");
	if (optind >= argc)
		usage_error(usage_label, "no label command given");

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		if (!strcmp(argv[optind], ops[i].name))
			break;
	}
	if (i == ARRAY_SIZE(ops))
		usage_error(usage_label, "unknown label command '%s'", argv[optind]);

	/* The arguments of the label command, possibly after "--". */
	argc -= optind;
	argv += optind;
	getopt_start(argv, PROG " label");
	while ((c = getopt_long(argc, argv, "+h", opts + 2, NULL)) != -1) {
		if (c == 'h')
			help(usage_label);
		usage_exit(usage_label);
	}
	if (argc - optind != ops[i].nargs)
		usage_error(usage_label, "label %s takes %d argument%s",
			    ops[i].name, ops[i].nargs, ops[i].nargs == 1 ? "" : "s");
	req.op = ops[i].op;
	req.key = ops[i].nargs > 0 ? argv[optind] : NULL;
	req.value = ops[i].nargs > 1 ? argv[optind + 1] : NULL;

	if (pid) {
		pid_ns_path(proc_path, sizeof(proc_path), pid);
		path = proc_path;
	}
	if (path)
		nsfd = open_ns(path);
	req.devfd = open_dev();
	if (nsfd < 0)
		ret = label_do(&req);
	else
		ret = run_in_ns(nsfd, label_do, &req);
	close(req.devfd);
	if (nsfd >= 0)
		close(nsfd);
	return ret;
}

/*
 * xnsctl list
 */

struct ns_entry {
	__u32 inum;
	unsigned int nprocs;
	pid_t pid;		/* lowest member, 0 if none */
	char *mnt;		/* a bind mount of it, or NULL */
	/* What the namespace file told, each -1 if not known. */
	long long parent;
	long long owner;
	long long labels;
	char comm[64];
};

struct ns_table {
	struct ns_entry *v;
	size_t nr, alloc;
};

static struct ns_entry *ns_table_get(struct ns_table *t, __u32 inum)
{
	struct ns_entry *e;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (t->v[i].inum == inum)
			return &t->v[i];
	}
	if (t->nr == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->v = realloc(t->v, t->alloc * sizeof(*t->v));
		if (!t->v)
			err(EXIT_FAILURE, "realloc");
	}
	e = &t->v[t->nr++];
	memset(e, 0, sizeof(*e));
	e->inum = inum;
	e->parent = -1;
	e->owner = -1;
	e->labels = -1;
	return e;
}

static void scan_procs(struct ns_table *t)
{
	char path[PROC_PATH_MAX];
	struct ns_entry *e;
	struct dirent *de;
	__u32 inum;
	pid_t pid;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		err(EXIT_FAILURE, "cannot open /proc");
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid <= 0)
			continue;
		pid_ns_path(path, sizeof(path), pid);
		/* Gone, or not ours to look at (EACCES): skip it. */
		if (read_ns_link(path, &inum))
			continue;
		e = ns_table_get(t, inum);
		e->nprocs++;
		if (!e->pid || pid < e->pid)
			e->pid = pid;
	}
	closedir(dir);
}

/* Undo the octal escapes (\040 for a space, ...) of a mountinfo field. */
static void unescape_mountinfo(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Bind mounts of xns namespace files: mountinfo lines with root "xns:[N]"
 * and file system type "nsfs" (after the "-" that ends the optional fields).
 */
static void scan_mounts(struct ns_table *t)
{
	char *line = NULL, *field[16], *save, *root, *mnt, *fstype;
	struct ns_entry *e;
	size_t size = 0;
	__u32 inum;
	int n, i;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		warn("cannot open /proc/self/mountinfo");
		return;
	}
	while (getline(&line, &size, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		n = 0;
		for (field[n] = strtok_r(line, " ", &save); field[n] && n < 15;
		     field[n] = strtok_r(NULL, " ", &save))
			n++;
		for (i = 6; i < n && strcmp(field[i], "-"); i++)
			;
		if (n < 5 || i + 1 >= n)
			continue;
		root = field[3];
		mnt = field[4];
		fstype = field[i + 1];
		if (strcmp(fstype, "nsfs") || parse_ns_name(root, &inum))
			continue;
		e = ns_table_get(t, inum);
		if (e->mnt)
			continue;
		unescape_mountinfo(mnt);
		e->mnt = strdup(mnt);
		if (!e->mnt)
			err(EXIT_FAILURE, "strdup");
	}
	free(line);
	fclose(f);
}

/* Open the namespace file of @e, checking that it is still the same one. */
static int ns_entry_open(const struct ns_entry *e)
{
	char path[PROC_PATH_MAX];
	struct stat st;
	int fd;

	if (e->pid) {
		pid_ns_path(path, sizeof(path), e->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && !fstat(fd, &st) && st.st_ino == e->inum)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	if (e->mnt) {
		fd = open(e->mnt, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && !fstat(fd, &st) && st.st_ino == e->inum)
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -1;
}

struct labels_msg {
	int err;
	__u32 nr_labels;
};

/* How many labels the namespace of @nsfd has: from a child inside it. */
static long long count_labels(int nsfd, int devfd)
{
	struct labels_msg msg = { .err = EIO };
	struct xns_info info;
	int pipefd[2], status;
	ssize_t len;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		memset(&info, 0, sizeof(info));
		if (setns(nsfd, XNS_NS_TYPE) ||
		    ioctl(devfd, XNS_IOC_GET_INFO, &info))
			msg.err = errno;
		else
			msg.err = 0;
		msg.nr_labels = info.nr_labels;
		len = write(pipefd[1], &msg, sizeof(msg));
		_exit(len == sizeof(msg) ? EXIT_SUCCESS : EXIT_FAILURE);
	}
	close(pipefd[1]);
	do {
		len = read(pipefd[0], &msg, sizeof(msg));
	} while (len < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (len != sizeof(msg) || msg.err)
		return -1;
	return msg.nr_labels;
}

static void ns_entry_fill(struct ns_entry *e, __u32 self_inum, int devfd)
{
	struct xns_info info;
	struct stat st;
	char path[PROC_PATH_MAX];
	int fd, pfd, ufd;
	uid_t uid;
	FILE *f;

	if (e->pid) {
		snprintf(path, sizeof(path), "/proc/%d/comm", e->pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(e->comm, sizeof(e->comm), f))
				e->comm[strcspn(e->comm, "\n")] = '\0';
			fclose(f);
		}
	}

	fd = ns_entry_open(e);
	if (fd < 0)
		return;
	/* EPERM for the initial namespace and outside the caller's subtree. */
	pfd = ioctl(fd, NS_GET_PARENT);
	if (pfd >= 0) {
		if (!fstat(pfd, &st))
			e->parent = st.st_ino;
		close(pfd);
	}
	/* EPERM if the owning user namespace is outside the caller's. */
	ufd = ioctl(fd, NS_GET_USERNS);
	if (ufd >= 0) {
		if (!ioctl(ufd, NS_GET_OWNER_UID, &uid))
			e->owner = uid;
		close(ufd);
	}
	if (devfd >= 0) {
		memset(&info, 0, sizeof(info));
		if (e->inum == self_inum) {
			if (!ioctl(devfd, XNS_IOC_GET_INFO, &info) &&
			    info.inum == self_inum)
				e->labels = info.nr_labels;
		} else {
			e->labels = count_labels(fd, devfd);
		}
	}
	close(fd);
}

static int ns_entry_cmp(const void *a, const void *b)
{
	const struct ns_entry *x = a, *y = b;

	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

/* Print @s as a JSON string; invalid UTF-8 becomes U+FFFD. */
static void json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int cp;
	int len, i;

	putchar('"');
	while (*p) {
		if (*p == '"' || *p == '\\') {
			printf("\\%c", *p++);
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p++);
			continue;
		}
		if (*p < 0x80) {
			putchar(*p++);
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			len = 2;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			len = 3;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			len = 4;
			cp = *p & 0x07;
		} else {
			len = 0;
			cp = 0;
		}
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* Truncated, overlong, surrogate or beyond U+10FFFF. */
		if (!len || i < len || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			fputs("\\ufffd", stdout);
			p++;
			continue;
		}
		fwrite(p, 1, len, stdout);
		p += len;
	}
	putchar('"');
}

static void json_number(long long v)
{
	if (v < 0)
		fputs("null", stdout);
	else
		printf("%lld", v);
}

static void print_json(const struct ns_table *t)
{
	const struct ns_entry *e;
	size_t i;

	puts("[");
	for (i = 0; i < t->nr; i++) {
		e = &t->v[i];
		printf("  {\"inum\": %u, \"parent\": ", e->inum);
		json_number(e->parent);
		fputs(", \"owner\": ", stdout);
		json_number(e->owner);
		printf(", \"nprocs\": %u, \"pid\": ", e->nprocs);
		json_number(e->pid ? e->pid : -1);
		fputs(", \"command\": ", stdout);
		if (e->pid)
			json_string(e->comm);
		else
			fputs("null", stdout);
		fputs(", \"labels\": ", stdout);
		json_number(e->labels);
		printf("}%s\n", i + 1 < t->nr ? "," : "");
	}
	puts("]");
}

enum { COL_INUM, COL_PARENT, COL_OWNER, COL_NPROCS, COL_PID, COL_COMMAND,
	COL_LABELS, NR_COLS };

#define CELL_MAX	64

static const char *const col_names[NR_COLS] = {
	"INUM", "PARENT", "OWNER", "NPROCS", "PID", "COMMAND", "LABELS",
};

static void cell_number(char *cell, long long v)
{
	if (v < 0)
		snprintf(cell, CELL_MAX, "-");
	else
		snprintf(cell, CELL_MAX, "%lld", v);
}

static void print_row(char (*cells)[CELL_MAX], const int *width)
{
	int i;

	for (i = 0; i < NR_COLS; i++) {
		if (i == COL_COMMAND)
			printf("%-*s", width[i], cells[i]);
		else
			printf("%*s", width[i], cells[i]);
		putchar(i + 1 < NR_COLS ? ' ' : '\n');
	}
}

static void print_table(const struct ns_table *t, bool headings)
{
	char (*cells)[NR_COLS][CELL_MAX];
	const struct ns_entry *e;
	int width[NR_COLS], w, i;
	char *p;
	size_t r;

	cells = calloc(t->nr + 1, sizeof(*cells));
	if (!cells)
		err(EXIT_FAILURE, "calloc");
	for (i = 0; i < NR_COLS; i++)
		snprintf(cells[0][i], CELL_MAX, "%s", col_names[i]);
	for (r = 0; r < t->nr; r++) {
		e = &t->v[r];
		cell_number(cells[r + 1][COL_INUM], e->inum);
		cell_number(cells[r + 1][COL_PARENT], e->parent);
		cell_number(cells[r + 1][COL_OWNER], e->owner);
		cell_number(cells[r + 1][COL_NPROCS], e->nprocs);
		cell_number(cells[r + 1][COL_PID], e->pid ? e->pid : -1);
		snprintf(cells[r + 1][COL_COMMAND], CELL_MAX, "%s",
			 e->pid && e->comm[0] ? e->comm : "-");
		/* Keep the table one row per line, its columns apart. */
		for (p = cells[r + 1][COL_COMMAND]; *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		}
		cell_number(cells[r + 1][COL_LABELS], e->labels);
	}
	for (i = 0; i < NR_COLS; i++) {
		width[i] = 0;
		for (r = headings ? 0 : 1; r <= t->nr; r++) {
			w = strlen(cells[r][i]);
			if (w > width[i])
				width[i] = w;
		}
	}
	for (r = headings ? 0 : 1; r <= t->nr; r++)
		print_row(cells[r], width);
	free(cells);
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = false, headings = true;
	struct ns_table t = {};
	__u32 self_inum;
	int devfd, c;
	size_t i;

	getopt_start(argv, PROG " list");
	while ((c = getopt_long(argc, argv, "Jnh", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'n':
			headings = false;
			break;
		case 'h':
			help(usage_list);
		default:
			usage_exit(usage_list);
		}
	}
	if (optind < argc)
		usage_error(usage_list, "unexpected argument '%s'", argv[optind]);

	if (read_ns_link(SELF_NS, &self_inum))
		err(EXIT_FAILURE, "cannot read %s", SELF_NS);
	/* Without it (not allowed to open) the labels are unknown. */
	devfd = open(XNS_DEV, O_RDWR | O_CLOEXEC);

	scan_procs(&t);
	scan_mounts(&t);
	qsort(t.v, t.nr, sizeof(*t.v), ns_entry_cmp);
	for (i = 0; i < t.nr; i++)
		ns_entry_fill(&t.v[i], self_inum, devfd);
	if (devfd >= 0)
		close(devfd);

	if (json)
		print_json(&t);
	else
		print_table(&t, headings);

	for (i = 0; i < t.nr; i++)
		free(t.v[i].mnt);
	free(t.v);
	return EXIT_SUCCESS;
}

/*
 * xnsctl pin, xnsctl unpin
 */

static int cmd_pin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char src[PROC_PATH_MAX], fd_path[PROC_PATH_MAX];
	bool created = false;
	const char *path;
	int nsfd, fd, c, saved;
	pid_t pid = 0;

	getopt_start(argv, PROG " pin");
	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			pid = parse_pid(usage_pin, optarg);
			break;
		case 'h':
			help(usage_pin);
		default:
			usage_exit(usage_pin);
		}
	}
	if (argc - optind != 1)
		usage_error(usage_pin, "pin takes exactly one <path>");
	path = argv[optind];

	pid_ns_path(src, sizeof(src), pid);
	nsfd = open_ns(src);

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0444);
	if (fd >= 0) {
		created = true;
		close(fd);
	} else if (errno != EEXIST) {
		err(EXIT_FAILURE, "cannot create %s", path);
	}

	/* Mount what was checked, even if <pid> exited and was reused since. */
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", nsfd);
	if (mount(fd_path, path, NULL, MS_BIND, NULL)) {
		saved = errno;
		if (created)
			unlink(path);
		errno = saved;
		err(EXIT_FAILURE, "mount %s on %s", src, path);
	}
	close(nsfd);
	return EXIT_SUCCESS;
}

static int cmd_unpin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *path;
	int fd, c;

	getopt_start(argv, PROG " unpin");
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			help(usage_unpin);
		usage_exit(usage_unpin);
	}
	if (argc - optind != 1)
		usage_error(usage_unpin, "unpin takes exactly one <path>");
	path = argv[optind];

	/* Unmount nothing but an xns namespace file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	if (ioctl(fd, NS_GET_NSTYPE) != XNS_NS_TYPE)
		errx(EXIT_FAILURE, "%s: no xns namespace is pinned there", path);
	close(fd);
	if (umount2(path, 0))
		err(EXIT_FAILURE, "umount %s", path);
	return EXIT_SUCCESS;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "unshare", cmd_unshare },
	{ "enter", cmd_enter },
	{ "list", cmd_list },
	{ "label", cmd_label },
	{ "pin", cmd_pin },
	{ "unpin", cmd_unpin },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	unsigned int i;
	int c;

	program_invocation_short_name = PROG;
	getopt_start(argv, PROG);
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help(usage_main);
		case 'V':
			printf("%s %s\n", PROG, XNSCTL_VERSION);
			return close_stdout(EXIT_SUCCESS);
		default:
			usage_exit(usage_main);
		}
	}
	if (optind >= argc)
		usage_error(usage_main, "no command given");

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[optind], commands[i].name))
			return close_stdout(commands[i].fn(argc - optind,
							   argv + optind));
	}
	usage_error(usage_main, "unknown command '%s'", argv[optind]);
}
