/*
 * secret-tracker: libFuzzer target for the tracking engine's entry points
 *
 * The input is a program: small table limits, then operations (syscall
 * entries and exits of a few processes and threads, registrations, path
 * answers, reboots, queries), read byte by byte.  The introspection
 * callbacks answer from the same input, so every answer a guest could
 * make is tried: fds that resolve or not, any kind of object, paths,
 * names, peers and task details that change from one call to the next.
 * Only the public API (engine.h) is used.
 *
 * Checked after every operation: the counters add up, flows carry
 * increasing ids, point at existing nodes and stay within max_flows, the
 * new-flow callback saw exactly the flows that exist, nodes stay within
 * max_nodes, and every path is NUL terminated within ST_ENGINE_PATH_MAX.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/engine/engine.h"

typedef struct Fuzz {
    const uint8_t *p;
    size_t n;
    StEngine *e;
    StEngineConfig cfg;
    GArray *announced;          /* flow ids seen by new_flow */
} Fuzz;

static const char *const paths[] = {
    "/srv/secret/plans.txt", "/srv/secret/.hidden", "/srv/other/late.txt",
    "/tmp/copy.txt", "/tmp/a", "/", "", "relative/name", "/tmp/\x1b[2J\r",
    "/srv/secret/[x", "/srv/secret/" "*",
};
static const char *const patterns[] = {
    "/srv/secret/" "*", "/srv/" "*/late.txt", "/tmp/?", "/",
    "/srv/secret/\\" "*",
    "not-absolute", "/srv/[", "/srv/secret/\\",
};
static const char *const labels[] = {
    "S", "L", "board", "", "a,b", "/srv/secret/" "*",
};
static const uint64_t devs[] = { 0x801, 0xc, 0x8, 0x16, 0, 0x800003 };

static unsigned nrs[512];
static unsigned n_nrs;
static bool trace;      /* FUZZ_TRACE set: print every operation */

static uint64_t take(Fuzz *f, unsigned bytes)
{
    uint64_t v = 0;

    while (bytes-- && f->n) {
        v = v << 8 | *f->p++;
        f->n--;
    }
    return v;
}

static const char *pick(Fuzz *f, const char *const *set, unsigned n)
{
    return set[take(f, 1) % n];
}

static void endpoint(Fuzz *f, StEngineEndpoint *ep)
{
    static const uint16_t families[] = {
        0, ST_AF_UNIX, ST_AF_INET, ST_AF_INET6, ST_AF_NETLINK,
    };

    ep->family = families[take(f, 1) % G_N_ELEMENTS(families)];
    ep->port = take(f, 1) % 4 + 5554;
    memset(ep->addr, 0, sizeof(ep->addr));
    ep->addr[0] = take(f, 1) % 3 ? 127 : 10;
    ep->addr[3] = 1;
    if (take(f, 1) % 4 == 0) {
        /* an IPv4-mapped IPv6 address */
        memset(ep->addr, 0, 10);
        ep->addr[10] = ep->addr[11] = 0xff;
        ep->addr[12] = 127;
        ep->addr[15] = 1;
    }
}

static bool op_resolve_fd(void *opaque, const StEngineTask *task, int fd,
                          StEngineObject *out)
{
    Fuzz *f = opaque;
    uint64_t b = take(f, 1);

    if (!b) {
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->kind = ST_ENGINE_KIND_FILE + b % (ST_ENGINE_KIND_OTHER -
                                           ST_ENGINE_KIND_FILE + 1);
    out->dev = devs[take(f, 1) % G_N_ELEMENTS(devs)];
    out->ino = take(f, 1) % 16 + 1;
    out->flags = take(f, 4);
    out->path_handle[0] = out->dev;
    out->path_handle[1] = out->ino;
    if (out->kind == ST_ENGINE_KIND_SOCKET) {
        out->sock_family = take(f, 1) % 2 ? ST_AF_INET : ST_AF_UNIX;
        endpoint(f, &out->local);
        endpoint(f, &out->peer);
        out->peer_dev = take(f, 1) % 2 ? 0 : 0x8;
        out->peer_ino = take(f, 1) % 17;
    }
    if (out->kind == ST_ENGINE_KIND_CHARDEV) {
        /* the device channels: a pty slave, ptmx, TUN, FUSE, or another */
        static const uint64_t rdevs[] = {
            136ull << 20, 5ull << 20 | 2, 10ull << 20 | 200,
            10ull << 20 | 229, 4ull << 20 | 64,
        };

        out->rdev = rdevs[take(f, 1) % G_N_ELEMENTS(rdevs)];
    }
    if (out->kind == ST_ENGINE_KIND_FILE) {
        out->fuse = take(f, 1) % 4 == 0;
        out->size = take(f, 1);
    }
    return true;
}

/* A vectored send's first bytes: bytes of the input, a length too */
static bool op_send_head(void *opaque, const StEngineTask *task,
                         unsigned nr, const uint64_t *args, unsigned msg,
                         void *buf, size_t len, size_t *got, uint64_t *total)
{
    Fuzz *f = opaque;
    uint8_t *out = buf;
    size_t i;

    if (take(f, 1) % 4 == 0) {
        return false;
    }
    *got = take(f, 1) % (len + 1);
    *total = take(f, 2);
    for (i = 0; i < *got; i++) {
        out[i] = take(f, 1);
    }
    return true;
}

/* User memory (a packet written to a TUN fd): bytes of the input. */
static bool op_read_user(void *opaque, const StEngineTask *task,
                         uint64_t uptr, void *buf, size_t len)
{
    Fuzz *f = opaque;
    uint8_t *out = buf;
    size_t i;

    if (take(f, 1) % 4 == 0) {
        return false;
    }
    for (i = 0; i < len; i++) {
        out[i] = take(f, 1);
    }
    return true;
}

static bool answer_path(Fuzz *f, char *buf, size_t size, bool name)
{
    const char *p = pick(f, paths, G_N_ELEMENTS(paths));

    if (take(f, 1) % 8 == 0) {
        return false;
    }
    if (name && strrchr(p, '/')) {
        p = strrchr(p, '/') + 1;
    }
    g_strlcpy(buf, p, size);
    return true;
}

static bool op_get_path(void *opaque, const StEngineObject *obj, char *buf,
                        size_t size)
{
    return answer_path(opaque, buf, size, false);
}

static bool op_get_name(void *opaque, const StEngineObject *obj, char *buf,
                        size_t size)
{
    return answer_path(opaque, buf, size, true);
}

static bool op_get_alias(void *opaque, const StEngineObject *obj,
                         unsigned index, char *buf, size_t size)
{
    return answer_path(opaque, buf, size, false);
}

static bool op_read_path_arg(void *opaque, const StEngineTask *task,
                             int dirfd, uint64_t uptr, char *buf,
                             size_t size)
{
    return answer_path(opaque, buf, size, false);
}

static unsigned op_send_peer(void *opaque, const StEngineTask *task,
                             unsigned nr, const uint64_t *args,
                             StEngineEndpoint *out, unsigned max)
{
    Fuzz *f = opaque;
    unsigned n = take(f, 1) % 6, i;

    /* may name more than fit (dropped and counted), or none */
    for (i = 0; i < n && i < max; i++) {
        endpoint(f, &out[i]);
    }
    return n;
}

static bool op_fd_still(void *opaque, const StEngineTask *task, int fd,
                        const StEngineObject *cached)
{
    return take(opaque, 1) % 4 != 0;
}

static uint64_t op_iov_bytes(void *opaque, const StEngineTask *task,
                             unsigned nr, const uint64_t *args)
{
    return take(opaque, 2);
}

static bool op_ioctl_fds(void *opaque, const StEngineTask *task, unsigned cmd,
                         uint64_t arg, int *fds, unsigned max, unsigned *n)
{
    Fuzz *f = opaque;
    unsigned i;

    if (take(f, 1) % 4 == 0) {
        return false;
    }
    *n = take(f, 1) % 5;
    for (i = 0; i < *n && i < max; i++) {
        fds[i] = take(f, 1) % 12;
    }
    return true;
}

static uint64_t op_mmsg_bytes(void *opaque, const StEngineTask *task,
                              unsigned nr, const uint64_t *args, int64_t ret)
{
    return take(opaque, 2);
}

static bool op_task_details(void *opaque, StEngineTask *task)
{
    Fuzz *f = opaque;

    if (take(f, 1) % 5 == 0) {
        return false;
    }
    task->ppid = 100 + take(f, 1) % 8;
    task->parent_start_time = take(f, 1) % 3;
    g_strlcpy(task->comm, take(f, 1) % 2 ? "sh" : "e\x1b[2J\r\xff",
              sizeof(task->comm));
    return true;
}

static void op_new_flow(void *opaque, const StEngineFlowInfo *flow)
{
    Fuzz *f = opaque;

    g_array_append_val(f->announced, flow->id);
}

/* Tasks: 4 processes of 2 threads each, in 2 generations (PID reuse) */
static StEngineTask task(Fuzz *f)
{
    uint64_t b = take(f, 1);
    StEngineTask t = { 0 };

    t.tgid = 100 + (b & 3) * 2;
    t.start_time = 1000 * (1 + ((b >> 3) & 1));
    t.tid = t.tgid + ((b >> 2) & 1);
    t.tid_start_time = t.start_time + t.tid - t.tgid;
    t.details = (b >> 4) & 1;
    if (t.details) {
        t.ppid = 100 + (b >> 5) % 8;
        t.parent_start_time = (b >> 5) & 1 ? 1000 : 0;
        g_strlcpy(t.comm, "cat", sizeof(t.comm));
    }
    return t;
}

static unsigned syscall_nr(Fuzz *f)
{
    uint64_t b = take(f, 1);

    return b < 240 && n_nrs ? nrs[b % n_nrs] : take(f, 2);
}

static void args(Fuzz *f, uint64_t *a)
{
    int i;

    for (i = 0; i < ST_ENGINE_NR_ARGS; i++) {
        uint64_t b = take(f, 1);

        a[i] = b < 200 ? b % 8 : b < 220 ? (uint64_t)-100 : take(f, 8);
    }
}

static int64_t ret(Fuzz *f)
{
    uint64_t b = take(f, 1);

    return b < 128 ? (int64_t)(b % 64) : b < 192 ? -(int64_t)(b % 40) - 1 :
           (int64_t)take(f, 8);
}

typedef struct Check {
    Fuzz *f;
    uint64_t last;
    unsigned n;
} Check;

/*
 * A flow carries at least one call, but for one case of the engine's
 * design: a send to a local socket whose receiver is not known yet taints
 * the channel at its entry, and a read that drains it before the send's
 * exit makes the socket -> socket edge with the count still 0 (the exit
 * adds it; without an exit it stays 0).
 */
static bool count_ok(Check *c, const StEngineFlowInfo *fl)
{
    const StEngineNodeInfo *src = st_engine_node(c->f->e, fl->src);

    return fl->count >= 1 ||
           (fl->family == ST_ENGINE_FAMILY_WRITE && src &&
            src->kind == ST_ENGINE_KIND_SOCKET && fl->bytes == 0);
}

static bool check_flow(void *opaque, const StEngineFlowInfo *fl)
{
    Check *c = opaque;

    if (fl->id <= c->last || !count_ok(c, fl) ||
        !st_engine_node(c->f->e, fl->src) ||
        !st_engine_node(c->f->e, fl->dst) ||
        c->n >= c->f->announced->len ||
        g_array_index(c->f->announced, uint64_t, c->n) != fl->id) {
        fprintf(stderr, "flow %" PRIu64 " (after %" PRIu64 "): count %"
                PRIu64 ", %s %" PRIu64 " -> %" PRIu64 ", nodes %d %d, %u "
                "announced\n", fl->id, c->last, fl->count,
                st_engine_family_name(fl->family), fl->src, fl->dst,
                !!st_engine_node(c->f->e, fl->src),
                !!st_engine_node(c->f->e, fl->dst), c->f->announced->len);
        abort();
    }
    c->last = fl->id;
    c->n++;
    return true;
}

static bool check_node(void *opaque, const StEngineNodeInfo *n)
{
    Check *c = opaque;

    if (n->id == 0 || (n->path && strnlen(n->path, ST_ENGINE_PATH_MAX) ==
                       ST_ENGINE_PATH_MAX) ||
        st_engine_node(c->f->e, n->id) == NULL) {
        abort();
    }
    c->n++;
    return true;
}

static void check(Fuzz *f)
{
    Check flows = { .f = f }, nodes = { .f = f };
    StEngineCounters k;

    st_engine_get_counters(f->e, &k);
    if (k.events != k.entries + k.exits || k.flows > f->cfg.max_flows) {
        abort();
    }
    st_engine_foreach_flow(f->e, 0, check_flow, &flows);
    if (flows.n != f->announced->len || flows.n != k.flows) {
        fprintf(stderr, "%u flows, %u announced, %" PRIu64 " counted\n",
                flows.n, f->announced->len, k.flows);
        abort();
    }
    st_engine_foreach_node(f->e, ST_ENGINE_KIND__MAX, check_node, &nodes);
    if (nodes.n > f->cfg.max_nodes) {
        abort();
    }
}

static void step(Fuzz *f)
{
    StEngineTask t;
    uint64_t a[ST_ENGINE_NR_ARGS], id, now = 0;
    StEngineObject obj;
    unsigned nr, op = take(f, 1) % 10;
    int64_t r;

    if (trace && op >= 5) {
        fprintf(stderr, "op %u\n", op);
    }
    switch (op) {
    case 0:
        t = task(f);
        nr = syscall_nr(f);
        args(f, a);
        if (trace) {
            fprintf(stderr, "entry %u/%u %s(%" PRIu64 ", %" PRIu64 ")\n",
                    t.tgid, t.tid, st_engine_syscall_name(nr), a[0], a[1]);
        }
        st_engine_syscall_entry(f->e, &t, nr, a, now);
        break;
    case 1:
        t = task(f);
        nr = syscall_nr(f);
        r = ret(f);
        if (trace) {
            fprintf(stderr, "exit %u/%u %s = %" PRId64 "\n", t.tgid, t.tid,
                    st_engine_syscall_name(nr), r);
        }
        st_engine_syscall_exit(f->e, &t, nr, r, now);
        break;
    case 2:
    case 3:
    case 4:
        t = task(f);
        nr = syscall_nr(f);
        args(f, a);
        r = ret(f);
        if (trace) {
            fprintf(stderr, "%u/%u %s(%" PRIu64 ", %" PRIu64 ") = %" PRId64
                    "\n", t.tgid, t.tid, st_engine_syscall_name(nr), a[0],
                    a[1], r);
        }
        st_engine_syscall_entry(f->e, &t, nr, a, now);
        st_engine_syscall_exit(f->e, &t, nr, r, now + 1);
        break;
    case 5:
        st_engine_register_inode(f->e, devs[take(f, 1) % G_N_ELEMENTS(devs)],
                                 take(f, 1) % 16 + 1, take(f, 1) % 2 ?
                                 pick(f, labels, G_N_ELEMENTS(labels)) : NULL,
                                 NULL);
        break;
    case 6:
        st_engine_register_pattern(f->e,
                                   pick(f, patterns, G_N_ELEMENTS(patterns)),
                                   take(f, 1) % 2 ?
                                   pick(f, labels, G_N_ELEMENTS(labels)) :
                                   NULL, NULL);
        break;
    case 7:
        st_engine_new_boot(f->e);
        break;
    case 8:
        while (st_engine_next_path_request(f->e, &id, &obj)) {
            if (take(f, 1) % 4) {
                st_engine_set_path(f->e, id,
                                   pick(f, paths, G_N_ELEMENTS(paths)));
            }
        }
        st_engine_set_path(f->e, take(f, 1), "/tmp/unknown-node");
        break;
    default:
        g_free(st_engine_labels_to_string(f->e, take(f, 8)));
        st_engine_find_inode(f->e, devs[take(f, 1) % G_N_ELEMENTS(devs)],
                             take(f, 1) % 16 + 1);
        st_engine_find_process(f->e, 100 + take(f, 1) % 8, 1000);
        st_engine_has_pending(f->e);
        t = task(f);
        st_engine_coredump(f->e, &t, (int)(take(f, 1) % 8), now);
        break;
    }
    check(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    unsigned nr;

    trace = getenv("FUZZ_TRACE") != NULL;
    for (nr = 0; nr < 512 && n_nrs < G_N_ELEMENTS(nrs); nr++) {
        if (st_engine_syscall_family(nr) != ST_ENGINE_FAMILY_NONE) {
            nrs[n_nrs++] = nr;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz f = { .p = data, .n = size };
    unsigned steps = 0;

    f.cfg.ops.resolve_fd = op_resolve_fd;
    f.cfg.ops.get_path = op_get_path;
    f.cfg.ops.get_queued_path = op_get_path;
    f.cfg.ops.get_name = op_get_name;
    f.cfg.ops.get_alias = op_get_alias;
    f.cfg.ops.read_path_arg = op_read_path_arg;
    f.cfg.ops.send_peer = op_send_peer;
    f.cfg.ops.mmsg_bytes = op_mmsg_bytes;
    f.cfg.ops.task_details = op_task_details;
    f.cfg.ops.fd_still = op_fd_still;
    f.cfg.ops.iov_bytes = op_iov_bytes;
    f.cfg.ops.ioctl_fds = op_ioctl_fds;
    f.cfg.ops.read_user = op_read_user;
    f.cfg.ops.send_head = op_send_head;
    f.cfg.opaque = &f;
    f.cfg.new_flow = op_new_flow;
    f.cfg.new_flow_opaque = &f;
    f.cfg.max_flows = take(&f, 1) % 32 + 1;
    f.cfg.max_nodes = take(&f, 1) % 32 + 1;
    f.cfg.max_fd_cache = take(&f, 1) % 8 + 1;
    f.cfg.max_pending = take(&f, 1) % 8 + 1;
    f.cfg.max_endpoints = take(&f, 1) % 4 + 1;
    f.cfg.max_children = take(&f, 1) % 4 + 1;
    /* not the large defaults (an allocation per input); seeds keep meaning */
    f.cfg.max_waiting = f.cfg.max_pending;
    f.cfg.max_local_addrs = f.cfg.max_endpoints;
    f.announced = g_array_new(false, false, sizeof(uint64_t));
    f.e = st_engine_new(&f.cfg);
    while (f.n && steps++ < 4096) {
        step(&f);
    }
    st_engine_free(f.e);
    g_array_free(f.announced, true);
    return 0;
}
