// SPDX-License-Identifier: GPL-2.0
/*
 * xnsctl: list the namespace types the kernel offers, the built-in ones and
 * those modules register (xns, the counter sample, ...), list, create,
 * enter and pin namespaces of any of them, and manage the labels of xns
 * namespaces, in the manner of lsns(8), unshare(1) and nsenter(1).  The
 * types are found at run time in /proc/self/ns, not compiled in;
 * namespaces are found with listns(2) and opened by id through nsfs file
 * handles.
 *
 *   xnsctl types [--json | --raw] [--noheadings] [--output COLUMNS]
 *   xnsctl list [--type TYPE]... [--json | --raw] [--noheadings]
 *	[--output COLUMNS]
 *   xnsctl unshare [--type TYPE]... [--label KEY=VALUE]... [--]
 *	[PROGRAM [ARGUMENT...]]
 *   xnsctl enter (-t PID [-T TYPE... | --all] | -p PATH... | -i ID...)
 *	[--] [PROGRAM [ARGUMENT...]]
 *   xnsctl label [-t PID | -p PATH] get KEY | set KEY VALUE | del KEY | ls
 *   xnsctl pin PATH [-t PID] [-T TYPE] | xnsctl pin PATH -i ID
 *   xnsctl unpin PATH | xnsctl unpin -i ID
 *
 * Exit status: 0 on success, 1 on failure, 2 on a usage error; 126 and 127
 * when the program to run cannot be executed or found.
 */
#define _GNU_SOURCE
#include <assert.h>
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
#include <strings.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/nsfs.h>
#include <linux/types.h>
#include <linux/xns.h>

/* Older <linux/nsfs.h> lack these; the values are fixed UAPI. */
#ifndef NS_GET_USERNS
#define NS_GET_USERNS		_IO(NSIO, 0x1)
#endif
#ifndef NS_GET_PARENT
#define NS_GET_PARENT		_IO(NSIO, 0x2)
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE		_IO(NSIO, 0x3)
#endif
#ifndef NS_GET_OWNER_UID
#define NS_GET_OWNER_UID	_IO(NSIO, 0x4)
#endif
#ifndef NS_GET_ID
#define NS_GET_ID		_IOR(NSIO, 13, __u64)
#endif
/* A new child of a namespace of a module's type (patch 0009 of xns). */
#ifndef NS_CREATE_CHILD
#define NS_CREATE_CHILD		_IO(NSIO, 0x20)
#endif

/* listns(2) and nsfs file handles: older <linux/nsfs.h> lack them too. */
#ifndef NS_ID_REQ_SIZE_VER0
struct ns_id_req {
	__u32 size;
	__u32 spare;
	__u64 ns_id;
	struct {
		__u32 ns_type;
		__u32 spare2;
		__u64 user_ns_id;
	};
};

#define NS_ID_REQ_SIZE_VER0	32
#endif
#ifndef NSFS_FILE_HANDLE_SIZE_VER0
struct nsfs_file_handle {
	__u64 ns_id;
	__u32 ns_type;
	__u32 ns_inum;
};

#define NSFS_FILE_HANDLE_SIZE_VER0	16
#endif
#ifndef __NR_listns
#define __NR_listns		470	/* all but alpha and mips */
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434	/* all but alpha */
#endif
/* The directory fd that makes open_by_handle_at() decode nsfs handles. */
#ifndef FD_NSFS_ROOT
#define FD_NSFS_ROOT		-10003
#endif
/* What nsfs encodes handles as (FILEID_NSFS in <linux/exportfs.h>). */
#define NSFS_FILEID		0xf1
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif

/*
 * The ns_type bits of the built-in types.  A type a module registers has
 * none of them (the kernel refuses it otherwise): that is how a built-in
 * type is told from a module's.
 */
#define BUILTIN_NS_TYPES	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
				 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
				 CLONE_NEWNET | CLONE_NEWTIME)

#ifndef XNSCTL_VERSION
#define XNSCTL_VERSION		"0.2"
#endif

#define PROG			"xnsctl"
#define XNS_DEV			"/dev/xns"
#define XNS_NAME		"xns"
#define DEFAULT_SHELL		"/bin/sh"
#define PROC_NS_DIR		"/proc/self/ns"
#define SYS_MODULE_DIR		"/sys/module"

#define EXIT_USAGE		2
#define EXIT_EXEC_FAILED	126
#define EXIT_EXEC_ENOENT	127

/* Enough for "/proc/<pid>/ns/<type>", "/sys/module/<name>/refcnt", ... */
#define PROC_PATH_MAX		160
/* Longer names in /proc/self/ns and /sys/module are not taken. */
#define NAME_LEN		64

/* listns() ids asked for at a time. */
#define LISTNS_BATCH		256

/* Unknown or not applicable, in the numbers of a namespace. */
#define NONE			(~0ULL)

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

static void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		err(EXIT_FAILURE, "calloc");
	return p;
}

static void *xreallocarray(void *p, size_t nmemb, size_t size)
{
	p = reallocarray(p, nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		err(EXIT_FAILURE, "realloc");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		err(EXIT_FAILURE, "strdup");
	return p;
}

/* Usage texts, printed by --help to stdout and on usage errors to stderr. */

static const char usage_main[] =
	"Usage:\n"
	" xnsctl [options] <command> [<args>]\n"
	"\n"
	"List, create, enter and pin namespaces of every type the kernel offers,\n"
	"built-in or registered by a module, and manage the labels of xns\n"
	"namespaces.\n"
	"\n"
	"Commands:\n"
	" types [-J|-r] [-n] [-o <list>]\n"
	"                          list the namespace types\n"
	" list [-t <type>]... [-J|-r] [-n] [-o <list>]\n"
	"                          list the namespaces\n"
	" unshare [-t <type>]... [-l <key>=<value>]... [--] [<program> [<arg>...]]\n"
	"                          run a program in new namespaces\n"
	" enter (-t <pid> [-T <type>]... [-a] | -p <path>... | -i <id>...)\n"
	"       [--] [<program> [<arg>...]]\n"
	"                          run a program in existing namespaces\n"
	" label [-t <pid> | -p <path>] (get|set|del|ls) [<key> [<value>]]\n"
	"                          read or change the labels of an xns namespace\n"
	" pin <path> [-t <pid>] [-T <type>] | pin <path> -i <id>\n"
	"                          keep a namespace alive by a bind mount on <path>\n"
	" unpin <path> | unpin -i <id>\n"
	"                          remove such a bind mount\n"
	"\n"
	"Options:\n"
	" -h, --help               display this help\n"
	" -V, --version            display version\n"
	"\n"
	"Run 'xnsctl <command> --help' for the options of a command.\n";

static const char usage_types[] =
	"Usage:\n"
	" xnsctl types [options]\n"
	"\n"
	"List the namespace types the kernel offers: the entries of /proc/self/ns\n"
	"(without the *_for_children ones), built-in or registered by a module.\n"
	"\n"
	"Options:\n"
	" -J, --json             use JSON output format\n"
	" -r, --raw              use raw output format\n"
	" -n, --noheadings       don't print headings\n"
	" -o, --output <list>    the columns to print (+<list> adds to the default)\n"
	"     --output-all       print all columns\n"
	" -h, --help             display this help\n"
	"\n"
	"Columns:\n"
	" TYPE     name of the type, as in /proc/<pid>/ns\n"
	" NSTYPE   its ns_type, as NS_GET_NSTYPE returns it\n"
	" MODULE   the module that registered it; '-' for a built-in type,\n"
	"          '?' if it cannot be told\n"
	" COUNT    number of its namespaces that listns(2) shows the caller\n";

static const char usage_list[] =
	"Usage:\n"
	" xnsctl list [options]\n"
	"\n"
	"List the namespaces of the given types (default: all): those listns(2)\n"
	"shows the caller, those its processes are in and those bind-mounted in\n"
	"its mount namespace.\n"
	"\n"
	"Options:\n"
	" -t, --type <type>      list namespaces of this type; repeatable, or a\n"
	"                        comma-separated list\n"
	" -J, --json             use JSON output format\n"
	" -r, --raw              use raw output format\n"
	" -n, --noheadings       don't print headings\n"
	" -o, --output <list>    the columns to print (+<list> adds to the default)\n"
	"     --output-all       print all columns\n"
	" -h, --help             display this help\n"
	"\n"
	"Columns (default: NS,INUM,TYPE,NPROCS,PID,USER,COMMAND,PARENT,OWNER and,\n"
	"when xns namespaces are listed, LABELS):\n"
	" NS       namespace id (NS_GET_ID)\n"
	" INUM     inode number of the namespace\n"
	" TYPE     namespace type\n"
	" NPROCS   number of processes in the namespace\n"
	" PID      lowest PID in the namespace\n"
	" UID      UID of that process\n"
	" USER     user name of that process\n"
	" COMMAND  command name of that process\n"
	" PARENT   id of the parent namespace (NS_GET_PARENT)\n"
	" OWNER    id of the owning user namespace (NS_GET_USERNS)\n"
	" PNS      inode number of the parent namespace\n"
	" ONS      inode number of the owning user namespace\n"
	" OUID     UID of the owner of the owning user namespace\n"
	" NSFS     a bind mount of the namespace in this mount namespace\n"
	" LABELS   number of labels of an xns namespace\n"
	"A value that cannot be known (permission, none) is '-' (null in JSON).\n";

static const char usage_unshare[] =
	"Usage:\n"
	" xnsctl unshare [options] [--] [<program> [<arg>...]]\n"
	"\n"
	"Move into new namespaces of the given types (default: xns), each a child\n"
	"of the current one made with NS_CREATE_CHILD, set the labels of the new\n"
	"xns namespace and run a program (default: $SHELL, or /bin/sh).\n"
	"\n"
	"Options:\n"
	" -t, --type <type>          a type to unshare; repeatable, or a\n"
	"                            comma-separated list\n"
	" -l, --label <key>=<value>  set a label in the new xns namespace;\n"
	"                            repeatable\n"
	" -h, --help                 display this help\n";

static const char usage_enter[] =
	"Usage:\n"
	" xnsctl enter -t <pid> [-T <type>]... [-a] [--] [<program> [<arg>...]]\n"
	" xnsctl enter (-p <path> | -i <id>)... [-T <type>]... [--] [<program> [<arg>...]]\n"
	"\n"
	"Enter namespaces of a process (through a pidfd, all at once), or\n"
	"namespaces given by a namespace file (e.g. pinned by 'xnsctl pin') or by\n"
	"id, in the order given, and run a program in them (default: $SHELL, or\n"
	"/bin/sh).\n"
	"\n"
	"Options:\n"
	" -t, --target <pid>  the namespaces of process <pid>: of the types given\n"
	"                     with --type, all with --all, else those of every\n"
	"                     type a module registered; types in which <pid> is\n"
	"                     in the caller's own namespace are left out\n"
	" -T, --type <type>   with --target: a type to enter; with --path or\n"
	"                     --id: the namespaces must be of one of these types;\n"
	"                     repeatable, or a comma-separated list\n"
	" -a, --all           with --target: every type, built-in ones included\n"
	" -p, --path <path>   the namespace of the file <path>; repeatable\n"
	" -i, --id <id>       the namespace with id <id>; repeatable\n"
	" -h, --help          display this help\n";

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
	" -t, --target <pid>  act on the xns namespace of process <pid>\n"
	" -p, --path <path>   act on the xns namespace of the file <path>\n"
	" -h, --help          display this help\n";

static const char usage_pin[] =
	"Usage:\n"
	" xnsctl pin <path> [options]\n"
	"\n"
	"Bind-mount a namespace file on <path> (a file, created if it does not\n"
	"exist), which keeps the namespace alive after its last process exited.\n"
	"'xnsctl unpin' removes the bind mount.\n"
	"\n"
	"Options:\n"
	" -t, --target <pid>  the namespace of process <pid> (default: the caller's)\n"
	" -T, --type <type>   of this type (default: xns); with --id, the\n"
	"                     namespace must be of this type\n"
	" -i, --id <id>       the namespace with id <id>\n"
	" -h, --help          display this help\n";

static const char usage_unpin[] =
	"Usage:\n"
	" xnsctl unpin <path>\n"
	" xnsctl unpin -i <id>\n"
	"\n"
	"Unmount a namespace file bind-mounted on <path>, or every bind mount of\n"
	"the namespace with id <id> in the caller's mount namespace.  The files\n"
	"themselves are left in place.\n"
	"\n"
	"Options:\n"
	" -i, --id <id>       the namespace with id <id>\n"
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

/* A namespace id: a decimal number, not 0. */
static __u64 parse_ns_id(const char *usage, const char *arg)
{
	unsigned long long val;
	char *end;

	errno = 0;
	val = strtoull(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || !val)
		usage_error(usage, "invalid namespace id '%s'", arg);
	return val;
}

/*
 * Parse "<type>:[N]", a /proc/<pid>/ns link or the root of an nsfs mount:
 * the type name into @name (NAME_LEN bytes), N into *@inum.
 */
static int parse_ns_name(const char *s, char *name, __u32 *inum)
{
	const char *colon = strchr(s, ':');
	unsigned long val;
	char *end;

	if (!colon || colon == s || colon - s >= NAME_LEN || colon[1] != '[' ||
	    colon[2] < '0' || colon[2] > '9')
		return -1;
	errno = 0;
	val = strtoul(colon + 2, &end, 10);
	if (errno || strcmp(end, "]") || !val || val > 0xffffffffUL)
		return -1;
	memcpy(name, s, colon - s);
	name[colon - s] = '\0';
	*inum = val;
	return 0;
}

/* The inode number of the namespace a /proc/<pid>/ns/<type> link names. */
static int read_ns_link(const char *path, const char *type, __u32 *inum)
{
	char buf[NAME_LEN + 32], name[NAME_LEN];
	ssize_t len;

	len = readlink(path, buf, sizeof(buf) - 1);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	if (parse_ns_name(buf, name, inum) || strcmp(name, type)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void ns_path(char *buf, size_t size, pid_t pid, const char *type)
{
	if (pid > 0)
		snprintf(buf, size, "/proc/%d/ns/%s", pid, type);
	else
		snprintf(buf, size, PROC_NS_DIR "/%s", type);
}

/*
 * Namespace types: what /proc/self/ns has, found at run time
 */

struct type_info {
	char name[NAME_LEN];
	__u32 nstype;
};

static struct type_info *types;
static size_t nr_types;

static int type_info_cmp(const void *a, const void *b)
{
	const struct type_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len >= slen && !strcmp(s + len - slen, suffix);
}

/*
 * Fill types[] from the entries of /proc/self/ns: one per type, built-in
 * or registered by a module, named as there and with the ns_type
 * NS_GET_NSTYPE gives.  The *_for_children entries are the same types
 * again.  Sorted by name.
 */
static void discover_types(void)
{
	char path[PROC_PATH_MAX];
	struct dirent *de;
	size_t alloc = 0;
	int fd, nstype;
	DIR *dir;

	if (types)
		return;
	dir = opendir(PROC_NS_DIR);
	if (!dir)
		err(EXIT_FAILURE, "cannot open %s", PROC_NS_DIR);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN ||
		    ends_with(de->d_name, "_for_children"))
			continue;
		/* Not longer than NAME_LEN - 1, as checked. */
		snprintf(path, sizeof(path), PROC_NS_DIR "/%.*s", NAME_LEN - 1,
			 de->d_name);
		/* Its module may be going away: then it is no type any more. */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		nstype = ioctl(fd, NS_GET_NSTYPE);
		close(fd);
		if (nstype <= 0)
			continue;
		if (nr_types == alloc) {
			alloc = alloc ? 2 * alloc : 16;
			types = xreallocarray(types, alloc, sizeof(*types));
		}
		snprintf(types[nr_types].name, NAME_LEN, "%.*s", NAME_LEN - 1,
			 de->d_name);
		types[nr_types].nstype = nstype;
		nr_types++;
	}
	closedir(dir);
	if (!types)
		types = xcalloc(1, sizeof(*types));
	qsort(types, nr_types, sizeof(*types), type_info_cmp);
}

static const struct type_info *find_type(const char *name)
{
	size_t i;

	for (i = 0; i < nr_types; i++) {
		if (!strcmp(types[i].name, name))
			return &types[i];
	}
	return NULL;
}

static const struct type_info *type_of_nstype(int nstype)
{
	size_t i;

	for (i = 0; i < nr_types; i++) {
		if ((int)types[i].nstype == nstype)
			return &types[i];
	}
	return NULL;
}

static bool type_builtin(const struct type_info *t)
{
	return t->nstype & BUILTIN_NS_TYPES;
}

/*
 * A selection of types, from --type arguments: each a name or a
 * comma-separated list of names.  A name the kernel does not offer (its
 * module is not loaded, or a typo) is a failure, not a usage error.
 */
struct type_sel {
	bool *on;		/* indexed like types[] */
	const struct type_info **order;	/* as given, without repeats */
	size_t nr;
};

static void type_sel_init(struct type_sel *s)
{
	discover_types();
	s->on = xcalloc(nr_types, sizeof(*s->on));
	s->order = xcalloc(nr_types, sizeof(*s->order));
	s->nr = 0;
}

static void type_sel_add(struct type_sel *s, const struct type_info *t)
{
	size_t i = t - types;

	if (s->on[i])
		return;
	s->on[i] = true;
	s->order[s->nr++] = t;
}

static void type_sel_parse(struct type_sel *s, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL, *name;
	const struct type_info *t;

	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		t = find_type(name);
		if (!t)
			errx(EXIT_FAILURE, "unknown namespace type '%s'", name);
		type_sel_add(s, t);
	}
	free(copy);
}

/* Resolve the --type arguments @args, or select @dflt if there are none. */
static void type_sel_args(struct type_sel *s, char **args, size_t nr,
			  bool (*dflt)(const struct type_info *t))
{
	size_t i;

	type_sel_init(s);
	for (i = 0; i < nr; i++)
		type_sel_parse(s, args[i]);
	if (nr || !dflt)
		return;
	for (i = 0; i < nr_types; i++) {
		if (dflt(&types[i]))
			type_sel_add(s, &types[i]);
	}
}

static bool type_sel_has(const struct type_sel *s, int nstype)
{
	const struct type_info *t = type_of_nstype(nstype);

	return t && s->on[t - types];
}

static __u32 type_sel_mask(const struct type_sel *s)
{
	__u32 mask = 0;
	size_t i;

	for (i = 0; i < s->nr; i++)
		mask |= s->order[i]->nstype;
	return mask;
}

static void type_sel_free(struct type_sel *s)
{
	free(s->on);
	free(s->order);
}

static bool sel_all(const struct type_info *t)
{
	(void)t;
	return true;
}

static bool sel_module(const struct type_info *t)
{
	return !type_builtin(t);
}

/*
 * Namespace ids: listns(2) and nsfs file handles
 */

/*
 * All ids listns() shows the caller for the types in @mask, in batches of
 * LISTNS_BATCH, each after the last id of the one before.  Returns them
 * (*@nr of them, ascending) or NULL with errno set.  listns() shows a
 * caller not privileged over the initial user and PID namespaces only
 * its own namespaces.
 */
static __u64 *list_ids(__u32 mask, size_t *nr)
{
	struct ns_id_req req;
	size_t n = 0, alloc = 0;
	__u64 *ids = NULL, last = 0;
	long ret;
	int saved;

	*nr = 0;
	for (;;) {
		if (alloc - n < LISTNS_BATCH) {
			alloc += 4 * LISTNS_BATCH;
			ids = xreallocarray(ids, alloc, sizeof(*ids));
		}
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.ns_id = last;
		req.ns_type = mask;
		ret = syscall(__NR_listns, &req, ids + n, LISTNS_BATCH, 0);
		/* ENOENT: no namespace after @last any more. */
		if (ret < 0 && errno == ENOENT && last)
			break;
		if (ret < 0) {
			saved = errno;
			free(ids);
			errno = saved;
			return NULL;
		}
		n += ret;
		if (ret < LISTNS_BATCH)
			break;
		last = ids[n - 1];
	}
	*nr = n;
	return ids;
}

/* A struct file_handle with room for exactly one nsfs_file_handle. */
struct ns_handle {
	__u32 handle_bytes;
	__s32 handle_type;
	struct nsfs_file_handle fid;
};

static_assert(offsetof(struct ns_handle, fid) ==
	      offsetof(struct file_handle, f_handle),
	      "struct ns_handle must be laid out as struct file_handle");

/*
 * Open the namespace @id from a handle that names it by its id alone.
 * ESTALE when there is no such namespace or the caller may not see it
 * (the same rules as for listns()).
 */
static int open_ns_id(__u64 id)
{
	struct ns_handle h;

	memset(&h, 0, sizeof(h));
	h.handle_bytes = sizeof(h.fid);
	h.handle_type = NSFS_FILEID;
	h.fid.ns_id = id;
	return open_by_handle_at(FD_NSFS_ROOT, (struct file_handle *)&h,
				 O_RDONLY | O_CLOEXEC);
}

static int open_ns_id_or_die(__u64 id)
{
	int fd = open_ns_id(id);

	if (fd < 0)
		err(EXIT_FAILURE, "cannot open namespace %llu",
		    (unsigned long long)id);
	return fd;
}

/* Open a namespace file; exits on failure or if it is not one. */
static int open_ns_file(const char *path, int *nstype)
{
	int fd, type;

	/* O_NONBLOCK: a FIFO given by mistake must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 && errno == ENOTTY)
		errx(EXIT_FAILURE, "%s: not a namespace file", path);
	if (type < 0)
		err(EXIT_FAILURE, "%s: NS_GET_NSTYPE", path);
	*nstype = type;
	return fd;
}

static int fd_nstype(int fd, const char *what)
{
	int type = ioctl(fd, NS_GET_NSTYPE);

	if (type < 0)
		err(EXIT_FAILURE, "%s: NS_GET_NSTYPE", what);
	return type;
}

/* Exit unless @nstype is one of @sel's types (all if @sel has none). */
static void check_type(const struct type_sel *sel, int nstype,
		       const char *what)
{
	if (!sel->nr || type_sel_has(sel, nstype))
		return;
	if (sel->nr == 1)
		errx(EXIT_FAILURE, "%s: not a namespace of type %s", what,
		     sel->order[0]->name);
	errx(EXIT_FAILURE, "%s: not a namespace of the types given", what);
}

/* Open an xns namespace file; exits on failure or if it is not one. */
static int open_xns_file(const char *path)
{
	int fd, nstype;

	fd = open_ns_file(path, &nstype);
	if (nstype != XNS_NS_TYPE)
		errx(EXIT_FAILURE, "%s: not a namespace of type " XNS_NAME, path);
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
 * Run @fn in a child process that first enters the xns namespace of
 * @nsfd, and return its exit status.  The caller's own namespaces are
 * left alone.
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
 * Call @fn for each bind mount of a namespace file in the caller's mount
 * namespace: mountinfo lines with file system type "nsfs" (after the "-"
 * that ends the optional fields) and root "<type>:[N]", with the type
 * name, N and the mount point, unescaped.
 */
typedef void (*ns_mount_fn)(const char *type, __u32 inum, const char *mnt, void *arg);

static void walk_ns_mounts(ns_mount_fn fn, void *arg)
{
	char *line = NULL, *field[16], *save, *root, *mnt, *fstype;
	char name[NAME_LEN];
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
		if (strcmp(fstype, "nsfs") || parse_ns_name(root, name, &inum))
			continue;
		unescape_mountinfo(mnt);
		fn(name, inum, mnt, arg);
	}
	free(line);
	fclose(f);
}

/*
 * Output: a table, raw (lsns --raw) or JSON, of the columns asked for
 */

enum cell_kind {
	CELL_NONE,		/* not known or not applicable: "-", null */
	CELL_UNKNOWN,		/* could not be told: "?", null */
	CELL_NUM,
	CELL_STR,
};

struct cell {
	enum cell_kind kind;
	unsigned long long num;
	char *str;
};

struct col_def {
	const char *name;
	bool number;		/* right-aligned, a number in JSON */
	bool hex;		/* printed as 0x... in the table and raw */
};

#define MAX_OUT_COLS		64

enum out_mode { OUT_TABLE, OUT_RAW, OUT_JSON };

struct out_opts {
	enum out_mode mode;
	bool headings;
	int cols[MAX_OUT_COLS];
	int ncols;
};

struct table {
	const struct col_def *defs;
	int ndefs;
	struct cell *cells;	/* nrows rows of ndefs cells */
	size_t nrows, alloc;
};

static struct cell *table_add_row(struct table *t)
{
	struct cell *row;

	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->cells = xreallocarray(t->cells, t->alloc * t->ndefs,
					 sizeof(*t->cells));
	}
	row = &t->cells[t->nrows++ * t->ndefs];
	memset(row, 0, t->ndefs * sizeof(*row));
	return row;
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ndefs; i++)
		free(t->cells[i].str);
	free(t->cells);
}

static void cell_num(struct cell *c, unsigned long long v)
{
	c->kind = v == NONE ? CELL_NONE : CELL_NUM;
	c->num = v;
}

static void cell_str(struct cell *c, const char *s)
{
	c->kind = s ? CELL_STR : CELL_NONE;
	c->str = s ? xstrdup(s) : NULL;
}

/* The cell as the table and raw formats show it, before escaping. */
static const char *cell_text(const struct cell *c, const struct col_def *d,
			     char *buf, size_t size)
{
	switch (c->kind) {
	case CELL_NONE:
		return "-";
	case CELL_UNKNOWN:
		return "?";
	case CELL_NUM:
		snprintf(buf, size, d->hex ? "%#llx" : "%llu", c->num);
		return buf;
	case CELL_STR:
		break;
	}
	return c->str;
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

/* The JSON key of a column: its name in lower case. */
static void json_key(const char *name)
{
	putchar('"');
	for (; *name; name++)
		putchar(*name >= 'A' && *name <= 'Z' ? *name - 'A' + 'a' : *name);
	fputs("\": ", stdout);
}

/*
 * {"@key": [{"col": value, ...}, ...]}, one object a line, as lsns --json
 * does: numbers as numbers, strings as strings, null for '-' and '?'.
 */
static void print_json(const struct table *t, const struct out_opts *o,
		       const char *key)
{
	const struct cell *row, *c;
	size_t r;
	int i;

	printf("{\n  \"%s\": [", key);
	for (r = 0; r < t->nrows; r++) {
		row = &t->cells[r * t->ndefs];
		fputs(r ? ",\n    {" : "\n    {", stdout);
		for (i = 0; i < o->ncols; i++) {
			c = &row[o->cols[i]];
			if (i)
				fputs(", ", stdout);
			json_key(t->defs[o->cols[i]].name);
			if (c->kind == CELL_NUM)
				printf("%llu", c->num);
			else if (c->kind == CELL_STR)
				json_string(c->str);
			else
				fputs("null", stdout);
		}
		putchar('}');
	}
	puts(t->nrows ? "\n  ]\n}" : "]\n}");
}

/*
 * Raw: one line a row, the cells separated by one space; in a cell a
 * space, a backslash and what is not printable are escaped as \x<hex>, as
 * lsns --raw does.
 */
static void print_raw_cell(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static void print_raw(const struct table *t, const struct out_opts *o)
{
	char buf[32];
	size_t r;
	int i;

	if (o->headings) {
		for (i = 0; i < o->ncols; i++)
			printf("%s%c", t->defs[o->cols[i]].name,
			       i + 1 < o->ncols ? ' ' : '\n');
	}
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < o->ncols; i++) {
			print_raw_cell(cell_text(&t->cells[r * t->ndefs + o->cols[i]],
						 &t->defs[o->cols[i]], buf,
						 sizeof(buf)));
			putchar(i + 1 < o->ncols ? ' ' : '\n');
		}
	}
}

/* A table cell: control characters shown as '?', one row per line. */
static char *table_text(const struct table *t, size_t r, int col)
{
	char buf[32], *s, *p;

	if (r == 0)
		return xstrdup(t->defs[col].name);
	s = xstrdup(cell_text(&t->cells[(r - 1) * t->ndefs + col],
			      &t->defs[col], buf, sizeof(buf)));
	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	return s;
}

/*
 * Columns as wide as their widest cell, one space apart: numbers
 * right-aligned, text left-aligned, no spaces at the end of a line.
 */
static void print_columns(const struct table *t, const struct out_opts *o)
{
	size_t r, first = o->headings ? 0 : 1, w;
	int *width, i, col;
	char **text;

	width = xcalloc(o->ncols, sizeof(*width));
	text = xcalloc((t->nrows + 1) * o->ncols, sizeof(*text));
	for (r = first; r <= t->nrows; r++) {
		for (i = 0; i < o->ncols; i++) {
			text[r * o->ncols + i] = table_text(t, r, o->cols[i]);
			w = strlen(text[r * o->ncols + i]);
			if (w > (size_t)width[i])
				width[i] = w;
		}
	}
	for (r = first; r <= t->nrows; r++) {
		for (i = 0; i < o->ncols; i++) {
			col = o->cols[i];
			if (t->defs[col].number)
				printf("%*s", width[i], text[r * o->ncols + i]);
			else if (i + 1 < o->ncols)
				printf("%-*s", width[i], text[r * o->ncols + i]);
			else
				fputs(text[r * o->ncols + i], stdout);
			putchar(i + 1 < o->ncols ? ' ' : '\n');
		}
	}
	for (r = 0; r < (t->nrows + 1) * o->ncols; r++)
		free(text[r]);
	free(text);
	free(width);
}

static void print_table(const struct table *t, const struct out_opts *o,
			const char *key)
{
	switch (o->mode) {
	case OUT_JSON:
		print_json(t, o, key);
		break;
	case OUT_RAW:
		print_raw(t, o);
		break;
	case OUT_TABLE:
		print_columns(t, o);
		break;
	}
}

static void out_add_col(const char *usage, struct out_opts *o, int col)
{
	if (o->ncols == MAX_OUT_COLS)
		usage_error(usage, "too many columns");
	o->cols[o->ncols++] = col;
}

/*
 * -o LIST: comma-separated column names, in any case; "+LIST" adds them
 * to @dflt.  An unknown name is a usage error.
 */
static void out_parse_cols(const char *usage, struct out_opts *o,
			   const char *arg, const struct col_def *defs,
			   int ndefs, const int *dflt, int ndflt)
{
	char *copy, *save = NULL, *name;
	int i;

	o->ncols = 0;
	if (*arg == '+') {
		for (i = 0; i < ndflt; i++)
			out_add_col(usage, o, dflt[i]);
		arg++;
	}
	copy = xstrdup(arg);
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ndefs; i++) {
			if (!strcasecmp(name, defs[i].name))
				break;
		}
		if (i == ndefs)
			usage_error(usage, "unknown column '%s'", name);
		out_add_col(usage, o, i);
	}
	free(copy);
	if (!o->ncols)
		usage_error(usage, "no columns given");
}

/* The output options of types and list, besides -J, -r, -n and -o. */
enum {
	OPT_OUTPUT_ALL = 0x100,
};

/*
 * Handle option @c if it is an output option; false if it is not one of them.  The
 * columns are only noted (in *@cols_arg, or all of them), to be parsed
 * when the defaults are known.
 */
static bool out_option(int c, struct out_opts *o, const char **cols_arg,
		       bool *all_cols)
{
	switch (c) {
	case 'J':
		o->mode = OUT_JSON;
		return true;
	case 'r':
		o->mode = OUT_RAW;
		return true;
	case 'n':
		o->headings = false;
		return true;
	case 'o':
		*cols_arg = optarg;
		*all_cols = false;
		return true;
	case OPT_OUTPUT_ALL:
		*all_cols = true;
		*cols_arg = NULL;
		return true;
	}
	return false;
}

static void out_set_cols(const char *usage, struct out_opts *o,
			 const char *cols_arg, bool all_cols,
			 const struct col_def *defs, int ndefs,
			 const int *dflt, int ndflt)
{
	int i;

	o->ncols = 0;
	if (cols_arg) {
		out_parse_cols(usage, o, cols_arg, defs, ndefs, dflt, ndflt);
	} else if (all_cols) {
		for (i = 0; i < ndefs; i++)
			out_add_col(usage, o, i);
	} else {
		for (i = 0; i < ndflt; i++)
			out_add_col(usage, o, dflt[i]);
	}
}

static bool out_has_col(const struct out_opts *o, int col)
{
	int i;

	for (i = 0; i < o->ncols; i++) {
		if (o->cols[i] == col)
			return true;
	}
	return false;
}

/*
 * xnsctl types
 */

/* The reference counts of the loaded modules, /sys/module/<name>/refcnt. */
struct modref {
	char name[NAME_LEN];
	long long refcnt;
};

struct modrefs {
	struct modref *v;
	size_t nr, alloc;
};

/* 0, or -1 if /sys/module cannot be read. */
static int modrefs_read(struct modrefs *m)
{
	char path[PROC_PATH_MAX], buf[32], *end;
	struct dirent *de;
	long long val;
	ssize_t len;
	DIR *dir;
	int fd;

	m->nr = 0;
	dir = opendir(SYS_MODULE_DIR);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN)
			continue;
		/* Built-in modules have no count, nor a kernel without unloading. */
		snprintf(path, sizeof(path), SYS_MODULE_DIR "/%.*s/refcnt",
			 NAME_LEN - 1, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		errno = 0;
		val = strtoll(buf, &end, 10);
		if (errno || end == buf || (*end && *end != '\n'))
			continue;
		if (m->nr == m->alloc) {
			m->alloc = m->alloc ? 2 * m->alloc : 64;
			m->v = xreallocarray(m->v, m->alloc, sizeof(*m->v));
		}
		snprintf(m->v[m->nr].name, NAME_LEN, "%.*s", NAME_LEN - 1,
			 de->d_name);
		m->v[m->nr].refcnt = val;
		m->nr++;
	}
	closedir(dir);
	return 0;
}

static long long modrefs_get(const struct modrefs *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nr; i++) {
		if (!strcmp(m->v[i].name, name))
			return m->v[i].refcnt;
	}
	return -1;
}

/* Candidate @i of type @t to open: its /proc/self/ns file, then by id. */
static int probe_open(const struct type_info *t, const __u64 *ids, size_t i)
{
	char path[PROC_PATH_MAX];

	if (i == 0) {
		ns_path(path, sizeof(path), 0, t->name);
		return open(path, O_RDONLY | O_CLOEXEC);
	}
	return open_ns_id(ids[i - 1]);
}

/*
 * Open candidate @i and close it again, reading the modules' counts
 * before, while it is open and after.  1 with the name in @name if exactly
 * one module went up by then and down again, 0 if none did, -1 if more did
 * (someone else took or dropped references meanwhile) or on failure.
 */
static int probe_measure(const struct type_info *t, const __u64 *ids, size_t i,
			 char *name)
{
	struct modrefs before = {}, during = {}, after = {};
	long long b, d, a;
	int fd, found = 0;
	size_t k;

	if (modrefs_read(&before))
		return -1;
	fd = probe_open(t, ids, i);
	if (fd < 0) {
		free(before.v);
		return 0;
	}
	modrefs_read(&during);
	close(fd);
	modrefs_read(&after);
	for (k = 0; k < during.nr; k++) {
		b = modrefs_get(&before, during.v[k].name);
		d = during.v[k].refcnt;
		a = modrefs_get(&after, during.v[k].name);
		if (b < 0 || a < 0 || d <= b || a >= d)
			continue;
		if (found) {
			found = -1;
			break;
		}
		memcpy(name, during.v[k].name, NAME_LEN);
		found = 1;
	}
	free(before.v);
	free(during.v);
	free(after.v);
	return found;
}

/* Candidates tried, tries of each while others disturb the counts. */
#define PROBE_CANDIDATES	8
#define PROBE_TRIES		3

/*
 * The module that registered @t, into @name (NAME_LEN bytes); -1 if it
 * cannot be told.  Nothing names it, but the kernel holds a reference on
 * the module for each nsfs inode of a namespace of the module's type
 * (patch 0001 of the series), and an nsfs inode lives from the first open
 * file of the namespace to the last.  So the module whose count goes up
 * while we hold the only open file of a namespace of @t, and down again
 * when we close it, is the one: seen twice in a row to be sure.  If the
 * namespace had an open file already nothing moves, and the next namespace
 * of @t that listns() shows is tried.
 */
static int probe_module(const struct type_info *t, char *name)
{
	char again[NAME_LEN];
	size_t nr = 0, i;
	__u64 *ids;
	int ret = 0, try;

	ids = list_ids(t->nstype, &nr);
	if (!ids)
		nr = 0;
	for (i = 0; i <= nr && i < PROBE_CANDIDATES; i++) {
		for (try = 0; try < PROBE_TRIES; try++) {
			ret = probe_measure(t, ids, i, name);
			/* Nothing moved: the inode was there already. */
			if (!ret)
				break;
			if (ret < 0)
				continue;
			if (probe_measure(t, ids, i, again) == 1 &&
			    !strcmp(name, again))
				break;
			ret = -1;
		}
		if (ret == 1)
			break;
	}
	free(ids);
	return ret == 1 ? 0 : -1;
}

enum { TC_TYPE, TC_NSTYPE, TC_MODULE, TC_COUNT, NR_TYPE_COLS };

static const struct col_def type_cols[NR_TYPE_COLS] = {
	[TC_TYPE] = { "TYPE", false, false },
	[TC_NSTYPE] = { "NSTYPE", true, true },
	[TC_MODULE] = { "MODULE", false, false },
	[TC_COUNT] = { "COUNT", true, false },
};

static const int type_default_cols[] = { TC_TYPE, TC_NSTYPE, TC_MODULE,
					 TC_COUNT };

static int cmd_types(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, OPT_OUTPUT_ALL },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct out_opts o = { .mode = OUT_TABLE, .headings = true };
	struct table t = { .defs = type_cols, .ndefs = NR_TYPE_COLS };
	const char *cols_arg = NULL;
	bool all_cols = false;
	char module[NAME_LEN];
	const struct type_info *ty;
	struct cell *row;
	size_t i, nr;
	__u64 *ids;
	int c;

	getopt_start(argv, PROG " types");
	while ((c = getopt_long(argc, argv, "Jrno:h", opts, NULL)) != -1) {
		if (out_option(c, &o, &cols_arg, &all_cols))
			continue;
		if (c == 'h')
			help(usage_types);
		usage_exit(usage_types);
	}
	if (optind < argc)
		usage_error(usage_types, "unexpected argument '%s'", argv[optind]);
	out_set_cols(usage_types, &o, cols_arg, all_cols, type_cols,
		     NR_TYPE_COLS, type_default_cols,
		     ARRAY_SIZE(type_default_cols));

	discover_types();
	for (i = 0; i < nr_types; i++) {
		ty = &types[i];
		row = table_add_row(&t);
		cell_str(&row[TC_TYPE], ty->name);
		cell_num(&row[TC_NSTYPE], ty->nstype);
		if (!out_has_col(&o, TC_MODULE) || type_builtin(ty))
			row[TC_MODULE].kind = CELL_NONE;
		else if (probe_module(ty, module))
			row[TC_MODULE].kind = CELL_UNKNOWN;
		else
			cell_str(&row[TC_MODULE], module);
		ids = list_ids(ty->nstype, &nr);
		if (ids)
			cell_num(&row[TC_COUNT], nr);
		free(ids);
	}
	print_table(&t, &o, "types");
	table_free(&t);
	return EXIT_SUCCESS;
}

/*
 * xnsctl list
 */

struct ns_entry {
	__u64 id;
	__u32 inum;
	const struct type_info *type;
	/* What the namespace file told, each NONE if not known. */
	unsigned long long parent, parent_inum, owner, owner_inum, owner_uid;
	unsigned long long labels;
	unsigned int nprocs;
	pid_t pid;		/* lowest member, 0 if none */
	char *mnt;		/* a bind mount of it, or NULL */
};

struct list_ctx {
	struct ns_entry *v;
	size_t nr, alloc;
	const struct type_sel *sel;
	bool want_labels;
	int devfd;		/* /dev/xns, or -1 */
	__u32 self_xns;		/* inode of the caller's xns, or 0 */
};

static struct ns_entry *find_id(struct list_ctx *ctx, __u64 id)
{
	size_t i;

	for (i = 0; i < ctx->nr; i++) {
		if (ctx->v[i].id == id)
			return &ctx->v[i];
	}
	return NULL;
}

static struct ns_entry *find_inum(struct list_ctx *ctx,
				  const struct type_info *t, __u32 inum)
{
	size_t i;

	for (i = 0; i < ctx->nr; i++) {
		if (ctx->v[i].inum == inum && ctx->v[i].type == t)
			return &ctx->v[i];
	}
	return NULL;
}

struct labels_msg {
	int err;
	__u32 nr_labels;
};

/* How many labels the xns of @nsfd has: from a child inside it. */
static unsigned long long count_labels(int nsfd, int devfd)
{
	struct labels_msg msg = { .err = EIO };
	struct xns_info info;
	int pipefd[2], status;
	ssize_t len;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return NONE;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return NONE;
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
		return NONE;
	return msg.nr_labels;
}

/* Parent and owner of the namespace of @fd, as far as the caller may know. */
static void entry_fill(struct list_ctx *ctx, struct ns_entry *e, int fd)
{
	struct xns_info info;
	struct stat st;
	int pfd, ufd;
	__u64 id;
	uid_t uid;

	/*
	 * EPERM for an initial namespace and outside the caller's subtree,
	 * EINVAL for a type whose namespaces do not nest.
	 */
	pfd = ioctl(fd, NS_GET_PARENT);
	if (pfd >= 0) {
		if (!ioctl(pfd, NS_GET_ID, &id))
			e->parent = id;
		if (!fstat(pfd, &st))
			e->parent_inum = st.st_ino;
		close(pfd);
	}
	/* EPERM if the owning user namespace is outside the caller's. */
	ufd = ioctl(fd, NS_GET_USERNS);
	if (ufd >= 0) {
		if (!ioctl(ufd, NS_GET_ID, &id))
			e->owner = id;
		if (!fstat(ufd, &st))
			e->owner_inum = st.st_ino;
		if (!ioctl(ufd, NS_GET_OWNER_UID, &uid))
			e->owner_uid = uid;
		close(ufd);
	}
	if (!ctx->want_labels || e->type->nstype != XNS_NS_TYPE ||
	    ctx->devfd < 0)
		return;
	if (e->inum == ctx->self_xns) {
		memset(&info, 0, sizeof(info));
		if (!ioctl(ctx->devfd, XNS_IOC_GET_INFO, &info) &&
		    info.inum == ctx->self_xns)
			e->labels = info.nr_labels;
	} else {
		e->labels = count_labels(fd, ctx->devfd);
	}
}

/*
 * The entry of the namespace of @fd, added if it is new and of a selected
 * type; NULL if it is not, or cannot be told.  Entries are kept by id.
 */
static struct ns_entry *entry_of_fd(struct list_ctx *ctx, int fd)
{
	const struct type_info *t;
	struct ns_entry *e;
	struct stat st;
	__u64 id;

	if (ioctl(fd, NS_GET_ID, &id) || fstat(fd, &st))
		return NULL;
	e = find_id(ctx, id);
	if (e)
		return e;
	t = type_of_nstype(ioctl(fd, NS_GET_NSTYPE));
	if (!t || !ctx->sel->on[t - types])
		return NULL;
	if (ctx->nr == ctx->alloc) {
		ctx->alloc = ctx->alloc ? 2 * ctx->alloc : 32;
		ctx->v = xreallocarray(ctx->v, ctx->alloc, sizeof(*ctx->v));
	}
	e = &ctx->v[ctx->nr++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->inum = st.st_ino;
	e->type = t;
	e->parent = NONE;
	e->parent_inum = NONE;
	e->owner = NONE;
	e->owner_inum = NONE;
	e->owner_uid = NONE;
	e->labels = NONE;
	entry_fill(ctx, e, fd);
	return e;
}

/* Every namespace listns() shows, opened by id. */
static void scan_listns(struct list_ctx *ctx)
{
	size_t nr, i;
	__u64 *ids;
	int fd;

	ids = list_ids(type_sel_mask(ctx->sel), &nr);
	if (!ids) {
		/* E.g. an older kernel: what processes and mounts show. */
		warn("listns");
		return;
	}
	for (i = 0; i < nr; i++) {
		/* ESTALE: gone since it was listed. */
		fd = open_ns_id(ids[i]);
		if (fd < 0)
			continue;
		entry_of_fd(ctx, fd);
		close(fd);
	}
	free(ids);
}

/* The namespaces of the processes, in /proc/<pid>/ns/<type>. */
static void scan_procs(struct list_ctx *ctx)
{
	char path[PROC_PATH_MAX];
	const struct type_info *t;
	struct ns_entry *e;
	struct dirent *de;
	struct stat st;
	__u32 inum;
	size_t i;
	pid_t pid;
	DIR *dir;
	int fd;

	dir = opendir("/proc");
	if (!dir)
		err(EXIT_FAILURE, "cannot open /proc");
	while ((de = readdir(dir))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid <= 0)
			continue;
		for (i = 0; i < ctx->sel->nr; i++) {
			t = ctx->sel->order[i];
			ns_path(path, sizeof(path), pid, t->name);
			/* Gone, or not ours to look at (EACCES): skip it. */
			if (read_ns_link(path, t->name, &inum))
				continue;
			e = find_inum(ctx, t, inum);
			if (!e) {
				fd = open(path, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					continue;
				if (!fstat(fd, &st) && st.st_ino == inum)
					e = entry_of_fd(ctx, fd);
				close(fd);
				if (!e)
					continue;
			}
			e->nprocs++;
			if (!e->pid || pid < e->pid)
				e->pid = pid;
		}
	}
	closedir(dir);
}

static void scan_mount(const char *type, __u32 inum, const char *mnt,
		       void *arg)
{
	struct list_ctx *ctx = arg;
	const struct type_info *t = find_type(type);
	struct ns_entry *e;
	struct stat st;
	int fd;

	if (!t || !ctx->sel->on[t - types])
		return;
	e = find_inum(ctx, t, inum);
	if (!e) {
		fd = open(mnt, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return;
		/* Not mounted over since mountinfo was read. */
		if (!fstat(fd, &st) && st.st_ino == inum)
			e = entry_of_fd(ctx, fd);
		close(fd);
		if (!e)
			return;
	}
	if (!e->mnt)
		e->mnt = xstrdup(mnt);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct ns_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The name of user @uid from /etc/passwd, else the number. */
static void user_name(uid_t uid, char *buf, size_t size)
{
	char *line = NULL, *colon, *end;
	size_t len = 0;
	unsigned long val;
	FILE *f;

	snprintf(buf, size, "%u", (unsigned int)uid);
	f = fopen("/etc/passwd", "re");
	if (!f)
		return;
	while (getline(&line, &len, f) > 0) {
		/* name:password:uid:... */
		colon = strchr(line, ':');
		if (!colon)
			continue;
		colon = strchr(colon + 1, ':');
		if (!colon || colon[1] < '0' || colon[1] > '9')
			continue;
		errno = 0;
		val = strtoul(colon + 1, &end, 10);
		if (errno || *end != ':' || val != uid)
			continue;
		*strchr(line, ':') = '\0';
		snprintf(buf, size, "%s", line);
		break;
	}
	free(line);
	fclose(f);
}

enum {
	LC_NS, LC_INUM, LC_TYPE, LC_NPROCS, LC_PID, LC_UID, LC_USER,
	LC_COMMAND, LC_PARENT, LC_OWNER, LC_PNS, LC_ONS, LC_OUID, LC_NSFS,
	LC_LABELS, NR_LIST_COLS
};

static const struct col_def list_cols[NR_LIST_COLS] = {
	[LC_NS] = { "NS", true, false },
	[LC_INUM] = { "INUM", true, false },
	[LC_TYPE] = { "TYPE", false, false },
	[LC_NPROCS] = { "NPROCS", true, false },
	[LC_PID] = { "PID", true, false },
	[LC_UID] = { "UID", true, false },
	[LC_USER] = { "USER", false, false },
	[LC_COMMAND] = { "COMMAND", false, false },
	[LC_PARENT] = { "PARENT", true, false },
	[LC_OWNER] = { "OWNER", true, false },
	[LC_PNS] = { "PNS", true, false },
	[LC_ONS] = { "ONS", true, false },
	[LC_OUID] = { "OUID", true, false },
	[LC_NSFS] = { "NSFS", false, false },
	[LC_LABELS] = { "LABELS", true, false },
};

/* The default columns; LABELS only when xns namespaces are listed. */
static const int list_default_cols[] = {
	LC_NS, LC_INUM, LC_TYPE, LC_NPROCS, LC_PID, LC_USER, LC_COMMAND,
	LC_PARENT, LC_OWNER, LC_LABELS,
};

static void entry_row(const struct ns_entry *e, struct cell *row)
{
	char path[PROC_PATH_MAX], comm[64], name[64];
	struct stat st;
	FILE *f;

	cell_num(&row[LC_NS], e->id);
	cell_num(&row[LC_INUM], e->inum);
	cell_str(&row[LC_TYPE], e->type->name);
	cell_num(&row[LC_NPROCS], e->nprocs);
	cell_num(&row[LC_PARENT], e->parent);
	cell_num(&row[LC_OWNER], e->owner);
	cell_num(&row[LC_PNS], e->parent_inum);
	cell_num(&row[LC_ONS], e->owner_inum);
	cell_num(&row[LC_OUID], e->owner_uid);
	cell_str(&row[LC_NSFS], e->mnt);
	cell_num(&row[LC_LABELS], e->labels);
	if (!e->pid)
		return;
	cell_num(&row[LC_PID], e->pid);
	snprintf(path, sizeof(path), "/proc/%d", e->pid);
	if (!stat(path, &st)) {
		cell_num(&row[LC_UID], st.st_uid);
		user_name(st.st_uid, name, sizeof(name));
		cell_str(&row[LC_USER], name);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", e->pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			cell_str(&row[LC_COMMAND], comm);
		}
		fclose(f);
	}
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "output-all", no_argument, NULL, OPT_OUTPUT_ALL },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct out_opts o = { .mode = OUT_TABLE, .headings = true };
	struct table t = { .defs = list_cols, .ndefs = NR_LIST_COLS };
	struct list_ctx ctx = { .devfd = -1 };
	const struct type_info *xns;
	const char *cols_arg = NULL;
	bool all_cols = false;
	size_t nr_type_args = 0, i;
	char **type_args;
	struct type_sel sel;
	struct stat st;
	int c, ndflt;

	type_args = xcalloc(argc, sizeof(*type_args));
	getopt_start(argv, PROG " list");
	while ((c = getopt_long(argc, argv, "t:T:Jrno:h", opts, NULL)) != -1) {
		if (out_option(c, &o, &cols_arg, &all_cols))
			continue;
		switch (c) {
		case 't':
		case 'T':
			type_args[nr_type_args++] = optarg;
			break;
		case 'h':
			help(usage_list);
		default:
			usage_exit(usage_list);
		}
	}
	if (optind < argc)
		usage_error(usage_list, "unexpected argument '%s'", argv[optind]);

	type_sel_args(&sel, type_args, nr_type_args, sel_all);
	free(type_args);
	xns = find_type(XNS_NAME);
	ndflt = ARRAY_SIZE(list_default_cols);
	if (!xns || xns->nstype != XNS_NS_TYPE || !sel.on[xns - types])
		ndflt--;	/* LABELS */
	out_set_cols(usage_list, &o, cols_arg, all_cols, list_cols,
		     NR_LIST_COLS, list_default_cols, ndflt);

	ctx.sel = &sel;
	ctx.want_labels = out_has_col(&o, LC_LABELS) && xns &&
			  xns->nstype == XNS_NS_TYPE && sel.on[xns - types];
	if (ctx.want_labels) {
		/* Without it (not allowed to open) the labels are unknown. */
		ctx.devfd = open(XNS_DEV, O_RDWR | O_CLOEXEC);
		if (!stat(PROC_NS_DIR "/" XNS_NAME, &st))
			ctx.self_xns = st.st_ino;
	}

	if (sel.nr) {
		scan_listns(&ctx);
		scan_procs(&ctx);
		walk_ns_mounts(scan_mount, &ctx);
	}
	if (ctx.devfd >= 0)
		close(ctx.devfd);
	if (ctx.nr)
		qsort(ctx.v, ctx.nr, sizeof(*ctx.v), entry_cmp);

	for (i = 0; i < ctx.nr; i++)
		entry_row(&ctx.v[i], table_add_row(&t));
	print_table(&t, &o, "namespaces");

	table_free(&t);
	for (i = 0; i < ctx.nr; i++)
		free(ctx.v[i].mnt);
	free(ctx.v);
	type_sel_free(&sel);
	return EXIT_SUCCESS;
}

/*
 * xnsctl unshare
 */

static int cmd_unshare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char path[PROC_PATH_MAX], **type_args;
	size_t nr_type_args = 0, i;
	const struct type_info *t;
	struct xns_label *labels;
	struct type_sel sel;
	int nr_labels = 0, devfd = -1, nsfd, *child, c, j;
	bool want_xns = false;
	char *eq;

	labels = xcalloc(argc, sizeof(*labels));
	type_args = xcalloc(argc, sizeof(*type_args));
	getopt_start(argv, PROG " unshare");
	while ((c = getopt_long(argc, argv, "+t:T:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'T':
			type_args[nr_type_args++] = optarg;
			break;
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

	type_sel_init(&sel);
	for (i = 0; i < nr_type_args; i++)
		type_sel_parse(&sel, type_args[i]);
	if (!nr_type_args) {
		t = find_type(XNS_NAME);
		if (!t)
			errx(EXIT_FAILURE, "unknown namespace type '%s'", XNS_NAME);
		type_sel_add(&sel, t);
	}
	free(type_args);
	for (i = 0; i < sel.nr; i++)
		want_xns |= sel.order[i]->nstype == XNS_NS_TYPE;
	if (nr_labels && !want_xns)
		usage_error(usage_unshare, "--label needs a new namespace of type "
			    XNS_NAME);

	/* The labels are set through /dev/xns: fail before creating anything. */
	if (nr_labels)
		devfd = open_dev();
	/*
	 * A new child of each of our namespaces, made through the namespace's
	 * file (NS_CREATE_CHILD: EPERM without CAP_SYS_ADMIN, ENOSPC at a
	 * limit, EOPNOTSUPP for a built-in type); the file of the child holds
	 * it until we are in.  Nothing is entered before all are made.
	 */
	child = xcalloc(sel.nr, sizeof(*child));
	for (i = 0; i < sel.nr; i++) {
		t = sel.order[i];
		snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", t->name);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			err(EXIT_FAILURE, "cannot open %s", path);
		child[i] = ioctl(nsfd, NS_CREATE_CHILD);
		if (child[i] < 0)
			err(EXIT_FAILURE, "unshare %s", t->name);
		close(nsfd);
	}
	for (i = 0; i < sel.nr; i++) {
		if (setns(child[i], sel.order[i]->nstype))
			err(EXIT_FAILURE, "unshare %s: setns", sel.order[i]->name);
		close(child[i]);
	}
	free(child);
	type_sel_free(&sel);
	for (j = 0; j < nr_labels; j++) {
		if (ioctl(devfd, XNS_IOC_LABEL_SET, &labels[j]))
			err(EXIT_FAILURE, "label set %s", labels[j].key);
	}
	if (devfd >= 0)
		close(devfd);
	free(labels);
	exec_program(argv + optind);
}

/*
 * xnsctl enter
 */

/* Is process @pid in the caller's own namespace of type @t? */
static bool same_ns(pid_t pid, const struct type_info *t)
{
	char path[PROC_PATH_MAX];
	struct stat mine, theirs;

	ns_path(path, sizeof(path), 0, t->name);
	if (stat(path, &mine))
		return false;
	ns_path(path, sizeof(path), pid, t->name);
	if (stat(path, &theirs))
		return false;
	return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
}

/*
 * Enter the namespaces of @pid of the types in @sel at once, with
 * setns() on a pidfd: all or nothing.  Types in which it is in our own
 * namespace are left out, as nsenter --all leaves out the user namespace
 * (setns() refuses to enter one's own user namespace).
 */
static void enter_pid(pid_t pid, const struct type_sel *sel)
{
	__u32 mask = 0;
	size_t i;
	int pidfd;

	pidfd = syscall(__NR_pidfd_open, pid, 0);
	if (pidfd < 0)
		err(EXIT_FAILURE, "cannot open process %d", pid);
	for (i = 0; i < sel->nr; i++) {
		if (!same_ns(pid, sel->order[i]))
			mask |= sel->order[i]->nstype;
	}
	if (mask && setns(pidfd, mask))
		err(EXIT_FAILURE, "setns");
	close(pidfd);
}

struct enter_target {
	const char *path;	/* or NULL: by id */
	__u64 id;
};

static int cmd_enter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "type", required_argument, NULL, 'T' },
		{ "all", no_argument, NULL, 'a' },
		{ "path", required_argument, NULL, 'p' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	size_t nr_type_args = 0, nr_targets = 0, i;
	struct enter_target *targets;
	char **type_args, what[32];
	const char *name;
	struct type_sel sel;
	bool all = false;
	int *fds, nstype, c;
	pid_t pid = 0;

	type_args = xcalloc(argc, sizeof(*type_args));
	targets = xcalloc(argc, sizeof(*targets));
	getopt_start(argv, PROG " enter");
	while ((c = getopt_long(argc, argv, "+t:T:ap:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			pid = parse_pid(usage_enter, optarg);
			break;
		case 'T':
			type_args[nr_type_args++] = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'p':
			targets[nr_targets++].path = optarg;
			break;
		case 'i':
			targets[nr_targets++].id = parse_ns_id(usage_enter, optarg);
			break;
		case 'h':
			help(usage_enter);
		default:
			usage_exit(usage_enter);
		}
	}
	if (pid && nr_targets)
		usage_error(usage_enter, "--target excludes --path and --id");
	if (!pid && !nr_targets)
		usage_error(usage_enter, "one of --target, --path and --id is needed");
	if (all && !pid)
		usage_error(usage_enter, "--all needs --target");
	if (all && nr_type_args)
		usage_error(usage_enter, "--all and --type are mutually exclusive");

	if (pid) {
		type_sel_args(&sel, type_args, nr_type_args,
			      all ? sel_all : sel_module);
		if (!sel.nr)
			errx(EXIT_FAILURE, "no namespace type to enter: no module registered one");
		enter_pid(pid, &sel);
	} else {
		/* Check all before entering any. */
		type_sel_args(&sel, type_args, nr_type_args, NULL);
		fds = xcalloc(nr_targets, sizeof(*fds));
		for (i = 0; i < nr_targets; i++) {
			if (targets[i].path) {
				name = targets[i].path;
				fds[i] = open_ns_file(name, &nstype);
			} else {
				snprintf(what, sizeof(what), "namespace %llu",
					 (unsigned long long)targets[i].id);
				name = what;
				fds[i] = open_ns_id_or_die(targets[i].id);
				nstype = fd_nstype(fds[i], name);
			}
			check_type(&sel, nstype, name);
		}
		for (i = 0; i < nr_targets; i++) {
			if (setns(fds[i], 0))
				err(EXIT_FAILURE, "setns");
			close(fds[i]);
		}
		free(fds);
	}
	type_sel_free(&sel);
	free(type_args);
	free(targets);
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
		keys = xcalloc(room, sizeof(*keys));
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
		ns_path(proc_path, sizeof(proc_path), pid, XNS_NAME);
		path = proc_path;
	}
	if (path)
		nsfd = open_xns_file(path);
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
 * xnsctl pin, xnsctl unpin
 */

static int cmd_pin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "type", required_argument, NULL, 'T' },
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	char src[PROC_PATH_MAX], fd_path[PROC_PATH_MAX];
	const char *path, *type_arg = NULL;
	const struct type_info *t;
	struct type_sel sel;
	bool created = false;
	int nsfd, fd, c, saved, nstype;
	__u64 id = 0;
	pid_t pid = 0;

	getopt_start(argv, PROG " pin");
	while ((c = getopt_long(argc, argv, "t:T:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			pid = parse_pid(usage_pin, optarg);
			break;
		case 'T':
			type_arg = optarg;
			break;
		case 'i':
			id = parse_ns_id(usage_pin, optarg);
			break;
		case 'h':
			help(usage_pin);
		default:
			usage_exit(usage_pin);
		}
	}
	if (argc - optind != 1)
		usage_error(usage_pin, "pin takes exactly one <path>");
	if (id && pid)
		usage_error(usage_pin, "--id and --target are mutually exclusive");
	path = argv[optind];

	type_sel_init(&sel);
	if (id) {
		if (type_arg)
			type_sel_parse(&sel, type_arg);
		snprintf(src, sizeof(src), "namespace %llu",
			 (unsigned long long)id);
		nsfd = open_ns_id_or_die(id);
		check_type(&sel, fd_nstype(nsfd, src), src);
	} else {
		t = find_type(type_arg ? type_arg : XNS_NAME);
		if (!t)
			errx(EXIT_FAILURE, "unknown namespace type '%s'",
			     type_arg ? type_arg : XNS_NAME);
		type_sel_add(&sel, t);
		ns_path(src, sizeof(src), pid, t->name);
		nsfd = open_ns_file(src, &nstype);
		check_type(&sel, nstype, src);
	}
	type_sel_free(&sel);

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

/* The mount points of bind mounts of one namespace. */
struct pins {
	const char *type;
	__u32 inum;
	char **mnt;
	size_t nr;
};

static void find_pin(const char *type, __u32 inum, const char *mnt, void *arg)
{
	struct pins *p = arg;

	if (inum != p->inum || strcmp(type, p->type))
		return;
	p->mnt = xreallocarray(p->mnt, p->nr + 1, sizeof(*p->mnt));
	p->mnt[p->nr++] = xstrdup(mnt);
}

/* Unmount every bind mount of the namespace @id; the exit status. */
static int unpin_id(__u64 id)
{
	struct pins p = {};
	const struct type_info *t;
	int fd, mfd, ret = EXIT_SUCCESS;
	char what[32];
	struct stat st;
	size_t i;

	snprintf(what, sizeof(what), "namespace %llu", (unsigned long long)id);
	fd = open_ns_id_or_die(id);
	if (fstat(fd, &st))
		err(EXIT_FAILURE, "%s: fstat", what);
	discover_types();
	t = type_of_nstype(fd_nstype(fd, what));
	if (!t)
		errx(EXIT_FAILURE, "%s: of a type not in %s", what, PROC_NS_DIR);
	p.type = t->name;
	p.inum = st.st_ino;
	walk_ns_mounts(find_pin, &p);
	if (!p.nr)
		errx(EXIT_FAILURE, "%s: not pinned in this mount namespace", what);
	/* Last mounted first: it is the one on top where they are stacked. */
	for (i = p.nr; i-- > 0;) {
		mfd = open(p.mnt[i], O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (mfd < 0 || fstat(mfd, &st) || st.st_ino != p.inum ||
		    ioctl(mfd, NS_GET_NSTYPE) != (int)t->nstype) {
			if (mfd >= 0)
				close(mfd);
			continue;
		}
		close(mfd);
		if (umount2(p.mnt[i], 0)) {
			warn("umount %s", p.mnt[i]);
			ret = EXIT_FAILURE;
		}
	}
	for (i = 0; i < p.nr; i++)
		free(p.mnt[i]);
	free(p.mnt);
	close(fd);
	return ret;
}

static int cmd_unpin(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *path;
	__u64 id = 0;
	int fd, c;

	getopt_start(argv, PROG " unpin");
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			id = parse_ns_id(usage_unpin, optarg);
			break;
		case 'h':
			help(usage_unpin);
		default:
			usage_exit(usage_unpin);
		}
	}
	if (id) {
		if (optind < argc)
			usage_error(usage_unpin, "unpin takes a <path> or --id, not both");
		return unpin_id(id);
	}
	if (argc - optind != 1)
		usage_error(usage_unpin, "unpin takes exactly one <path>");
	path = argv[optind];

	/* Unmount nothing but a namespace file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		err(EXIT_FAILURE, "cannot open %s", path);
	if (ioctl(fd, NS_GET_NSTYPE) < 0)
		errx(EXIT_FAILURE, "%s: no namespace is pinned there", path);
	close(fd);
	if (umount2(path, 0))
		err(EXIT_FAILURE, "umount %s", path);
	return EXIT_SUCCESS;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "types", cmd_types },
	{ "list", cmd_list },
	{ "unshare", cmd_unshare },
	{ "enter", cmd_enter },
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
