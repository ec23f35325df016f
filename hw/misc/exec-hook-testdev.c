/*
 * exec-hook-testdev: a user of the execution-hook API for tests.  It hooks
 * up to five guest-virtual sites, checks the RBX value the test guest sets
 * before each site, and shows counters as QOM properties.
 *
 *   -device exec-hook-testdev,site0=ADDR,site1=ADDR,magic=M[,step=...]
 *   qom-set armed true    (arms every site on every vCPU, or on vcpu=N)
 *   qom-get site0-hits, site0-bad, hook-exits, step-method, ...
 *
 * At hit k (from 1) of site i the guest is expected to hold
 * EBX = magic + (i << 20) + k, so a missed or doubled hit shows up; with
 * expect-insn the first two bytes at the site (little-endian) are read
 * from the callback through the vCPU's own MMU and checked too.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/atomic.h"
#include "qemu/module.h"
#include "hw/core/cpu.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "exec/cpu-common.h"
#include "system/hw_accel.h"
#include "exec/exec-hook-backend.h"

#define TYPE_EXEC_HOOK_TESTDEV "exec-hook-testdev"
OBJECT_DECLARE_SIMPLE_TYPE(ExecHookTestDev, EXEC_HOOK_TESTDEV)

#define EXEC_HOOK_TESTDEV_SITES 5

typedef struct ExecHookTestSite {
    ExecHookTestDev *dev;
    int index;
    ExecHook *hook;
    uint64_t seen;
    uint64_t bad;
} ExecHookTestSite;

struct ExecHookTestDev {
    DeviceState parent_obj;
    uint64_t site_addr[EXEC_HOOK_TESTDEV_SITES];
    uint32_t magic;
    uint32_t expect_insn;
    char *step;
    bool armed;
    bool arm_at_realize;
    bool inject_failure;
    bool sync_regs;
    int32_t vcpu;
    ExecHookTestSite site[EXEC_HOOK_TESTDEV_SITES];
};

static void exec_hook_testdev_hit(const ExecHookEvent *ev, void *opaque)
{
    ExecHookTestSite *s = opaque;
    uint32_t k = qatomic_fetch_inc(&s->seen) + 1;
    uint32_t want = s->dev->magic + ((uint32_t)s->index << 20) + k;

    bool ok = ev->regs->rip == ev->addr &&
              (!s->dev->magic || (uint32_t)ev->regs->rbx == want);

    if (ok && s->dev->expect_insn) {
        /* The callback's view of guest memory: the hooked bytes. */
        uint8_t insn[2];

        cpu_synchronize_state(ev->cpu);
        ok = cpu_memory_rw_debug(ev->cpu, ev->addr, insn, sizeof(insn),
                                 false) == 0 &&
             (insn[0] | insn[1] << 8) == s->dev->expect_insn;
    }
    if (!ok) {
        qatomic_inc(&s->bad);
    }
}

static void exec_hook_testdev_disarm(ExecHookTestDev *d)
{
    int i;

    for (i = 0; i < EXEC_HOOK_TESTDEV_SITES; i++) {
        if (d->site[i].hook) {
            exec_hook_unregister(d->site[i].hook);
            d->site[i].hook = NULL;
        }
    }
    d->armed = false;
}

static bool exec_hook_testdev_arm(ExecHookTestDev *d, Error **errp)
{
    CPUState *cpu = NULL;
    int i;

    if (d->vcpu >= 0) {
        cpu = qemu_get_cpu(d->vcpu);
        if (!cpu) {
            error_setg(errp, "exec-hook-testdev: no vCPU %d", d->vcpu);
            return false;
        }
    }

    exec_hook_inject_failure = d->inject_failure;
    exec_hook_kvm_use_sync_regs = d->sync_regs;
    for (i = 0; i < EXEC_HOOK_TESTDEV_SITES; i++) {
        ExecHookTestSite *s = &d->site[i];

        if (!d->site_addr[i]) {
            continue;
        }
        s->dev = d;
        s->index = i;
        s->seen = 0;
        s->bad = 0;
        s->hook = exec_hook_register(d->site_addr[i], exec_hook_testdev_hit,
                                     s, errp);
        if (!s->hook || !exec_hook_arm(s->hook, cpu, errp)) {
            error_prepend(errp, "site%d: ", i);
            exec_hook_testdev_disarm(d);
            return false;
        }
    }
    d->armed = true;
    return true;
}

static bool exec_hook_testdev_get_armed(Object *obj, Error **errp)
{
    return EXEC_HOOK_TESTDEV(obj)->armed;
}

static void exec_hook_testdev_set_armed(Object *obj, bool value, Error **errp)
{
    ExecHookTestDev *d = EXEC_HOOK_TESTDEV(obj);

    if (!DEVICE(obj)->realized) {
        /* Properties come in any order: arm at realize, sites known. */
        d->arm_at_realize = value;
        return;
    }
    if (value == d->armed) {
        return;
    }
    if (value) {
        exec_hook_testdev_arm(d, errp);
    } else {
        exec_hook_testdev_disarm(d);
    }
}

/* "siteN-hits", "siteN-bad", "siteN-cycles-{mean,p50,p99}", "hook-exits" */
static void exec_hook_testdev_get_counter(Object *obj, Visitor *v,
                                          const char *name, void *opaque,
                                          Error **errp)
{
    ExecHookTestDev *d = EXEC_HOOK_TESTDEV(obj);
    uint64_t val = 0;
    unsigned i;
    char what[16];

    if (!strcmp(name, "hook-exits")) {
        CPUState *cpu;

        CPU_FOREACH(cpu) {
            val += exec_hook_vcpu_exits(cpu);
        }
    } else if (!strcmp(name, "hook-exit-cycles")) {
        CPUState *cpu;

        CPU_FOREACH(cpu) {
            val += exec_hook_vcpu_exit_cycles(cpu);
        }
    } else if (sscanf(name, "site%u-%15s", &i, what) == 2 &&
               i < EXEC_HOOK_TESTDEV_SITES) {
        ExecHookTestSite *s = &d->site[i];
        ExecHookStats st = { 0 };

        if (s->hook) {
            exec_hook_get_stats(s->hook, &st);
        }
        if (!strcmp(what, "hits")) {
            val = st.hits;
        } else if (!strcmp(what, "bad")) {
            val = qatomic_read(&s->bad);
        } else if (!strcmp(what, "cycles-mean")) {
            val = st.cycles_mean;
        } else if (!strcmp(what, "cycles-p50")) {
            val = st.cycles_p50;
        } else if (!strcmp(what, "cycles-p99")) {
            val = st.cycles_p99;
        }
    }
    visit_type_uint64(v, name, &val, errp);
}

static char *exec_hook_testdev_get_backend(Object *obj, Error **errp)
{
    return g_strdup(exec_hook_backend_name(exec_hook_backend()));
}

static char *exec_hook_testdev_get_method(Object *obj, Error **errp)
{
    return g_strdup(exec_hook_step_method_name(exec_hook_step_method()));
}

static char *exec_hook_testdev_get_disabled(Object *obj, Error **errp)
{
    const char *why = exec_hook_disabled_reason();

    return g_strdup(why ? why : "");
}

static void exec_hook_testdev_realize(DeviceState *dev, Error **errp)
{
    ExecHookTestDev *d = EXEC_HOOK_TESTDEV(dev);
    ExecHookStepPolicy policy;

    if (!d->step || !strcmp(d->step, "auto")) {
        policy = EXEC_HOOK_POLICY_AUTO;
    } else if (!strcmp(d->step, "single-step")) {
        policy = EXEC_HOOK_POLICY_FORCE_SINGLESTEP;
    } else {
        error_setg(errp, "exec-hook-testdev: step must be 'auto' or "
                   "'single-step'");
        return;
    }
    if (!exec_hook_set_step_policy(policy, errp)) {
        return;
    }
    /* Before the machine is ready this fails: no guest has booted. */
    if (d->arm_at_realize) {
        exec_hook_testdev_arm(d, errp);
    }
}

static void exec_hook_testdev_unrealize(DeviceState *dev)
{
    exec_hook_testdev_disarm(EXEC_HOOK_TESTDEV(dev));
}

static const Property exec_hook_testdev_props[] = {
    DEFINE_PROP_UINT64("site0", ExecHookTestDev, site_addr[0], 0),
    DEFINE_PROP_UINT64("site1", ExecHookTestDev, site_addr[1], 0),
    DEFINE_PROP_UINT64("site2", ExecHookTestDev, site_addr[2], 0),
    DEFINE_PROP_UINT64("site3", ExecHookTestDev, site_addr[3], 0),
    DEFINE_PROP_UINT64("site4", ExecHookTestDev, site_addr[4], 0),
    DEFINE_PROP_UINT32("magic", ExecHookTestDev, magic, 0),
    DEFINE_PROP_UINT32("expect-insn", ExecHookTestDev, expect_insn, 0),
    DEFINE_PROP_STRING("step", ExecHookTestDev, step),
    /* Arm on this vCPU only; -1: on every vCPU. */
    DEFINE_PROP_INT32("vcpu", ExecHookTestDev, vcpu, -1),
    /* Tests only: make the KVM backend's KVM_SET_GUEST_DEBUG fail. */
    DEFINE_PROP_BOOL("x-inject-failure", ExecHookTestDev, inject_failure,
                     false),
    /* KVM: registers from kvm_run sync regs (on) or KVM_GET_REGS (off). */
    DEFINE_PROP_BOOL("x-sync-regs", ExecHookTestDev, sync_regs, true),
};

static void exec_hook_testdev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    static const char *const counters[] = {
        "hits", "bad", "cycles-mean", "cycles-p50", "cycles-p99",
    };
    int i, j;

    dc->realize = exec_hook_testdev_realize;
    dc->unrealize = exec_hook_testdev_unrealize;
    dc->desc = "execution-hook test device (counts hits of guest sites)";
    dc->hotpluggable = false;
    device_class_set_props(dc, exec_hook_testdev_props);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    object_class_property_add_bool(oc, "armed", exec_hook_testdev_get_armed,
                                   exec_hook_testdev_set_armed);
    object_class_property_add_str(oc, "backend",
                                  exec_hook_testdev_get_backend, NULL);
    object_class_property_add_str(oc, "step-method",
                                  exec_hook_testdev_get_method, NULL);
    object_class_property_add_str(oc, "disabled-reason",
                                  exec_hook_testdev_get_disabled, NULL);
    object_class_property_add(oc, "hook-exits", "uint64",
                              exec_hook_testdev_get_counter,
                              NULL, NULL, NULL);
    object_class_property_add(oc, "hook-exit-cycles", "uint64",
                              exec_hook_testdev_get_counter,
                              NULL, NULL, NULL);
    for (i = 0; i < EXEC_HOOK_TESTDEV_SITES; i++) {
        for (j = 0; j < ARRAY_SIZE(counters); j++) {
            g_autofree char *name = g_strdup_printf("site%d-%s", i,
                                                    counters[j]);

            object_class_property_add(oc, name, "uint64",
                                      exec_hook_testdev_get_counter,
                                      NULL, NULL, NULL);
        }
    }
}

static const TypeInfo exec_hook_testdev_info = {
    .name = TYPE_EXEC_HOOK_TESTDEV,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(ExecHookTestDev),
    .class_init = exec_hook_testdev_class_init,
};

static void exec_hook_testdev_register_types(void)
{
    type_register_static(&exec_hook_testdev_info);
}

type_init(exec_hook_testdev_register_types)
