/*
 * faultinject: an LD_PRELOAD shim that makes write(), fsync() and the
 * network calls of libcurl fail on demand, for t/e2e/70-faults.sh.  No
 * product code knows about it.
 *
 *   FI_TARGET=stdout|files   which descriptors writes fail on: standard
 *                            output (default) or regular files (fd > 2)
 *   FI_AFTER=N               bytes written to them before the fault
 *                            (default 0); the write that crosses N is
 *                            cut short at N, the next one fails
 *   FI_ERRNO=ENOSPC|EIO|EPIPE  the error (no fault without FI_ERRNO)
 *   FI_SHORT=N               every write to them moves at most N bytes
 *                            (a short count, no error)
 *   FI_FSYNC=EIO|ENOSPC      fsync()/fdatasync() of them fail
 *   FI_SEND_FAIL=K           the K-th send()/sendto()/sendmsg() of the
 *                            process (1-based) and every later one fail
 *                            with ECONNRESET: the connection drops at
 *                            that step of a conversation
 *   FI_LOG=FILE              appends one line per injected fault
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*fsync_fn)(int);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);

static size_t written; /* bytes written to the target descriptors so far */
static unsigned long sends;

ssize_t write(int fd, const void *buf, size_t count);
int fsync(int fd);
int fdatasync(int fd);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);

static void *next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p)
		abort();
	return p;
}

static int errno_named(const char *s)
{
	if (!s || !*s)
		return 0;
	if (!strcmp(s, "ENOSPC"))
		return ENOSPC;
	if (!strcmp(s, "EIO"))
		return EIO;
	if (!strcmp(s, "EPIPE"))
		return EPIPE;
	if (!strcmp(s, "EDQUOT"))
		return EDQUOT;
	return EIO;
}

static void note(const char *what, int fd)
{
	const char *path = getenv("FI_LOG");
	char line[128];
	int n, lfd;
	write_fn real;
	if (!path)
		return;
	real = (write_fn)next_sym("write");
	n = snprintf(line, sizeof line, "%s fd %d after %zu bytes\n", what, fd, written);
	lfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0)
		return;
	if (n > 0 && real(lfd, line, (size_t)n) < 0)
		n = 0;
	close(lfd);
}

/* 1 when fd is one the faults apply to. */
static int targeted(int fd)
{
	const char *t = getenv("FI_TARGET");
	struct stat st;
	if (!t || !*t || !strcmp(t, "stdout"))
		return fd == STDOUT_FILENO;
	if (!strcmp(t, "files"))
		return fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	return 0;
}

ssize_t write(int fd, const void *buf, size_t count)
{
	static write_fn real;
	const char *after_s, *short_s;
	int e;
	ssize_t n;
	if (!real)
		real = (write_fn)next_sym("write");
	if (!targeted(fd))
		return real(fd, buf, count);
	short_s = getenv("FI_SHORT");
	if (short_s && atol(short_s) > 0 && count > (size_t)atol(short_s))
		count = (size_t)atol(short_s);
	e = errno_named(getenv("FI_ERRNO"));
	if (e) {
		after_s = getenv("FI_AFTER");
		size_t after = after_s ? (size_t)atol(after_s) : 0;
		if (written >= after) {
			note(getenv("FI_ERRNO"), fd);
			errno = e;
			return -1;
		}
		if (count > after - written)
			count = after - written;
	}
	n = real(fd, buf, count);
	if (n > 0)
		written += (size_t)n;
	return n;
}

static int sync_fault(int fd)
{
	int e = errno_named(getenv("FI_FSYNC"));
	if (!e || !targeted(fd))
		return 0;
	note("fsync", fd);
	errno = e;
	return -1;
}

int fsync(int fd)
{
	static fsync_fn real;
	if (!real)
		real = (fsync_fn)next_sym("fsync");
	return sync_fault(fd) ? -1 : real(fd);
}

int fdatasync(int fd)
{
	static fsync_fn real;
	if (!real)
		real = (fsync_fn)next_sym("fdatasync");
	return sync_fault(fd) ? -1 : real(fd);
}

/* 1 when this send is at or past FI_SEND_FAIL. */
static int send_fault(int fd)
{
	const char *k = getenv("FI_SEND_FAIL");
	sends++;
	if (!k || atol(k) <= 0 || sends < (unsigned long)atol(k))
		return 0;
	note("send", fd);
	errno = ECONNRESET;
	return 1;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static send_fn real;
	if (!real)
		real = (send_fn)next_sym("send");
	return send_fault(fd) ? -1 : real(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
{
	static sendto_fn real;
	if (!real)
		real = (sendto_fn)next_sym("sendto");
	return send_fault(fd) ? -1 : real(fd, buf, len, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static sendmsg_fn real;
	if (!real)
		real = (sendmsg_fn)next_sym("sendmsg");
	return send_fault(fd) ? -1 : real(fd, msg, flags);
}
