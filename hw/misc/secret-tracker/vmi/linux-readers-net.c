/*
 * secret-tracker: Linux sockets: families, addresses and ports, unix
 * socket paths and peers
 *
 * Everything read here comes from the guest: each pointer is checked to
 * be a kernel address, each length and count is bounded, each walk has a
 * step limit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include "hw/misc/secret-tracker/vmi/linux-readers.h"
#include "linux-readers-internal.h"

/* The bound path of a unix socket (struct sock at @sk), or NULL if none */
static bool st_linux_unix_path(const StLinuxKernel *kernel, uint64_t sk,
                               char **path, GError **errp)
{
    const StLinuxFieldInfo *sk_off = &kernel->prof->field[ST_UNIX_SOCK_SK];
    const StLinuxFieldInfo *name = st_field_info(kernel, ST_UNIX_ADDRESS_NAME,
                                                 errp);
    const StLinuxFieldInfo *sun_path;
    uint64_t usk = sk - (sk_off->present ? sk_off->offset : 0);
    uint64_t addr, len, plen;
    char buf[256];

    *path = NULL;
    if (!name) {
        return false;
    }
    sun_path = st_field_info(kernel, ST_SOCKADDR_UN_SUN_PATH, errp);
    if (!sun_path ||
        !st_read_field(kernel, usk, ST_UNIX_SOCK_ADDR, &addr, errp)) {
        return false;
    }
    if (!addr) {
        return true;    /* not bound */
    }
    if (!st_read_field(kernel, addr, ST_UNIX_ADDRESS_LEN, &len, errp)) {
        return false;
    }
    len = (uint32_t)len;
    if (len < sun_path->offset ||
        len - sun_path->offset > MIN(sun_path->size, sizeof(buf) - 1)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "unix address 0x%" PRIx64 " has an absurd length %"
                    PRIu64, addr, len);
        return false;
    }
    plen = len - sun_path->offset;
    if (plen &&
        !st_guest_read(kernel->vm, addr + name->offset + sun_path->offset, buf,
                       plen, errp)) {
        return false;
    }
    buf[plen] = 0;
    if (plen && buf[0] == 0) {
        /* abstract: shown as "@name" like ss(8) does */
        buf[0] = '@';
        *path = g_strndup(buf, plen);
    } else {
        *path = g_strdup(buf);
    }
    return true;
}

/* The peer sock's inode: sock->sk_socket->file->f_inode. */
static bool st_linux_unix_peer_inode(const StLinuxKernel *kernel, uint64_t peer,
                                     StLinuxSocket *out, GError **errp)
{
    uint64_t socket, file;
    StLinuxFile f;

    if (!kernel->prof->field[ST_SOCK_SK_SOCKET].present ||
        !kernel->prof->field[ST_SOCKET_FILE].present) {
        return true;    /* the engine then matches by path alone */
    }
    /* NULL is legal for both: st_read_field(), not st_read_pointer() */
    if (!st_read_field(kernel, peer, ST_SOCK_SK_SOCKET, &socket, errp)) {
        return false;
    }
    if (!socket) {
        return true;    /* an orphaned peer: no inode */
    }
    if (!st_read_field(kernel, socket, ST_SOCKET_FILE, &file, errp)) {
        return false;
    }
    if (!file) {
        return true;
    }
    if (!st_linux_read_file(kernel, file, &f, errp)) {
        return false;
    }
    out->unix_peer_dev = f.dev;
    out->unix_peer_ino = f.ino;
    return true;
}

bool st_linux_read_socket(const StLinuxKernel *kernel, uint64_t file,
                          StLinuxSocket *out, GError **errp)
{
    const StLinuxFieldInfo *skc_off = st_field_info(kernel, ST_SOCK_SK_COMMON,
                                                    errp);
    StLinuxFile f;
    uint64_t sk, skc, family, num, dport, peer;

    memset(out, 0, sizeof(*out));
    if (!skc_off || !st_linux_read_file(kernel, file, &f, errp)) {
        return false;
    }
    if (f.type != ST_LINUX_FT_SOCKET) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_NOT_FOUND,
                    "file 0x%" PRIx64 " is a %s, not a socket", file,
                    st_linux_file_type_name(f.type));
        return false;
    }
    if (!f.private_data) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_CORRUPT,
                    "socket file 0x%" PRIx64 " has no struct socket", file);
        return false;
    }
    if (!st_read_pointer(kernel, f.private_data, ST_SOCKET_SK, &sk, errp)) {
        return false;
    }
    skc = sk + skc_off->offset;
    if (!st_read_field(kernel, skc, ST_SOCK_COMMON_SKC_FAMILY, &family, errp)) {
        return false;
    }
    out->family = family;
    switch (family) {
    case ST_AF_INET:
        if (!st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_RCV_SADDR,
                           out->local_addr, 4, errp) ||
            !st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_DADDR,
                           out->peer_addr, 4, errp)) {
            return false;
        }
        break;
    case ST_AF_INET6:
        if (!st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_V6_RCV_SADDR,
                           out->local_addr, 16, errp) ||
            !st_read_bytes(kernel, skc, ST_SOCK_COMMON_SKC_V6_DADDR,
                           out->peer_addr, 16, errp)) {
            return false;
        }
        break;
    case ST_AF_UNIX:
        if (!st_linux_unix_path(kernel, sk, &out->unix_path, errp)) {
            return false;
        }
        if (!st_read_field(kernel,
                           sk - (kernel->prof->field[ST_UNIX_SOCK_SK].present ?
                                 kernel->prof->field[ST_UNIX_SOCK_SK].offset :
                                 0),
                           ST_UNIX_SOCK_PEER, &peer, errp)) {
            st_linux_socket_clear(out);
            return false;
        }
        if (peer &&
            !st_linux_unix_path(kernel, peer, &out->unix_peer_path, errp)) {
            st_linux_socket_clear(out);
            return false;
        }
        if (peer && !st_linux_unix_peer_inode(kernel, peer, out, errp)) {
            st_linux_socket_clear(out);
            return false;
        }
        return true;
    default:
        return true;    /* other families: the family is all we report */
    }
    if (!st_read_field(kernel, skc, ST_SOCK_COMMON_SKC_NUM, &num, errp) ||
        !st_read_field(kernel, skc, ST_SOCK_COMMON_SKC_DPORT, &dport, errp)) {
        return false;
    }
    out->local_port = num;
    out->peer_port = GUINT16_FROM_BE((uint16_t)dport);
    return true;
}

void st_linux_socket_clear(StLinuxSocket *sock)
{
    g_free(sock->unix_path);
    g_free(sock->unix_peer_path);
    sock->unix_path = NULL;
    sock->unix_peer_path = NULL;
}
