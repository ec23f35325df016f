/*
 * secret-tracker: the engine tests' fake introspection
 *
 * A synthetic fd table, user pointers and task details served through
 * StEngineOps, and helpers that drive the engine with syscall entries and
 * exits as the device would.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-fake.h"

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

static bool fake_fd_still(void *opaque, const StEngineTask *task, int fd,
                          const StEngineObject *cached)
{
    Fake *f = opaque;
    g_autofree char *key = fd_key(task->tgid, fd);
    FakeFd *ff = g_hash_table_lookup(f->fds, key);

    f->fd_still_calls++;
    return f->fd_still_trusts ||
           (ff && ff->obj.file_id == cached->file_id &&
            ff->obj.dev == cached->dev && ff->obj.ino == cached->ino);
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

/* The same, unless the test made queued handles stale. */
static bool fake_get_queued_path(void *opaque, const StEngineObject *obj,
                                 char *buf, size_t size)
{
    Fake *f = opaque;

    f->get_queued_path_calls++;
    return !f->queued_paths_stale && fake_get_path(opaque, obj, buf, size);
}

static bool fake_get_name(void *opaque, const StEngineObject *obj,
                          char *buf, size_t size)
{
    Fake *f = opaque;
    FakeFd *ff = fake_by_handle(f, obj);

    f->get_name_calls++;
    if (!ff) {
        return false;
    }
    g_strlcpy(buf, strrchr(ff->path, '/') + 1, size);
    return true;
}

static bool fake_get_alias(void *opaque, const StEngineObject *obj,
                           unsigned index, char *buf, size_t size)
{
    Fake *f = opaque;
    unsigned i;

    f->get_alias_calls++;
    for (i = 0; i < f->n_aliases; i++) {
        if (f->aliases[i].dev == obj->dev && f->aliases[i].ino == obj->ino &&
            index-- == 0) {
            g_strlcpy(buf, f->aliases[i].path, size);
            return true;
        }
    }
    return false;
}

void fake_alias(Fake *f, uint64_t dev, uint64_t ino, const char *path)
{
    g_assert_cmpuint(f->n_aliases, <, FAKE_MAX_ALIASES);
    f->aliases[f->n_aliases].dev = dev;
    f->aliases[f->n_aliases].ino = ino;
    f->aliases[f->n_aliases++].path = g_strdup(path);
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

static bool fake_read_user(void *opaque, const StEngineTask *task,
                           uint64_t uptr, void *buf, size_t len)
{
    Fake *f = opaque;

    if (uptr < f->user_uptr || uptr - f->user_uptr > f->user_len ||
        len > f->user_len - (uptr - f->user_uptr)) {
        return false;
    }
    memcpy(buf, f->user + (uptr - f->user_uptr), len);
    return true;
}

/* Every message of a vectored send carries what read_user finds */
static bool fake_send_head(void *opaque, const StEngineTask *task,
                           unsigned nr, const uint64_t *args, unsigned msg,
                           void *buf, size_t len, size_t *got,
                           uint64_t *total)
{
    Fake *f = opaque;

    f->send_head_calls++;
    if (args[1] != f->user_uptr) {
        return false;
    }
    *got = MIN(len, f->user_len);
    *total = f->user_len;
    memcpy(buf, f->user, *got);
    return true;
}

static unsigned fake_send_peer(void *opaque, const StEngineTask *task,
                               unsigned nr, const uint64_t *args,
                               StEngineEndpoint *out, unsigned max)
{
    Fake *f = opaque;

    if (f->n_peers) {
        memcpy(out, f->peers, MIN(max, f->n_peers) * sizeof(*out));
        return f->n_peers;
    }
    if (!f->have_send_peer) {
        return 0;
    }
    *out = f->send_peer;
    return 1;
}

static uint64_t fake_iov_bytes(void *opaque, const StEngineTask *task,
                               unsigned nr, const uint64_t *args)
{
    if (nr == ST_NR_SENDMMSG || nr == ST_NR_RECVMMSG) {
        return args[2] * 100;
    }
    return args[2];
}

static bool fake_ioctl_fds(void *opaque, const StEngineTask *task,
                           unsigned cmd, uint64_t arg, int *fds,
                           unsigned max, unsigned *n)
{
    Fake *f = opaque;

    memcpy(fds, f->ioctl_fds, MIN(max, f->n_ioctl_fds) * sizeof(*fds));
    *n = f->n_ioctl_fds;
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

Fake *fake_new_with(StEngineConfig *cfg)
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
    cfg->ops.get_queued_path = fake_get_queued_path;
    cfg->ops.get_name = fake_get_name;
    cfg->ops.get_alias = fake_get_alias;
    cfg->ops.read_path_arg = fake_read_path_arg;
    cfg->ops.send_peer = fake_send_peer;
    cfg->ops.read_user = fake_read_user;
    cfg->ops.send_head = fake_send_head;
    cfg->ops.task_details = fake_task_details;
    cfg->ops.mmsg_bytes = fake_mmsg_bytes;
    cfg->ops.fd_still = fake_fd_still;
    cfg->ops.iov_bytes = fake_iov_bytes;
    cfg->ops.ioctl_fds = fake_ioctl_fds;
    cfg->opaque = f;
    cfg->new_flow = fake_new_flow;
    cfg->new_flow_opaque = f;
    f->e = st_engine_new(cfg);
    return f;
}

Fake *fake_new(void)
{
    StEngineConfig cfg = { 0 };

    return fake_new_with(&cfg);
}

void fake_free(Fake *f)
{
    unsigned i;

    for (i = 0; i < f->n_aliases; i++) {
        g_free(f->aliases[i].path);
    }
    st_engine_free(f->e);
    g_hash_table_destroy(f->fds);
    g_hash_table_destroy(f->uptrs);
    g_array_free(f->new_flows, TRUE);
    g_hash_table_destroy(f->details);
    g_free(f);
}

FakeFd *fake_fd(Fake *f, uint32_t tgid, int fd, StEngineKind kind,
                uint64_t dev, uint64_t ino, const char *path)
{
    FakeFd *ff = g_new0(FakeFd, 1);

    ff->obj.kind = kind;
    ff->obj.dev = dev;
    ff->obj.ino = ino;
    ff->obj.file_id = ++f->next_file_id;
    ff->obj.mode = ST_FMODE_READ | ST_FMODE_WRITE;
    if (path) {
        ff->obj.path_handle[0] = dev;
        ff->obj.path_handle[1] = ino;
        ff->path = g_strdup(path);
    }
    g_hash_table_replace(f->fds, fd_key(tgid, fd), ff);
    return ff;
}

void fake_close(Fake *f, uint32_t tgid, int fd)
{
    g_autofree char *key = fd_key(tgid, fd);

    g_hash_table_remove(f->fds, key);
}

FakeFd *fake_file(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                  const char *path, uint64_t size, uint64_t pos)
{
    FakeFd *ff = fake_fd(f, tgid, fd, ST_ENGINE_KIND_FILE, DEV_DISK, ino,
                         path);

    ff->obj.size = size;
    ff->obj.pos = pos;
    return ff;
}

StEngineEndpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                     uint16_t port)
{
    StEngineEndpoint ep = { .family = ST_AF_INET, .port = port };

    ep.addr[0] = a;
    ep.addr[1] = b;
    ep.addr[2] = c;
    ep.addr[3] = d;
    return ep;
}

FakeFd *fake_inet(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                  StEngineEndpoint local, StEngineEndpoint peer)
{
    FakeFd *ff = fake_fd(f, tgid, fd, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, ino,
                         NULL);

    ff->obj.sock_family = ST_AF_INET;
    ff->obj.local = local;
    ff->obj.peer = peer;
    return ff;
}

FakeFd *fake_unix(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                  uint64_t peer_ino)
{
    FakeFd *ff = fake_fd(f, tgid, fd, ST_ENGINE_KIND_SOCKET, DEV_SOCKFS, ino,
                         NULL);

    ff->obj.sock_family = ST_AF_UNIX;
    ff->obj.peer_ino = peer_ino;
    return ff;
}

void fake_uptr(Fake *f, uint64_t uptr, const char *path)
{
    g_hash_table_replace(f->uptrs, GSIZE_TO_POINTER(uptr), g_strdup(path));
}

StEngineTask mktask(uint32_t tgid, uint64_t start, uint32_t ppid,
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
StEngineTask mktask_lazy(Fake *f, uint32_t tgid, uint64_t start,
                         uint32_t ppid, uint64_t pstart, const char *comm)
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

StEngineTask mkthread(const StEngineTask *proc, uint32_t tid,
                      uint64_t tid_start)
{
    StEngineTask t = *proc;

    t.tid = tid;
    t.tid_start_time = tid_start;
    return t;
}

bool entry(Fake *f, const StEngineTask *t, unsigned nr, uint64_t a0,
           uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
           uint64_t ns)
{
    uint64_t args[ST_ENGINE_NR_ARGS] = { a0, a1, a2, a3, a4, 0 };
    bool want = st_engine_syscall_entry(f->e, t, nr, args, ns);

    /* The engine asks for a return only of what it remembers. */
    g_assert(!want || st_engine_has_pending(f->e));
    return want;
}

/* A complete syscall: entry, then exit with @ret if the entry wants it. */
void sys(Fake *f, const StEngineTask *t, unsigned nr, uint64_t a0,
         uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
         int64_t ret, uint64_t ns)
{
    if (entry(f, t, nr, a0, a1, a2, a3, a4, ns)) {
        st_engine_syscall_exit(f->e, t, nr, ret, ns + 1);
    }
}

void sys_rw(Fake *f, const StEngineTask *t, unsigned nr, int fd,
            int64_t ret, uint64_t ns)
{
    sys(f, t, nr, fd, 0x1000, ret > 0 ? ret : 4096, 0, 0, ret, ns);
}

static bool collect_flow(void *opaque, const StEngineFlowInfo *flow)
{
    g_ptr_array_add(opaque, (gpointer)flow);
    return true;
}

GPtrArray *flows_since(Fake *f, uint64_t since)
{
    GPtrArray *a = g_ptr_array_new();

    st_engine_foreach_flow(f->e, since, collect_flow, a);
    return a;
}

unsigned n_flows(Fake *f)
{
    StEngineCounters c;

    st_engine_get_counters(f->e, &c);
    return c.flows;
}

/* The flow from @src to @dst of @family, or NULL. */
const StEngineFlowInfo *find_flow(Fake *f, uint64_t src, uint64_t dst,
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

const StEngineNodeInfo *proc_of(Fake *f, const StEngineTask *t)
{
    return st_engine_find_process(f->e, t->tgid, t->start_time);
}

const StEngineNodeInfo *inode(Fake *f, uint64_t dev, uint64_t ino)
{
    return st_engine_find_inode(f->e, dev, ino);
}

void assert_labels(Fake *f, uint64_t mask, const char *expected)
{
    g_autofree char *s = st_engine_labels_to_string(f->e, mask);

    g_assert_cmpstr(s, ==, expected);
}

uint64_t reg(Fake *f, uint64_t dev, uint64_t ino, const char *label)
{
    GError *err = NULL;
    uint64_t id = st_engine_register_inode(f->e, dev, ino, label, &err);

    g_assert_no_error(err);
    g_assert_cmpuint(id, !=, 0);
    return id;
}

StEngineCounters counters(Fake *f)
{
    StEngineCounters c;

    st_engine_get_counters(f->e, &c);
    return c;
}

/* The common setup: /secret (10) registered; cat (pid 100) reads it. */
StEngineTask setup_reader(Fake *f, uint64_t *secret_id)
{
    StEngineTask cat = mktask(100, 1000, 1, 1, "cat");

    *secret_id = reg(f, DEV_DISK, 10, "S");
    fake_fd(f, 100, 3, ST_ENGINE_KIND_FILE, DEV_DISK, 10, "/secret");
    sys_rw(f, &cat, ST_NR_READ, 3, 64, 100);
    g_assert_nonnull(proc_of(f, &cat));
    return cat;
}

bool collect_node(void *opaque, const StEngineNodeInfo *node)
{
    g_ptr_array_add(opaque, (gpointer)node);
    return true;
}

const StEngineNodeInfo *fake_ipc_node(Fake *f, StEngineIpc type)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    unsigned i;

    st_engine_foreach_node(f->e, ST_ENGINE_KIND_IPC, collect_node, all);
    for (i = 0; i < all->len; i++) {
        const StEngineNodeInfo *n = g_ptr_array_index(all, i);

        if (n->dev == type) {
            return n;
        }
    }
    return NULL;
}
