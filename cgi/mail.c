/*
 * mail.c - the mail queue and its sender (spool files or SMTP).
 *
 * Delivery is at least once: a sender leases the messages due
 * (MAIL_CLAIM_DUE moves their next attempt a few minutes ahead, in one
 * statement) before delivering them and marks each sent afterwards, so
 * two senders, on one node or several, never deliver the same message,
 * and a sender that dies mid-way leaves its messages to be retried when
 * the lease runs out. A spool file is named after the message id and replaced
 * atomically (rename), so a retry rewrites the same file.
 */
#include "mail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "perm.h"
#include "tmpl.h"

/* Messages per mail_send_due() call, and how long a lease lasts. */
#define BATCH 200
#define LEASE_SECONDS 300
/* RFC 5322: at most 998 bytes a line; ours stay far below. */
#define LINE_MAX_BYTES 900
#define ERROR_MAX 500

bool
mail_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A bare address: one '@' with text either side, nothing that could
 * change the meaning of a header or an SMTP command. */
static bool
address_ok(const char *a)
{
	const char *at = strchr(a, '@');
	size_t n = strlen(a);

	if (n < 3 || n > MAIL_ADDR_MAX || at == NULL || at == a ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    !mail_header_safe(a))
		return false;
	return strpbrk(a, " <>()[],;:\"\\") == NULL;
}

static bool
lines_short(const char *s)
{
	size_t run = 0;

	for (; *s != '\0'; s++) {
		run = *s == '\n' ? 0 : run + 1;
		if (run > LINE_MAX_BYTES)
			return false;
	}
	return true;
}

int
mail_queue(struct db *db, int64_t now, const char *to, const char *subject,
    const char *body)
{
	struct db_stmt *s;

	if (!address_ok(to) || !mail_header_safe(subject) ||
	    strlen(subject) > MAIL_SUBJECT_MAX || !lines_short(body)) {
		log_error("mail_queue: refused a malformed message");
		return -1;
	}
	s = db_stmt(db, STMT_MAIL_INSERT);
	db_bind_int(s, ":now", now);
	db_bind_text(s, ":recipient", to);
	db_bind_text(s, ":subject", subject);
	db_bind_text(s, ":body", body);
	return db_exec(db, s);
}

const char *
mail_url(const struct viewer *v, const char *path)
{
	const char *base = v->app->cfg.base_url;
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return arena_printf(v->arena, "%.*s%s", (int)n, base, path);
}

int
mail_queue_in(const struct viewer *v, const char *language, const char *to,
    const char *name, const struct tval *data)
{
	const char *blank;
	struct buf text;

	if (v->app->templates == NULL)
		return -1;
	buf_init(&text, v->arena);
	if (tmpl_render(v->app->templates, arena_printf(v->arena,
	    "mail_%s_%s", name, language), data, &text) != 0 || text.len == 0 ||
	    (blank = strstr(text.data, "\n\n")) == NULL)
		return -1;
	return mail_queue(v->db, v->now, to, arena_printf(v->arena, "%.*s",
	    (int)(blank - text.data), text.data), blank + 2);
}

/* The first column of statement st for :id, or "en" when no row. */
static int
language_of(const struct viewer *v, enum stmt_id st, int64_t id,
    const char **language)
{
	struct db_stmt *s = db_stmt(v->db, st);
	int rc;

	*language = "en";
	db_bind_int(s, ":id", id);
	if ((rc = db_step(v->db, s)) == DB_ROW)
		*language = db_text(v->arena, s, 0);
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

int
mail_queue_for(const struct viewer *v, int64_t user_id, const char *to,
    const char *name, const struct tval *data)
{
	const char *language;

	if (language_of(v, STMT_USER_MAIL_LANGUAGE, user_id, &language) != 0)
		return -1;
	return mail_queue_in(v, language, to, name, data);
}

int
mail_queue_to_customer(const struct viewer *v, int64_t customer_id,
    const char *to, const char *name, const struct tval *data)
{
	const char *language;

	if (language_of(v, STMT_CUSTOMER_MAIL_LANGUAGE, customer_id,
	    &language) != 0)
		return -1;
	return mail_queue_in(v, language, to, name, data);
}

int64_t
mail_retry_delay(int64_t attempts)
{
	int64_t d = MAIL_RETRY_BASE;

	while (--attempts > 0 && d < MAIL_RETRY_MAX)
		d *= 2;
	return d < MAIL_RETRY_MAX ? d : MAIL_RETRY_MAX;
}

/* ------------------------------------------------------------ format */

static bool
ascii_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/*
 * The subject as RFC 2047 encoded words when it is not plain ASCII: each
 * word holds at most 45 bytes (60 characters of base64, 72 with the
 * frame) and never splits a UTF-8 sequence; words are folded onto
 * continuation lines.
 */
static void
put_subject(FILE *f, const char *subject)
{
	const unsigned char *p = (const unsigned char *)subject;
	char b64[sodium_base64_ENCODED_LEN(45,
	    sodium_base64_VARIANT_ORIGINAL)];
	size_t left = strlen(subject), n;
	bool first = true;

	fputs("Subject: ", f);
	if (ascii_printable(subject)) {
		fputs(subject, f);
		fputs("\r\n", f);
		return;
	}
	while (left > 0) {
		n = left < 45 ? left : 45;
		/* back off to the start of a UTF-8 sequence */
		while (n < left && n > 0 && (p[n] & 0xc0) == 0x80)
			n--;
		if (n == 0)
			n = left < 45 ? left : 45;
		sodium_bin2base64(b64, sizeof(b64), p, n,
		    sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", b64);
		first = false;
		p += n;
		left -= n;
	}
	fputs("\r\n", f);
}

char *
mail_format(const char *from, const char *to, const char *subject,
    const char *body, const char *date, const char *message_id)
{
	char *out = NULL;
	size_t len = 0;
	const char *p;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "From: %s\r\nTo: %s\r\n", from, to);
	put_subject(f, subject);
	fprintf(f, "Date: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n\r\n", date, message_id);
	for (p = body; *p != '\0'; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			fputc('\r', f);
		fputc(*p, f);
	}
	if (p == body || p[-1] != '\n')
		fputs("\r\n", f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The bare address of a From value: "Name <a@b>" → "a@b". */
static const char *
bare_address(struct arena *a, const char *from)
{
	const char *lt = strrchr(from, '<'), *gt;

	if (lt == NULL)
		return from;
	gt = strchr(lt, '>');
	if (gt == NULL)
		return from;
	return arena_strndup(a, lt + 1, (size_t)(gt - lt - 1));
}

static char *
message_id(struct arena *a, const char *from_addr, int64_t id,
    int64_t created)
{
	const char *at = strchr(from_addr, '@');
	unsigned char rnd[8];
	char hex[sizeof(rnd) * 2 + 1];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	return arena_printf(a, "<arbor.%lld.%lld.%s@%s>", (long long)id,
	    (long long)created, hex, at != NULL && at[1] != '\0' &&
	    mail_header_safe(at + 1) ? at + 1 : "arbor.invalid");
}

static const char *
rfc5322_date(struct arena *a, time_t t)
{
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	/* the C locale: English day and month names, as RFC 5322 wants */
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	return arena_strdup(a, buf);
}

/* ------------------------------------------------------------- spool */

/* mkdir -p with mode 0700 for the folders it makes. */
static int
make_dirs(const char *path)
{
	char *p = strdup(path), *s;
	int rc = 0;

	if (p == NULL)
		return -1;
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

static const char *
write_spool(struct arena *a, const char *dir, int64_t id, const char *text,
    size_t len)
{
	const char *tmp = arena_printf(a, "%s/.arbor-%08lld.eml.tmp", dir,
	    (long long)id);
	const char *final = arena_printf(a, "%s/arbor-%08lld.eml", dir,
	    (long long)id);
	size_t done = 0;
	ssize_t n;
	int fd, dfd;

	if (make_dirs(dir) != 0)
		return arena_printf(a, "spool %s: %s", dir, strerror(errno));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0)
		return arena_printf(a, "%s: %s", tmp, strerror(errno));
	while (done < len) {
		n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done < len || fsync(fd) != 0) {
		const char *err = arena_printf(a, "%s: %s", tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return err;
	}
	close(fd);
	if (rename(tmp, final) != 0) {
		const char *err = arena_printf(a, "%s: %s", final,
		    strerror(errno));
		unlink(tmp);
		return err;
	}
	/* the rename itself survives a crash only once the folder is synced */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return NULL;
}

/* -------------------------------------------------------------- SMTP */

struct upload {
	const char *data;
	size_t len;
	size_t pos;
};

static size_t
read_upload(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nitems, left = u->len - u->pos;

	if (room > left)
		room = left;
	memcpy(buf, u->data + u->pos, room);
	u->pos += room;
	return room;
}

struct smtp {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * One handle for the whole batch, so the connection is reused.
 * STARTTLS is used whenever the server offers it (CURLUSESSL_TRY); with
 * credentials configured on a smtp:// URL it is required
 * (CURLUSESSL_ALL), so a password never crosses the network in clear.
 * In production use smtps:// (TLS from the start) or a smtp:// server
 * that offers STARTTLS.
 */
static int
smtp_open(struct smtp *m, const struct config *cfg, const char *from_addr,
    struct arena *a)
{
	bool creds = cfg->smtp_user[0] != '\0';

	memset(m, 0, sizeof(*m));
	m->curl = curl_easy_init();
	if (m->curl == NULL)
		return -1;
	if (curl_easy_setopt(m->curl, CURLOPT_URL, cfg->smtp_url) != CURLE_OK ||
	    curl_easy_setopt(m->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
	    CURLE_OK) {
		curl_easy_cleanup(m->curl);
		m->curl = NULL;
		return -1;
	}
	curl_easy_setopt(m->curl, CURLOPT_ERRORBUFFER, m->errbuf);
	curl_easy_setopt(m->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(m->curl, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(m->curl, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(m->curl, CURLOPT_USE_SSL, creds &&
	    strncmp(cfg->smtp_url, "smtp://", 7) == 0 ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (creds) {
		curl_easy_setopt(m->curl, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(m->curl, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	curl_easy_setopt(m->curl, CURLOPT_MAIL_FROM,
	    arena_printf(a, "<%s>", from_addr));
	curl_easy_setopt(m->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(m->curl, CURLOPT_READFUNCTION, read_upload);
	return 0;
}

static const char *
smtp_send(struct smtp *m, struct arena *a, const char *to, const char *text,
    size_t len)
{
	struct curl_slist *rcpt;
	struct upload up = { text, len, 0 };
	long code = 0;
	CURLcode rc;

	rcpt = curl_slist_append(NULL, arena_printf(a, "<%s>", to));
	if (rcpt == NULL)
		return "out of memory";
	m->errbuf[0] = '\0';
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(m->curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(m->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(m->curl);
	curl_easy_getinfo(m->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(m->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return NULL;
	return arena_printf(a, "smtp: %s%s%s (code %ld)",
	    curl_easy_strerror(rc), m->errbuf[0] ? ": " : "", m->errbuf, code);
}

/* ------------------------------------------------------------ sender */

struct message {
	int64_t id;
	const char *to;
	const char *subject;
	const char *body;
	int64_t created;
	int64_t attempts;
};

static int
by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
load(struct db *db, struct arena *a, int64_t id, struct message *m)
{
	struct db_stmt *s = db_stmt(db, STMT_MAIL_GET);
	bool ok = false;

	db_bind_int(s, ":id", id);
	if (db_step(db, s) == DB_ROW) {
		m->id = id;
		m->to = db_text(a, s, 0);
		m->subject = db_text(a, s, 1);
		m->body = db_text(a, s, 2);
		m->created = db_col_int(s, 3);
		m->attempts = db_col_int(s, 4);
		ok = true;
	}
	db_reset(s);
	return ok;
}

static int
record(struct db *db, const struct message *m, int64_t now,
    const char *error)
{
	struct db_stmt *s;

	if (db_begin(db) != 0)
		return -1;
	if (error == NULL) {
		s = db_stmt(db, STMT_MAIL_SENT);
		db_bind_int(s, ":now", now);
	} else {
		s = db_stmt(db, STMT_MAIL_FAILED);
		db_bind_int(s, ":next", now + mail_retry_delay(m->attempts + 1));
		db_bind_text(s, ":error", strlen(error) > ERROR_MAX ?
		    "(error text too long)" : error);
	}
	db_bind_int(s, ":id", m->id);
	if (db_exec(db, s) != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

int
mail_read_status(struct db *db, struct arena *a, struct mail_status *st)
{
	struct db_stmt *s = db_stmt(db, STMT_MAIL_SENT_COUNT);
	struct mail_pending *p;
	size_t cap = 16;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = db_step(db, s)) == DB_ROW)
		st->sent = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return -1;
	st->pending = arena_calloc(a, cap, sizeof(*p));
	s = db_stmt(db, STMT_MAIL_PENDING);
	while ((rc = db_step(db, s)) == DB_ROW) {
		if (st->npending == cap) {
			p = arena_calloc(a, 2 * cap, sizeof(*p));
			memcpy(p, st->pending, cap * sizeof(*p));
			st->pending = p;
			cap *= 2;
		}
		p = &st->pending[st->npending++];
		p->id = db_col_int(s, 0);
		p->recipient = db_text(a, s, 1);
		p->attempts = db_col_int(s, 3);
		p->next_attempt_at = db_col_int(s, 4);
		p->last_error = db_text(a, s, 5);
		p->created_at = db_col_int(s, 6);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int
mail_send_due(const struct config *cfg, struct db *db,
    struct mail_result *res)
{
	struct arena *a = arena_new();
	int64_t ids[BATCH], now = (int64_t)time(NULL);
	const char *from_addr = bare_address(a, cfg->mail_from), *err;
	bool use_smtp = cfg->smtp_url[0] != '\0', smtp_ready = false;
	struct message m;
	struct smtp smtp;
	struct db_stmt *s;
	size_t n = 0, i;
	char *text;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&smtp, 0, sizeof(smtp));
	/* one statement, so no transaction: the lease holds from its end */
	s = db_stmt(db, STMT_MAIL_CLAIM_DUE);
	db_bind_int(s, ":now", now);
	db_bind_int(s, ":lease", now + LEASE_SECONDS);
	db_bind_int(s, ":limit", BATCH);
	while ((rc = db_step(db, s)) == DB_ROW)
		if (n < BATCH)
			ids[n++] = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_DONE) {
		arena_free(a);
		return -1;
	}
	/* oldest first, as they were queued (RETURNING keeps no order) */
	qsort(ids, n, sizeof(ids[0]), by_id);
	for (i = 0; i < n; i++) {
		if (!load(db, a, ids[i], &m))
			continue;
		text = mail_format(cfg->mail_from, m.to, m.subject, m.body,
		    rfc5322_date(a, (time_t)time(NULL)),
		    message_id(a, from_addr, m.id, m.created));
		if (text == NULL)
			err = "out of memory formatting the message";
		else if (!use_smtp)
			err = write_spool(a, cfg->mail_spool, m.id, text,
			    strlen(text));
		else {
			if (!smtp_ready && smtp_open(&smtp, cfg, from_addr,
			    a) == 0)
				smtp_ready = true;
			err = smtp_ready ? smtp_send(&smtp, a, m.to, text,
			    strlen(text)) : "smtp: cannot set up libcurl for "
			    "smtp_url (want smtp:// or smtps://)";
		}
		free(text);
		if (err == NULL) {
			res->sent++;
			log_info("mail %lld delivered (%s)", (long long)m.id,
			    use_smtp ? "smtp" : "spool");
		} else {
			res->failed++;
			log_error("mail %lld: attempt %lld failed: %s",
			    (long long)m.id, (long long)m.attempts + 1, err);
		}
		if (record(db, &m, (int64_t)time(NULL), err) != 0)
			log_error("mail %lld: could not record the outcome",
			    (long long)m.id);
	}
	if (smtp.curl != NULL)
		curl_easy_cleanup(smtp.curl);
	arena_free(a);
	return 0;
}
