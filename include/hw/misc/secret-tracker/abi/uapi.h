/*
 * secret-tracker: Linux x86-64 user-API constants the tracking rules and
 * readers depend on (flags of open, mmap and clone, file types, the
 * current-directory fd, the ioctl commands the engine follows).  Facts of
 * the ABI, not of any kernel build.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_MISC_SECRET_TRACKER_ABI_UAPI_H
#define HW_MISC_SECRET_TRACKER_ABI_UAPI_H

/* dirfd meaning "the current directory" in *at() calls */
#define ST_AT_FDCWD             (-100)

/* clone() flags */
#define ST_CLONE_VM             0x00000100
#define ST_CLONE_FS             0x00000200
#define ST_CLONE_FILES          0x00000400
#define ST_CLONE_SIGHAND        0x00000800
#define ST_CLONE_VFORK          0x00004000
#define ST_CLONE_THREAD         0x00010000
#define ST_CLONE_SYSVSEM        0x00040000
#define ST_CLONE_SETTLS         0x00080000
#define ST_CLONE_PARENT_SETTID  0x00100000
#define ST_CLONE_CHILD_CLEARTID 0x00200000

/* mmap() protections and flags */
#define ST_PROT_NONE            0x0
#define ST_PROT_READ            0x1
#define ST_PROT_WRITE           0x2
#define ST_PROT_EXEC            0x4
#define ST_MAP_TYPE             0x0f
#define ST_MAP_SHARED           0x01
#define ST_MAP_PRIVATE          0x02
#define ST_MAP_SHARED_VALIDATE  0x03
#define ST_MAP_ANONYMOUS        0x20

/* i_mode file types */
#define ST_S_IFMT               0170000
#define ST_S_IFSOCK             0140000
#define ST_S_IFLNK              0120000
#define ST_S_IFREG              0100000
#define ST_S_IFBLK              0060000
#define ST_S_IFDIR              0040000
#define ST_S_IFCHR              0020000
#define ST_S_IFIFO              0010000

/* struct file f_mode bits (FMODE_READ, FMODE_WRITE) */
#define ST_FMODE_READ           0x1
#define ST_FMODE_WRITE          0x2

/*
 * ioctl commands that move file data, as x86-64 _IOC encodings
 * (direction << 30 | size << 16 | type << 8 | number).  The kernel takes
 * the command as a 32-bit unsigned int.
 * FICLONE: _IOW(0x94, 9, int): ioctl(dest_fd, FICLONE, src_fd).
 * FICLONERANGE: _IOW(0x94, 13, struct file_clone_range), 32 bytes; the
 *     struct starts with the source fd (s64): ioctl(dest_fd, ..., &range).
 * FIDEDUPERANGE: _IOWR(0x94, 54, struct file_dedupe_range), 24 bytes plus
 *     dest_count 32-byte records, each starting with a destination fd
 *     (s64): ioctl(src_fd, ..., &range).
 * LOOP_SET_FD, LOOP_CHANGE_FD: ioctl(loop_fd, ..., backing_fd).
 * LOOP_CONFIGURE: ioctl(loop_fd, ..., &struct loop_config), whose first
 *     member is the backing fd (u32).
 */
#define ST_FICLONE              0x40049409u
#define ST_FICLONERANGE         0x4020940du
#define ST_FIDEDUPERANGE        0xc0189436u
#define ST_LOOP_SET_FD          0x4c00u
#define ST_LOOP_CHANGE_FD       0x4c06u
#define ST_LOOP_CONFIGURE       0x4c0au

/*
 * The kernel's own dev_t (super_block s_dev, as the engine keys inodes):
 * the major number sits above 20 minor bits.  Anonymous filesystems
 * (tmpfs, pipefs, sockfs, ...) have major 0.
 */
#define ST_KDEV_MINOR_BITS      20

#endif /* HW_MISC_SECRET_TRACKER_ABI_UAPI_H */
