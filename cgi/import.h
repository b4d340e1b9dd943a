/*
 * import.h - users in and out as CSV (issue 17, seed 003's import and
 * export): the same for the page, the API and arborctl.
 *
 * Columns (import_user_columns): email (the key: an existing e-mail
 * updates that user), username, full_name, phone, address, customer_id,
 * groups (keys, comma list), locations (names, comma list), active
 * (true/false), contact.gender, defaultLangCode, migrated. email,
 * username and customer_id are required; a column left out keeps what an
 * existing user has (a new one gets the Users form's defaults). Seed
 * 003's field rules: contact.gender is "female" only for exactly that,
 * any other value "male" (empty: none); defaultLangCode is "nl" only for
 * exactly that, any other value "en" (empty: the account's); migrated is
 * "true" or "false" (empty: false), anything else a row error. A new user
 * who is not migrated gets the welcome mail; a migrated one no password
 * and no mail (they use "forgot password").
 *
 * Every row is checked by the Users form's rules (user_import_row), so
 * the import refuses all the form does: escalation, customers and
 * locations outside the view (reported like unknown ones), a taken
 * e-mail or username (409s, counted by the guard as the form's are), bad
 * values; and a file that gives one e-mail or username twice.
 */
#ifndef ARBOR_IMPORT_H
#define ARBOR_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

struct buf;
struct list_query;
struct viewer;

extern const char *const import_user_columns[];

enum import_action {
	IMPORT_CREATE,
	IMPORT_UPDATE,
	IMPORT_UNCHANGED,
	IMPORT_ERROR
};

/* "create", "update", "unchanged", "error". */
const char *import_action_name(enum import_action a);

/* What one row does, or why it cannot. */
struct import_line {
	size_t row;			/* in the file, the header being 1 */
	const char *email;
	enum import_action action;
	const char *column;		/* IMPORT_ERROR: the column at fault,
					 * "" for the row as a whole */
	const char *reason;
};

struct import_result {
	/* the file as a whole cannot be read (nothing was checked): why,
	 * and the status to answer (400; 413 too large; 429) */
	const char *file_error;
	int status;
	struct import_line *lines;
	size_t n;
	size_t created, updated, unchanged, errors;
	bool committed;			/* the changes were written */
};

/*
 * Import the len bytes of CSV text as v (ACT_USERS): every row checked;
 * with commit, and only when no row has an error, every change written
 * in one transaction (a row in error rolls all of them back: nothing
 * changes). MODEL_DONE (whatever the rows say: *out tells), or
 * MODEL_NOT_FOUND (v may not), MODEL_FAILED (database error, nothing
 * changed).
 */
enum model_result import_users(const struct viewer *v, const char *text,
    size_t len, bool commit, struct import_result *out);

/* The users v may list, with lq's filters of the Users list, as CSV into
 * b (the import's columns): 1, 0 (a customer filter outside the view, or
 * v may not read users: not found), -1 (database error). */
int export_users(const struct viewer *v, const struct list_query *lq,
    struct buf *b);

/* ------------------------------------------------------------ accounts */

/*
 * Accounts (operators; seed 003's "Accounts" columns): name (the key: an
 * account of that name, ignoring case, is changed), email, country
 * (required with name), time_zone, time_format, units, owner_email, plan,
 * account_type, language, contact.name, contact.phone, contact.email,
 * contact.gender (female only for exactly "female", any other value male,
 * empty none), billing.street, billing.postal_code, billing.city,
 * billing.country, featureFlags (a comma list), notifications
 * (true/false). A column left out keeps what an account has; of two
 * accounts of one name, the row's e-mail says which. Each row is the
 * customer form's and the profile form's rules (customer_save_in,
 * account_profile_save_in); the preview runs the same writes and rolls
 * them back (so it holds the write lock: at most IMPORT_ACCOUNTS_MAX
 * rows).
 */
extern const char *const import_account_columns[];

/* The rows of a file of accounts at most (its preview takes the write
 * lock: see import_accounts()). */
#define IMPORT_ACCOUNTS_MAX 5000

/* As import_users(), for accounts; v must be an operator. */
enum model_result import_accounts(const struct viewer *v, const char *text,
    size_t len, bool commit, struct import_result *out);

/* Every account with its profile, as CSV into b (operators): 1, 0 (v is
 * not an operator), -1. */
int export_accounts(const struct viewer *v, struct buf *b);

#endif
