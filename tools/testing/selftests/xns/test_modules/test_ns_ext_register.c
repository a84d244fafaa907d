// SPDX-License-Identifier: GPL-2.0
/*
 * Registers one namespace type, made malformed as the "reg_case" parameter
 * names, so that xns_module_test can check the errno with which
 * ns_ext_type_register() refuses it.  The errno is left in the read-only
 * "result" parameter rather than returned from init: the module loader
 * turns an init's -EEXIST into -EBUSY.  With reg_case=ok the type is well
 * formed, and is registered and unregistered again (result 0).
 *
 * Writing 1 to the "early_unregister" parameter, once the module is live,
 * checks what the core does when a type is unregistered while one of its
 * namespaces is still referenced; "result" is then 0, or the number of
 * the first step that went wrong.
 */
#include <linux/module.h>
#include <linux/ns_common.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#define TEST_NS_TYPE	0x00000008	/* a CSIGNAL bit no test type uses */

static char *reg_case = "ok";
module_param(reg_case, charp, 0);
MODULE_PARM_DESC(reg_case, "which malformed registration to try");

static int result = 1;
module_param(result, int, 0444);
MODULE_PARM_DESC(result, "what ns_ext_type_register() returned");

/* The namespaces of the type have no data: the core frees what it allocated. */
struct test_ns {
	struct ns_common ns;	/* first: the core frees the allocation */
};

static atomic_t nr_released = ATOMIC_INIT(0);

/* get() and install() are never called: no task uses the type. */
static struct ns_common *test_get(struct task_struct *task)
{
	return NULL;
}

static int test_install(struct nsset *nsset, struct ns_common *ns)
{
	return -EPERM;
}

static struct user_namespace *test_owner(struct ns_common *ns)
{
	return &init_user_ns;
}

static void test_put(struct ns_common *ns)
{
}

static struct ns_common *test_release(struct ns_common *ns)
{
	atomic_inc(&nr_released);
	return NULL;
}

static struct proc_ns_operations test_ops = {
	.name		= "ns_ext_test",
	.get		= test_get,
	.put		= ns_ext_ns_put,
	.install	= test_install,
	.owner		= test_owner,
	.module		= THIS_MODULE,
};

static struct ns_ext_type test_type = {
	.ops		= &test_ops,
	.release	= test_release,
	.ns_type	= TEST_NS_TYPE,
};

/* Makes @test_type malformed as @name says; false for an unknown @name. */
static bool make_case(const char *name)
{
	if (!strcmp(name, "ok"))
		return true;
	if (!strcmp(name, "no-owner"))
		test_ops.owner = NULL;
	else if (!strcmp(name, "own-put"))
		test_ops.put = test_put;
	else if (!strcmp(name, "no-release"))
		test_type.release = NULL;
	else if (!strcmp(name, "empty-name"))
		test_ops.name = "";
	else if (!strcmp(name, "slash-name"))
		test_ops.name = "ns/ext";
	else if (!strcmp(name, "dot-name"))
		test_ops.name = ".";
	else if (!strcmp(name, "dotdot-name"))
		test_ops.name = "..";
	else if (!strcmp(name, "long-name"))	/* NS_EXT_NAME_MAX + 1 */
		test_ops.name = "ns_ext_test_name_of_33_characters";
	else if (!strcmp(name, "builtin-name"))
		test_ops.name = "uts";
	else if (!strcmp(name, "builtin-name-children"))
		test_ops.name = "pid_for_children";
	else if (!strcmp(name, "xns-name"))
		test_ops.name = "xns";
	else if (!strcmp(name, "zero-type"))
		test_type.ns_type = 0;
	else if (!strcmp(name, "two-bits"))
		test_type.ns_type = 0x18;
	else if (!strcmp(name, "clone-bit"))
		test_type.ns_type = CLONE_NEWUTS;
	else if (!strcmp(name, "xns-type"))
		test_type.ns_type = 0x40;
	else
		return false;
	return true;
}

static struct ns_common *test_ns_alloc(void)
{
	struct test_ns *t = kzalloc(sizeof(*t), GFP_KERNEL);

	return t ? &t->ns : NULL;
}

/*
 * Unregisters the type while a namespace of it is referenced: the slot,
 * the ns_type and the operations stay taken, and the module pinned, until
 * that namespace is freed, and then the type registers again.
 */
static int early_unregister(void)
{
	int released = atomic_read(&nr_released);
	int refs = module_refcount(THIS_MODULE);
	struct ns_common *init_ns, *ns;

	init_ns = test_ns_alloc();
	ns = test_ns_alloc();
	if (!init_ns || !ns)
		return 1;
	test_type.init_ns = init_ns;
	if (ns_ext_type_register(&test_type))
		return 2;
	if (ns_ext_ns_init(ns, &test_type))
		return 3;
	if (module_refcount(THIS_MODULE) != refs + 1)
		return 4;
	ns_ext_type_unregister(&test_type);
	/* The initial namespace had only the registration's reference. */
	if (atomic_read(&nr_released) != released + 1)
		return 5;
	init_ns = test_ns_alloc();
	if (!init_ns)
		return 6;
	test_type.init_ns = init_ns;
	if (ns_ext_type_register(&test_type) != -EEXIST)
		return 7;
	ns_ext_ns_put(ns);
	if (atomic_read(&nr_released) != released + 2 ||
	    module_refcount(THIS_MODULE) != refs)
		return 8;
	/* The last namespace is gone: the type may come back. */
	if (ns_ext_type_register(&test_type))
		return 9;
	ns_ext_type_unregister(&test_type);
	return atomic_read(&nr_released) == released + 3 ? 0 : 10;
}

static int early_unregister_set(const char *val, const struct kernel_param *kp)
{
	result = early_unregister();
	return 0;
}

static const struct kernel_param_ops early_unregister_ops = {
	.set	= early_unregister_set,
};
module_param_cb(early_unregister, &early_unregister_ops, NULL, 0200);
MODULE_PARM_DESC(early_unregister, "write 1: unregister with a namespace left");

static int __init test_ns_ext_register_init(void)
{
	struct ns_common *init_ns;

	if (!make_case(reg_case))
		return -EBADRQC;	/* not a case this module knows */
	init_ns = test_ns_alloc();
	if (!init_ns)
		return -ENOMEM;
	test_type.init_ns = init_ns;
	result = ns_ext_type_register(&test_type);
	if (result) {
		/* A refused type's initial namespace is left to us. */
		kfree(init_ns);
		return 0;
	}
	ns_ext_type_unregister(&test_type);
	return 0;
}

static void __exit test_ns_ext_register_exit(void)
{
}

module_init(test_ns_ext_register_init);
module_exit(test_ns_ext_register_exit);
MODULE_DESCRIPTION("Namespace type registrations, for xns_module_test");
MODULE_LICENSE("GPL");
