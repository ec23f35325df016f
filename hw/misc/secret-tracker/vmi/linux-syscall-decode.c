/*
 * secret-tracker: iovec arrays, socket addresses, msghdr and mmsghdr in
 * a task's user memory, bounded as the kernel bounds them
 *
 * Each struct is copied out of the guest once and decoded from the copy:
 * a sibling thread can rewrite user memory between two reads, so no
 * length is ever read twice.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/secret-tracker/abi/socket.h"
#include <arpa/inet.h>
#include "hw/misc/secret-tracker/vmi/linux-decode.h"
#include "linux-decode-internal.h"

/* Entry @i of an iovec array copied out of the guest */
static bool st_iovec_entry(const uint8_t *vec, uint64_t i, bool compat,
                           uint64_t *base, uint64_t *len, GError **errp)
{
    const uint8_t *e = vec + i * (compat ? ST_COMPAT_IOVEC_SIZE
                                         : ST_IOVEC_SIZE);

    *base = compat ? st_ld32(e) : st_ld64(e);
    *len = compat ? st_ld32(e + 4) : st_ld64(e + 8);
    /* the length is an ssize_t (compat_ssize_t) */
    if ((compat && *len > INT32_MAX) || (!compat && *len > INT64_MAX)) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "iovec %" PRIu64 " has a negative length", i);
        return false;
    }
    return true;
}

bool st_linux_iovec_total(const StGuestVm *uvm, uint64_t ptr, uint64_t count,
                          bool compat, uint64_t *bytes, GError **errp)
{
    size_t esize = compat ? ST_COMPAT_IOVEC_SIZE : ST_IOVEC_SIZE;
    g_autofree uint8_t *vec = NULL;
    uint64_t total = 0;
    uint64_t i;

    *bytes = 0;
    if (count > ST_UIO_MAXIOV) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "%" PRIu64 " iovecs: more than %u", count,
                    ST_UIO_MAXIOV);
        return false;
    }
    if (count == 0) {
        return true;
    }
    vec = g_malloc(count * esize);
    if (!st_linux_user_read(uvm, ptr, vec, count * esize, errp)) {
        g_prefix_error(errp, "iovec array: ");
        return false;
    }
    for (i = 0; i < count; i++) {
        uint64_t base, len;

        if (!st_iovec_entry(vec, i, compat, &base, &len, errp)) {
            return false;
        }
        if (!st_linux_user_range_ok(uvm, base, len)) {
            if (i == 0) {
                g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                            "iovec 0 (0x%" PRIx64 " + %" PRIu64 ") is not in "
                            "user space", base, len);
                return false;
            }
            break;      /* the kernel keeps the segments before it */
        }
        total += MIN(len, ST_MAX_RW_COUNT - total);
    }
    *bytes = total;
    return true;
}

bool st_linux_iovec_head(const StGuestVm *uvm, uint64_t ptr, uint64_t count,
                         bool compat, void *buf, size_t len, size_t *got,
                         GError **errp)
{
    size_t esize = compat ? ST_COMPAT_IOVEC_SIZE : ST_IOVEC_SIZE;
    uint8_t vec[ST_LINUX_IOV_HEAD_SEGS * ST_IOVEC_SIZE];
    uint64_t n = MIN(count, (uint64_t)ST_LINUX_IOV_HEAD_SEGS), i;
    uint8_t *out = buf;

    *got = 0;
    if (count > ST_UIO_MAXIOV) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "%" PRIu64 " iovecs: more than %u", count,
                    ST_UIO_MAXIOV);
        return false;
    }
    if (n && !st_linux_user_read(uvm, ptr, vec, n * esize, errp)) {
        g_prefix_error(errp, "iovec array: ");
        return false;
    }
    for (i = 0; i < n && *got < len; i++) {
        uint64_t base, seg;
        size_t take;

        if (!st_iovec_entry(vec, i, compat, &base, &seg, errp)) {
            return false;
        }
        if (!st_linux_user_range_ok(uvm, base, seg)) {
            break;      /* the kernel keeps the segments before it */
        }
        take = MIN(seg, len - *got);
        if (take && !st_linux_user_read(uvm, base, out + *got, take, errp)) {
            g_prefix_error(errp, "iovec %" PRIu64 ": ", i);
            return false;
        }
        *got += take;
    }
    return true;
}

static void st_sockaddr_unix(StLinuxSockaddr *out, const uint8_t *sa)
{
    const uint8_t *path = sa + ST_SOCKADDR_FAMILY_LEN;
    uint32_t n = out->len - ST_SOCKADDR_FAMILY_LEN;

    out->valid = out->len > ST_SOCKADDR_FAMILY_LEN &&
                 out->len <= ST_SOCKADDR_UN_LEN;
    if (!out->valid) {
        return;
    }
    if (path[0] == 0) {
        /* abstract: every byte counts, NULs included */
        out->unix_abstract = true;
        out->unix_name_len = n;
    } else {
        /* a path ends at its first NUL, or at the length */
        const uint8_t *nul = memchr(path, 0, n);

        out->unix_name_len = nul ? nul - path : n;
    }
    memcpy(out->unix_name, path, out->unix_name_len);
    memcpy(out->unix_path, path, out->unix_name_len);
    out->unix_path[out->unix_name_len] = 0;
    if (out->unix_abstract) {
        out->unix_path[0] = '@';
    }
}

static void st_sockaddr_family(StLinuxSockaddr *out, const uint8_t *sa)
{
    uint32_t len = out->len;

    switch (out->family) {
    case ST_AF_INET:
        out->valid = len >= ST_SOCKADDR_IN_LEN;
        if (out->valid) {
            out->port = st_ldbe16(sa + 2);
            memcpy(out->addr, sa + 4, 4);
        }
        break;
    case ST_AF_INET6:
        out->valid = len >= ST_SIN6_LEN_RFC2133;
        if (out->valid) {
            static const uint8_t mapped[12] = {
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
            };

            out->port = st_ldbe16(sa + 2);
            out->flowinfo = st_ld32(sa + 4);
            memcpy(out->addr, sa + 8, 16);
            out->v4_mapped = !memcmp(out->addr, mapped, sizeof(mapped));
            if (len >= ST_SOCKADDR_IN6_LEN) {
                out->scope_id = st_ld32(sa + 24);
            }
        }
        break;
    case ST_AF_UNIX:
        st_sockaddr_unix(out, sa);
        break;
    case ST_AF_VSOCK:
        /* family, reserved1, port, cid, flags, zero[3] */
        out->valid = len >= ST_SOCKADDR_VM_LEN;
        if (out->valid) {
            out->vsock_port = st_ld32(sa + 4);
            out->vsock_cid = st_ld32(sa + 8);
        }
        break;
    case ST_AF_PACKET:
        /* sockaddr_ll: family, protocol (be16), ifindex, ... */
        out->valid = len >= ST_SOCKADDR_LL_LEN;
        if (out->valid) {
            out->packet_protocol = st_ldbe16(sa + 2);
            out->ifindex = (int32_t)st_ld32(sa + 4);
        }
        break;
    case ST_AF_XDP:
        /* family, flags, ifindex, queue_id, shared_umem_fd */
        out->valid = len >= ST_SOCKADDR_XDP_LEN;
        if (out->valid) {
            out->ifindex = (int32_t)st_ld32(sa + 4);
            out->xdp_queue_id = st_ld32(sa + 8);
        }
        break;
    case ST_AF_NETLINK:
        out->valid = len >= ST_SOCKADDR_NL_LEN;
        if (out->valid) {
            out->nl_pid = st_ld32(sa + 4);
            out->nl_groups = st_ld32(sa + 8);
        }
        break;
    default:
        /* AF_UNSPEC (a disconnect) and families we do not decode */
        out->valid = len >= ST_SOCKADDR_FAMILY_LEN;
        break;
    }
}

bool st_linux_sockaddr_decode(const StGuestVm *uvm, uint64_t ptr,
                              uint64_t len_arg, StLinuxSockaddr *out,
                              GError **errp)
{
    /* one byte more: a unix path of the full length still ends */
    uint8_t sa[ST_SOCKADDR_STORAGE_LEN + 1] = { 0 };
    int32_t len = (int32_t)len_arg;

    memset(out, 0, sizeof(*out));
    if (!ptr) {
        return true;
    }
    if (len < 0 || len > ST_SOCKADDR_STORAGE_LEN) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "socket address length %d is out of range", len);
        return false;
    }
    if (len == 0) {
        return true;
    }
    if (!st_linux_user_read(uvm, ptr, sa, len, errp)) {
        g_prefix_error(errp, "socket address: ");
        return false;
    }
    out->len = len;
    if (len < ST_SOCKADDR_FAMILY_LEN) {
        return true;            /* not even a family: !valid */
    }
    out->family = st_ld16(sa);
    st_sockaddr_family(out, sa);
    return true;
}

/* Printable bytes as they are, the others as \xNN */
static void st_append_escaped(GString *s, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
            g_string_append_c(s, p[i]);
        } else {
            g_string_append_printf(s, "\\x%02x", p[i]);
        }
    }
}

char *st_linux_sockaddr_describe(const StLinuxSockaddr *sa)
{
    GString *s = g_string_new(NULL);
    char ip[INET6_ADDRSTRLEN];

    if (!sa->len) {
        g_string_append(s, "none");
    } else if (!sa->valid) {
        g_string_append_printf(s, "family %u (%u bytes: too short)",
                               sa->family, sa->len);
    } else if (sa->family == ST_AF_INET) {
        inet_ntop(AF_INET, sa->addr, ip, sizeof(ip));
        g_string_append_printf(s, "inet %s:%u", ip, sa->port);
    } else if (sa->family == ST_AF_INET6) {
        inet_ntop(AF_INET6, sa->addr, ip, sizeof(ip));
        g_string_append_printf(s, "inet6 [%s]:%u", ip, sa->port);
    } else if (sa->family == ST_AF_UNIX) {
        g_string_append(s, sa->unix_abstract ? "unix @" : "unix ");
        st_append_escaped(s, sa->unix_name + sa->unix_abstract,
                          sa->unix_name_len - sa->unix_abstract);
    } else if (sa->family == ST_AF_VSOCK) {
        g_string_append_printf(s, "vsock cid %u port %u", sa->vsock_cid,
                               sa->vsock_port);
    } else if (sa->family == ST_AF_PACKET) {
        g_string_append_printf(s, "packet ifindex %d protocol 0x%04x",
                               sa->ifindex, sa->packet_protocol);
    } else if (sa->family == ST_AF_XDP) {
        g_string_append_printf(s, "xdp ifindex %d queue %u", sa->ifindex,
                               sa->xdp_queue_id);
    } else if (sa->family == ST_AF_NETLINK) {
        g_string_append_printf(s, "netlink pid %u groups 0x%x", sa->nl_pid,
                               sa->nl_groups);
    } else {
        g_string_append_printf(s, "family %u (%u bytes)", sa->family,
                               sa->len);
    }
    return g_string_free(s, false);
}

/* Decode a msghdr already copied out of the guest */
static bool st_msghdr_parse(const StGuestVm *uvm, const uint8_t *h,
                            bool compat, unsigned what, StLinuxMsghdr *out,
                            GError **errp)
{
    int32_t namelen;

    if (compat) {
        out->name = st_ld32(h);
        namelen = (int32_t)st_ld32(h + 4);
        out->iov = st_ld32(h + 8);
        out->iovlen = st_ld32(h + 12);
        out->control = st_ld32(h + 16);
        out->controllen = st_ld32(h + 20);
        out->flags = st_ld32(h + 24);
    } else {
        out->name = st_ld64(h);
        namelen = (int32_t)st_ld32(h + 8);
        out->iov = st_ld64(h + 16);
        out->iovlen = st_ld64(h + 24);
        out->control = st_ld64(h + 32);
        out->controllen = st_ld64(h + 40);
        out->flags = st_ld32(h + 48);
    }
    /* the kernel's rules: no name, no length; too long is clamped */
    if (!out->name) {
        namelen = 0;
    }
    if (namelen < 0) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "msghdr at 0x%" PRIx64 " has a negative msg_namelen",
                    out->msg);
        return false;
    }
    out->namelen = MIN(namelen, ST_SOCKADDR_STORAGE_LEN);
    if (out->iovlen > ST_UIO_MAXIOV) {
        g_set_error(errp, ST_GUEST_ERROR, ST_GUEST_ERROR_BOUNDS,
                    "msghdr at 0x%" PRIx64 " has %" PRIu64 " iovecs",
                    out->msg, out->iovlen);
        return false;
    }
    if ((what & ST_LINUX_MSG_NAME) && out->namelen) {
        if (!st_linux_sockaddr_decode(uvm, out->name, out->namelen,
                                      &out->dest, errp)) {
            g_prefix_error(errp, "msg_name of 0x%" PRIx64 ": ", out->msg);
            return false;
        }
        out->has_dest = true;
    }
    if ((what & ST_LINUX_MSG_IOV) &&
        !st_linux_iovec_total(uvm, out->iov, out->iovlen, compat,
                              &out->bytes, errp)) {
        g_prefix_error(errp, "msg_iov of 0x%" PRIx64 ": ", out->msg);
        return false;
    }
    return true;
}

bool st_linux_msghdr_decode(const StGuestVm *uvm, uint64_t ptr, bool compat,
                            unsigned what, StLinuxMsghdr *out, GError **errp)
{
    uint8_t h[ST_MSGHDR_SIZE];
    size_t size = compat ? ST_COMPAT_MSGHDR_SIZE : ST_MSGHDR_SIZE;

    memset(out, 0, sizeof(*out));
    out->msg = ptr;
    if (!st_linux_user_read(uvm, ptr, h, size, errp)) {
        g_prefix_error(errp, "msghdr: ");
        return false;
    }
    return st_msghdr_parse(uvm, h, compat, what, out, errp);
}

bool st_linux_mmsghdr_decode(const StGuestVm *uvm, uint64_t ptr,
                             uint64_t vlen_arg, bool compat, unsigned what,
                             StLinuxMsghdr *out, unsigned max, unsigned *n,
                             GError **errp)
{
    uint64_t stride = compat ? ST_COMPAT_MMSGHDR_SIZE : ST_MMSGHDR_SIZE;
    uint32_t vlen = MIN((uint32_t)vlen_arg, ST_UIO_MAXIOV);
    uint32_t i;

    *n = 0;
    vlen = MIN(vlen, max);
    for (i = 0; i < vlen; i++) {
        if (!st_linux_msghdr_decode(uvm, ptr + i * stride, compat, what,
                                    &out[i], errp)) {
            g_prefix_error(errp, "mmsghdr %u: ", i);
            return false;
        }
        *n = i + 1;
    }
    return true;
}
