/*
 * log.h - messages for the operator, on standard error.
 *
 * The workers' standard error goes to the log file that `make run` or
 * systemd's journal collects. Never log secrets: passwords, tokens,
 * session ids, TOTP codes and secrets stay out of every message.
 */
#ifndef ARBOR_LOG_H
#define ARBOR_LOG_H

#include <stdint.h>

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The one line of a finished request: its id, the user (0: none), the
 * method and route pattern (never the path itself, which may hold a
 * link's secret token; NULL: no route), the status and the time it took.
 */
void log_request(const char *request_id, int64_t user_id, const char *method,
    const char *route, int status, long ms);

#endif
