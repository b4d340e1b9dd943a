/*
 * log.c - one line per message, with the process id so the lines of
 * several workers in one file can be told apart. Each line is one
 * write(2) (not stdio, which may split it), so the lines of workers
 * sharing the file never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048

/* The line from its time-and-pid head and the message, cut (with "...")
 * when longer than LOG_LINE_MAX, then written at once. */
static void __attribute__((format(printf, 2, 0)))
log_line(const char *level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	char when[32];
	struct tm tm;
	time_t now = time(NULL);
	int head, body;
	size_t len;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	head = snprintf(line, sizeof(line), "%s arbor[%ld] %s: ", when,
	    (long)getpid(), level);
	if (head < 0)
		return;
	body = vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
	if (body < 0)
		return;
	len = (size_t)head + (size_t)body;
	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 1;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	/* nothing to do about a failed write of the log itself */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

static void
log_format(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_format(const char *level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(level, fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_request(const char *request_id, int64_t user_id, const char *method,
    const char *route, int status, long ms)
{
	char user[24] = "-";

	if (user_id > 0)
		snprintf(user, sizeof(user), "%lld", (long long)user_id);
	log_format("request", "id=%s user=%s method=%s route=%s status=%d "
	    "ms=%ld", request_id, user, method, route ? route : "-", status,
	    ms);
}
