/*
 * log.h - messages for the operator, on standard error.
 *
 * The workers' standard error goes to the log file that `make run` or
 * systemd's journal collects. Never log secrets: passwords, tokens,
 * session ids, TOTP codes and secrets stay out of every message.
 */
#ifndef ARBOR_LOG_H
#define ARBOR_LOG_H

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
