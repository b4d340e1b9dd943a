/*
 * account.c - an account's profile: who may see and change it, its rules
 * and its two statements (sql.h ACCOUNT_PROFILE, ACCOUNT_PROFILE_SAVE).
 */
#include "account.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "event.h"
#include "perm.h"
#include "principal.h"

#define TEXT_MAX_CHARS 200
#define POSTAL_MAX_CHARS 20
#define PHONE_MAX_CHARS 50
#define FLAG_MAX_BYTES 40
#define FLAGS_MAX 20

const char *const account_field_names[] = {
#define X(name) #name,
	ACCOUNT_FIELDS(X)
#undef X
	NULL
};

static const size_t field_offsets[] = {
#define X(name) offsetof(struct account_fields, name),
	ACCOUNT_FIELDS(X)
#undef X
};

const char **
account_field(struct account_fields *f, size_t i)
{
	return (const char **)(void *)((char *)f + field_offsets[i]);
}

#define X(name) CHECK_FIELD(struct account_errors, name, #name, #name),
const struct check_field account_error_fields[] = {
	ACCOUNT_FIELDS(X) { NULL, NULL, 0 }
};
#undef X

const char **
account_plans(const struct viewer *v)
{
	const char *list = v->app->cfg.plans, *end;
	const char **plans;
	size_t n = 1, i = 0;

	for (end = list; *end != '\0'; end++)
		n += *end == ',';
	plans = arena_calloc(v->arena, n + 1, sizeof(*plans));
	while (*list != '\0') {
		end = strchr(list, ',');
		if (end == NULL)
			end = list + strlen(list);
		plans[i] = check_trim(v->arena, arena_printf(v->arena, "%.*s",
		    (int)(end - list), list));
		if (*plans[i] != '\0')
			i++;
		list = *end == ',' ? end + 1 : end;
	}
	plans[i] = NULL;
	return plans;
}

/*
 * Whether v may read (1) or change (2) the profile of account id, which
 * v sees: operators and the command line change any; a user only their
 * own account's, with Billing or Account Administrator (API Developer:
 * read).
 */
static int
access(const struct viewer *v, int64_t id)
{
	if (v->system || (v->user != NULL && v->user->is_operator))
		return 2;
	if (v->user == NULL || v->user->customer_id != id)
		return 0;
	if (perm_allows(v, ACT_ACCOUNT_PROFILE))
		return 2;
	return perm_may_read(v, ACT_ACCOUNT_PROFILE) ? 1 : 0;
}

int
account_profile_get(const struct viewer *v, int64_t id,
    struct account_profile *p)
{
	struct db_stmt *s;
	size_t i;
	int rc, may = access(v, id);

	memset(p, 0, sizeof(*p));
	if (may == 0)
		return 0;
	s = db_stmt(v->db, STMT_ACCOUNT_PROFILE);
	db_bind_int(s, ":id", id);
	perm_bind_scope(s, &v->scope);
	if ((rc = db_step(v->db, s)) == DB_ROW) {
		p->id = db_col_int(s, 0);
		p->account = db_text(v->arena, s, 1);
		for (i = 0; account_field_names[i] != NULL; i++)
			*account_field(&p->f, i) = db_text(v->arena, s,
			    (int)i + 2);
		p->updated_at = db_col_int(s, (int)i + 2);
		p->may_change = may == 2;
		p->may_flag = v->system || v->user->is_operator;
	}
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

static bool
one_of(const char *s, const char *const *choices)
{
	for (; *choices != NULL; choices++)
		if (strcmp(s, *choices) == 0)
			return true;
	return false;
}

/* Whether s is one line of at most max characters: else a 400 in *e,
 * saying what. */
static void
check_line(struct check_error *e, const char *s, size_t max,
    const char *what)
{
	if (!check_plain(s, false))
		check_fail(e, 400, "Keep it on one line.");
	else if (check_chars(s) > max)
		check_fail(e, 400, what);
}

static bool
phone_chars(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && strchr(" +-()./", *s) == NULL)
			return false;
	return true;
}

/* Flags "a, b,c" as "a,b,c" in *out; false when one is not a name of
 * a-z, 0-9, '_' and '-' or there are too many. */
static bool
normal_flags(struct arena *a, const char *in, const char **out)
{
	struct buf b;
	const char *p = in, *end;
	size_t n = 0, len, i;

	buf_init(&b, a);
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		for (end = p; *end != '\0' && *end != ','; end++)
			;
		for (len = (size_t)(end - p); len > 0 && p[len - 1] == ' '; len--)
			;
		if (len == 0)
			break;
		if (len > FLAG_MAX_BYTES || ++n > FLAGS_MAX)
			return false;
		for (i = 0; i < len; i++)
			if (!islower((unsigned char)p[i]) &&
			    !isdigit((unsigned char)p[i]) && p[i] != '_' &&
			    p[i] != '-')
				return false;
		if (b.len > 0)
			buf_puts(&b, ",");
		buf_append(&b, p, len);
		p = end;
	}
	*out = b.len > 0 ? b.data : "";
	return true;
}

/* The rules of ACCOUNT_FIELDS on f (the whole profile to store; IBANs
 * and flags made normal in place), errors in *e. */
static void
check_fields(const struct viewer *v, struct account_fields *f,
    const struct account_profile *cur, struct account_errors *e)
{
	static const char *const types[] = { "private", "company", NULL };
	static const char *const languages[] = { "en", "nl", NULL };
	static const char *const genders[] = { "", "female", "male", NULL };
	static const char *const methods[] = { "invoice", "direct_debit",
	    NULL };
	static const char *const flags[] = { "0", "1", NULL };
	const char *iban;

	if (*f->plan != '\0' && !one_of(f->plan, account_plans(v)))
		check_fail(&e->plan, 400, "Choose a plan from the list.");
	if (!one_of(f->account_type, types))
		check_fail(&e->account_type, 400, "Choose private or company.");
	if (!one_of(f->language, languages))
		check_fail(&e->language, 400, "Choose English or Dutch.");
	check_line(&e->contact_name, f->contact_name, TEXT_MAX_CHARS,
	    "Use at most 200 characters.");
	if (!phone_chars(f->contact_phone) ||
	    check_chars(f->contact_phone) > PHONE_MAX_CHARS)
		check_fail(&e->contact_phone, 400, "Use digits, spaces and "
		    "+ - ( ) . / only, at most 50.");
	if (*f->contact_email != '\0' && !check_email(f->contact_email))
		check_fail(&e->contact_email, 400, "Enter an e-mail address "
		    "like name@example.com.");
	if (!one_of(f->contact_gender, genders))
		check_fail(&e->contact_gender, 400, "Choose female, male or "
		    "nothing.");
	check_line(&e->billing_street, f->billing_street, TEXT_MAX_CHARS,
	    "Use at most 200 characters.");
	check_line(&e->billing_postal_code, f->billing_postal_code,
	    POSTAL_MAX_CHARS, "Use at most 20 characters.");
	check_line(&e->billing_city, f->billing_city, TEXT_MAX_CHARS,
	    "Use at most 200 characters.");
	if (*f->billing_country != '\0' && catalog_country_name(
	    &v->app->catalog, f->billing_country) == NULL)
		check_fail(&e->billing_country, 400, "Choose a country from "
		    "the list.");
	if (!one_of(f->payment_method, methods))
		check_fail(&e->payment_method, 400, "Choose invoice or direct "
		    "debit.");
	if (*f->iban != '\0' && (iban = check_iban(v->arena, f->iban)) != NULL)
		f->iban = iban;
	else if (*f->iban != '\0')
		check_fail(&e->iban, 400, "This is not a valid IBAN: check "
		    "the letters and digits.");
	else if (strcmp(f->payment_method, "direct_debit") == 0)
		check_fail(&e->iban, 400, "Direct debit needs the IBAN to "
		    "debit.");
	if (*f->reimbursement_iban != '\0' && (iban = check_iban(v->arena,
	    f->reimbursement_iban)) != NULL)
		f->reimbursement_iban = iban;
	else if (*f->reimbursement_iban != '\0')
		check_fail(&e->reimbursement_iban, 400, "This is not a valid "
		    "IBAN: check the letters and digits.");
	if (!one_of(f->notifications, flags))
		check_fail(&e->notifications, 400, "Choose on or off.");
	if (!normal_flags(v->arena, f->feature_flags, &f->feature_flags))
		check_fail(&e->feature_flags, 400, "Give up to 20 names of "
		    "small letters, digits, _ and -, separated by commas.");
	else if (!cur->may_flag && strcmp(f->feature_flags,
	    cur->f.feature_flags) != 0)
		check_fail(&e->feature_flags, 403, "Only operators change the "
		    "feature flags.");
}

/* The names of the fields whose values differ, "plan, iban"; in a. */
static const char *
changed_names(struct arena *a, struct account_fields *was,
    struct account_fields *now)
{
	struct buf b;
	size_t i;

	buf_init(&b, a);
	for (i = 0; account_field_names[i] != NULL; i++) {
		if (strcmp(*account_field(was, i), *account_field(now, i)) == 0)
			continue;
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, account_field_names[i]);
	}
	return b.len > 0 ? b.data : "nothing";
}

enum model_result
account_profile_save_in(const struct viewer *v, int64_t id,
    const struct account_fields *in, struct account_errors *e, bool *changed)
{
	struct account_profile cur;
	struct account_fields f;
	const char *given, *names;
	struct db_stmt *s;
	size_t i;
	int rc;

	memset(e, 0, sizeof(*e));
	if (changed != NULL)
		*changed = false;
	if ((rc = account_profile_get(v, id, &cur)) != 1)
		return rc == 0 ? MODEL_NOT_FOUND : MODEL_FAILED;
	if (!cur.may_change) {
		check_fail(&e->plan, 403, "You may read this profile but not "
		    "change it.");
		return MODEL_INVALID;
	}
	f = cur.f;
	for (i = 0; account_field_names[i] != NULL; i++)
		if ((given = *account_field((struct account_fields *)in, i)) !=
		    NULL)
			*account_field(&f, i) = check_trim(v->arena, given);
	names = changed_names(v->arena, &cur.f, &f);
	/* an import's row that changes nothing is not checked (a value that
	 * arbor.conf no longer offers, a plan, must not block it) */
	if (changed != NULL && !(*changed = strcmp(names, "nothing") != 0))
		return MODEL_DONE;
	check_fields(v, &f, &cur, e);
	if (check_count(e, account_error_fields) > 0)
		return MODEL_INVALID;
	/* the account was found in v's scope above, in this transaction */
	s = db_stmt(v->db, STMT_ACCOUNT_PROFILE_SAVE);
	db_bind_int(s, ":id", id);
	for (i = 0; account_field_names[i] != NULL; i++)
		db_bind_text(s, arena_printf(v->arena, ":%s",
		    account_field_names[i]), *account_field(&f, i));
	db_bind_int(s, ":now", v->now);
	if (db_exec(v->db, s) != 0)
		return MODEL_FAILED;
	event_log(v, "account_profile_updated", 0, perm_actor(v),
	    arena_printf(v->arena, "account %lld: %s", (long long)id, names));
	return MODEL_DONE;
}

enum model_result
account_profile_save(const struct viewer *v, int64_t id,
    const struct account_fields *in, struct account_errors *e)
{
	enum model_result r;

	if (db_begin(v->db) != 0)
		return MODEL_FAILED;
	/* the page saves even what did not change: the profile is saved */
	if ((r = account_profile_save_in(v, id, in, e, NULL)) ==
	    MODEL_NOT_FOUND) {
		db_rollback(v->db);
		return r;
	}
	return db_finish(v->db, r == MODEL_FAILED, e, account_error_fields);
}
