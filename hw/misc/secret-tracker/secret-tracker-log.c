/*
 * secret-tracker device: the flow log, to a file or to a chardev
 *
 * Lines go through a bounded queue and leave it only when written whole,
 * so a full disk, a size cap or a receiver that went away delays them
 * (counted, retried) instead of losing them silently; what does not fit
 * in the queue is counted as lost.  A line cut short by a full disk is
 * cut off the file again, or counted as torn and ended by a newline, so
 * the next line always starts a line of its own.  Written lines are in
 * the kernel at once (no stdio buffer): a QEMU killed after it reported
 * a flow has logged it.  Everything here runs in the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/notify.h"
#include "qemu/timer.h"
#include "chardev/char-fe.h"
#include "chardev/char.h"
#include "system/system.h"
#include "secret-tracker-internal.h"
#include "trace.h"

/* A failed write is tried again after this long (or at the next line). */
#define LOG_RETRY_MS 1000

typedef enum LogWrite {
    LOG_WRITE_DONE,
    LOG_WRITE_WAIT,             /* a chardev would block: a watch is set */
    LOG_WRITE_FAILED,
} LogWrite;

struct SecretTrackerLog {
    char *path;                 /* file log, or NULL */
    int fd;
    CharBackend *chr;           /* chardev log, or NULL */
    char *chr_id;
    bool evented;               /* the chardev says when it (dis)connects */
    bool connected;
    uint64_t max_size;          /* 0: no cap */
    uint32_t max_queue;

    GQueue queue;               /* GString lines with their '\n' */
    size_t head_done;           /* bytes of the head line a chardev took */
    bool need_newline;          /* a torn line was left unterminated */
    guint watch;
    QEMUTimer *retry;
    Notifier exit_notifier;

    uint64_t written;
    uint64_t lost;
    uint64_t torn;
    uint64_t bytes;
    uint64_t reopens;
    uint64_t disconnects;
    uint64_t errors;
    char *last_error;
};

static void log_flush(SecretTrackerLog *l);

static void log_error(SecretTrackerLog *l, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void log_error(SecretTrackerLog *l, const char *fmt, ...)
{
    va_list ap;

    g_free(l->last_error);
    va_start(ap, fmt);
    l->last_error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    l->errors++;
    trace_secret_tracker_log_error(l->path ? l->path : l->chr_id,
                                   l->last_error);
}

/* Files */

/*
 * Open @path for appending: never through a symbolic link, never
 * inherited by a child, created 0600 whatever the umask (an existing
 * file keeps its mode).  /dev/fdset/N works as everywhere in QEMU.
 */
static int log_open_file(const char *path, Error **errp)
{
    int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK;
    int fd, i;

    for (i = 0; i < 3; i++) {
        fd = qemu_open(path, flags, NULL);
        if (fd >= 0 || errno != ENOENT) {
            break;
        }
        fd = qemu_create(path, flags | O_EXCL, 0600, NULL);
        if (fd >= 0) {
            if (fchmod(fd, 0600) < 0) {
                error_setg_errno(errp, errno, "cannot set the mode of '%s'",
                                 path);
                close(fd);
                return -1;
            }
            return fd;
        }
        if (errno != EEXIST) {
            break;
        }
    }
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open the log '%s'%s", path,
                         errno == ELOOP ? " (a symbolic link is refused)" :
                         errno == ENXIO ? " (a FIFO needs a reader)" : "");
    }
    return fd;
}

/* Cut a partly written line off again; false if the file cannot be. */
static bool log_file_cut(SecretTrackerLog *l, off_t start)
{
    return start >= 0 && ftruncate(l->fd, start) == 0;
}

static LogWrite log_write_file(SecretTrackerLog *l, const GString *line)
{
    off_t start = lseek(l->fd, 0, SEEK_END);
    size_t done = 0;
    ssize_t n;
    int err = 0;

    if (l->max_size && start >= 0 &&
        (uint64_t)start + line->len > l->max_size) {
        log_error(l, "the size cap of %" PRIu64 " bytes is reached",
                  l->max_size);
        return LOG_WRITE_FAILED;
    }
    while (done < line->len) {
        n = write(l->fd, line->str + done, line->len - done);
        if (n > 0) {
            done += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            err = n < 0 ? errno : 0;
            break;
        }
    }
    if (done == line->len) {
        return LOG_WRITE_DONE;
    }
    log_error(l, "%s", err ? strerror(err) : "short write");
    if (done && !log_file_cut(l, start)) {
        l->torn++;
        l->need_newline = true;
    }
    return LOG_WRITE_FAILED;
}

/* Chardevs */

static gboolean log_chr_writable(void *do_not_use, GIOCondition cond,
                                 void *opaque)
{
    SecretTrackerLog *l = opaque;

    l->watch = 0;
    log_flush(l);
    return G_SOURCE_REMOVE;
}

static LogWrite log_write_chr(SecretTrackerLog *l, const GString *line)
{
    int n;

    while (l->head_done < line->len) {
        errno = 0;
        n = qemu_chr_fe_write(l->chr, (const uint8_t *)line->str +
                              l->head_done, line->len - l->head_done);
        if (n > 0) {
            l->head_done += n;
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            l->watch = qemu_chr_fe_add_watch(l->chr, G_IO_OUT | G_IO_HUP,
                                             log_chr_writable, l);
            if (l->watch) {
                return LOG_WRITE_WAIT;
            }
        }
        log_error(l, "%s", !l->connected ? "the receiver went away" :
                  errno ? strerror(errno) : "nothing written");
        if (l->head_done) {
            /*
             * The receiver saw part of the line: torn.  On a connection
             * that goes on (a chardev file), end it before the next.
             */
            l->torn++;
            l->head_done = 0;
            l->need_newline = l->connected;
        }
        return LOG_WRITE_FAILED;
    }
    l->head_done = 0;
    return LOG_WRITE_DONE;
}

static int log_chr_can_read(void *opaque)
{
    return 4096;                /* read, so that a peer's close is seen */
}

static void log_chr_read(void *opaque, const uint8_t *buf, int size)
{
    /* A log receiver has nothing to say: ignore it. */
}

static void log_chr_event(void *opaque, QEMUChrEvent event)
{
    SecretTrackerLog *l = opaque;

    if (event == CHR_EVENT_OPENED) {
        l->connected = true;
        log_flush(l);
    } else if (event == CHR_EVENT_CLOSED) {
        if (l->connected) {
            l->disconnects++;
        }
        l->connected = false;
        if (l->head_done) {
            l->torn++;          /* resent whole on the next connection */
            l->head_done = 0;
        }
        if (l->watch) {
            g_source_remove(l->watch);
            l->watch = 0;
        }
    }
}

/* The queue */

static LogWrite log_write(SecretTrackerLog *l, const GString *line)
{
    GString newline = { .str = (char *)"\n", .len = 1, .allocated_len = 2 };
    LogWrite w;

    if (l->need_newline) {
        w = l->chr ? log_write_chr(l, &newline) : log_write_file(l, &newline);
        if (w != LOG_WRITE_DONE) {
            return w;
        }
        l->need_newline = false;
    }
    return l->chr ? log_write_chr(l, line) : log_write_file(l, line);
}

static void log_flush(SecretTrackerLog *l)
{
    LogWrite w = LOG_WRITE_DONE;

    if (l->watch || (l->fd < 0 && !l->chr)) {
        return;
    }
    if (l->chr && l->evented && !l->connected) {
        /* The chardev's open event flushes the queue. */
        if (!g_queue_is_empty(&l->queue)) {
            log_error(l, "the receiver is not connected");
        }
        return;
    }
    while (!g_queue_is_empty(&l->queue)) {
        GString *line = g_queue_peek_head(&l->queue);

        w = log_write(l, line);
        if (w != LOG_WRITE_DONE) {
            break;
        }
        l->written++;
        l->bytes += line->len;
        g_string_free(g_queue_pop_head(&l->queue), true);
    }
    if (w == LOG_WRITE_FAILED) {
        timer_mod(l->retry,
                  qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + LOG_RETRY_MS);
    }
}

static void log_retry(void *opaque)
{
    log_flush(opaque);
}

void secret_tracker_log_line(SecretTrackerLog *l, GString *line)
{
    g_string_append_c(line, '\n');
    if (g_queue_get_length(&l->queue) >= l->max_queue) {
        l->lost++;
        g_string_free(line, true);
        return;
    }
    g_queue_push_tail(&l->queue, line);
    log_flush(l);
}

/* At exit, say what never reached the log: it cannot be counted later. */
static void log_exit(Notifier *n, void *data)
{
    SecretTrackerLog *l = container_of(n, SecretTrackerLog, exit_notifier);
    unsigned queued;

    log_flush(l);               /* a last chance */
    queued = g_queue_get_length(&l->queue);

    if (queued || l->lost || l->torn) {
        error_report("secret-tracker: log %s: %u line(s) not written, "
                     "%" PRIu64 " lost, %" PRIu64 " torn (last error: %s)",
                     l->path ? l->path : l->chr_id, queued, l->lost,
                     l->torn, l->last_error ? l->last_error : "none");
    }
}

/* Life cycle */

static void log_line_free(gpointer line)
{
    g_string_free(line, true);
}

SecretTrackerLog *secret_tracker_log_open(const char *path, CharBackend *chr,
                                          uint64_t max_size,
                                          uint32_t max_queue, Error **errp)
{
    SecretTrackerLog *l = g_new0(SecretTrackerLog, 1);

    l->fd = -1;
    l->max_size = max_size;
    l->max_queue = max_queue;
    g_queue_init(&l->queue);
    if (path) {
        l->fd = log_open_file(path, errp);
        if (l->fd < 0) {
            g_free(l);
            return NULL;
        }
        l->path = g_strdup(path);
        l->connected = true;
    } else {
        Object *drv = OBJECT(qemu_chr_fe_get_driver(chr));

        l->chr = chr;
        l->chr_id = g_strdup(qemu_chr_fe_get_driver(chr)->label);
        /*
         * Sockets and ptys have a receiver that comes and goes, and say
         * so; the others (file, udp, pipe, ...) are always "connected".
         */
        l->evented = object_dynamic_cast(drv, TYPE_CHARDEV_SOCKET) ||
                     object_dynamic_cast(drv, TYPE_CHARDEV_PTY);
        l->connected = !l->evented || qemu_chr_fe_backend_open(chr);
        qemu_chr_fe_set_handlers(chr, log_chr_can_read, log_chr_read,
                                 log_chr_event, NULL, l, NULL, true);
    }
    l->retry = timer_new_ms(QEMU_CLOCK_REALTIME, log_retry, l);
    l->exit_notifier.notify = log_exit;
    qemu_add_exit_notifier(&l->exit_notifier);
    return l;
}

bool secret_tracker_log_reopen(SecretTrackerLog *l, Error **errp)
{
    int fd;

    if (!l->path) {
        error_setg(errp, "the log goes to chardev '%s', which has no file "
                   "to reopen", l->chr_id);
        return false;
    }
    fd = log_open_file(l->path, errp);
    if (fd < 0) {
        return false;           /* keep writing to the old file */
    }
    close(l->fd);
    l->fd = fd;
    l->reopens++;
    l->need_newline = false;    /* a new file starts clean */
    log_flush(l);
    return true;
}

void secret_tracker_log_close(SecretTrackerLog *l)
{
    if (!l) {
        return;
    }
    qemu_remove_exit_notifier(&l->exit_notifier);
    timer_free(l->retry);
    if (l->watch) {
        g_source_remove(l->watch);
    }
    if (l->chr) {
        qemu_chr_fe_set_handlers(l->chr, NULL, NULL, NULL, NULL, NULL, NULL,
                                 true);
    }
    if (l->fd >= 0) {
        close(l->fd);
    }
    g_queue_clear_full(&l->queue, log_line_free);
    g_free(l->path);
    g_free(l->chr_id);
    g_free(l->last_error);
    g_free(l);
}

SecretTrackerLogInfo *secret_tracker_log_info(SecretTrackerLog *l,
                                              const char *format)
{
    SecretTrackerLogInfo *info = g_new0(SecretTrackerLogInfo, 1);

    info->destination = l->path ? g_strdup_printf("file:%s", l->path) :
                        g_strdup_printf("chardev:%s", l->chr_id);
    info->format = g_strdup(format);
    info->connected = l->connected;
    info->lines_written = l->written;
    info->lines_queued = g_queue_get_length(&l->queue);
    info->lines_lost = l->lost;
    info->lines_torn = l->torn;
    info->bytes_written = l->bytes;
    info->errors = l->errors;
    info->disconnects = l->disconnects;
    info->reopens = l->reopens;
    info->last_error = g_strdup(l->last_error);
    if (l->max_size) {
        info->has_size_cap = true;
        info->size_cap = l->max_size;
    }
    return info;
}
