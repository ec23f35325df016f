/*
 * secret-tracker: unit tests of the Linux readers on synthetic memory
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "vmi-synth.h"

#define O_RDWR_APPEND 02002

static StSynthKernel *kernel_with_secret(bool la57, uint64_t *file)
{
    StSynthKernel *k = st_synth_kernel_new(la57);

    *file = st_synth_file(k, k->home_mnt, k->secret_dentry, O_RDWR_APPEND);
    st_synth_install_fd(k, 3, *file);
    return k;
}

static void check_task(bool la57)
{
    uint64_t file, task;
    StSynthKernel *k = kernel_with_secret(la57, &file);
    StLinuxTask t;
    GError *err = NULL;

    g_assert_true(st_linux_current_task(&k->kernel, k->percpu, &task, &err));
    g_assert_no_error(err);
    g_assert_cmphex(task, ==, k->task);
    g_assert_true(st_linux_read_task(&k->kernel, task, &t, &err));
    g_assert_no_error(err);
    g_assert_cmpint(t.pid, ==, ST_SYNTH_PID);
    g_assert_cmpint(t.tgid, ==, ST_SYNTH_TGID);
    g_assert_cmpint(t.parent_tgid, ==, ST_SYNTH_PPID);
    g_assert_cmpuint(t.start_time, ==, ST_SYNTH_START);
    g_assert_cmpuint(t.leader_start_time, ==, ST_SYNTH_LEADER_START);
    g_assert_cmpstr(t.comm, ==, ST_SYNTH_COMM);
    g_assert_cmphex(t.files, ==, k->files);

    g_assert_true(st_linux_validate(&k->kernel, k->percpu, &t, &err));
    g_assert_no_error(err);
    g_assert_cmpint(t.pid, ==, ST_SYNTH_PID);
    st_synth_kernel_free(k);
}

static void test_task_4level(void)
{
    check_task(false);
}

static void test_task_5level(void)
{
    check_task(true);
}

static void test_leader_and_cwd(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    g_autoptr(StLinuxProfile) old = st_linux_profile_copy(k->prof);
    StLinuxKernel kernel_old = { .vm = &k->s->vm, .prof = old };
    StLinuxTask t;
    char *cwd;
    GError *err = NULL;

    /* the leader itself: its own start time */
    g_assert_true(st_linux_read_task(&k->kernel, k->leader, &t, &err));
    g_assert_cmpuint(t.leader_start_time, ==, ST_SYNTH_LEADER_START);

    cwd = st_linux_cwd(&k->kernel, k->task, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(cwd, ==, "/home/alice");
    g_free(cwd);

    /* a profile without group_leader: the thread's own start time */
    old->field[ST_TASK_STRUCT_GROUP_LEADER].present = false;
    old->field[ST_FS_STRUCT_PWD_MNT].present = false;
    g_assert_true(st_linux_read_task(&kernel_old, k->task, &t, &err));
    g_assert_cmpuint(t.leader_start_time, ==, ST_SYNTH_START);
    g_assert_null(st_linux_cwd(&kernel_old, k->task, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_PROFILE);
    g_clear_error(&err);

    /* hostile: leader NULL, fs unmapped */
    st_synth_set(k->s, p, k->task, ST_TASK_STRUCT_GROUP_LEADER, 0);
    g_assert_false(st_linux_read_task(&k->kernel, k->task, &t, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);
    st_synth_set(k->s, p, k->task, ST_TASK_STRUCT_FS, k->fs + 0x1000);
    g_assert_null(st_linux_cwd(&k->kernel, k->task, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

/* A leader that exited, was released or is another task's now ended */
static void test_task_ended(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const uint64_t start = ST_SYNTH_LEADER_START;
    GError *err = NULL;
    bool ended = true;

    g_assert_true(st_linux_task_ended(&k->kernel, k->leader, ST_SYNTH_TGID,
                                      start, &ended, &err));
    g_assert_no_error(err);
    g_assert_false(ended);
    st_synth_set(k->s, k->prof, k->leader, ST_TASK_STRUCT_EXIT_STATE, 0x20);
    g_assert_true(st_linux_task_ended(&k->kernel, k->leader, ST_SYNTH_TGID,
                                      start, &ended, &err));
    g_assert_true(ended);
    st_synth_set(k->s, k->prof, k->leader, ST_TASK_STRUCT_EXIT_STATE, 0);
    g_assert_true(st_linux_task_ended(&k->kernel, k->leader, ST_SYNTH_TGID,
                                      start + 1, &ended, &err));
    g_assert_true(ended);
    /* a thread is no leader */
    g_assert_true(st_linux_task_ended(&k->kernel, k->task, ST_SYNTH_TGID,
                                      ST_SYNTH_START, &ended, &err));
    g_assert_true(ended);
    /* unreadable, or no exit_state: unknown, not ended */
    g_assert_false(st_linux_task_ended(&k->kernel, 0xffffc90000000000ULL,
                                       ST_SYNTH_TGID, start, &ended, &err));
    g_clear_error(&err);
    k->prof->field[ST_TASK_STRUCT_EXIT_STATE].present = false;
    g_assert_false(st_linux_task_ended(&k->kernel, k->leader, ST_SYNTH_TGID,
                                       start, &ended, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

static void test_fd_file(void)
{
    uint64_t file, got;
    StSynthKernel *k = kernel_with_secret(false, &file);
    StLinuxFile f;
    GError *err = NULL;
    g_autofree char *path = NULL;

    g_assert_true(st_linux_fd_file(&k->kernel, k->task, 3, &got, &err));
    g_assert_no_error(err);
    g_assert_cmphex(got, ==, file);
    g_assert_true(st_linux_read_file(&k->kernel, got, &f, &err));
    g_assert_no_error(err);
    g_assert_cmphex(f.dev, ==, ST_SYNTH_HOME_DEV);
    g_assert_cmpuint(f.ino, ==, ST_SYNTH_SECRET_INO);
    g_assert_cmpint(f.type, ==, ST_LINUX_FT_REGULAR);
    g_assert_cmpstr(st_linux_file_type_name(f.type), ==, "regular");
    g_assert_cmpuint(f.mode, ==, 0100600);
    g_assert_cmpuint(f.f_flags, ==, O_RDWR_APPEND);
    g_assert_cmphex(f.dentry, ==, k->secret_dentry);

    path = st_linux_file_path(&k->kernel, file, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, "/home/alice/secret.txt");

    /* fd not open, out of the table, negative */
    g_assert_false(st_linux_fd_file(&k->kernel, k->task, 4, &got, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(st_linux_fd_file(&k->kernel, k->task, ST_SYNTH_MAX_FDS,
                                    &got, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(st_linux_fd_file(&k->kernel, k->task, -1, &got, &err));
    g_clear_error(&err);

    /* a core dump's file: cprm->file, and a profile without it */
    {
        uint64_t cprm = st_synth_alloc(
            k->s, k->prof->struct_size[ST_STRUCT_COREDUMP_PARAMS]);

        st_synth_set(k->s, k->prof, cprm, ST_COREDUMP_PARAMS_FILE, file);
        g_assert_true(st_linux_coredump_file(&k->kernel, cprm, &got, &err));
        g_assert_no_error(err);
        g_assert_cmphex(got, ==, file);
        st_synth_set(k->s, k->prof, cprm, ST_COREDUMP_PARAMS_FILE, 0);
        g_assert_false(st_linux_coredump_file(&k->kernel, cprm, &got, &err));
        g_clear_error(&err);
        k->prof->field[ST_COREDUMP_PARAMS_FILE].present = false;
        g_assert_false(st_linux_coredump_file(&k->kernel, cprm, &got, &err));
        g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
        g_clear_error(&err);
        k->prof->field[ST_COREDUMP_PARAMS_FILE].present = true;
    }

    /* max_fds absurd: refused, not used as a bound */
    st_synth_set(k->s, k->prof, k->fdt, ST_FDTABLE_MAX_FDS, 0xffffffff);
    g_assert_false(st_linux_fd_file(&k->kernel, k->task, 100000000, &got,
                                    &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    g_assert_false(st_linux_validate(&k->kernel, k->percpu, NULL, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

static void test_file_types(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    static const struct {
        uint16_t mode;
        StLinuxFileType type;
    } cases[] = {
        { 0010600, ST_LINUX_FT_FIFO },
        { 0140777, ST_LINUX_FT_SOCKET },
        { 0020620, ST_LINUX_FT_CHARDEV },
        { 0040755, ST_LINUX_FT_DIR },
        { 0060660, ST_LINUX_FT_BLOCKDEV },
        { 0120777, ST_LINUX_FT_SYMLINK },
        { 0170000, ST_LINUX_FT_UNKNOWN },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t ino = st_synth_inode(k, k->sb_root, cases[i].mode, 900 + i);
        uint64_t d = st_synth_dentry(k, k->root_dentry, "x", ino);
        uint64_t file = st_synth_file(k, k->root_mnt, d, 0);
        StLinuxFile f;
        GError *err = NULL;

        g_assert_true(st_linux_read_file(&k->kernel, file, &f, &err));
        g_assert_no_error(err);
        g_assert_cmpint(f.type, ==, cases[i].type);
        /* a pipe's identity is its inode */
        g_assert_cmpuint(f.ino, ==, 900 + i);
        g_assert_cmphex(f.dev, ==, 0x800001);
    }
    st_synth_kernel_free(k);
}

static void test_paths(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t home_vfs = k->home_mnt + p->field[ST_MOUNT_MNT].offset;
    uint64_t root_vfs = k->root_mnt + p->field[ST_MOUNT_MNT].offset;
    g_autofree char *longname = g_strnfill(200, 'n');
    g_autofree char *want = g_strdup_printf("/home/alice/%s", longname);
    uint64_t d;
    char *path;
    GError *err = NULL;

    path = st_linux_path(&k->kernel, k->root_dentry, root_vfs, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, "/");
    g_free(path);
    /* the root of the home mount is /home */
    path = st_linux_path(&k->kernel, k->home_root, home_vfs, &err);
    g_assert_cmpstr(path, ==, "/home");
    g_free(path);
    /* a long name lives outside the dentry */
    d = st_synth_dentry(k, k->user_dentry, longname, 0);
    path = st_linux_path(&k->kernel, d, home_vfs, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, want);
    g_free(path);
    st_synth_kernel_free(k);
}

static void test_path_loops(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t home_vfs = k->home_mnt + p->field[ST_MOUNT_MNT].offset;
    uint64_t a, b, m1, m2;
    char *path;
    GError *err = NULL;

    /* dentry parents: a -> b -> a, neither a root */
    a = st_synth_dentry(k, k->user_dentry, "a", 0);
    b = st_synth_dentry(k, a, "b", 0);
    st_synth_set(k->s, p, a, ST_DENTRY_D_PARENT, b);
    path = st_linux_path(&k->kernel, b, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "loop"));
    g_clear_error(&err);

    /* mount parents: m1 -> m2 -> m1, each mounted at the other's root */
    m1 = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_MOUNT]);
    m2 = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_MOUNT]);
    st_synth_set(k->s, p, m1, ST_MOUNT_MNT_PARENT, m2);
    st_synth_set(k->s, p, m2, ST_MOUNT_MNT_PARENT, m1);
    st_synth_set(k->s, p, m1, ST_MOUNT_MNT_MOUNTPOINT, k->root_dentry);
    st_synth_set(k->s, p, m2, ST_MOUNT_MNT_MOUNTPOINT, k->root_dentry);
    st_synth_set(k->s, p, m1 + p->field[ST_MOUNT_MNT].offset,
                 ST_VFSMOUNT_MNT_ROOT, k->root_dentry);
    st_synth_set(k->s, p, m2 + p->field[ST_MOUNT_MNT].offset,
                 ST_VFSMOUNT_MNT_ROOT, k->root_dentry);
    path = st_linux_path(&k->kernel, k->root_dentry,
                         m1 + p->field[ST_MOUNT_MNT].offset, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "loop"));
    g_clear_error(&err);

    /* a self-loop that is not the root: parent == self ends the walk */
    st_synth_set(k->s, p, a, ST_DENTRY_D_PARENT, a);
    path = st_linux_path(&k->kernel, b, home_vfs, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(path, ==, "/b");
    g_free(path);
    st_synth_kernel_free(k);
}

static void test_path_hostile(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t home_vfs = k->home_mnt + p->field[ST_MOUNT_MNT].offset;
    uint64_t d, unmapped, parent;
    char *path;
    char name[250];
    GError *err = NULL;
    int i;

    /* a parent pointer into unmapped kernel memory (the guard page) */
    d = st_synth_dentry(k, k->user_dentry, "x", 0);
    unmapped = d + 0x1000;
    st_synth_set(k->s, p, d, ST_DENTRY_D_PARENT, unmapped);
    path = st_linux_path(&k->kernel, d, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);

    /* a user-space parent pointer */
    st_synth_set(k->s, p, d, ST_DENTRY_D_PARENT, 0x400000);
    path = st_linux_path(&k->kernel, d, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);

    /* absurd d_name.len */
    d = st_synth_dentry(k, k->user_dentry, "y", 0);
    st_synth_set(k->s, p, d, ST_DENTRY_D_NAME_LEN, 0xffffffff);
    path = st_linux_path(&k->kernel, d, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);

    /* a name that runs into unmapped memory */
    d = st_synth_dentry(k, k->user_dentry, "z", 0);
    st_synth_set(k->s, p, d, ST_DENTRY_D_NAME_NAME, d + 0x1000 - 2);
    st_synth_set(k->s, p, d, ST_DENTRY_D_NAME_LEN, 10);
    path = st_linux_path(&k->kernel, d, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);

    /* a name with a slash in it */
    d = st_synth_dentry(k, k->user_dentry, "a/b", 0);
    path = st_linux_path(&k->kernel, d, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT);
    g_clear_error(&err);

    /* deeper than PATH_MAX */
    memset(name, 'q', sizeof(name) - 1);
    name[sizeof(name) - 1] = 0;
    parent = k->user_dentry;
    for (i = 0; i < 20; i++) {
        parent = st_synth_dentry(k, parent, name, 0);
    }
    path = st_linux_path(&k->kernel, parent, home_vfs, &err);
    g_assert_null(path);
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);

    /* NULL inputs */
    g_assert_null(st_linux_path(&k->kernel, 0, home_vfs, &err));
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

static uint64_t make_socket(StSynthKernel *k, uint64_t sk, uint64_t *sock)
{
    const StLinuxProfile *p = k->prof;
    uint64_t ino = st_synth_inode(k, k->sb_root, 0140777, 7777);
    uint64_t d = st_synth_dentry(k, 0, "", ino);

    *sock = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_SOCKET]);
    st_synth_set(k->s, p, *sock, ST_SOCKET_SK, sk);
    d = st_synth_file(k, k->root_mnt, d, 2);
    st_synth_set(k->s, p, d, ST_FILE_PRIVATE_DATA, *sock);
    return d;
}

static void test_socket_inet(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t sk = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_SOCK]);
    uint64_t skc = sk + p->field[ST_SOCK_SK_COMMON].offset;
    uint64_t sock, file = make_socket(k, sk, &sock);
    static const uint8_t local[4] = { 10, 0, 2, 15 }, peer[4] = { 10, 0, 2, 2 };
    static const uint8_t l6[16] = { 0xfe, 0x80, [15] = 1 };
    static const uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
    StLinuxSocket so;
    GError *err = NULL;

    st_synth_set(k->s, p, skc, ST_SOCK_COMMON_SKC_FAMILY, 2);
    st_synth_set_bytes(k->s, p, skc, ST_SOCK_COMMON_SKC_RCV_SADDR, local, 4);
    st_synth_set_bytes(k->s, p, skc, ST_SOCK_COMMON_SKC_DADDR, peer, 4);
    st_synth_set(k->s, p, skc, ST_SOCK_COMMON_SKC_NUM, 22);
    st_synth_set(k->s, p, skc, ST_SOCK_COMMON_SKC_DPORT, GUINT16_TO_BE(51234));
    g_assert_true(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(so.family, ==, 2);
    g_assert_cmpmem(so.local_addr, 4, local, 4);
    g_assert_cmpmem(so.peer_addr, 4, peer, 4);
    g_assert_cmpuint(so.local_port, ==, 22);
    g_assert_cmpuint(so.peer_port, ==, 51234);
    st_linux_socket_clear(&so);

    st_synth_set(k->s, p, skc, ST_SOCK_COMMON_SKC_FAMILY, 10);
    st_synth_set_bytes(k->s, p, skc, ST_SOCK_COMMON_SKC_V6_RCV_SADDR, l6, 16);
    st_synth_set_bytes(k->s, p, skc, ST_SOCK_COMMON_SKC_V6_DADDR, p6, 16);
    g_assert_true(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(so.family, ==, 10);
    g_assert_cmpmem(so.local_addr, 16, l6, 16);
    g_assert_cmpmem(so.peer_addr, 16, p6, 16);
    g_assert_cmpuint(so.peer_port, ==, 51234);
    st_linux_socket_clear(&so);

    /* sk pointing at unmapped memory */
    st_synth_set(k->s, p, sock, ST_SOCKET_SK, sk + 0x1000);
    g_assert_false(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

static uint64_t make_unix_sock(StSynthKernel *k, const char *path,
                               size_t path_len)
{
    const StLinuxProfile *p = k->prof;
    uint64_t usk = st_synth_alloc(k->s, p->struct_size[ST_STRUCT_UNIX_SOCK]);
    uint64_t sk = usk + p->field[ST_UNIX_SOCK_SK].offset;
    uint64_t skc = sk + p->field[ST_SOCK_SK_COMMON].offset;

    st_synth_set(k->s, p, skc, ST_SOCK_COMMON_SKC_FAMILY, 1);
    if (path) {
        uint64_t addr = st_synth_alloc(k->s,
                                       p->struct_size[ST_STRUCT_UNIX_ADDRESS]);
        uint64_t sun = addr + p->field[ST_UNIX_ADDRESS_NAME].offset;

        st_synth_set(k->s, p, addr, ST_UNIX_ADDRESS_LEN,
                     p->field[ST_SOCKADDR_UN_SUN_PATH].offset + path_len);
        st_synth_w16(k->s, sun, 1);
        st_synth_write(k->s, sun + p->field[ST_SOCKADDR_UN_SUN_PATH].offset,
                       path, path_len);
        st_synth_set(k->s, p, usk, ST_UNIX_SOCK_ADDR, addr);
    }
    return sk;
}

static void test_socket_unix(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t sk = make_unix_sock(k, "/run/agent.sock", 16);
    uint64_t peer = make_unix_sock(k, "\0hidden", 7);
    uint64_t sock, file = make_socket(k, sk, &sock);
    uint64_t usk = sk - p->field[ST_UNIX_SOCK_SK].offset, addr = 0;
    uint64_t peer_sock, peer_file;
    StLinuxSocket so;
    GError *err = NULL;

    st_synth_set(k->s, p, usk, ST_UNIX_SOCK_PEER, peer);
    g_assert_true(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(so.family, ==, 1);
    g_assert_cmpstr(so.unix_path, ==, "/run/agent.sock");
    g_assert_cmpstr(so.unix_peer_path, ==, "@hidden");
    g_assert_cmpuint(so.unix_peer_ino, ==, 0);  /* peer has no socket */
    st_linux_socket_clear(&so);

    /* the peer's inode: peer->sk_socket->file->f_inode */
    peer_file = make_socket(k, peer, &peer_sock);
    st_synth_set(k->s, p, peer, ST_SOCK_SK_SOCKET, peer_sock);
    st_synth_set(k->s, p, peer_sock, ST_SOCKET_FILE, peer_file);
    g_assert_true(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(so.unix_peer_dev, ==, 0x800001);
    g_assert_cmpuint(so.unix_peer_ino, ==, 7777);
    st_linux_socket_clear(&so);
    st_synth_set(k->s, p, peer, ST_SOCK_SK_SOCKET, peer_sock + 0x1000);
    g_assert_false(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_UNMAPPED);
    g_clear_error(&err);
    st_synth_set(k->s, p, peer, ST_SOCK_SK_SOCKET, 0);

    /* unbound, no peer */
    st_synth_set(k->s, p, usk, ST_UNIX_SOCK_PEER, 0);
    g_assert_true(st_guest_read_u64(&k->s->vm,
                                    usk + p->field[ST_UNIX_SOCK_ADDR].offset,
                                    &addr, NULL));
    st_synth_set(k->s, p, usk, ST_UNIX_SOCK_ADDR, 0);
    g_assert_true(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_null(so.unix_path);
    g_assert_null(so.unix_peer_path);

    /* absurd address length */
    st_synth_set(k->s, p, usk, ST_UNIX_SOCK_ADDR, addr);
    st_synth_set(k->s, p, addr, ST_UNIX_ADDRESS_LEN, 0x7fffffff);
    g_assert_false(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS);
    g_clear_error(&err);

    /* not a socket */
    file = st_synth_file(k, k->home_mnt, k->secret_dentry, 0);
    g_assert_false(st_linux_read_socket(&k->kernel, file, &so, &err));
    g_assert_error(err, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND);
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

static void test_pt_regs(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    uint64_t stack = st_synth_alloc(k->s, 16384);
    uint64_t top = stack + 16384;
    uint64_t regs = top - p->struct_size[ST_STRUCT_PT_REGS];
    StLinuxPtRegs r;
    GError *err = NULL;

    st_synth_w64(k->s, k->percpu + p->percpu[ST_PERCPU_TOP_OF_STACK], top);
    st_synth_set(k->s, p, regs, ST_PT_REGS_ORIG_AX, 0);
    st_synth_set(k->s, p, regs, ST_PT_REGS_AX, 5);
    st_synth_set(k->s, p, regs, ST_PT_REGS_DI, 3);
    st_synth_set(k->s, p, regs, ST_PT_REGS_SI, 0x7ffc0000);
    st_synth_set(k->s, p, regs, ST_PT_REGS_DX, 4096);
    st_synth_set(k->s, p, regs, ST_PT_REGS_IP, 0x401000);
    g_assert_true(st_linux_read_pt_regs(&k->kernel, k->percpu, &r, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.orig_ax, ==, 0);
    g_assert_cmpuint(r.ax, ==, 5);
    g_assert_cmpuint(r.di, ==, 3);
    g_assert_cmphex(r.si, ==, 0x7ffc0000);
    g_assert_cmpuint(r.dx, ==, 4096);
    g_assert_cmphex(r.ip, ==, 0x401000);

    st_synth_w64(k->s, k->percpu + p->percpu[ST_PERCPU_TOP_OF_STACK], 0);
    g_assert_false(st_linux_read_pt_regs(&k->kernel, k->percpu, &r, &err));
    g_clear_error(&err);
    st_synth_kernel_free(k);
}

static void expect_invalid(StSynthKernel *k, uint64_t percpu, int code,
                           const char *what)
{
    GError *err = NULL;

    g_assert_false(st_linux_validate(&k->kernel, percpu, NULL, &err));
    g_assert_nonnull(err);
    if (code >= 0) {
        g_assert_cmpint(err->code, ==, code);
    }
    g_assert_nonnull(strstr(err->message, "does not fit"));
    g_assert_nonnull(strstr(err->message, what));
    g_clear_error(&err);
}

static void test_validate(void)
{
    StSynthKernel *k = st_synth_kernel_new(false);
    const StLinuxProfile *p = k->prof;
    g_autoptr(StLinuxProfile) wrong = st_linux_profile_copy(k->prof);
    StLinuxKernel kernel_wrong = { .vm = &k->s->vm, .prof = wrong };
    uint64_t file;
    GError *err = NULL;
    char comm[16] = "bad\x01name";

    file = st_synth_file(k, k->home_mnt, k->secret_dentry, 0);
    st_synth_install_fd(k, 1, file);
    /* an anon inode (eventfd, epoll) has no file type, and is fine */
    st_synth_install_fd(k, 5, st_synth_file(
        k, k->root_mnt, st_synth_dentry(k, 0, "[eventfd]",
                                        st_synth_inode(k, k->sb_root, 0600,
                                                       77)), 2));
    g_assert_true(st_linux_validate(&k->kernel, k->percpu, NULL, &err));
    g_assert_no_error(err);

    /* a profile of another kernel: comm is read at the wrong place */
    wrong->field[ST_TASK_STRUCT_COMM].offset += 0x40;
    g_assert_false(st_linux_validate(&kernel_wrong, k->percpu, NULL, &err));
    g_assert_nonnull(strstr(err->message, "comm"));
    g_clear_error(&err);

    /* KERNEL_GS_BASE that is no kernel address, current NULL */
    expect_invalid(k, 0x7f0000000000ULL, ST_GUEST_ERROR_CORRUPT, "per-CPU");
    st_synth_w64(k->s, k->percpu + p->percpu[ST_PERCPU_CURRENT_TASK], 0);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_CORRUPT, "NULL");
    st_synth_w64(k->s, k->percpu + p->percpu[ST_PERCPU_CURRENT_TASK], k->task);

    /* fd slot pointing at unmapped memory */
    st_synth_install_fd(k, 2, file + 0x1000);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_UNMAPPED, "fd 2");
    st_synth_install_fd(k, 2, 0);

    /* pid out of range */
    st_synth_set(k->s, p, k->task, ST_TASK_STRUCT_PID, 0x7fffffff);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_CORRUPT, "out of range");
    st_synth_set(k->s, p, k->task, ST_TASK_STRUCT_PID, ST_SYNTH_PID);

    /* comm not printable */
    st_synth_set_bytes(k->s, p, k->task, ST_TASK_STRUCT_COMM, comm, 16);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_CORRUPT, "printable");
    strcpy(comm, ST_SYNTH_COMM);
    st_synth_set_bytes(k->s, p, k->task, ST_TASK_STRUCT_COMM, comm, 16);

    /* broken task -> files -> fdtable chain */
    st_synth_set(k->s, p, k->files, ST_FILES_STRUCT_FDT, k->fdt + 0x1000);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_UNMAPPED, "fdtable");
    st_synth_set(k->s, p, k->files, ST_FILES_STRUCT_FDT, k->fdt);
    st_synth_set(k->s, p, k->fdt, ST_FDTABLE_FD, 0);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_CORRUPT, "NULL");
    st_synth_set(k->s, p, k->fdt, ST_FDTABLE_FD, k->fd_array);
    st_synth_set(k->s, p, k->task, ST_TASK_STRUCT_FILES, 0);
    expect_invalid(k, k->percpu, ST_GUEST_ERROR_CORRUPT, "no files");
    st_synth_set(k->s, p, k->task, ST_TASK_STRUCT_FILES, k->files);

    g_assert_true(st_linux_validate(&k->kernel, k->percpu, NULL, &err));
    g_assert_no_error(err);
    st_synth_kernel_free(k);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmi/readers/task-4level", test_task_4level);
    g_test_add_func("/vmi/readers/task-5level", test_task_5level);
    g_test_add_func("/vmi/readers/leader-and-cwd", test_leader_and_cwd);
    g_test_add_func("/vmi/readers/fd-file", test_fd_file);
    g_test_add_func("/vmi/readers/task-ended", test_task_ended);
    g_test_add_func("/vmi/readers/file-types", test_file_types);
    g_test_add_func("/vmi/readers/paths", test_paths);
    g_test_add_func("/vmi/readers/path-loops", test_path_loops);
    g_test_add_func("/vmi/readers/path-hostile", test_path_hostile);
    g_test_add_func("/vmi/readers/socket-inet", test_socket_inet);
    g_test_add_func("/vmi/readers/socket-unix", test_socket_unix);
    g_test_add_func("/vmi/readers/pt-regs", test_pt_regs);
    g_test_add_func("/vmi/readers/validate", test_validate);
    return g_test_run();
}
