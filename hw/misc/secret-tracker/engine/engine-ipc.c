/*
 * secret-tracker engine: the rules of shared memory, other processes'
 * memory and kernel-held data (the SHARE family, and the mmap family's
 * shared mappings); the tables they feed are in engine-shared.c.
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/syscalls.h"
#include "hw/misc/secret-tracker/abi/uapi.h"
#include "engine-internal.h"

/*
 * Labels from @src into @task's process at this entry; the bytes at the
 * return, or @bytes if @want is NULL.
 */
static void st_ipc_read_bytes(StEngine *e, const StEngineTask *task,
                              unsigned nr, StNode *src, StWant *want,
                              uint64_t bytes, uint64_t now)
{
    uint64_t labels = src ? src->info.labels : 0;
    StNode *proc;
    StEdge *edge;

    if (!labels) {
        return;
    }
    proc = st_process_taint(e, task, labels, now);
    if (!proc || proc == src) {
        return;
    }
    edge = st_flow_record(e, src, proc, ST_ENGINE_FAMILY_SHARE, nr, 1,
                          want ? 0 : bytes, labels, now, now);
    if (edge && want) {
        want->mask |= ST_WANT_BYTES;
        want->edges[0] = edge->info.id;
    }
}

static void st_ipc_read(StEngine *e, const StEngineTask *task, unsigned nr,
                        StNode *src, StWant *want, uint64_t now)
{
    st_ipc_read_bytes(e, task, nr, src, want, 0, now);
}

/* A tracked @proc stores @bytes into @dst (made if needed). */
static void st_ipc_write(StEngine *e, StNode *proc, unsigned nr,
                         StNode *dst, uint64_t bytes, uint64_t now)
{
    if (!dst) {
        return;
    }
    dst->info.labels |= proc->info.labels;
    st_flow_record(e, proc, dst, ST_ENGINE_FAMILY_SHARE, nr, 1, bytes,
                   proc->info.labels, now, now);
}

static bool st_ptrace_reads(uint64_t req)
{
    switch (req) {
    case ST_PTRACE_PEEKTEXT:
    case ST_PTRACE_PEEKDATA:
    case ST_PTRACE_PEEKUSR:
    case ST_PTRACE_GETREGS:
    case ST_PTRACE_GETFPREGS:
    case ST_PTRACE_GETSIGINFO:
    case ST_PTRACE_GETREGSET:
    case ST_PTRACE_PEEKSIGINFO:
        return true;
    default:
        return false;
    }
}

static bool st_ptrace_writes(uint64_t req)
{
    switch (req) {
    case ST_PTRACE_POKETEXT:
    case ST_PTRACE_POKEDATA:
    case ST_PTRACE_POKEUSR:
    case ST_PTRACE_SETREGS:
    case ST_PTRACE_SETFPREGS:
    case ST_PTRACE_SETSIGINFO:
    case ST_PTRACE_SETREGSET:
        return true;
    default:
        return false;
    }
}

/* Which of a key's payload calls store data (1) or give it back (-1). */
static int st_keys_way(unsigned nr, const uint64_t *args)
{
    if (nr != ST_NR_KEYCTL) {
        return 1;               /* add_key, request_key */
    }
    switch (args[0]) {
    case ST_KEYCTL_UPDATE:
    case ST_KEYCTL_INSTANTIATE:
    case ST_KEYCTL_INSTANTIATE_IOV:
        return 1;
    case ST_KEYCTL_READ:
    case ST_KEYCTL_DESCRIBE:
    case ST_KEYCTL_GET_SECURITY:
        return -1;
    default:
        return 0;
    }
}

/* A kernel-held store: written by a tracked process, read by anyone. */
static void st_ipc_store(StEngine *e, const StEngineTask *task, unsigned nr,
                         StNode *proc, StEngineIpc type, uint64_t id,
                         int way, uint64_t bytes, StWant *want, uint64_t now)
{
    StNode *n;
    StEngineObject obj = {
        .kind = ST_ENGINE_KIND_IPC, .dev = ST_IPC_KEY_DEV | type, .ino = id,
    };

    if (way > 0 && proc && proc->info.labels) {
        st_ipc_write(e, proc, nr, st_ipc_node(e, type, id, true, now), bytes,
                     now);
    } else if (way < 0) {
        n = st_ipc_node(e, type, id, false, now);
        if (n && n->info.labels) {
            st_ipc_read(e, task, nr, n, want, now);
        } else {
            /* It may block (msgrcv): tainted if a sender fills it. */
            st_waiting_add(e, task, nr, NULL, &obj);
        }
    }
}

void st_rule_share(StEngine *e, const StEngineTask *task, unsigned nr,
                   const uint64_t *args, StNode *proc, StWant *want,
                   uint64_t now)
{
    bool tracked = proc && proc->info.labels;
    StNode *n;

    switch (nr) {
    case ST_NR_SHMAT:
        n = st_ipc_node(e, ST_ENGINE_IPC_SYSV_SHM, args[0], true, now);
        if (n) {
            st_shared_map(e, task, n, !(args[2] & ST_SHM_RDONLY), nr);
        }
        break;
    case ST_NR_MSGSND:
    case ST_NR_MSGRCV:
        st_ipc_store(e, task, nr, proc, ST_ENGINE_IPC_SYSV_MSG,
                     (uint32_t)args[0], nr == ST_NR_MSGSND ? 1 : -1,
                     args[2], want, now);
        break;
    case ST_NR_SETXATTR:
    case ST_NR_LSETXATTR:
    case ST_NR_FSETXATTR:
    case ST_NR_SETXATTRAT:
        st_ipc_store(e, task, nr, proc, ST_ENGINE_IPC_XATTR, 0, 1,
                     nr == ST_NR_SETXATTRAT ? 0 : args[3], want, now);
        break;
    case ST_NR_ADD_KEY:
    case ST_NR_REQUEST_KEY:
    case ST_NR_KEYCTL:
        st_ipc_store(e, task, nr, proc, ST_ENGINE_IPC_KEYS, 0,
                     st_keys_way(nr, args),
                     nr == ST_NR_ADD_KEY ? args[3] : 0, want, now);
        break;
    case ST_NR_PROCESS_VM_READV:
        st_ipc_read(e, task, nr, st_shared_process(e, (uint32_t)args[0]),
                    want, now);
        break;
    case ST_NR_PROCESS_VM_WRITEV:
        if (tracked) {
            st_shared_owe(e, (uint32_t)args[0], proc, nr, now);
        }
        break;
    case ST_NR_PTRACE:
        if (st_ptrace_reads(args[0])) {
            /* PEEK* return the word read: count a word a call. */
            st_ipc_read_bytes(e, task, nr,
                              st_shared_process(e, (uint32_t)args[1]), NULL,
                              sizeof(uint64_t), now);
        } else if (tracked && st_ptrace_writes(args[0])) {
            st_shared_owe(e, (uint32_t)args[1], proc, nr, now);
        }
        break;
    default:                    /* getxattr and listxattr, all forms */
        st_ipc_store(e, task, nr, proc, ST_ENGINE_IPC_XATTR, 0, -1, 0, want,
                     now);
        break;
    }
}

/* Is @rdev (a character device) a pty, master or slave? */
bool st_rdev_is_pty(uint64_t rdev)
{
    uint64_t major = rdev >> ST_KDEV_MINOR_BITS;
    uint64_t minor = rdev & ((1ull << ST_KDEV_MINOR_BITS) - 1);

    return (major == ST_PTMX_MAJOR && minor == ST_PTMX_MINOR) ||
           (major >= ST_PTS_MAJOR_FIRST && major <= ST_PTS_MAJOR_LAST) ||
           major == ST_BSD_PTY_MASTER_MAJOR || major == ST_BSD_PTY_SLAVE_MAJOR;
}

/* A tracked @proc writes @bytes into @obj: a pty carries them across. */
void st_pty_write(StEngine *e, const StEngineObject *obj, StNode *proc,
                  unsigned nr, uint64_t bytes, uint64_t now)
{
    if (obj->kind == ST_ENGINE_KIND_CHARDEV && st_rdev_is_pty(obj->rdev)) {
        st_ipc_write(e, proc, nr,
                     st_ipc_node(e, ST_ENGINE_IPC_PTY, 0, true, now), bytes,
                     now);
    }
}

/*
 * The process whose memory @obj shows, if it is /proc/PID/mem, environ
 * or cmdline (or /proc/PID/task/TID/...): its pid in @pid.  procfs files
 * have size 0; the name is checked before the path.
 */
bool st_procfs_pid(StEngine *e, const StEngineObject *obj, uint32_t *pid)
{
    static const char *const names[] = { "mem", "environ", "cmdline" };
    char *path = e->second_path_buf;
    char name[16];
    char *end, *comp;
    uint64_t v;
    unsigned i;

    if (obj->kind != ST_ENGINE_KIND_FILE || obj->size ||
        !e->cfg.ops.get_name || !e->cfg.ops.get_path ||
        !e->cfg.ops.get_name(e->cfg.opaque, obj, name, sizeof(name))) {
        return false;
    }
    for (i = 0; i < G_N_ELEMENTS(names) && strcmp(name, names[i]); i++) {
        /* look for it */
    }
    if (i == G_N_ELEMENTS(names) ||
        !e->cfg.ops.get_path(e->cfg.opaque, obj, path, ST_ENGINE_PATH_MAX)) {
        return false;
    }
    /* ".../PID/NAME" or ".../PID/task/TID/NAME": the first number wins. */
    for (comp = strchr(path, '/'); comp; comp = strchr(comp + 1, '/')) {
        if (!g_ascii_isdigit(comp[1])) {
            continue;
        }
        v = g_ascii_strtoull(comp + 1, &end, 10);
        if (*end == '/' && v && v <= UINT32_MAX) {
            *pid = v;
            return true;
        }
    }
    return false;
}

/*
 * mmap: a mapping of a tainted file taints the process whatever its
 * protection (PROT_NONE can become readable with mprotect, and on x86 a
 * writable or executable page is readable), so mprotect, pkey_mprotect
 * and mremap need no rule.  A shared mapping is remembered, both ways:
 * writable if PROT_WRITE asks for it or the file is open for writing
 * (mprotect can add it then).
 */
void st_rule_mmap(StEngine *e, const StEngineTask *task, unsigned nr,
                  const uint64_t *args, StNode *proc, uint64_t now)
{
    uint64_t len = args[1];
    uint64_t type = args[3] & ST_MAP_TYPE;
    bool shared = type == ST_MAP_SHARED || type == ST_MAP_SHARED_VALIDATE;
    StEngineObject obj;
    StNode *node;
    uint64_t labels;

    if (args[3] & ST_MAP_ANONYMOUS) {
        if (shared) {
            node = st_ipc_node(e, ST_ENGINE_IPC_SHARED_ANON,
                               ++e->next_shared_anon, true, now);
            if (node) {
                st_shared_map(e, task, node, true, nr);
            }
        }
        return;
    }
    if ((int)args[4] < 0 ||
        (!shared && !proc && !st_have_read_sources(e) && !e->patterns->len &&
         !g_hash_table_size(e->devices))) {
        return;
    }
    if (!st_fd_lookup(e, task, (int)args[4], &obj, 0, now)) {
        return;
    }
    node = st_source_node(e, &obj, now);
    labels = node ? st_node_read_labels(node) : 0;
    if (labels) {
        proc = st_process_taint(e, task, labels, now);
        if (proc) {
            st_flow_record(e, node, proc, ST_ENGINE_FAMILY_MMAP, nr, 1, len,
                           labels, now, now);
        }
    }
    /* Files only: an io_uring ring or a device's buffer is no store. */
    if (!shared || obj.kind != ST_ENGINE_KIND_FILE) {
        return;
    }
    node = st_object_node(e, &obj, true, now);
    if (!node) {
        return;
    }
    st_shared_map(e, task, node, (args[2] & ST_PROT_WRITE) ||
                  (obj.mode & ST_FMODE_WRITE), nr);
    if (proc && proc->info.labels && (args[2] & ST_PROT_WRITE)) {
        labels = proc->info.labels;
        node->info.labels |= labels;
        st_flow_record(e, proc, node, ST_ENGINE_FAMILY_MMAP, nr, 1, len,
                       labels, now, now);
    }
}
