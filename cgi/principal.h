/*
 * principal.h - struct user: who a request acts as, as the rule (perm.c),
 * the page layout and the models read it. Loaded by user_load() (user.h);
 * a header of its own so that reading a principal's fields does not
 * depend on the Users model, nor the model on its readers.
 */
#ifndef ARBOR_PRINCIPAL_H
#define ARBOR_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

struct user {
	int64_t id;
	int64_t customer_id;		/* 0 for operators */
	bool is_operator;
	const char *username;
	const char *email;
	const char *full_name;
	const char *phone;
	const char *address;
	unsigned groups;		/* enum perm_group bits */
	bool active;
	bool must_change_password;
	bool totp_enabled;
	int64_t totp_last_step;
	int64_t last_login_at;		/* 0: never */
	int64_t created_at;
	const char *customer_path;	/* '/1/5/' or '/' for operators */
	const char *customer_name;
	/* the user's own settings, NULL when the customer's apply */
	const char *own_time_zone;
	const char *own_time_format;
	const char *own_units;
	const char *own_language;	/* of e-mails: "en" or "nl" */
	/* the settings in effect */
	const char *time_zone;
	const char *time_format;	/* "12h" or "24h" */
	const char *units;		/* "metric" or "imperial" */
	bool has_locations;		/* sees only devices at them */
	bool mfa_required;		/* by the customer or one above it */
};

#endif
