/*
 * seed-bench.c - the benchmark data of `arborctl bench-data` (see
 * seed.h): a customer tree of any shape, users and devices with names
 * drawn from word lists (bench-words.h), so that a search finds as
 * many rows as it would in a real fleet.
 */
#include "seed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arena.h"
#include "auth.h"
#include "bench-words.h"
#include "customer.h"
#include "db.h"
#include "device.h"
#include "perm.h"
#include "user.h"

/* A deterministic generator (splitmix64): the same seed, the same data. */
struct rng {
	uint64_t state;
};

static uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A number in [0, n); n is small next to 2^64, so the bias is nil. */
static size_t
rng_below(struct rng *r, size_t n)
{
	return (size_t)(rng_next(r) % n);
}

static const char *
rng_pick(struct rng *r, const char *const *words, size_t n)
{
	return words[rng_below(r, n)];
}

/* A bijection of [0, 2^bits) (xor-shifts and odd multipliers): a
 * counter through it looks random but never repeats. */
static uint64_t
mix_bits(uint64_t x, unsigned bits)
{
	const uint64_t mask = (1ull << bits) - 1;
	const unsigned shift = bits / 2 + 1;

	x &= mask;
	x ^= x >> shift;
	x = x * 0x2545f4914f6cdd1du & mask;
	x ^= x >> shift;
	x = x * 0x9e3779b97f4a7c15u & mask;
	return x ^ x >> shift;
}

/* A bijection of [0, n): mix_bits over the next power of two, again
 * until the value falls below n ("cycle walking"). */
static uint64_t
mix_below(uint64_t x, uint64_t n)
{
	unsigned bits = 1;

	while ((1ull << bits) < n)
		bits++;
	do
		x = mix_bits(x, bits);
	while (x >= n);
	return x;
}

/* What one run adds, and what it found out on the way. */
struct bench_run {
	const struct viewer *v;
	const struct seed_bench_spec *spec;
	struct rng rng;
	int64_t last_customer, last_user, last_device;	/* ids before */
	int64_t *spread;	/* the account's customers (malloc) */
	size_t nspread;
	double *last_weight;	/* running sums of the family names' weights */
	long *last_tally;	/* users added per family name */
	struct seed_bench *out;
};

/* ------------------------------------------------------------------
 * Words
 */

/* s lower-cased into out (n bytes, s fits). */
static void
lower_into(char *out, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[i] = '\0';
}

/* Family names are as skewed as real ones: the one the fixed
 * shuffle mix_below puts at rank r is drawn with weight 1/(r+1), so a
 * hundred thousand users give a few names thousands of holders and most
 * a few hundred or less. */
static int
last_names_weigh(struct bench_run *b)
{
	double sum = 0;
	size_t i;

	b->last_weight = calloc(bench_last_name_count, sizeof(double));
	b->last_tally = calloc(bench_last_name_count, sizeof(long));
	if (b->last_weight == NULL || b->last_tally == NULL)
		return -1;
	for (i = 0; i < bench_last_name_count; i++)
		b->last_weight[i] = sum += 1.0 / (double)(mix_below((i + 1) %
		    bench_last_name_count, bench_last_name_count) + 1);
	return 0;
}

static size_t
last_name_draw(struct bench_run *b)
{
	double u = (double)(rng_next(&b->rng) >> 11) / 9007199254740992.0 *
	    b->last_weight[bench_last_name_count - 1];
	size_t lo = 0, hi = bench_last_name_count - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (b->last_weight[mid] <= u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether word (lower case) occurs in any user word other than itself:
 * then a search for it would find more than its holders. */
static bool
inside_other_word(const char *word)
{
	static const struct {
		const char *const *list;
		const size_t *n;
	} lists[] = {
		{ bench_first_names, &bench_first_name_count },
		{ bench_last_names, &bench_last_name_count },
		{ bench_mail_domains, &bench_mail_domain_count },
	};
	char other[64];
	size_t l, i;

	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (i = 0; i < *lists[l].n; i++) {
			lower_into(other, sizeof(other), lists[l].list[i]);
			if (strcmp(other, word) != 0 &&
			    strstr(other, word) != NULL)
				return true;
		}
	return false;
}

/* The family name to search for: held by closest to 300 of the users
 * added, and inside no other word. */
static void
last_name_example(struct bench_run *b)
{
	long best = -1, d, bestd = 0;
	char word[64];
	size_t i;

	for (i = 0; i < bench_last_name_count; i++) {
		d = labs(b->last_tally[i] - 300);
		if (b->last_tally[i] == 0 || (best >= 0 && d >= bestd))
			continue;
		lower_into(word, sizeof(word), bench_last_names[i]);
		if (inside_other_word(word))
			continue;
		best = (long)i;
		bestd = d;
	}
	if (best < 0)
		return;
	b->out->last_name = bench_last_names[best];
	b->out->last_name_users = b->last_tally[best];
}

/* ------------------------------------------------------------------
 * Customers
 */

/* Customer names "Hansen Logistics Aarhus" without repeats: the id
 * picks one of the combinations through a bijection, and a round number
 * follows after each full turn. */
static const struct bench_city *
customer_name(int64_t id, char *name, size_t n)
{
	uint64_t combos = (uint64_t)bench_last_name_count *
	    bench_industry_count * bench_city_count;
	uint64_t k = mix_below((uint64_t)id % combos, combos);
	uint64_t turn = (uint64_t)id / combos;
	const struct bench_city *city = &bench_cities[k % bench_city_count];

	k /= bench_city_count;
	snprintf(name, n, turn ? "%s %s %s %llu" : "%s %s %s",
	    bench_last_names[k / bench_industry_count],
	    bench_industries[k % bench_industry_count], city->name,
	    (unsigned long long)turn + 1);
	return city;
}

static int64_t
bench_customer_add(struct bench_run *b, int64_t parent)
{
	static const char *const roles[] = { "fleet", "ops", "info",
	    "office", "admin", "dispatch" };
	char name[160], email[160], last[64], trade[64];
	struct customer_fields cf = { 0 };
	const struct bench_city *city;
	int64_t id = b->last_customer + 1;

	city = customer_name(id, name, sizeof(name));
	/* the e-mail's domain from the first two words of the name */
	sscanf(name, "%63s %63s", last, trade);
	lower_into(last, sizeof(last), last);
	lower_into(trade, sizeof(trade), trade);
	snprintf(email, sizeof(email), "%s@%s-%s.example",
	    rng_pick(&b->rng, roles, sizeof(roles) / sizeof(roles[0])), last,
	    trade);
	cf.name = name;
	cf.email = email;
	cf.country = city->country;
	cf.time_zone = city->time_zone;
	cf.time_format = strcmp(city->country, "US") == 0 ? "12h" : "24h";
	cf.units = strcmp(city->country, "US") == 0 ||
	    strcmp(city->country, "GB") == 0 ? "imperial" : "metric";
	id = customer_create(b->v->db, b->v->now, parent, &cf);
	if (id != 0)
		b->last_customer = id;
	return id;
}

/* The tree, breadth first: width under the account, then width under
 * each of those, and so on; once the parents are depth levels down the
 * next customers go under the top level again (so depth 1 is one level
 * of all of them). */
static int
customers_add(struct bench_run *b, int64_t root)
{
	long n = b->spec->customers, w = b->spec->width, i, p;
	int64_t *ids = arena_calloc(b->v->arena, (size_t)n + 1, sizeof(*ids));
	long *depth = arena_calloc(b->v->arena, (size_t)n + 1, sizeof(*depth));

	for (i = 0; i < n; i++) {
		p = i < w ? -1 : i / w - 1;
		if (p >= 0 && depth[p] >= b->spec->depth)
			p = b->spec->depth > 1 ? i % w : -1;
		depth[i] = p < 0 ? 1 : depth[p] + 1;
		ids[i] = bench_customer_add(b, p < 0 ? root : ids[p]);
		if (ids[i] == 0)
			return -1;
	}
	return 0;
}

/* Every customer of admin's account, into b->spread. */
static int
spread_read(struct bench_run *b, const struct user *admin)
{
	struct db_stmt *s = db_stmt(b->v->db, STMT_CUSTOMER_IDS_UNDER);
	size_t cap = 1024;
	struct viewer av;
	int64_t *grown;
	int rc;

	perm_viewer(&av, b->v->app, b->v->arena, b->v->now, ORIGIN_CLI, NULL,
	    admin);
	perm_bind_scope(s, &av.scope);
	b->nspread = 0;
	if ((b->spread = malloc(cap * sizeof(int64_t))) == NULL)
		return -1;
	while ((rc = db_step(b->v->db, s)) == DB_ROW) {
		if (b->nspread == cap) {
			if ((grown = realloc(b->spread, 2 * cap *
			    sizeof(int64_t))) == NULL)
				break;
			b->spread = grown;
			cap *= 2;
		}
		b->spread[b->nspread++] = db_col_int(s, 0);
	}
	db_reset(s);
	return rc == DB_DONE && b->nspread > 0 ? 0 : -1;
}

static int64_t
spread_pick(struct bench_run *b)
{
	return b->spread[rng_below(&b->rng, b->nspread)];
}

/* ------------------------------------------------------------------
 * Users
 */

/* "Anna Hansen", username "anna.hansen1234" and e-mail
 * "anna.hansen1234@post.example", where 1234 is the id the row gets. */
static int
bench_user_add(struct bench_run *b, long i, const char *hash)
{
	const char *first = rng_pick(&b->rng, bench_first_names,
	    bench_first_name_count);
	size_t last = last_name_draw(b);
	char full[96], login[128], email[192], f[48], l[48];
	struct user_fields uf;
	int64_t id = b->last_user + 1;

	lower_into(f, sizeof(f), first);
	lower_into(l, sizeof(l), bench_last_names[last]);
	snprintf(full, sizeof(full), "%s %s", first, bench_last_names[last]);
	snprintf(login, sizeof(login), "%s.%s%lld", f, l, (long long)id);
	snprintf(email, sizeof(email), "%s@%s", login, rng_pick(&b->rng,
	    bench_mail_domains, bench_mail_domain_count));
	memset(&uf, 0, sizeof(uf));
	uf.customer_id = spread_pick(b);
	uf.email = email;
	uf.username = login;
	uf.full_name = full;
	uf.password_hash = hash;
	uf.active = i % 20 != 19;
	uf.groups = i % 10 == 0 ? GROUP_FULL_DEVICE_ACCESS : 0;
	if ((id = user_create(b->v->db, b->v->now, &uf)) == 0 ||
	    (i % 3 != 2 && user_set_last_login(b->v->db, id, b->v->now -
	    (int64_t)rng_below(&b->rng, 90 * 86400)) != 0))
		return -1;
	b->last_user = id;
	b->last_tally[last]++;
	if (i == b->spec->users / 2)
		b->out->email = arena_strdup(b->v->arena, email);
	return 0;
}

static int
users_add(struct bench_run *b)
{
	char hash[crypto_pwhash_STRBYTES];
	long i;

	if (password_hash(SEED_DEMO_PASSWORD, hash) != 0)
		return -1;
	for (i = 0; i < b->spec->users; i++)
		if (bench_user_add(b, i, hash) != 0)
			return -1;
	last_name_example(b);
	return 0;
}

/* ------------------------------------------------------------------
 * Devices
 */

/* Unit ids: 10 characters of Crockford's base 32 (digits and capitals
 * without I, L, O, U) of the row's id mixed through a bijection of 50
 * bits, so they look like hardware serials, never repeat and do not
 * depend on the seed (a run with another seed cannot collide). */
static void
unit_id_format(int64_t id, char out[11])
{
	static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint64_t x = mix_bits((uint64_t)id, 50);
	int i;

	for (i = 9; i >= 0; i--, x >>= 5)
		out[i] = digits[x & 31];
	out[10] = '\0';
}

/* A number plate, "KX 41 207", from letters a plate may have. */
static void
plate_draw(struct rng *r, char out[10])
{
	static const char letters[] = "ABCDEFGHJKLMNPRSTUVWXYZ";
	size_t nl = sizeof(letters) - 1;

	snprintf(out, 10, "%c%c %02zu %03zu", letters[rng_below(r, nl)],
	    letters[rng_below(r, nl)], rng_below(r, 100), rng_below(r, 1000));
}

/* A VIN: the maker's prefix and 14 characters of the VIN alphabet
 * (no I, O or Q). */
static void
vin_draw(struct rng *r, const char *wmi, char out[18])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";
	int i;

	memcpy(out, wmi, 3);
	for (i = 3; i < 17; i++)
		out[i] = alphabet[rng_below(r, sizeof(alphabet) - 1)];
	out[17] = '\0';
}

/* Whether device text (its name or vehicle name; its other fields hold
 * no space) contains the example search text. */
static bool
device_matches(const struct bench_run *b, const char *name,
    const char *vehicle)
{
	const char *t = b->out->device_text;

	return strcasestr(name, t) != NULL || strcasestr(vehicle, t) != NULL;
}

/* "Volvo FH16 KX 41 207" in "Truck 112" (three in ten without a
 * vehicle name), half with a VIN, registered in the last three years. */
static int
bench_device_add(struct bench_run *b, long i)
{
	const struct bench_vehicle *car = &bench_vehicles[rng_below(&b->rng,
	    bench_vehicle_count)];
	char unit[11], plate[10], name[96], vehicle[48], vin[18];
	char uuid[DEVICE_UUID_LEN + 1];
	struct device_input in;
	struct viewer at = *b->v;
	int64_t id;

	unit_id_format(b->last_device + 1, unit);
	plate_draw(&b->rng, plate);
	snprintf(name, sizeof(name), "%s %s %s", car->make, car->model, plate);
	vehicle[0] = '\0';
	if (rng_below(&b->rng, 10) >= 3)
		snprintf(vehicle, sizeof(vehicle), "%s %zu",
		    rng_pick(&b->rng, bench_vehicle_kinds,
		    bench_vehicle_kind_count), rng_below(&b->rng, 500) + 1);
	vin[0] = '\0';
	if (rng_below(&b->rng, 2) == 0)
		vin_draw(&b->rng, car->wmi, vin);
	in.unit_id = unit;
	in.name = name;
	in.vehicle_name = vehicle;
	in.vin = vin;
	in.customer_id = spread_pick(b);
	in.location_id = 0;
	at.now = b->v->now - (int64_t)rng_below(&b->rng, 3 * 365 * 86400);
	if ((id = device_insert(&at, &in, uuid)) == 0)
		return -1;
	b->last_device = id;
	b->out->device_text_devices += device_matches(b, name, vehicle);
	if (i == b->spec->devices / 2) {
		b->out->unit_id = arena_strdup(b->v->arena, unit);
		b->out->device_id = arena_strdup(b->v->arena, uuid);
	}
	return 0;
}

/* The example device search: the start of a plate ("KX 4"), which a
 * million devices hold about 190 times (23 x 23 x 10 starts). */
static int
devices_add(struct bench_run *b)
{
	char plate[10];
	long i;

	plate_draw(&b->rng, plate);
	plate[4] = '\0';
	b->out->device_text = arena_strdup(b->v->arena, plate);
	for (i = 0; i < b->spec->devices; i++)
		if (bench_device_add(b, i) != 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------
 * The run
 */

/* The demo account's administrator, whose account the benchmark data
 * goes into; NULL when there is no demo data. */
static const struct user *
demo_admin(const struct viewer *v)
{
	int64_t id = user_id_by_username(v->db, "admin");
	const struct user *admin = id ? user_load(v->db, v->arena, id) : NULL;

	return admin != NULL && admin->customer_id != 0 ? admin : NULL;
}

static int
last_ids_read(struct bench_run *b)
{
	struct db_stmt *s = db_stmt(b->v->db, STMT_BENCH_LAST_IDS);
	int rc = db_step(b->v->db, s);

	if (rc == DB_ROW) {
		b->last_customer = db_col_int(s, 0);
		b->last_user = db_col_int(s, 1);
		b->last_device = db_col_int(s, 2);
	}
	db_reset(s);
	return rc == DB_ROW ? 0 : -1;
}

/* Everything, inside the open transaction. */
static int
bench_add(struct bench_run *b, const struct user *admin)
{
	if (last_ids_read(b) != 0 ||
	    customers_add(b, admin->customer_id) != 0 ||
	    spread_read(b, admin) != 0)
		return -1;
	b->out->spread = b->nspread;
	return users_add(b) != 0 || devices_add(b) != 0 ? -1 : 0;
}

enum model_result
seed_bench(const struct viewer *v, const struct seed_bench_spec *spec,
    struct seed_bench *out)
{
	struct bench_run b = { v, spec, { (uint64_t)spec->seed }, 0, 0, 0,
	    NULL, 0, NULL, NULL, out };
	const struct user *admin;
	enum model_result rc = MODEL_FAILED;

	memset(out, 0, sizeof(*out));
	if (!perm_allows(v, ACT_OPERATOR) || (admin = demo_admin(v)) == NULL)
		return MODEL_NOT_FOUND;
	out->account = admin->customer_name;
	if (last_names_weigh(&b) != 0 || db_begin(v->db) != 0)
		goto done;
	/* counters and search indexes once at the end, not row by row:
	 * FTS5 writes a segment per statement, which made a million
	 * devices take minutes */
	if (db_bulk_begin(v->db) != 0 || bench_add(&b, admin) != 0 ||
	    db_bulk_end(v->db, spec->schema) != 0 || db_commit(v->db) != 0) {
		db_rollback(v->db);
		goto done;
	}
	/* the planner's statistics, so it knows how the tree, users and
	 * devices spread */
	out->analyzed = db_exec(v->db, db_stmt(v->db, STMT_ANALYZE)) == 0;
	rc = MODEL_DONE;
done:
	free(b.spread);
	free(b.last_weight);
	free(b.last_tally);
	return rc;
}
