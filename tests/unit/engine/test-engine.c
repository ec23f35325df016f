/*
 * secret-tracker: tracking engine unit tests
 *
 * A fake StEngineOps serves a synthetic fd table; every test drives the
 * engine with syscall entries and exits as the device would.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "hw/misc/secret-tracker/engine/engine.h"

/* x86-64 syscall numbers used below. */
enum {
    NR_READ = 0, NR_WRITE = 1, NR_CLOSE = 3, NR_MMAP = 9, NR_PREAD64 = 17,
    NR_READV = 19, NR_WRITEV = 20, NR_DUP2 = 33, NR_SENDFILE = 40,
    NR_CONNECT = 42, NR_SENDTO = 44, NR_RECVFROM = 45, NR_SENDMSG = 46,
    NR_RECVMSG = 47, NR_CLONE = 56, NR_FORK = 57, NR_VFORK = 58,
    NR_EXECVE = 59, NR_EXIT = 60, NR_RENAME = 82, NR_UNLINK = 87,
    NR_EXIT_GROUP = 231, NR_OPENAT = 257, NR_UNLINKAT = 263,
    NR_RENAMEAT = 264, NR_SPLICE = 275, NR_TEE = 276, NR_RENAMEAT2 = 316,
    NR_COPY_FILE_RANGE = 326, NR_CLONE3 = 435, NR_OPENAT2 = 437,
};

#define DEV_DISK 0x801
#define DEV_PIPEFS 0xc
#define DEV_SOCKFS 0x8
#define DEV_TTY 0x16

/* Split so that no string holds a comment opener. */
#define SECRET_GLOB "/secret/" "*.txt"

typedef struct FakeFd {
    StEngineObject obj;
    char *path;
} FakeFd;

typedef struct Fake {
    GHashTable *fds;            /* "tgid:fd" -> FakeFd */
    GHashTable *uptrs;          /* user pointer -> path */
    bool have_send_peer;
    StEngineEndpoint send_peer;
    unsigned resolve_calls;
    unsigned get_path_calls;
    unsigned details_calls;
    GHashTable *details;        /* tid -> StEngineTask with details */
    GArray *new_flows;          /* ids announced */
    StEngine *e;
} Fake;

static char *fd_key(uint32_t tgid, int fd)
{
    return g_strdup_printf("%u:%d", tgid, fd);
}

static bool fake_resolve_fd(void *opaque, const StEngineTask *task, int fd,
                            StEngineObject *out)
{
    Fake *f = opaque;
    g_autofree char *key = fd_key(task->tgid, fd);
    FakeFd *ff = g_hash_table_lookup(f->fds, key);

    f->resolve_calls++;
    if (!ff) {
        return false;
    }
    *out = ff->obj;
    return true;
}

static FakeFd *fake_by_handle(Fake *f, const StEngineObject *obj)
{
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, f->fds);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        FakeFd *ff = value;

        if (ff->obj.dev == obj->dev && ff->obj.ino == obj->ino &&
            ff->path) {
            return ff;
        }
    }
    return NULL;
}

static bool fake_get_path(void *opaque, const StEngineObject *obj,
                          char *buf, size_t size)
{
    Fake *f = opaque;
    FakeFd *ff = fake_by_handle(f, obj);

    f->get_path_calls++;
    if (!ff || obj->path_handle[0] != obj->dev ||
        obj->path_handle[1] != obj->ino) {
        return false;
    }
    g_strlcpy(buf, ff->path, size);
    return true;
}

static bool fake_get_name(void *opaque, const StEngineObject *obj,
                          char *buf, size_t size)
{
    Fake *f = opaque;
    FakeFd *ff = fake_by_handle(f, obj);

    if (!ff) {
        return false;
    }
    g_strlcpy(buf, strrchr(ff->path, '/') + 1, size);
    return true;
}

static bool fake_read_path_arg(void *opaque, const StEngineTask *task,
                               int dirfd, uint64_t uptr, char *buf,
                               size_t size)
{
    Fake *f = opaque;
    const char *path = g_hash_table_lookup(f->uptrs, GSIZE_TO_POINTER(uptr));

    if (!path) {
        return false;
    }
    g_strlcpy(buf, path, size);
    return true;
}

static bool fake_send_peer(void *opaque, const StEngineTask *task,
                           unsigned nr, const uint64_t *args,
                           StEngineEndpoint *out)
{
    Fake *f = opaque;

    if (!f->have_send_peer) {
        return false;
    }
    *out = f->send_peer;
    return true;
}

static bool fake_task_details(void *opaque, StEngineTask *task)
{
    Fake *f = opaque;
    StEngineTask *full = g_hash_table_lookup(f->details,
                                             GUINT_TO_POINTER(task->tid));

    f->details_calls++;
    if (!full) {
        return false;
    }
    task->ppid = full->ppid;
    task->parent_start_time = full->parent_start_time;
    memcpy(task->comm, full->comm, sizeof(task->comm));
    return true;
}

/* Every message of a recvmmsg/sendmmsg carries 100 bytes. */
static uint64_t fake_mmsg_bytes(void *opaque, const StEngineTask *task,
                                unsigned nr, const uint64_t *args,
                                int64_t ret)
{
    return ret * 100;
}

static void fake_new_flow(void *opaque, const StEngineFlowInfo *flow)
{
    Fake *f = opaque;

    g_array_append_val(f->new_flows, flow->id);
}

static void fake_free_fd(gpointer data)
{
    FakeFd *ff = data;

    g_free(ff->path);
    g_free(ff);
}

static Fake *fake_new_with(StEngineConfig *cfg)
{
    Fake *f = g_new0(Fake, 1);

    f->fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                   fake_free_fd);
    f->uptrs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                     g_free);
    f->new_flows = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    f->details = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       g_free);
    cfg->ops.resolve_fd = fake_resolve_fd;
    cfg->ops.get_path = fake_get_path;
    cfg->ops.get_name = fake_get_name;
    cfg->ops.read_path_arg = fake_read_path_arg;
    cfg->ops.send_peer = fake_send_peer;
    cfg->ops.task_details = fake_task_details;
    cfg->ops.mmsg_bytes = fake_mmsg_bytes;
    cfg->opaque = f;
    cfg->new_flow = fake_new_flow;
    cfg->new_flow_opaque = f;
    f->e = st_engine_new(cfg);
    return f;
}

static Fake *fake_new(void)
{
    StEngineConfig cfg = { 0 };

    return fake_new_with(&cfg);
}

static void fake_free(Fake *f)
{
    st_engine_free(f->e);
    g_hash_table_destroy(f->fds);
    g_hash_table_destroy(f->uptrs);
    g_array_free(f->new_flows, TRUE);
    g_hash_table_destroy(f->details);
    g_free(f);
}

static FakeFd *fake_fd(Fake *f, uint32_t tgid, int fd, StEngineKind kind,
                       uint64_t dev, uint64_t ino, const char *path)
{
    FakeFd *ff = g_new0(FakeFd, 1);

    ff->obj.kind = kind;
    ff->obj.dev = dev;
    ff->obj.ino = ino;
    if (path) {
        ff->obj.path_handle[0] = dev;
        ff->obj.path_handle[1] = ino;
        ff->path = g_strdup(path);
    }
    g_hash_table_replace(f->fds, fd_key(tgid, fd), ff);
    return ff;
}

static void fake_close(Fake *f, uint32_t tgid, int fd)
{
    g_autofree char *key = fd_key(tgid, fd);

    g_hash_table_remove(f->fds, key);
}

static StEngineEndpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                            uint16_t port)
{
    StEngineEndpoint ep = { .family = ST_AF_INET, .port = port };

    ep.addr[0] = a;
    ep.addr[1] = b;
    ep.addr[2] = c;
    ep.addr[3] = d;
    return ep;
}

static FakeFd *fake_inet(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                         StEngineEndpoint local, StEngineEndpoint peer)
{
    FakeFd *ff = fake_fd(f, tgid, fd, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, ino,
                         NULL);

    ff->obj.sock_family = ST_AF_INET;
    ff->obj.local = local;
    ff->obj.peer = peer;
    return ff;
}

static FakeFd *fake_unix(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                         uint64_t peer_ino)
{
    FakeFd *ff = fake_fd(f, tgid, fd, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, ino,
                         NULL);

    ff->obj.sock_family = ST_AF_UNIX;
    ff->obj.peer_ino = peer_ino;
    return ff;
}

static void fake_uptr(Fake *f, uint64_t uptr, const char *path)
{
    g_hash_table_replace(f->uptrs, GSIZE_TO_POINTER(uptr), g_strdup(path));
}

static StEngineTask mktask(uint32_t tgid, uint64_t start, uint32_t ppid,
                           uint64_t pstart, const char *comm)
{
    StEngineTask t = {
        .tid = tgid, .tid_start_time = start, .tgid = tgid,
        .start_time = start, .ppid = ppid, .parent_start_time = pstart,
        .details = true,
    };

    g_strlcpy(t.comm, comm, sizeof(t.comm));
    return t;
}

/* A task as a caller that reads only ids and start times sends it. */
static StEngineTask mktask_lazy(Fake *f, uint32_t tgid, uint64_t start,
                                uint32_t ppid, uint64_t pstart,
                                const char *comm)
{
    StEngineTask full = mktask(tgid, start, ppid, pstart, comm);
    StEngineTask lazy = {
        .tid = tgid, .tid_start_time = start, .tgid = tgid,
        .start_time = start,
    };
    StEngineTask *stored = g_new(StEngineTask, 1);

    *stored = full;
    g_hash_table_replace(f->details, GUINT_TO_POINTER(tgid), stored);
    return lazy;
}

static StEngineTask mkthread(const StEngineTask *proc, uint32_t tid,
                             uint64_t tid_start)
{
    StEngineTask t = *proc;

    t.tid = tid;
    t.tid_start_time = tid_start;
    return t;
}

static void entry(Fake *f, const StEngineTask *t, unsigned nr, uint64_t a0,
                  uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                  uint64_t ns)
{
    uint64_t args[ST_ENGINE_NR_ARGS] = { a0, a1, a2, a3, a4, 0 };

    st_engine_syscall_entry(f->e, t, nr, args, ns);
}

/* A complete syscall: entry, then exit with @ret. */
static void sys(Fake *f, const StEngineTask *t, unsigned nr, uint64_t a0,
                uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                int64_t ret, uint64_t ns)
{
    entry(f, t, nr, a0, a1, a2, a3, a4, ns);
    st_engine_syscall_exit(f->e, t, nr, ret, ns + 1);
}

static void sys_rw(Fake *f, const StEngineTask *t, unsigned nr, int fd,
                   int64_t ret, uint64_t ns)
{
    sys(f, t, nr, fd, 0x1000, 4096, 0, 0, ret, ns);
}

static bool collect_flow(void *opaque, const StEngineFlowInfo *flow)
{
    g_ptr_array_add(opaque, (gpointer)flow);
    return true;
}

static GPtrArray *flows_since(Fake *f, uint64_t since)
{
    GPtrArray *a = g_ptr_array_new();

    st_engine_foreach_flow(f->e, since, collect_flow, a);
    return a;
}

static unsigned n_flows(Fake *f)
{
    StEngineCounters c;

    st_engine_get_counters(f->e, &c);
    return c.flows;
}

/* The flow from @src to @dst of @family, or NULL. */
static const StEngineFlowInfo *find_flow(Fake *f, uint64_t src, uint64_t dst,
                                         StEngineFamily family)
{
    g_autoptr(GPtrArray) a = flows_since(f, 0);
    unsigned i;

    for (i = 0; i < a->len; i++) {
        const StEngineFlowInfo *fl = g_ptr_array_index(a, i);

        if (fl->src == src && fl->dst == dst && fl->family == family) {
            return fl;
        }
    }
    return NULL;
}

static const StEngineNodeInfo *proc_of(Fake *f, const StEngineTask *t)
{
    return st_engine_find_process(f->e, t->tgid, t->start_time);
}

static const StEngineNodeInfo *inode(Fake *f, uint64_t dev, uint64_t ino)
{
    return st_engine_find_inode(f->e, dev, ino);
}

static void assert_labels(Fake *f, uint64_t mask, const char *expected)
{
    g_autofree char *s = st_engine_labels_to_string(f->e, mask);

    g_assert_cmpstr(s, ==, expected);
}

static uint64_t reg(Fake *f, uint64_t dev, uint64_t ino, const char *label)
{
    GError *err = NULL;
    uint64_t id = st_engine_register_inode(f->e, dev, ino, label, &err);

    g_assert_no_error(err);
    g_assert_cmpuint(id, !=, 0);
    return id;
}

static StEngineCounters counters(Fake *f)
{
    StEngineCounters c;

    st_engine_get_counters(f->e, &c);
    return c;
}

/* The common setup: /secret (10) registered; cat (pid 100) reads it. */
static StEngineTask setup_reader(Fake *f, uint64_t *secret_id)
{
    StEngineTask cat = mktask(100, 1000, 1, 1, "cat");

    *secret_id = reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, NR_READ, 3, 64, 100);
    g_assert_nonnull(proc_of(f, &cat));
    return cat;
}

static void test_syscall_table(void)
{
    g_assert_cmpint(st_engine_syscall_family(0), ==, ST_ENGINE_FAMILY_READ);
    g_assert_cmpint(st_engine_syscall_family(1), ==, ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpint(st_engine_syscall_family(44), ==, ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpint(st_engine_syscall_family(299), ==, ST_ENGINE_FAMILY_READ);
    g_assert_cmpint(st_engine_syscall_family(40), ==,
                    ST_ENGINE_FAMILY_TRANSFER);
    g_assert_cmpint(st_engine_syscall_family(326), ==,
                    ST_ENGINE_FAMILY_TRANSFER);
    g_assert_cmpint(st_engine_syscall_family(9), ==, ST_ENGINE_FAMILY_MMAP);
    g_assert_cmpint(st_engine_syscall_family(435), ==, ST_ENGINE_FAMILY_CLONE);
    g_assert_cmpint(st_engine_syscall_family(59), ==, ST_ENGINE_FAMILY_EXECVE);
    g_assert_cmpint(st_engine_syscall_family(231), ==, ST_ENGINE_FAMILY_EXIT);
    g_assert_cmpint(st_engine_syscall_family(437), ==, ST_ENGINE_FAMILY_OPEN);
    g_assert_cmpint(st_engine_syscall_family(316), ==, ST_ENGINE_FAMILY_RENAME);
    g_assert_cmpint(st_engine_syscall_family(263), ==, ST_ENGINE_FAMILY_UNLINK);
    g_assert_cmpint(st_engine_syscall_family(39), ==, ST_ENGINE_FAMILY_NONE);
    g_assert_cmpint(st_engine_syscall_family(100000), ==,
                    ST_ENGINE_FAMILY_NONE);
    g_assert_cmpstr(st_engine_syscall_name(46), ==, "sendmsg");
    g_assert_cmpstr(st_engine_syscall_name(328), ==, "pwritev2");
    g_assert_null(st_engine_syscall_name(39));
    g_assert_cmpstr(st_engine_family_name(ST_ENGINE_FAMILY_TRANSFER), ==,
                    "transfer");
    g_assert_cmpstr(st_engine_family_name(ST_ENGINE_FAMILY_UNLINK), ==,
                    "unlink");
    g_assert_null(st_engine_family_name(ST_ENGINE_FAMILY_NONE));
}

static void test_read(void)
{
    Fake *f = fake_new();
    StEngineTask ls = mktask(200, 2000, 1, 1, "ls");
    const StEngineFlowInfo *fl;
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);

    fl = find_flow(f, secret, proc_of(f, &cat)->id, ST_ENGINE_FAMILY_READ);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 64);
    g_assert_cmpuint(fl->count, ==, 1);
    g_assert_cmpuint(fl->syscall_nr, ==, NR_READ);
    assert_labels(f, fl->labels, "S");
    assert_labels(f, proc_of(f, &cat)->labels, "S");
    g_assert_cmpstr(proc_of(f, &cat)->comm, ==, "cat");
    g_assert_cmpuint(proc_of(f, &cat)->first_seen_ns, ==, 101);

    /* Reading an untracked file tracks nothing. */
    fake_fd(f, 200, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    sys_rw(f, &ls, NR_READ, 3, 64, 200);
    g_assert_null(proc_of(f, &ls));
    g_assert_cmpuint(n_flows(f), ==, 1);
    fake_free(f);
}

static void test_read_variants(void)
{
    static const unsigned nrs[] = { NR_PREAD64, NR_READV, 295, 327 };
    Fake *f = fake_new();
    unsigned i;

    reg(f, DEV_DISK, 10, "S");
    for (i = 0; i < G_N_ELEMENTS(nrs); i++) {
        StEngineTask t = mktask(300 + i, 3000 + i, 1, 1, "r");

        fake_fd(f, t.tgid, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
        sys_rw(f, &t, nrs[i], 4, 10, 100 + i);
        g_assert_nonnull(proc_of(f, &t));
        g_assert_cmpuint(find_flow(f, 1, proc_of(f, &t)->id,
                                   ST_ENGINE_FAMILY_READ)->syscall_nr,
                         ==, nrs[i]);
    }
    fake_free(f);
}

static void test_failed_calls(void)
{
    Fake *f = fake_new();
    StEngineTask cat = mktask(100, 1000, 1, 1, "cat");
    uint64_t secret;

    reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, NR_READ, 3, -9, 100);    /* -EBADF */
    sys_rw(f, &cat, NR_READ, 3, 0, 101);     /* EOF: no bytes */
    g_assert_null(proc_of(f, &cat));

    cat = setup_reader(f, &secret);
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/out");
    sys_rw(f, &cat, NR_WRITE, 4, -28, 300);  /* -ENOSPC */
    g_assert_null(inode(f, DEV_DISK, 20));
    sys(f, &cat, NR_FORK, 0, 0, 0, 0, 0, -11, 301);
    g_assert_cmpuint(n_flows(f), ==, 1);
    fake_free(f);
}

static void test_write(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineNodeInfo *out;
    const StEngineFlowInfo *fl;

    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    sys_rw(f, &cat, NR_WRITEV, 1, 64, 200);
    out = inode(f, DEV_DISK, 20);
    g_assert_nonnull(out);
    g_assert_cmpint(out->kind, ==, ST_ENGINE_KIND_FILE);
    assert_labels(f, out->labels, "S");
    fl = find_flow(f, proc_of(f, &cat)->id, out->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->syscall_nr, ==, NR_WRITEV);
    g_assert_cmpuint(fl->bytes, ==, 64);
    g_assert_cmpuint(f->new_flows->len, ==, 2);
    fake_free(f);
}

/* A write by an untracked process must not resolve its fd at all. */
static void test_write_untracked_is_free(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask(50, 500, 1, 1, "sh");
    uint64_t secret;
    StEngineCounters c;
    unsigned before;

    setup_reader(f, &secret);
    fake_fd(f, 50, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/tmp/log");
    before = f->resolve_calls;
    sys_rw(f, &sh, NR_WRITE, 1, 10, 500);
    sys_rw(f, &sh, NR_SENDTO, 1, 10, 501);
    g_assert_cmpuint(f->resolve_calls, ==, before);
    g_assert_null(inode(f, DEV_DISK, 21));
    c = counters(f);
    g_assert_cmpuint(c.entries, ==, 3);
    g_assert_cmpuint(c.exits, ==, 1);     /* only the tracked read's */
    fake_free(f);
}

static void test_aggregation(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineFlowInfo *fl;
    unsigned announced;

    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    announced = f->new_flows->len;
    sys_rw(f, &cat, NR_WRITE, 1, 10, 1000);
    sys_rw(f, &cat, NR_WRITE, 1, 20, 2000);
    sys_rw(f, &cat, NR_WRITEV, 1, 30, 3000);
    g_assert_cmpuint(n_flows(f), ==, 2);
    g_assert_cmpuint(f->new_flows->len, ==, announced + 1);
    fl = find_flow(f, proc_of(f, &cat)->id, inode(f, DEV_DISK, 20)->id,
                   ST_ENGINE_FAMILY_WRITE);
    g_assert_cmpuint(fl->count, ==, 3);
    g_assert_cmpuint(fl->bytes, ==, 60);
    g_assert_cmpuint(fl->first_ns, ==, 1001);
    g_assert_cmpuint(fl->last_ns, ==, 3001);
    g_assert_cmpuint(fl->syscall_nr, ==, NR_WRITE);
    g_assert_cmpuint(g_array_index(f->new_flows, uint64_t, announced), ==,
                     fl->id);
    fake_free(f);
}

/* Two secrets, two hops: labels accumulate along the route. */
static void test_labels_two_hops(void)
{
    Fake *f = fake_new();
    StEngineTask p1 = mktask(100, 1000, 1, 1, "p1");
    StEngineTask p2 = mktask(101, 1001, 1, 1, "p2");
    uint64_t a = reg(f, DEV_DISK, 10, "A");
    uint64_t b = reg(f, DEV_DISK, 11, "B");
    const StEngineNodeInfo *f1, *f2;

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/a");
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/f1");
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/f1");
    fake_fd(f, 101, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/b");
    fake_fd(f, 101, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/f2");

    sys_rw(f, &p1, NR_READ, 3, 5, 100);
    sys_rw(f, &p1, NR_WRITE, 4, 5, 110);
    sys_rw(f, &p2, NR_READ, 3, 5, 120);
    assert_labels(f, proc_of(f, &p2)->labels, "A");
    sys_rw(f, &p2, NR_READ, 4, 5, 130);
    sys_rw(f, &p2, NR_WRITE, 5, 5, 140);

    f1 = inode(f, DEV_DISK, 20);
    f2 = inode(f, DEV_DISK, 21);
    assert_labels(f, f1->labels, "A");
    assert_labels(f, f2->labels, "A,B");
    assert_labels(f, proc_of(f, &p2)->labels, "A,B");
    assert_labels(f, find_flow(f, proc_of(f, &p2)->id, f2->id,
                               ST_ENGINE_FAMILY_WRITE)->labels, "A,B");
    g_assert_nonnull(find_flow(f, a, proc_of(f, &p1)->id,
                               ST_ENGINE_FAMILY_READ));
    g_assert_nonnull(find_flow(f, b, proc_of(f, &p2)->id,
                               ST_ENGINE_FAMILY_READ));
    g_assert_nonnull(find_flow(f, f1->id, proc_of(f, &p2)->id,
                               ST_ENGINE_FAMILY_READ));

    /* p1 picks up B later: the new label rides the existing edge. */
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/b");
    sys_rw(f, &p1, NR_READ, 5, 5, 150);
    sys_rw(f, &p1, NR_WRITE, 4, 5, 160);
    assert_labels(f, f1->labels, "A,B");
    assert_labels(f, find_flow(f, proc_of(f, &p1)->id, f1->id,
                               ST_ENGINE_FAMILY_WRITE)->labels, "A,B");
    fake_free(f);
}

static void test_transfer(void)
{
    Fake *f = fake_new();
    StEngineTask cp = mktask(400, 4000, 1, 1, "cp");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineFlowInfo *fl;
    const StEngineNodeInfo *out, *pipe;

    fake_fd(f, 400, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 400, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 30, "/copy");
    fake_fd(f, 400, 5, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 77, NULL);
    fake_fd(f, 400, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 31, "/copy2");
    fake_fd(f, 400, 7, ST_ENGINE_KIND_FILE, DEV_DISK, 32, "/other");

    /* sendfile(out=4, in=3, NULL, 100) */
    sys(f, &cp, NR_SENDFILE, 4, 3, 0, 100, 0, 100, 100);
    out = inode(f, DEV_DISK, 30);
    g_assert_nonnull(out);
    fl = find_flow(f, secret, out->id, ST_ENGINE_FAMILY_TRANSFER);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 100);
    g_assert_cmpuint(fl->via_tgid, ==, 400);
    g_assert_cmpuint(fl->via_start_time, ==, 4000);
    g_assert_cmpuint(fl->via_node, ==, 0);
    /* The data never passed through cp's memory. */
    g_assert_null(proc_of(f, &cp));

    /* splice(in=3, off, out=5, off, len) then tee(in=5, out=6) */
    sys(f, &cp, NR_SPLICE, 3, 0, 5, 0, 50, 50, 200);
    pipe = inode(f, DEV_PIPEFS, 77);
    g_assert_nonnull(pipe);
    g_assert_cmpstr(pipe->path, ==, "pipe:[77]");
    sys(f, &cp, NR_TEE, 5, 6, 50, 0, 0, 50, 300);
    g_assert_nonnull(find_flow(f, pipe->id, inode(f, DEV_DISK, 31)->id,
                               ST_ENGINE_FAMILY_TRANSFER));
    /* copy_file_range(in=7 untracked, off, out=4): nothing. */
    sys(f, &cp, NR_COPY_FILE_RANGE, 7, 0, 6, 0, 10, 10, 400);
    g_assert_null(inode(f, DEV_DISK, 32));
    g_assert_cmpuint(n_flows(f), ==, 3);
    fake_free(f);
}

/* A tracked process moving clean data with sendfile taints the target. */
static void test_transfer_tracked_process(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask(410, 4100, 1, 1, "sh");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineNodeInfo *proc, *h, *copy;
    const StEngineFlowInfo *fl;

    fake_fd(f, 410, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 410, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 50, "/etc/hostname");
    fake_fd(f, 410, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 51, "/h");
    fake_fd(f, 410, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 52, "/copy");

    sys_rw(f, &sh, NR_READ, 3, 64, 100);
    proc = proc_of(f, &sh);
    g_assert_nonnull(proc);
    /* sendfile(out=5, in=4 clean): from the process, not the source. */
    sys(f, &sh, NR_SENDFILE, 5, 4, 0, 9, 0, 9, 200);
    h = inode(f, DEV_DISK, 51);
    g_assert_nonnull(h);
    g_assert_cmpuint(h->labels, ==, proc->labels);
    g_assert_null(inode(f, DEV_DISK, 50));
    fl = find_flow(f, proc->id, h->id, ST_ENGINE_FAMILY_TRANSFER);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->bytes, ==, 9);
    g_assert_cmpuint(n_flows(f), ==, 2);
    /* From the secret itself: one edge, source to target, none from sh. */
    sys(f, &sh, NR_SENDFILE, 6, 3, 0, 64, 0, 64, 300);
    copy = inode(f, DEV_DISK, 52);
    g_assert_nonnull(copy);
    g_assert_nonnull(find_flow(f, secret, copy->id,
                               ST_ENGINE_FAMILY_TRANSFER));
    g_assert_null(find_flow(f, proc->id, copy->id,
                            ST_ENGINE_FAMILY_TRANSFER));
    g_assert_cmpuint(n_flows(f), ==, 3);
    fake_free(f);
}

static void test_mmap(void)
{
    Fake *f = fake_new();
    StEngineTask viewer = mktask(500, 5000, 1, 1, "viewer");
    StEngineTask priv = mktask(501, 5001, 1, 1, "priv");
    uint64_t secret = reg(f, DEV_DISK, 10, "S");
    const StEngineNodeInfo *shared;

    fake_fd(f, 500, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 500, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 40, "/shm");
    fake_fd(f, 500, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 41, "/private");
    fake_fd(f, 501, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");

    /* PROT_WRITE only (no read) of the secret: no taint. */
    sys(f, &viewer, NR_MMAP, 0, 4096, 2, 1, 3, 0x7f0000000000, 90);
    g_assert_null(proc_of(f, &viewer));
    /* MAP_ANONYMOUS: ignored even with a stray fd. */
    sys(f, &viewer, NR_MMAP, 0, 4096, 1, 0x22, 3, 0x7f0000000000, 95);
    g_assert_null(proc_of(f, &viewer));
    /* mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) */
    sys(f, &viewer, NR_MMAP, 0, 8192, 1, 2, 3, 0x7f0000000000, 100);
    g_assert_nonnull(proc_of(f, &viewer));
    g_assert_cmpuint(find_flow(f, secret, proc_of(f, &viewer)->id,
                               ST_ENGINE_FAMILY_MMAP)->bytes, ==, 8192);
    /* MAP_SHARED + PROT_READ|PROT_WRITE of another file: tracked. */
    sys(f, &viewer, NR_MMAP, 0, 4096, 3, 1, 4, 0x7f0000010000, 200);
    shared = inode(f, DEV_DISK, 40);
    g_assert_nonnull(shared);
    g_assert_nonnull(find_flow(f, proc_of(f, &viewer)->id, shared->id,
                               ST_ENGINE_FAMILY_MMAP));
    /* MAP_PRIVATE writable: the file itself is not written. */
    sys(f, &viewer, NR_MMAP, 0, 4096, 3, 2, 5, 0x7f0000020000, 300);
    g_assert_null(inode(f, DEV_DISK, 41));
    /* A failed mmap does nothing. */
    sys(f, &priv, NR_MMAP, 0, 4096, 1, 2, 3, -12, 400);
    g_assert_null(proc_of(f, &priv));
    fake_free(f);
}

static void test_clone_by_return(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask child = mktask(150, 1500, 100, 1000, "cat");
    const StEngineFlowInfo *fl;

    /* The parent's exit returns the child's pid... */
    sys(f, &sh, NR_VFORK, 0, 0, 0, 0, 0, 150, 200);
    g_assert_null(proc_of(f, &child));
    /* ...and the child is paired when it first shows up. */
    child.ppid = 99;            /* reparented: only the tid pairs it */
    sys_rw(f, &child, NR_WRITE, 1, 0, 300);
    g_assert_nonnull(proc_of(f, &child));
    assert_labels(f, proc_of(f, &child)->labels, "S");
    fl = find_flow(f, proc_of(f, &sh)->id, proc_of(f, &child)->id,
                   ST_ENGINE_FAMILY_CLONE);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->syscall_nr, ==, NR_VFORK);
    g_assert_cmpuint(fl->first_ns, ==, 201);
    g_assert_cmpuint(n_flows(f), ==, 2);
    fake_free(f);
}

static void test_clone_first_appearance(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask child = mktask(150, 1500, 100, 1000, "sh");
    StEngineTask other = mktask(160, 1600, 1, 1, "other");

    /* The child runs before the parent returns from fork. */
    entry(f, &sh, NR_FORK, 0, 0, 0, 0, 0, 200);
    fake_fd(f, 150, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 60, "/child-out");
    sys_rw(f, &child, NR_WRITE, 1, 4, 210);
    g_assert_nonnull(proc_of(f, &child));
    g_assert_nonnull(inode(f, DEV_DISK, 60));
    st_engine_syscall_exit(f->e, &sh, NR_FORK, 150, 220);
    /* One clone edge, not two; no pending child left behind. */
    g_assert_cmpuint(n_flows(f), ==, 3);
    g_assert_nonnull(find_flow(f, proc_of(f, &sh)->id,
                               proc_of(f, &child)->id,
                               ST_ENGINE_FAMILY_CLONE));
    /* An unrelated new process is not a child. */
    sys_rw(f, &other, NR_WRITE, 1, 4, 230);
    g_assert_null(proc_of(f, &other));
    fake_free(f);
}

static void test_clone_thread(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask app = setup_reader(f, &secret);
    StEngineTask thr = mkthread(&app, 101, 1100);
    StEngineTask thr3 = mkthread(&app, 102, 1200);
    StEngineCounters c;

    /* clone(CLONE_VM|CLONE_THREAD|...) returns the new thread's tid. */
    sys(f, &app, NR_CLONE, 0x3d0f00, 0, 0, 0, 0, 101, 200);
    sys(f, &app, NR_CLONE3, 0x7ffd0000, 88, 0, 0, 0, 102, 210);
    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 60, "/thr-out");
    sys_rw(f, &thr, NR_WRITE, 1, 4, 300);
    sys_rw(f, &thr3, NR_WRITE, 1, 4, 310);
    /* Threads are the same process node: no clone edge, one process. */
    c = counters(f);
    g_assert_cmpuint(c.nodes, ==, 3);    /* secret, app, /thr-out */
    g_assert_nonnull(find_flow(f, proc_of(f, &app)->id,
                               inode(f, DEV_DISK, 60)->id,
                               ST_ENGINE_FAMILY_WRITE));
    g_assert_cmpuint(find_flow(f, proc_of(f, &app)->id,
                               inode(f, DEV_DISK, 60)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_cmpuint(n_flows(f), ==, 2);

    /* A thread that never makes a syscall leaves no child to pair... */
    sys(f, &app, NR_CLONE, 0x3d0f00, 0, 0, 0, 0, 103, 400);
    /* ...so a later, unrelated process with that pid stays untracked. */
    {
        StEngineTask stranger = mktask(103, 9000, 1, 1, "stranger");

        sys_rw(f, &stranger, NR_WRITE, 1, 4, 500);
        g_assert_null(proc_of(f, &stranger));
    }
    fake_free(f);
}

/* A child forked before its parent was tracked stays untracked. */
static void test_clone_older_child(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask(100, 1000, 1, 1, "sh");
    StEngineTask old = mktask(150, 1500, 100, 1000, "old");
    StEngineTask late = mktask(170, 1700, 100, 1000, "late");
    uint64_t secret;

    sys_rw(f, &old, NR_WRITE, 1, 1, 50);   /* seen: start 1500 */
    setup_reader(f, &secret);              /* sh becomes tracked */
    sys_rw(f, &old, NR_WRITE, 1, 1, 150);
    g_assert_null(proc_of(f, &old));
    sys_rw(f, &late, NR_WRITE, 1, 1, 160);
    g_assert_nonnull(proc_of(f, &late));
    g_assert_nonnull(find_flow(f, proc_of(f, &sh)->id, proc_of(f, &late)->id,
                               ST_ENGINE_FAMILY_CLONE));
    fake_free(f);
}

/* Task details (parent, comm) are fetched only when needed. */
static void test_lazy_task_details(void)
{
    Fake *f = fake_new();
    StEngineTask sh = mktask_lazy(f, 100, 1000, 1, 1, "sh");
    StEngineTask kid = mktask_lazy(f, 150, 1700, 100, 1000, "kid");
    StEngineTask other = mktask_lazy(f, 160, 1600, 1, 1, "other");
    StEngineTask other2 = mktask_lazy(f, 161, 1610, 1, 1, "other2");
    unsigned calls;

    reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 11, "/etc/motd");
    /* Nothing tracked to descend from: no details wanted. */
    sys_rw(f, &sh, NR_WRITE, 1, 5, 100);
    sys_rw(f, &sh, NR_READ, 4, 5, 110);
    sys_rw(f, &other, NR_WRITE, 1, 5, 120);
    g_assert_cmpuint(f->details_calls, ==, 0);
    /* Becoming tracked: the node gets its comm. */
    sys_rw(f, &sh, NR_READ, 3, 5, 130);
    g_assert_cmpuint(f->details_calls, ==, 1);
    g_assert_cmpstr(proc_of(f, &sh)->comm, ==, "sh");
    /* A new task might be sh's child: its parent is asked for. */
    sys_rw(f, &kid, NR_WRITE, 1, 5, 140);
    g_assert_nonnull(proc_of(f, &kid));
    g_assert_cmpstr(proc_of(f, &kid)->comm, ==, "kid");
    g_assert_cmpuint(proc_of(f, &kid)->ppid, ==, 100);
    /* Untracked tasks are asked once, not at every syscall. */
    calls = f->details_calls;
    sys_rw(f, &other, NR_WRITE, 1, 5, 150);
    sys_rw(f, &other2, NR_WRITE, 1, 5, 155);
    sys_rw(f, &other, NR_WRITE, 1, 5, 160);
    sys_rw(f, &other2, NR_WRITE, 1, 5, 165);
    g_assert_cmpuint(f->details_calls, ==, calls + 2);
    g_assert_null(proc_of(f, &other));
    g_assert_null(proc_of(f, &other2));
    fake_free(f);
}

static void test_execve(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask sh = setup_reader(f, &secret);
    StEngineTask after = sh;
    StEngineCounters c;
    unsigned before;

    /* A failed execve returns through sysret: nothing changes. */
    sys(f, &sh, NR_EXECVE, 0x1000, 0, 0, 0, 0, -2, 150);
    g_assert_cmpstr(proc_of(f, &sh)->comm, ==, "cat");
    /* A successful one never does; the next entry shows the new comm. */
    entry(f, &sh, NR_EXECVE, 0x1000, 0, 0, 0, 0, 200);
    g_strlcpy(after.comm, "gzip", sizeof(after.comm));
    before = f->resolve_calls;
    sys_rw(f, &after, NR_READ, 3, 1, 300);
    g_assert_cmpstr(proc_of(f, &sh)->comm, ==, "gzip");
    assert_labels(f, proc_of(f, &sh)->labels, "S");
    /* The fd cache of the old image is gone: fd 3 is resolved again. */
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 1);
    g_assert_cmpuint(c.unpaired_by_family[ST_ENGINE_FAMILY_EXECVE], ==, 1);
    fake_free(f);
}

static void test_exit_and_pid_reuse(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask reuse = mktask(100, 9000, 1, 1, "new");
    unsigned flows = n_flows(f);

    entry(f, &cat, NR_EXIT_GROUP, 0, 0, 0, 0, 0, 200);
    g_assert_true(proc_of(f, &cat)->dead);
    g_assert_cmpuint(n_flows(f), ==, flows);
    g_assert_nonnull(find_flow(f, secret, proc_of(f, &cat)->id,
                               ST_ENGINE_FAMILY_READ));

    /* Same pid, new process: not tracked, its writes carry nothing. */
    fake_fd(f, 100, 1, ST_ENGINE_KIND_FILE, DEV_DISK, 70, "/new-out");
    sys_rw(f, &reuse, NR_WRITE, 1, 10, 300);
    g_assert_null(proc_of(f, &reuse));
    g_assert_null(inode(f, DEV_DISK, 70));
    g_assert_cmpuint(n_flows(f), ==, flows);
    /* A child of the new pid-100 process, parent known by tgid only. */
    {
        StEngineTask kid = mktask(120, 9500, 100, 0, "kid");

        sys_rw(f, &kid, NR_WRITE, 1, 10, 400);
        g_assert_null(proc_of(f, &kid));
    }
    fake_free(f);
}

static void test_exit_thread(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask app = setup_reader(f, &secret);
    StEngineTask thr = mkthread(&app, 101, 1100);

    /* exit() of a non-leader thread leaves the process alive. */
    entry(f, &thr, NR_EXIT, 0, 0, 0, 0, 0, 200);
    g_assert_false(proc_of(f, &app)->dead);
    entry(f, &app, NR_EXIT, 0, 0, 0, 0, 0, 210);
    g_assert_true(proc_of(f, &app)->dead);
    fake_free(f);
}

static void test_open_pattern(void)
{
    Fake *f = fake_new();
    StEngineTask ed = mktask(600, 6000, 1, 1, "ed");
    GError *err = NULL;
    const StEngineNodeInfo *n;

    g_assert_true(st_engine_register_pattern(f->e, SECRET_GLOB, NULL,
                                             &err));
    g_assert_true(st_engine_register_pattern(f->e, "/keys/id_[dr]sa?",
                                             "ssh", &err));
    g_assert_no_error(err);
    fake_fd(f, 600, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 80, "/secret/a.txt");
    fake_fd(f, 600, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 81,
            "/secret/sub/b.txt");
    fake_fd(f, 600, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 82, "/keys/id_rsa2");
    fake_fd(f, 600, 6, ST_ENGINE_KIND_FILE, DEV_DISK, 83, "/keys/id_ecdsa");
    fake_fd(f, 600, 7, ST_ENGINE_KIND_FILE, DEV_DISK, 84, "/secret/c.txt");

    sys(f, &ed, NR_OPENAT, (uint64_t)-100, 0x1000, 0, 0, 0, 3, 100);
    sys(f, &ed, NR_OPENAT, (uint64_t)-100, 0x1000, 0, 0, 0, 4, 110);
    sys(f, &ed, NR_OPENAT2, (uint64_t)-100, 0x1000, 0, 0, 0, 5, 120);
    sys(f, &ed, 2, 0x1000, 0, 0, 0, 0, 6, 130);
    sys(f, &ed, NR_OPENAT, (uint64_t)-100, 0x1000, 0, 0, 0, -2, 140);

    n = inode(f, DEV_DISK, 80);
    g_assert_nonnull(n);
    assert_labels(f, n->labels, SECRET_GLOB);
    g_assert_true(n->registered);
    g_assert_cmpstr(n->path, ==, "/secret/a.txt");
    g_assert_false(n->path_pending);
    g_assert_null(inode(f, DEV_DISK, 81));   /* '*' does not cross '/' */
    assert_labels(f, inode(f, DEV_DISK, 82)->labels, "ssh");
    g_assert_null(inode(f, DEV_DISK, 83));
    g_assert_null(inode(f, DEV_DISK, 84));   /* failed open */
    /* id_ecdsa matches no pattern by name: its path was never asked. */
    g_assert_cmpuint(f->get_path_calls, ==, 3);
    /* Opening is no flow, and the opener is not tracked. */
    g_assert_cmpuint(n_flows(f), ==, 0);
    g_assert_null(proc_of(f, &ed));
    /* The opened file now taints its reader. */
    sys_rw(f, &ed, NR_READ, 3, 10, 200);
    assert_labels(f, proc_of(f, &ed)->labels, SECRET_GLOB);
    g_assert_false(proc_of(f, &ed)->registered);
    /* Opened through a hard link, the file keeps the name it has. */
    fake_fd(f, 600, 8, ST_ENGINE_KIND_FILE, DEV_DISK, 80, "/other/link.txt");
    sys(f, &ed, NR_OPENAT, (uint64_t)-100, 0x1000, 0, 0, 0, 8, 300);
    g_assert_cmpstr(inode(f, DEV_DISK, 80)->path, ==, "/secret/a.txt");
    fake_free(f);
}

static void test_bad_pattern(void)
{
    static const char *const bad[] = {
        "/secret/[abc", "", "/x\\", "/a/[!]", "/a[/b]", "*secret*",
    };
    Fake *f = fake_new();
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;

        g_assert_false(st_engine_register_pattern(f->e, bad[i], NULL, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, "pattern"));
        g_error_free(err);
    }
    g_assert_true(st_engine_register_pattern(f->e, "/a/[]x]\\*", NULL, NULL));
    fake_free(f);
}

static void test_register_inode(void)
{
    Fake *f = fake_new();
    StEngineTask cat = mktask(100, 1000, 1, 1, "cat");
    const StEngineNodeInfo *n;
    uint64_t id, id2;
    uint64_t req;
    StEngineObject obj;

    id = reg(f, DEV_DISK, 10, NULL);
    n = st_engine_node(f->e, id);
    g_assert_cmpint(n->kind, ==, ST_ENGINE_KIND_UNKNOWN);
    g_assert_true(n->registered);
    assert_labels(f, n->labels, "inode:2049:10");
    g_assert_null(n->path);
    /* Registering a tracked node again adds the label, same node. */
    id2 = reg(f, DEV_DISK, 10, "S");
    g_assert_cmpuint(id2, ==, id);
    assert_labels(f, n->labels, "inode:2049:10,S");
    /* Seen through an fd: the kind and the path handle arrive. */
    g_assert_false(st_engine_next_path_request(f->e, &req, &obj));
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, NR_READ, 3, 1, 100);
    g_assert_cmpint(n->kind, ==, ST_ENGINE_KIND_FILE);
    g_assert_true(st_engine_next_path_request(f->e, &req, &obj));
    g_assert_cmpuint(req, ==, id);
    /* After tracking has started, registration still works. */
    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 12, "/late");
    id = reg(f, DEV_DISK, 12, "L");
    sys_rw(f, &cat, NR_READ, 4, 1, 200);
    assert_labels(f, proc_of(f, &cat)->labels, "inode:2049:10,S,L");
    fake_free(f);
}

static void test_pipe(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask wc = mktask(101, 1001, 1, 1, "wc");
    const StEngineNodeInfo *pipe;
    uint64_t req;
    StEngineObject obj;

    /* Only the secret (seen through fd 3) wants a path. */
    g_assert_true(st_engine_next_path_request(f->e, &req, &obj));
    g_assert_cmpuint(req, ==, secret);
    fake_fd(f, 100, 1, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 500, NULL);
    fake_fd(f, 101, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 500, NULL);
    sys_rw(f, &cat, NR_WRITE, 1, 64, 200);
    sys_rw(f, &wc, NR_READ, 0, 64, 300);
    pipe = inode(f, DEV_PIPEFS, 500);
    g_assert_cmpstr(pipe->path, ==, "pipe:[500]");
    g_assert_nonnull(proc_of(f, &wc));
    g_assert_nonnull(find_flow(f, pipe->id, proc_of(f, &wc)->id,
                               ST_ENGINE_FAMILY_READ));
    /* Pipes render themselves: no path request. */
    g_assert_false(st_engine_next_path_request(f->e, &req, &obj));
    fake_free(f);
}

static void test_chardev_is_sink(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask sh = mktask(50, 500, 1, 1, "sh");

    fake_fd(f, 100, 1, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 3, "/dev/pts/0");
    fake_fd(f, 50, 0, ST_ENGINE_KIND_CHARDEV, DEV_TTY, 3, "/dev/pts/0");
    sys_rw(f, &cat, NR_WRITE, 1, 64, 200);
    g_assert_nonnull(inode(f, DEV_TTY, 3));
    sys_rw(f, &sh, NR_READ, 0, 5, 300);
    g_assert_null(proc_of(f, &sh));
    fake_free(f);
}

static void test_tcp_loopback(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(700, 7000, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40000);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 8080);
    const StEngineNodeInfo *s1, *s2;
    StEngineCounters c;

    fake_inet(f, 100, 5, 901, cli, srv);
    fake_inet(f, 700, 6, 902, srv, cli);
    /* The server socket is unknown when the client sends. */
    sys_rw(f, &client, NR_SENDTO, 5, 64, 200);
    s1 = inode(f, DEV_SOCKFS, 901);
    g_assert_nonnull(s1);
    g_assert_cmpstr(s1->path, ==, "socket:[901]");
    g_assert_null(inode(f, DEV_SOCKFS, 902));
    c = counters(f);
    g_assert_cmpuint(c.pending_endpoints, ==, 1);
    sys_rw(f, &client, NR_WRITE, 5, 36, 210);
    /* The server reads: its socket is matched by the endpoints. */
    sys_rw(f, &server, NR_RECVFROM, 6, 100, 300);
    s2 = inode(f, DEV_SOCKFS, 902);
    g_assert_nonnull(s2);
    g_assert_nonnull(proc_of(f, &server));
    assert_labels(f, proc_of(f, &server)->labels, "S");
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 100);
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_nonnull(find_flow(f, s2->id, proc_of(f, &server)->id,
                               ST_ENGINE_FAMILY_READ));
    c = counters(f);
    g_assert_cmpuint(c.pending_endpoints, ==, 0);
    /* Sending does not make the sender's own socket readable-tainted. */
    g_assert_cmpuint(s1->rx_labels, ==, 0);
    /* Now both are known: the reply goes straight to the client socket. */
    sys_rw(f, &server, NR_SENDMSG, 6, 5, 400);
    g_assert_nonnull(find_flow(f, s2->id, s1->id, ST_ENGINE_FAMILY_WRITE));
    assert_labels(f, s1->rx_labels, "S");
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

/*
 * The reader is woken by the write and returns before the writer's exit
 * is seen: the channel must already carry the taint.
 */
static void test_pipe_reader_first(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask gz = mktask(102, 1002, 1, 1, "gzip");
    const StEngineNodeInfo *pipe, *reader;
    const StEngineFlowInfo *w;

    fake_fd(f, 100, 1, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 501, NULL);
    fake_fd(f, 102, 0, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 501, NULL);
    g_assert_false(st_engine_has_pending(f->e));
    entry(f, &cat, NR_WRITE, 1, 0x1000, 64, 0, 0, 200);
    g_assert_true(st_engine_has_pending(f->e));
    sys_rw(f, &gz, NR_READ, 0, 64, 210);
    reader = proc_of(f, &gz);
    g_assert_nonnull(reader);
    assert_labels(f, reader->labels, "S");
    st_engine_syscall_exit(f->e, &cat, NR_WRITE, 64, 220);
    g_assert_false(st_engine_has_pending(f->e));
    pipe = inode(f, DEV_PIPEFS, 501);
    w = find_flow(f, proc_of(f, &cat)->id, pipe->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(w);
    g_assert_cmpuint(w->count, ==, 1);
    g_assert_cmpuint(w->bytes, ==, 64);
    g_assert_nonnull(find_flow(f, pipe->id, reader->id,
                               ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

static void test_tcp_reader_first(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(701, 7001, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40001);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 4444);
    const StEngineNodeInfo *s1, *s2;
    const StEngineFlowInfo *w;

    fake_inet(f, 100, 5, 911, cli, srv);
    fake_inet(f, 701, 6, 912, srv, cli);
    /* Never seen before, the server socket is read before the exit. */
    entry(f, &client, NR_WRITE, 5, 0x1000, 92, 0, 0, 200);
    sys_rw(f, &server, NR_READ, 6, 92, 210);
    g_assert_nonnull(proc_of(f, &server));
    assert_labels(f, proc_of(f, &server)->labels, "S");
    st_engine_syscall_exit(f->e, &client, NR_WRITE, 92, 220);
    s1 = inode(f, DEV_SOCKFS, 911);
    s2 = inode(f, DEV_SOCKFS, 912);
    w = find_flow(f, s1->id, s2->id, ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(w);
    g_assert_cmpuint(w->count, ==, 1);
    g_assert_cmpuint(w->bytes, ==, 92);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    /* A failed write after that adds no count. */
    sys_rw(f, &client, NR_WRITE, 5, -32, 300);
    g_assert_cmpuint(find_flow(f, s1->id, s2->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 1);
    fake_free(f);
}

/* Read after both ends closed: Linux has zeroed the local port. */
static void test_tcp_closed_reader(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(702, 7002, 1, 1, "server");
    StEngineEndpoint cli = ep4(127, 0, 0, 1, 40002);
    StEngineEndpoint srv = ep4(127, 0, 0, 1, 4444);
    StEngineEndpoint closed = ep4(127, 0, 0, 1, 0);
    StEngineEndpoint other = ep4(127, 0, 0, 1, 40003);

    fake_inet(f, 100, 5, 921, cli, srv);
    fake_inet(f, 702, 6, 922, closed, cli);
    fake_inet(f, 702, 7, 923, closed, other);
    sys_rw(f, &client, NR_WRITE, 5, 54, 200);
    /* Another closed connection, from another client port: not this one. */
    sys_rw(f, &server, NR_READ, 7, 10, 300);
    g_assert_null(proc_of(f, &server));
    sys_rw(f, &server, NR_READ, 6, 54, 310);
    g_assert_nonnull(proc_of(f, &server));
    assert_labels(f, proc_of(f, &server)->labels, "S");
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 921)->id,
                               inode(f, DEV_SOCKFS, 922)->id,
                               ST_ENGINE_FAMILY_WRITE));
    fake_free(f);
}

/*
 * After a reboot, tmpfs inode numbers and task start times start over: the
 * old boot's nodes on anonymous devices must not taint the new boot's.
 * Files on a block device keep their taint.
 */
static void test_new_boot(void)
{
    const uint64_t tmpfs = 0x1f, disk = (8ull << 20) | 1;
    Fake *f = fake_new();
    StEngineTask cat = mktask(200, 2000, 1, 1, "cat");
    StEngineTask again = mktask(200, 2000, 1, 1, "cat");
    uint64_t secret = reg(f, tmpfs, 10, "S");
    const StEngineNodeInfo *old_copy;
    uint64_t flows;

    fake_fd(f, 200, 3, ST_ENGINE_KIND_FILE, tmpfs, 10, "/tmp/secret");
    fake_fd(f, 200, 4, ST_ENGINE_KIND_FILE, tmpfs, 50, "/tmp/copy");
    fake_fd(f, 200, 5, ST_ENGINE_KIND_FILE, disk, 60, "/data/copy");
    fake_fd(f, 200, 6, ST_ENGINE_KIND_PIPE, DEV_PIPEFS, 70, NULL);
    sys_rw(f, &cat, NR_READ, 3, 64, 100);
    sys_rw(f, &cat, NR_WRITE, 4, 64, 110);
    sys_rw(f, &cat, NR_WRITE, 5, 64, 120);
    entry(f, &cat, NR_WRITE, 6, 0x1000, 64, 0, 0, 130);
    g_assert_true(st_engine_has_pending(f->e));
    flows = n_flows(f);
    old_copy = inode(f, tmpfs, 50);
    g_assert_nonnull(old_copy);

    st_engine_new_boot(f->e);
    g_assert_false(st_engine_has_pending(f->e));
    /* History stays, marked gone. */
    g_assert_cmpuint(n_flows(f), ==, flows);
    g_assert_true(st_engine_node(f->e, old_copy->id)->deleted);
    g_assert_true(st_engine_node(f->e, secret)->deleted);
    g_assert_null(inode(f, tmpfs, 50));
    g_assert_null(inode(f, DEV_PIPEFS, 70));
    g_assert_null(proc_of(f, &cat));
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_FD_CACHE], ==, 0);

    /* Same pid, same start time, same inode numbers: all innocent now. */
    sys_rw(f, &again, NR_READ, 4, 64, 200);
    g_assert_null(proc_of(f, &again));
    sys_rw(f, &again, NR_WRITE, 3, 64, 210);
    g_assert_cmpuint(n_flows(f), ==, flows);
    /* The copy on disk survived the reboot, and still taints. */
    g_assert_nonnull(inode(f, disk, 60));
    sys_rw(f, &again, NR_READ, 5, 64, 220);
    g_assert_nonnull(proc_of(f, &again));
    g_assert_cmpuint(n_flows(f), ==, flows + 1);
    fake_free(f);
}

static void test_udp_loopback_wildcard(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask daemon = mktask(710, 7100, 1, 1, "syslogd");
    StEngineEndpoint none = { 0 };

    /* Unconnected UDP: the peer comes from the sendto arguments. */
    fake_inet(f, 100, 5, 911, ep4(0, 0, 0, 0, 0), none);
    f->have_send_peer = true;
    f->send_peer = ep4(127, 0, 0, 1, 514);
    sys(f, &client, NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 200);
    /* The daemon is bound to 0.0.0.0:514, with no peer. */
    fake_inet(f, 710, 3, 912, ep4(0, 0, 0, 0, 514), none);
    sys_rw(f, &daemon, NR_RECVMSG, 3, 10, 300);
    g_assert_nonnull(proc_of(f, &daemon));
    g_assert_nonnull(find_flow(f, inode(f, DEV_SOCKFS, 911)->id,
                               inode(f, DEV_SOCKFS, 912)->id,
                               ST_ENGINE_FAMILY_WRITE));
    /* A second datagram finds the now known receiver directly. */
    sys(f, &client, NR_SENDTO, 5, 0x1000, 10, 0, 0x2000, 10, 400);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 911)->id,
                               inode(f, DEV_SOCKFS, 912)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    fake_free(f);
}

static void test_ipv6_loopback_and_mmsg(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask client = setup_reader(f, &secret);
    StEngineTask server = mktask(720, 7200, 1, 1, "server6");
    StEngineEndpoint cli = { .family = ST_AF_INET6, .port = 41000 };
    StEngineEndpoint srv = { .family = ST_AF_INET6, .port = 9000 };
    FakeFd *ff;

    cli.addr[15] = 1;           /* ::1 */
    srv.addr[15] = 1;
    ff = fake_inet(f, 100, 5, 941, cli, srv);
    ff->obj.sock_family = ST_AF_INET6;
    ff = fake_inet(f, 720, 3, 942, srv, cli);
    ff->obj.sock_family = ST_AF_INET6;
    /* sendmmsg of 3 messages, recvmmsg of 2: bytes from mmsg_bytes. */
    sys(f, &client, 307, 5, 0x1000, 3, 0, 0, 3, 200);
    sys(f, &server, 299, 3, 0x1000, 2, 0, 0, 2, 300);
    g_assert_nonnull(proc_of(f, &server));
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 941)->id,
                               inode(f, DEV_SOCKFS, 942)->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 300);
    g_assert_cmpuint(find_flow(f, inode(f, DEV_SOCKFS, 942)->id,
                               proc_of(f, &server)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 200);
    /* No endpoint node: ::1 is local. */
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

static void test_unix_peer(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask srv = mktask(800, 8000, 1, 1, "srv");
    const StEngineNodeInfo *s1, *s2;

    fake_unix(f, 100, 5, 601, 602);
    sys_rw(f, &cat, NR_SENDMSG, 5, 32, 200);
    s1 = inode(f, DEV_SOCKFS, 601);
    s2 = inode(f, DEV_SOCKFS, 602);
    g_assert_nonnull(s1);
    g_assert_nonnull(s2);
    g_assert_cmpuint(s1->rx_labels, ==, 0);
    assert_labels(f, s2->rx_labels, "S");
    g_assert_nonnull(find_flow(f, s1->id, s2->id, ST_ENGINE_FAMILY_WRITE));
    /* The peer's fd is seen only now, after the send. */
    fake_unix(f, 800, 4, 602, 601);
    sys_rw(f, &srv, NR_READ, 4, 32, 300);
    assert_labels(f, proc_of(f, &srv)->labels, "S");
    g_assert_nonnull(find_flow(f, s2->id, proc_of(f, &srv)->id,
                               ST_ENGINE_FAMILY_READ));
    /* Reading the writer's own end does not taint (data goes the other way). */
    {
        StEngineTask sib = mktask(801, 8001, 1, 1, "sib");

        fake_unix(f, 801, 4, 601, 602);
        sys_rw(f, &sib, NR_READ, 4, 32, 400);
        g_assert_null(proc_of(f, &sib));
    }
    /* An unconnected unix socket with no known peer is counted. */
    fake_unix(f, 100, 6, 603, 0);
    sys_rw(f, &cat, NR_SENDTO, 6, 32, 500);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PEER], ==, 1);
    fake_free(f);
}

static bool collect_node(void *opaque, const StEngineNodeInfo *node)
{
    g_ptr_array_add(opaque, (gpointer)node);
    return true;
}

static void test_exfiltration(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask curl = setup_reader(f, &secret);
    g_autoptr(GPtrArray) eps = g_ptr_array_new();
    const StEngineNodeInfo *ep, *sock;
    StEngineEndpoint remote = ep4(93, 184, 216, 34, 443);
    FakeFd *ff;

    ff = fake_inet(f, 100, 5, 921, ep4(10, 0, 2, 15, 51000), remote);
    /* An IPv4-mapped IPv6 peer is the same endpoint. */
    ff->obj.peer.family = ST_AF_INET6;
    memset(ff->obj.peer.addr, 0, 16);
    ff->obj.peer.addr[10] = 0xff;
    ff->obj.peer.addr[11] = 0xff;
    memcpy(ff->obj.peer.addr + 12, remote.addr, 4);
    sys_rw(f, &curl, NR_SENDTO, 5, 500, 200);
    sys_rw(f, &curl, NR_WRITE, 5, 500, 210);

    st_engine_foreach_node(f->e, ST_ENGINE_KIND_ENDPOINT, collect_node, eps);
    g_assert_cmpuint(eps->len, ==, 1);
    ep = g_ptr_array_index(eps, 0);
    g_assert_true(ep->exfiltration);
    g_assert_cmpuint(ep->endpoint.family, ==, ST_AF_INET);
    g_assert_cmpuint(ep->endpoint.port, ==, 443);
    g_assert_cmpmem(ep->endpoint.addr, 4, remote.addr, 4);
    g_assert_cmpstr(ep->path, ==, "inet:93.184.216.34:443");
    assert_labels(f, ep->labels, "S");
    sock = inode(f, DEV_SOCKFS, 921);
    g_assert_cmpuint(find_flow(f, sock->id, ep->id,
                               ST_ENGINE_FAMILY_WRITE)->bytes, ==, 1000);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 0);
    fake_free(f);
}

static void test_query_processes(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineTask gz = mktask(101, 1001, 1, 1, "gzip");
    g_autoptr(GPtrArray) procs = g_ptr_array_new();
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    const StEngineNodeInfo *p;

    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &gz, NR_READ, 3, 1, 500);
    st_engine_foreach_node(f->e, ST_ENGINE_KIND_PROCESS, collect_node, procs);
    g_assert_cmpuint(procs->len, ==, 2);
    p = g_ptr_array_index(procs, 0);
    g_assert_cmpuint(p->tgid, ==, cat.tgid);
    g_assert_cmpuint(p->start_time, ==, 1000);
    g_assert_cmpuint(p->first_seen_ns, ==, 101);
    assert_labels(f, p->labels, "S");
    p = g_ptr_array_index(procs, 1);
    g_assert_cmpstr(p->comm, ==, "gzip");
    g_assert_cmpuint(p->first_seen_ns, ==, 501);
    st_engine_foreach_node(f->e, ST_ENGINE_KIND__MAX, collect_node, all);
    g_assert_cmpuint(all->len, ==, 3);
    g_assert_cmpstr(st_engine_kind_name(p->kind), ==, "process");
    fake_free(f);
}

static void test_bound_flows(void)
{
    StEngineConfig cfg = { .max_flows = 2 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    StEngineCounters c;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/o2");
    sys_rw(f, &cat, NR_WRITE, 4, 1, 200);
    sys_rw(f, &cat, NR_WRITE, 5, 1, 210);   /* third edge: dropped */
    sys_rw(f, &cat, NR_WRITE, 5, 1, 220);
    c = counters(f);
    g_assert_cmpuint(c.flows, ==, 2);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_FLOWS], ==, 2);
    /* The taint itself is not lost. */
    g_assert_nonnull(inode(f, DEV_DISK, 21));
    /* Existing edges still aggregate. */
    sys_rw(f, &cat, NR_WRITE, 4, 1, 230);
    g_assert_cmpuint(find_flow(f, proc_of(f, &cat)->id,
                               inode(f, DEV_DISK, 20)->id,
                               ST_ENGINE_FAMILY_WRITE)->count, ==, 2);
    g_assert_cmpstr(st_engine_drop_name(ST_ENGINE_DROP_FLOWS), ==, "flows");
    fake_free(f);
}

static void test_bound_nodes(void)
{
    StEngineConfig cfg = { .max_nodes = 3 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    GError *err = NULL;
    StEngineCounters c;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/o2");
    sys_rw(f, &cat, NR_WRITE, 4, 1, 200);
    sys_rw(f, &cat, NR_WRITE, 5, 1, 210);
    g_assert_null(inode(f, DEV_DISK, 21));
    g_assert_cmpuint(st_engine_register_inode(f->e, DEV_DISK, 99, "X", &err),
                     ==, 0);
    g_assert_nonnull(err);
    g_error_free(err);
    c = counters(f);
    g_assert_cmpuint(c.nodes, ==, 3);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_NODES], ==, 2);
    fake_free(f);
}

static void test_bound_labels(void)
{
    Fake *f = fake_new();
    GError *err = NULL;
    unsigned i;

    for (i = 0; i < ST_ENGINE_MAX_LABELS; i++) {
        g_autofree char *label = g_strdup_printf("L%u", i);

        reg(f, DEV_DISK, 1000 + i, label);
    }
    /* Reusing a label is fine; a 65th is not. */
    reg(f, DEV_DISK, 2000, "L3");
    g_assert_false(st_engine_register_pattern(f->e, "/x", "L64", &err));
    g_assert_nonnull(err);
    g_error_free(err);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_LABELS], ==, 1);
    fake_free(f);
}

static void test_bound_fd_cache(void)
{
    StEngineConfig cfg = { .max_fd_cache = 2 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);   /* caches fd 3 */
    StEngineCounters c;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    fake_fd(f, 100, 5, ST_ENGINE_KIND_FILE, DEV_DISK, 21, "/o2");
    sys_rw(f, &cat, NR_WRITE, 4, 1, 200);
    sys_rw(f, &cat, NR_WRITE, 5, 1, 210);   /* full: flushed */
    c = counters(f);
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_FD_CACHE], ==, 2);
    g_assert_nonnull(inode(f, DEV_DISK, 21));
    fake_free(f);
}

static void test_bound_pending(void)
{
    StEngineConfig cfg = { .max_pending = 1 };
    Fake *f = fake_new_with(&cfg);
    StEngineTask a = mktask(100, 1000, 1, 1, "a");
    StEngineTask b = mktask(101, 1001, 1, 1, "b");

    reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 101, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    entry(f, &a, NR_READ, 3, 0, 10, 0, 0, 100);     /* a blocks */
    sys_rw(f, &b, NR_READ, 3, 10, 110);              /* no slot left */
    g_assert_null(proc_of(f, &b));
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_PENDING], ==, 1);
    st_engine_syscall_exit(f->e, &a, NR_READ, 10, 120);
    g_assert_nonnull(proc_of(f, &a));
    fake_free(f);
}

static void test_bound_endpoints(void)
{
    StEngineConfig cfg = { .max_endpoints = 1 };
    Fake *f = fake_new_with(&cfg);
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);

    fake_inet(f, 100, 5, 931, ep4(127, 0, 0, 1, 40001),
              ep4(127, 0, 0, 1, 9001));
    fake_inet(f, 100, 6, 932, ep4(127, 0, 0, 1, 40002),
              ep4(127, 0, 0, 1, 9002));
    sys_rw(f, &cat, NR_WRITE, 5, 1, 200);
    sys_rw(f, &cat, NR_WRITE, 6, 1, 210);
    g_assert_cmpuint(counters(f).pending_endpoints, ==, 1);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_ENDPOINTS], ==, 1);
    fake_free(f);
}

/* A second entry on a task whose exit was never seen. */
static void test_unpaired_second_entry(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineFlowInfo *fl;
    StEngineCounters c;

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/o1");
    entry(f, &cat, NR_WRITE, 4, 0x1000, 10, 0, 0, 200);
    entry(f, &cat, NR_WRITE, 4, 0x1000, 10, 0, 0, 300);
    st_engine_syscall_exit(f->e, &cat, NR_WRITE, 10, 301);
    fl = find_flow(f, proc_of(f, &cat)->id, inode(f, DEV_DISK, 20)->id,
                   ST_ENGINE_FAMILY_WRITE);
    g_assert_nonnull(fl);
    g_assert_cmpuint(fl->count, ==, 2);
    g_assert_cmpuint(fl->bytes, ==, 10);    /* the unpaired one: 0 */
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 1);
    g_assert_cmpuint(c.unpaired_by_family[ST_ENGINE_FAMILY_WRITE], ==, 1);
    /* An exit that matches no entry is ignored. */
    st_engine_syscall_exit(f->e, &cat, NR_WRITE, 10, 400);
    g_assert_cmpuint(counters(f).exits, ==, c.exits);
    fake_free(f);
}

/* Entries of a task that dies resolve with the process's exit. */
static void test_unpaired_task_death(void)
{
    Fake *f = fake_new();
    StEngineTask app = mktask(100, 1000, 1, 1, "app");
    StEngineTask thr = mkthread(&app, 101, 1100);
    StEngineTask reuse = mktask(101, 5000, 1, 1, "reuse");
    StEngineTask dead2 = mktask(300, 3000, 1, 1, "dead2");
    StEngineCounters c;
    uint64_t secret;

    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    fake_fd(f, 300, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    /* fd 3 is cached before it becomes secret; then a thread blocks. */
    reg(f, DEV_DISK, 99, "other");
    sys_rw(f, &app, NR_PREAD64, 3, 5, 50);
    secret = reg(f, DEV_DISK, 10, "S");
    g_assert_null(proc_of(f, &app));
    entry(f, &thr, NR_READ, 3, 0x1000, 10, 0, 0, 100);
    entry(f, &app, NR_EXIT_GROUP, 0, 0, 0, 0, 0, 200);
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 1);
    g_assert_cmpuint(c.unpaired_by_family[ST_ENGINE_FAMILY_READ], ==, 1);
    /* Conservative: the cached fd was tracked, so the process is too. */
    g_assert_nonnull(proc_of(f, &app));
    g_assert_true(proc_of(f, &app)->dead);
    g_assert_cmpuint(find_flow(f, secret, proc_of(f, &app)->id,
                               ST_ENGINE_FAMILY_READ)->bytes, ==, 0);

    /* A task killed mid-read: a new task with the same tid shows up. */
    entry(f, &dead2, NR_READ, 3, 0x1000, 10, 0, 0, 300);
    {
        StEngineTask t = mkthread(&reuse, 300, 6000);

        t.tgid = 300;
        t.start_time = 6000;
        sys_rw(f, &t, NR_WRITE, 1, 1, 400);
    }
    c = counters(f);
    g_assert_cmpuint(c.unpaired, ==, 2);
    /* fd 3 of dead2 was never resolved: counted as a drop. */
    g_assert_cmpuint(c.drops[ST_ENGINE_DROP_UNPAIRED], ==, 1);
    g_assert_null(proc_of(f, &dead2));
    fake_free(f);
}

static void test_since(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GPtrArray) later = NULL;
    g_autoptr(GPtrArray) none = NULL;
    unsigned i;

    for (i = 0; i < 5; i++) {
        fake_fd(f, 100, 10 + i, ST_ENGINE_KIND_FILE, DEV_DISK, 100 + i, NULL);
        sys_rw(f, &cat, NR_WRITE, 10 + i, 1, 200 + i);
    }
    all = flows_since(f, 0);
    g_assert_cmpuint(all->len, ==, 6);
    for (i = 0; i < all->len; i++) {
        g_assert_cmpuint(((StEngineFlowInfo *)all->pdata[i])->id, ==, i + 1);
    }
    later = flows_since(f, 4);
    g_assert_cmpuint(later->len, ==, 2);
    g_assert_cmpuint(((StEngineFlowInfo *)later->pdata[0])->id, ==, 5);
    none = flows_since(f, 6);
    g_assert_cmpuint(none->len, ==, 0);
    fake_free(f);
}

static void test_path_queue(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    const StEngineNodeInfo *n;
    StEngineObject obj;
    StEngineCounters c;
    uint64_t id, id2;
    unsigned paths_before = f->get_path_calls;

    /* The registered secret was queued when first seen through fd 3. */
    g_assert_true(st_engine_next_path_request(f->e, &id, &obj));
    g_assert_cmpuint(id, ==, secret);
    g_assert_true(st_engine_set_path(f->e, id, "/secret"));

    fake_fd(f, 100, 4, ST_ENGINE_KIND_FILE, DEV_DISK, 20, "/tmp/copy");
    sys_rw(f, &cat, NR_WRITE, 4, 1, 200);
    sys_rw(f, &cat, NR_WRITE, 4, 1, 210);
    n = inode(f, DEV_DISK, 20);
    g_assert_null(n->path);
    g_assert_true(n->path_pending);
    /* The hot path itself resolved no path. */
    g_assert_cmpuint(f->get_path_calls, ==, paths_before);
    g_assert_true(st_engine_next_path_request(f->e, &id2, &obj));
    g_assert_cmpuint(id2, ==, n->id);
    g_assert_cmpuint(obj.path_handle[0], ==, DEV_DISK);
    g_assert_cmpuint(obj.path_handle[1], ==, 20);
    g_assert_false(st_engine_next_path_request(f->e, &id, &obj));
    g_assert_true(st_engine_set_path(f->e, id2, "/tmp/copy"));
    g_assert_cmpstr(n->path, ==, "/tmp/copy");
    g_assert_false(n->path_pending);
    g_assert_false(st_engine_set_path(f->e, 999, "/nope"));
    c = counters(f);
    g_assert_cmpuint(c.path_requests, ==, 2);
    g_assert_cmpuint(c.path_resolutions, ==, 2);
    fake_free(f);
}

static void test_rename(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask mv = setup_reader(f, &secret);
    g_autoptr(GPtrArray) renames = g_ptr_array_new();
    g_autoptr(GPtrArray) all = NULL;
    const StEngineFlowInfo *fl;
    const StEngineNodeInfo *n = st_engine_node(f->e, secret);
    unsigned i;

    g_assert_true(st_engine_set_path(f->e, secret, "/home/u/secret"));
    fake_uptr(f, 0x1000, "/home/u/secret");
    fake_uptr(f, 0x2000, "/tmp/innocent");
    fake_uptr(f, 0x3000, "/var/x");
    fake_uptr(f, 0x4000, "/tmp");
    fake_uptr(f, 0x5000, "/scratch");

    sys(f, &mv, NR_RENAME, 0x1000, 0x2000, 0, 0, 0, 0, 200);
    g_assert_cmpstr(n->path, ==, "/tmp/innocent");
    /* A failed rename does nothing. */
    sys(f, &mv, NR_RENAMEAT2, (uint64_t)-100, 0x2000, (uint64_t)-100, 0x3000,
        0, -18, 300);
    g_assert_cmpstr(n->path, ==, "/tmp/innocent");
    sys(f, &mv, NR_RENAMEAT, (uint64_t)-100, 0x2000, (uint64_t)-100, 0x3000,
        0, 0, 400);
    g_assert_cmpstr(n->path, ==, "/var/x");
    /* A rename of an untracked path: no edge. */
    sys(f, &mv, NR_RENAME, 0x5000, 0x4000, 0, 0, 0, 0, 450);

    all = flows_since(f, 0);
    for (i = 0; i < all->len; i++) {
        fl = g_ptr_array_index(all, i);
        if (fl->family == ST_ENGINE_FAMILY_RENAME) {
            g_ptr_array_add(renames, (gpointer)fl);
        }
    }
    g_assert_cmpuint(renames->len, ==, 2);
    fl = g_ptr_array_index(renames, 0);
    g_assert_cmpuint(fl->src, ==, secret);
    g_assert_cmpuint(fl->dst, ==, secret);
    g_assert_cmpstr(fl->old_path, ==, "/home/u/secret");
    g_assert_cmpstr(fl->new_path, ==, "/tmp/innocent");
    g_assert_cmpuint(fl->syscall_nr, ==, NR_RENAME);
    assert_labels(f, fl->labels, "S");
    fl = g_ptr_array_index(renames, 1);
    g_assert_cmpstr(fl->old_path, ==, "/tmp/innocent");
    g_assert_cmpstr(fl->new_path, ==, "/var/x");

    /* Renaming the directory moves the tracked file below it. */
    fake_uptr(f, 0x6000, "/var");
    fake_uptr(f, 0x7000, "/srv");
    sys(f, &mv, NR_RENAMEAT2, (uint64_t)-100, 0x6000, (uint64_t)-100, 0x7000,
        0, 0, 500);
    g_assert_cmpstr(n->path, ==, "/srv/x");

    /* Renamed over another tracked file: that one is gone. */
    {
        uint64_t key = reg(f, DEV_DISK, 11, "K");

        g_assert_true(st_engine_set_path(f->e, key, "/etc/key"));
        fake_uptr(f, 0x8000, "/srv/x");
        fake_uptr(f, 0x9000, "/etc/key");
        sys(f, &mv, NR_RENAME, 0x8000, 0x9000, 0, 0, 0, 0, 600);
        g_assert_true(st_engine_node(f->e, key)->deleted);
        g_assert_false(n->deleted);
        g_assert_cmpstr(n->path, ==, "/etc/key");
    }
    fake_free(f);
}

static void test_unlink(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask rm = setup_reader(f, &secret);
    const StEngineNodeInfo *n = st_engine_node(f->e, secret);

    g_assert_true(st_engine_set_path(f->e, secret, "/home/u/secret"));
    fake_uptr(f, 0x1000, "/home/u/other");
    fake_uptr(f, 0x2000, "/home/u/secret");
    sys(f, &rm, NR_UNLINK, 0x1000, 0, 0, 0, 0, 0, 200);
    g_assert_false(n->deleted);
    sys(f, &rm, NR_UNLINKAT, (uint64_t)-100, 0x2000, 0, 0, 0, -13, 250);
    g_assert_false(n->deleted);
    sys(f, &rm, NR_UNLINKAT, (uint64_t)-100, 0x2000, 0, 0, 0, 0, 300);
    g_assert_true(n->deleted);
    /* The node and its edges stay. */
    g_assert_nonnull(find_flow(f, secret, proc_of(f, &rm)->id,
                               ST_ENGINE_FAMILY_READ));
    fake_free(f);
}

static void test_fd_cache(void)
{
    Fake *f = fake_new();
    uint64_t secret;
    StEngineTask cat = setup_reader(f, &secret);
    unsigned before = f->resolve_calls;

    sys_rw(f, &cat, NR_READ, 3, 1, 200);
    sys_rw(f, &cat, NR_READ, 3, 1, 210);
    g_assert_cmpuint(f->resolve_calls, ==, before);
    /* close: the fd number may now name something else. */
    sys(f, &cat, NR_CLOSE, 3, 0, 0, 0, 0, 0, 220);
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 55, "/other");
    sys_rw(f, &cat, NR_READ, 3, 1, 230);
    g_assert_cmpuint(f->resolve_calls, ==, before + 1);
    /* dup2(4, 3) replaces fd 3. */
    sys(f, &cat, NR_DUP2, 4, 3, 0, 0, 0, 3, 240);
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, NR_READ, 3, 1, 250);
    g_assert_cmpuint(f->resolve_calls, ==, before + 2);
    /* connect on a socket fd refreshes its endpoints. */
    fake_close(f, 100, 3);
    sys(f, &cat, NR_CONNECT, 3, 0, 0, 0, 0, 0, 260);
    sys_rw(f, &cat, NR_READ, 3, 1, 270);
    g_assert_cmpuint(f->resolve_calls, ==, before + 3);
    g_assert_cmpuint(counters(f).drops[ST_ENGINE_DROP_RESOLVE], ==, 1);
    fake_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/engine/syscall-table", test_syscall_table);
    g_test_add_func("/engine/read", test_read);
    g_test_add_func("/engine/read/variants", test_read_variants);
    g_test_add_func("/engine/failed-calls", test_failed_calls);
    g_test_add_func("/engine/write", test_write);
    g_test_add_func("/engine/write/untracked-is-free",
                    test_write_untracked_is_free);
    g_test_add_func("/engine/aggregation", test_aggregation);
    g_test_add_func("/engine/labels/two-hops", test_labels_two_hops);
    g_test_add_func("/engine/transfer", test_transfer);
    g_test_add_func("/engine/transfer/tracked-process",
                    test_transfer_tracked_process);
    g_test_add_func("/engine/mmap", test_mmap);
    g_test_add_func("/engine/clone/by-return", test_clone_by_return);
    g_test_add_func("/engine/clone/first-appearance",
                    test_clone_first_appearance);
    g_test_add_func("/engine/clone/thread", test_clone_thread);
    g_test_add_func("/engine/clone/older-child", test_clone_older_child);
    g_test_add_func("/engine/execve", test_execve);
    g_test_add_func("/engine/lazy-task-details", test_lazy_task_details);
    g_test_add_func("/engine/exit/pid-reuse", test_exit_and_pid_reuse);
    g_test_add_func("/engine/exit/thread", test_exit_thread);
    g_test_add_func("/engine/open/pattern", test_open_pattern);
    g_test_add_func("/engine/open/bad-pattern", test_bad_pattern);
    g_test_add_func("/engine/register-inode", test_register_inode);
    g_test_add_func("/engine/pipe", test_pipe);
    g_test_add_func("/engine/chardev-is-sink", test_chardev_is_sink);
    g_test_add_func("/engine/socket/tcp-loopback", test_tcp_loopback);
    g_test_add_func("/engine/socket/tcp-reader-first", test_tcp_reader_first);
    g_test_add_func("/engine/socket/tcp-closed-reader",
                    test_tcp_closed_reader);
    g_test_add_func("/engine/new-boot", test_new_boot);
    g_test_add_func("/engine/pipe/reader-first", test_pipe_reader_first);
    g_test_add_func("/engine/socket/udp-loopback",
                    test_udp_loopback_wildcard);
    g_test_add_func("/engine/socket/unix-peer", test_unix_peer);
    g_test_add_func("/engine/socket/ipv6-loopback-mmsg",
                    test_ipv6_loopback_and_mmsg);
    g_test_add_func("/engine/query/processes", test_query_processes);
    g_test_add_func("/engine/socket/exfiltration", test_exfiltration);
    g_test_add_func("/engine/bounds/flows", test_bound_flows);
    g_test_add_func("/engine/bounds/nodes", test_bound_nodes);
    g_test_add_func("/engine/bounds/labels", test_bound_labels);
    g_test_add_func("/engine/bounds/fd-cache", test_bound_fd_cache);
    g_test_add_func("/engine/bounds/pending", test_bound_pending);
    g_test_add_func("/engine/bounds/endpoints", test_bound_endpoints);
    g_test_add_func("/engine/unpaired/second-entry",
                    test_unpaired_second_entry);
    g_test_add_func("/engine/unpaired/task-death", test_unpaired_task_death);
    g_test_add_func("/engine/since", test_since);
    g_test_add_func("/engine/path-queue", test_path_queue);
    g_test_add_func("/engine/rename", test_rename);
    g_test_add_func("/engine/unlink", test_unlink);
    g_test_add_func("/engine/fd-cache", test_fd_cache);
    return g_test_run();
}
