/*
 * mail.h - outgoing mail: a queue in the database and its sender.
 *
 * A change that causes a message (a new user's welcome, a password
 * reset) queues it with mail_queue() inside its own write transaction,
 * so the message exists exactly when the change does. The sender
 * (`arborctl mail send [--loop]`, never a worker) delivers what is due:
 * with an empty [mail] smtp_url it writes each message as an RFC 5322
 * .eml file into [mail] spool; otherwise it sends through that SMTP
 * server with libcurl. A failure is kept on the message (attempts,
 * last_error) and retried with exponential back-off. Once delivered, a
 * message keeps its recipient and subject but not its body (which holds
 * a single-use link).
 */
#ifndef ARBOR_MAIL_H
#define ARBOR_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct config;
struct db;

/* Limits that keep a message well-formed (RFC 5322 line length). */
#define MAIL_ADDR_MAX 254
#define MAIL_SUBJECT_MAX 200

/* Retry delays: MAIL_RETRY_BASE seconds doubled per failed attempt, at
 * most MAIL_RETRY_MAX. */
#define MAIL_RETRY_BASE 60
#define MAIL_RETRY_MAX 3600

/*
 * Queue a plain-text message to one address, due now, inside the
 * caller's transaction. to must be a bare address and subject one line
 * (no control characters): header injection is refused here. body is
 * UTF-8 text with \n line ends. Returns 0, or -1 (nothing queued).
 */
int mail_queue(struct db *db, int64_t now, const char *to,
    const char *subject, const char *body);

/*
 * Queue the message of template mail_NAME_LANG (the worker's templates,
 * templates/mail_*.mustache) to address to, inside the caller's
 * transaction, LANG being user_id's e-mail language (their own, else
 * their account's, else English: sql.h USER_MAIL_LANGUAGE). The rendered
 * template's first line is the subject, then an empty line, then the
 * body; data fills it, and the templates give its values with {{{ }}}:
 * a text mail has no HTML to escape. 0, or -1 (nothing queued; also when
 * the process has no templates, as arborctl has none).
 */
struct tval;
struct viewer;
int mail_queue_for(const struct viewer *v, int64_t user_id, const char *to,
    const char *name, const struct tval *data);

/* The address of path (starting with '/') on the site, for a link in a
 * mail: [server] base_url without its trailing '/', then path; in v's
 * arena. */
const char *mail_url(const struct viewer *v, const char *path);

/* mail_queue_for() in language ("en", "nl") rather than a user's. */
int mail_queue_in(const struct viewer *v, const char *language,
    const char *to, const char *name, const struct tval *data);

/* mail_queue_for() to an address that has no user yet (an invitation, a
 * sign-up), in the language of customer_id's account (its profile's,
 * else English). */
int mail_queue_to_customer(const struct viewer *v, int64_t customer_id,
    const char *to, const char *name, const struct tval *data);

/* The delay before the next try after a message failed attempts times
 * (attempts >= 1). */
int64_t mail_retry_delay(int64_t attempts);

struct mail_result {
	int sent;	/* delivered (SMTP) or written to the spool */
	int failed;	/* kept for a later attempt */
};

/*
 * Deliver every message that is due now (at most a few hundred per
 * call). Failures are recorded on the messages and logged (without the
 * body: it holds single-use links). Returns 0, or -1 when the queue
 * itself could not be read.
 */
int mail_send_due(const struct config *cfg, struct db *db,
    struct mail_result *res);

/* A message not delivered yet. */
struct mail_pending {
	int64_t id;
	const char *recipient;
	int64_t attempts;		/* failed so far */
	int64_t next_attempt_at;	/* Unix seconds */
	int64_t created_at;
	const char *last_error;		/* "" for none */
};

/* The queue at a glance (`arborctl mail status`). */
struct mail_status {
	struct mail_pending *pending;	/* oldest first */
	size_t npending;
	int64_t sent;			/* delivered messages kept */
};

/* Read the queue into *st, in a: 0, or -1 on a database error. */
int mail_read_status(struct db *db, struct arena *a, struct mail_status *st);

/*
 * The message as an RFC 5322 text with CRLF line ends, in a malloc'ed
 * string the caller frees (NULL when out of memory). message_id and
 * date are the header values without the field names. Exposed for the
 * unit tests.
 */
char *mail_format(const char *from, const char *to, const char *subject,
    const char *body, const char *date, const char *message_id);

/* Whether s can stand in a header: valid UTF-8 (checked by the caller's
 * form layer) without CR, LF or other control characters. */
bool mail_header_safe(const char *s);

#endif
