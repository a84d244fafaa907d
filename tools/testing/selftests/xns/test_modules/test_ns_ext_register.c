// SPDX-License-Identifier: GPL-2.0
/*
 * Registers one namespace type, made malformed as the "reg_case" parameter
 * names, so that xns_module_test can check the errno with which
 * ns_ext_type_register() refuses it.  The errno is left in the read-only
 * "result" parameter rather than returned from init: the module loader
 * turns an init's -EEXIST into -EBUSY.  With reg_case=ok the type is well
 * formed, and is registered and unregistered again (result 0).
 */
#include <linux/module.h>
#include <linux/ns_common.h>
#include <linux/nsproxy.h>
#include <linux/nstree.h>
#include <linux/proc_ns.h>
#include <linux/user_namespace.h>

#define TEST_NS_TYPE	0x00000008	/* a CSIGNAL bit no test type uses */

static char *reg_case = "ok";
module_param(reg_case, charp, 0);
MODULE_PARM_DESC(reg_case, "which malformed registration to try");

static int result = 1;
module_param(result, int, 0444);
MODULE_PARM_DESC(result, "what ns_ext_type_register() returned");

/* The ops are never called: no namespace of the type is ever used. */
static struct ns_common *test_get(struct task_struct *task)
{
	return NULL;
}

static void test_put(struct ns_common *ns)
{
}

static int test_install(struct nsset *nsset, struct ns_common *ns)
{
	return -EPERM;
}

static struct user_namespace *test_owner(struct ns_common *ns)
{
	return &init_user_ns;
}

static struct proc_ns_operations test_ops = {
	.name		= "ns_ext_test",
	.get		= test_get,
	.put		= test_put,
	.install	= test_install,
	.owner		= test_owner,
	.module		= THIS_MODULE,
};

static struct ns_common test_init_ns;

static struct ns_ext_type test_type = {
	.ops		= &test_ops,
	.init_ns	= &test_init_ns,
};

/* Makes @test_type malformed as @name says; false for an unknown @name. */
static bool make_case(const char *name, u32 *ns_type, u64 *id)
{
	if (!strcmp(name, "ok"))
		return true;
	if (!strcmp(name, "no-owner"))
		test_ops.owner = NULL;
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
		*ns_type = 0;
	else if (!strcmp(name, "two-bits"))
		*ns_type = 0x18;
	else if (!strcmp(name, "clone-bit"))
		*ns_type = CLONE_NEWUTS;
	else if (!strcmp(name, "xns-type"))
		*ns_type = 0x40;
	else if (!strcmp(name, "no-id"))
		*id = 0;
	else if (!strcmp(name, "init-id"))
		*id = UTS_NS_INIT_ID;
	else
		return false;
	return true;
}

static int __init test_ns_ext_register_init(void)
{
	u32 ns_type = TEST_NS_TYPE;
	u64 id = 1;	/* a generated one */
	int ret;

	if (!make_case(reg_case, &ns_type, &id))
		return -EBADRQC;	/* not a case this module knows */
	/* The type is set afterwards: __ns_common_init() checks CLONE_NEW* ops. */
	ret = __ns_common_init(&test_init_ns, TEST_NS_TYPE, &test_ops, 0);
	if (ret)
		return ret;
	test_init_ns.ns_type = ns_type;
	if (id == 1)
		__ns_tree_gen_id(&test_init_ns, 0);
	else
		test_init_ns.ns_id = id;
	result = ns_ext_type_register(&test_type);
	if (!result)
		ns_ext_type_unregister(&test_type);
	__ns_common_free(&test_init_ns);
	return 0;
}

static void __exit test_ns_ext_register_exit(void)
{
}

module_init(test_ns_ext_register_init);
module_exit(test_ns_ext_register_exit);
MODULE_DESCRIPTION("Malformed namespace type registrations, for xns_module_test");
MODULE_LICENSE("GPL");
