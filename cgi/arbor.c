/*
 * arbor.c - the FastCGI worker: set up once, then serve requests one at
 * a time until told to stop.
 *
 * Each request gets a fresh struct request whose memory is one arena,
 * reset when the request ends; the only state kept between requests is
 * the struct app (configuration, database connection with its prepared
 * statements, keys, parsed templates). A request can fail, never the
 * worker: errors become error pages. SIGTERM lets the current request
 * finish, then the worker frees everything and exits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>
#include <liboath/oath.h>
#include <sodium.h>

#include "api.h"
#include "app.h"
#include "arena.h"
#include "auth.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "principal.h"
#include "routes.h"
#include "tmpl.h"

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* No SA_RESTART: the signal must interrupt accept() so the loop ends. */
static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static int
app_open(struct app *app)
{
	char err[512];
	char random_pw[TOKEN_TEXT_LEN + 1];
	unsigned char raw[TOKEN_BYTES];

	memset(app, 0, sizeof(*app));
	if (sodium_init() < 0 || oath_init() != OATH_OK) {
		log_error("libsodium or liboath failed to initialise");
		return -1;
	}
	if (config_load(&app->cfg, err, sizeof(err)) != 0 ||
	    keys_load(&app->keys, app->cfg.keys, err, sizeof(err)) != 0 ||
	    db_connect(&app->db, &app->cfg, DB_SERVE, err,
	    sizeof(err)) != 0 ||
	    (app->templates = tmpl_load(app->cfg.templates, err,
	    sizeof(err))) == NULL ||
	    catalog_load(&app->catalog, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(random_pw, sizeof(random_pw), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (password_hash(random_pw, app->dummy_hash) != 0) {
		log_error("cannot hash: out of memory");
		return -1;
	}
	return 0;
}

static void
app_close(struct app *app)
{
	tmpl_free(app->templates);
	catalog_free(&app->catalog);
	db_close(&app->db);
	config_free(&app->cfg);
	sodium_memzero(&app->keys, sizeof(app->keys));
	oath_done();
}

static long
ms_since(const struct timespec *start)
{
	struct timespec end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	return (long)(end.tv_sec - start->tv_sec) * 1000 +
	    (end.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * How often a request runs again after PostgreSQL found no serial order
 * for one of its transactions or lost the connection (db.h,
 * db_request_retry): a conflict that comes back this often is load that
 * waiting will not fix, and the user is better told.
 */
#define MAX_RETRIES 3

/* A 503 that says why and that nothing was changed, as a page or a
 * problem document. */
static void
unavailable(struct request *req, const char *why)
{
	if (strncmp(req->path, "/api/", 5) == 0)
		api_problem(req, 503, why, NULL);
	else
		page_error(req, 503, why);
}

static const char unreachable[] = "The database cannot be reached just "
    "now; nothing was changed. Please try again in a moment.";

/* Route req, running it again (from what http_read() made of it) while
 * the database asks for that: a transaction found no serial order, or
 * the connection was lost, before anything of the request committed. */
static void
dispatch(struct request *req)
{
	struct db *db = &req->app->db;
	const struct request read = *req;
	int retries = 0;

	if (db_request_start(db) != 0) {
		unavailable(req, unreachable);
		return;
	}
	route_dispatch(req);
	while (db_request_retry(db)) {
		db_rollback(db);
		if (retries++ == MAX_RETRIES) {
			log_error("request %s: no serial order after %d tries",
			    req->request_id, MAX_RETRIES + 1);
			*req = read;
			unavailable(req, "The database was too busy to make "
			    "this change; nothing was changed. Please try "
			    "again.");
			return;
		}
		log_info("request %s: rolled back before anything committed: "
		    "running it again", req->request_id);
		*req = read;
		if (db_request_again(db) != 0) {
			unavailable(req, unreachable);
			return;
		}
		route_dispatch(req);
	}
}

/* One request, from the FastCGI parameters to the last byte out, and its
 * line in the log. */
static void
serve(struct app *app, struct arena *arena, FCGX_Request *fcgi)
{
	struct request req;
	struct timespec start;
	const char *msg = NULL;

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&req, 0, sizeof(req));
	req.arena = arena;
	req.app = app;
	req.now = (int64_t)time(NULL);
	switch (http_read(&req, fcgi, &msg)) {
	case HTTP_READ_OK:
		dispatch(&req);
		break;
	case HTTP_READ_TOO_LARGE:
		if (strncmp(req.path, "/api/", 5) == 0)
			api_problem(&req, 413, "The request is larger than "
			    "1 MiB.", NULL);
		else
			page_error(&req, 413, "The request is larger than "
			    "1 MiB.");
		break;
	case HTTP_READ_BAD:
		if (strncmp(req.path, "/api/", 5) == 0)
			api_problem(&req, 400, msg, NULL);
		else
			page_error(&req, 400, msg);
		break;
	}
	/* a handler that returned inside a transaction changed nothing */
	db_rollback(&app->db);
	http_send(&req, fcgi);
	log_request(req.request_id, req.user ? req.user->id : req.ended_user_id,
	    http_method_name(req.method), req.route, req.status,
	    ms_since(&start));
}

int
main(void)
{
	struct app app;
	struct arena *arena;
	FCGX_Request fcgi;
	int rc = 1;

	install_signals();
	if (app_open(&app) != 0 || FCGX_Init() != 0) {
		app_close(&app);
		return 1;
	}
	arena = arena_new();
	FCGX_InitRequest(&fcgi, 0, 0);
	log_info("worker ready");
	while (!stopping && FCGX_Accept_r(&fcgi) >= 0) {
		serve(&app, arena, &fcgi);
		FCGX_Finish_r(&fcgi);
		db_reset_all(&app.db);
		arena_reset(arena);
	}
	rc = 0;
	FCGX_Free(&fcgi, 1);
	arena_free(arena);
	app_close(&app);
	log_info("worker stopped");
	return rc;
}
