/*
 * secret-tracker: the engine tests' fake introspection
 *
 * Copyright (c) 2026 The secret-tracker authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_UNIT_ENGINE_ENGINE_FAKE_H
#define TESTS_UNIT_ENGINE_ENGINE_FAKE_H

#include "hw/misc/secret-tracker/engine/engine.h"

/* Devices of the synthetic inodes. */
#define DEV_DISK 0x801
#define DEV_PIPEFS 0xc
#define DEV_SOCKFS 0x8
#define DEV_TTY 0x16

typedef struct FakeFd {
    StEngineObject obj;
    char *path;
} FakeFd;

#define FAKE_MAX_PEERS 64
#define FAKE_MAX_ALIASES 16

/* Another name of the inode (@dev, @ino), as get_alias gives it */
typedef struct FakeAlias {
    uint64_t dev, ino;
    char *path;
} FakeAlias;

/* The fake guest: StEngineOps answer from these tables. */
typedef struct Fake {
    GHashTable *fds;            /* "tgid:fd" -> FakeFd */
    GHashTable *uptrs;          /* user pointer -> path */
    bool have_send_peer;
    StEngineEndpoint send_peer;
    /* When n_peers is set: the destinations of every send, one a message. */
    unsigned n_peers;
    StEngineEndpoint peers[FAKE_MAX_PEERS];
    /* What read_user finds at user_uptr (user_len bytes). */
    uint64_t user_uptr;
    size_t user_len;
    uint8_t user[ST_ENGINE_MAX_USER_READ];
    /* send_head: every message of a send to user_uptr carries user */
    unsigned send_head_calls;
    /* What ioctl_fds finds in any ioctl structure. */
    unsigned n_ioctl_fds;
    int ioctl_fds[32];
    uint64_t next_file_id;
    bool fd_still_trusts;       /* fd_still says yes, as if no op */
    unsigned resolve_calls;
    unsigned fd_still_calls;
    unsigned get_path_calls;
    unsigned get_queued_path_calls;
    bool queued_paths_stale;    /* get_queued_path says the file moved */
    unsigned get_name_calls;
    unsigned get_alias_calls;
    unsigned n_aliases;
    FakeAlias aliases[FAKE_MAX_ALIASES];
    unsigned details_calls;
    GHashTable *details;        /* tid -> StEngineTask with details */
    GArray *new_flows;          /* ids announced */
    StEngine *e;
} Fake;

/* An engine over a fake guest; @cfg's limits are kept, its ops set. */
Fake *fake_new_with(StEngineConfig *cfg);
Fake *fake_new(void);
void fake_free(Fake *f);

/*
 * fd @fd of process @tgid is (@kind, @dev, @ino); @path gives a handle.
 * Each call opens a new file (a new file_id), readable and writable.
 */
FakeFd *fake_fd(Fake *f, uint32_t tgid, int fd, StEngineKind kind,
                uint64_t dev, uint64_t ino, const char *path);
void fake_close(Fake *f, uint32_t tgid, int fd);
/* A regular file of @size bytes whose position is @pos. */
FakeFd *fake_file(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                  const char *path, uint64_t size, uint64_t pos);
StEngineEndpoint ep4(uint8_t a, uint8_t b, uint8_t c, uint8_t d,
                     uint16_t port);
FakeFd *fake_inet(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                  StEngineEndpoint local, StEngineEndpoint peer);
FakeFd *fake_unix(Fake *f, uint32_t tgid, int fd, uint64_t ino,
                  uint64_t peer_ino);
/* The inode (@dev, @ino) is also named @path (bind mounts, hard links) */
void fake_alias(Fake *f, uint64_t dev, uint64_t ino, const char *path);
/* The user pointer @uptr names @path (rename and unlink arguments). */
void fake_uptr(Fake *f, uint64_t uptr, const char *path);

/* Tasks: with details, without (fetched through task_details), threads. */
StEngineTask mktask(uint32_t tgid, uint64_t start, uint32_t ppid,
                    uint64_t pstart, const char *comm);
StEngineTask mktask_lazy(Fake *f, uint32_t tgid, uint64_t start,
                         uint32_t ppid, uint64_t pstart, const char *comm);
StEngineTask mkthread(const StEngineTask *proc, uint32_t tid,
                      uint64_t tid_start);

/*
 * A syscall entry alone (returns whether the engine wants the return); a
 * complete syscall (exit at @ns + 1, reported as a return hook armed for
 * the vCPU would: only when the entry asked for it).  sys_rw() asks to
 * read or write @ret bytes (4096 for a failing call) and gets @ret.  The
 * fake's iov_bytes: args[2] bytes for vectored calls, 100 per message for
 * sendmmsg and recvmmsg.
 */
bool entry(Fake *f, const StEngineTask *t, unsigned nr, uint64_t a0,
           uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
           uint64_t ns);
void sys(Fake *f, const StEngineTask *t, unsigned nr, uint64_t a0,
         uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
         int64_t ret, uint64_t ns);
void sys_rw(Fake *f, const StEngineTask *t, unsigned nr, int fd,
            int64_t ret, uint64_t ns);

/* Queries */
GPtrArray *flows_since(Fake *f, uint64_t since);
unsigned n_flows(Fake *f);
const StEngineFlowInfo *find_flow(Fake *f, uint64_t src, uint64_t dst,
                                  StEngineFamily family);
const StEngineNodeInfo *proc_of(Fake *f, const StEngineTask *t);
const StEngineNodeInfo *inode(Fake *f, uint64_t dev, uint64_t ino);
void assert_labels(Fake *f, uint64_t mask, const char *expected);
uint64_t reg(Fake *f, uint64_t dev, uint64_t ino, const char *label);
StEngineCounters counters(Fake *f);
/* The ipc node of @type (any id), or NULL. */
const StEngineNodeInfo *fake_ipc_node(Fake *f, StEngineIpc type);
/* st_engine_foreach_node() callback: adds to a GPtrArray. */
bool collect_node(void *opaque, const StEngineNodeInfo *node);

/* The common setup: /secret (10) registered; cat (pid 100) reads it. */
StEngineTask setup_reader(Fake *f, uint64_t *secret_id);

#endif /* TESTS_UNIT_ENGINE_ENGINE_FAKE_H */
