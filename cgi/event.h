/*
 * event.h - the security event log: who did what to whom, when, from
 * where and through which door (page, API or arborctl).
 *
 * Models record their events inside their own write transaction, so an
 * event exists exactly when its change does.
 */
#ifndef ARBOR_EVENT_H
#define ARBOR_EVENT_H

#include <stdint.h>

struct viewer;

/*
 * Append an event of kind about user_id, done by actor_id (0 = none for
 * either) as v. The detail gets " (API)" or " (arborctl)" after it when
 * v's origin is not a page, so that the log tells the doors apart and
 * says nothing else differently. A failure is logged, not returned: the
 * change it describes stands.
 */
void event_log(const struct viewer *v, const char *kind, int64_t user_id,
    int64_t actor_id, const char *detail);

#endif
