/*
 * event.c - the security event log.
 */
#include "event.h"

#include "arena.h"
#include "db.h"
#include "log.h"
#include "perm.h"

/* The detail with the door it came through, for every non-page origin. */
static const char *
with_origin(const struct viewer *v, const char *detail)
{
	const char *door = v->origin == ORIGIN_API ? "(API)" :
	    v->origin == ORIGIN_CLI ? "(arborctl)" : NULL;

	if (detail == NULL)
		detail = "";
	if (door == NULL)
		return detail;
	return *detail == '\0' ? door : arena_printf(v->arena, "%s %s",
	    detail, door);
}

void
event_log(const struct viewer *v, const char *kind, int64_t user_id,
    int64_t actor_id, const char *detail)
{
	struct db_stmt *s = db_stmt(v->db, STMT_EVENT_INSERT);

	db_bind_int(s, ":now", v->now);
	db_bind_text(s, ":kind", kind);
	if (user_id != 0)
		db_bind_int(s, ":user_id", user_id);
	else
		db_bind_null(s, ":user_id");
	if (actor_id != 0)
		db_bind_int(s, ":actor_id", actor_id);
	else
		db_bind_null(s, ":actor_id");
	db_bind_text(s, ":ip", v->addr);
	db_bind_text(s, ":detail", with_origin(v, detail));
	if (db_exec(v->db, s) != 0)
		log_error("event %s not recorded", kind);
}
