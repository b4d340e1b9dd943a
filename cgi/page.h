/*
 * page.h - HTML responses: the layout's data and rendering.
 *
 * A handler builds its page data on top of page_data() (the signed-in
 * user, the tabs their groups allow, the CSRF token for forms and the
 * flash message) and hands it to page_render(). All HTML leaves the
 * program through the template engine, which escapes every value.
 */
#ifndef ARBOR_PAGE_H
#define ARBOR_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "perm.h"

struct request;
struct tval;

/* The layout data for this request: a map to add the page's keys to. */
struct tval *page_data(struct request *req);

/* Render template name with data as the response (status, HTML). A
 * template failure becomes a 500 page. */
void page_render(struct request *req, int status, const char *name,
    struct tval *data);

/* An error page: status with a title from the status and a message. */
void page_error(struct request *req, int status, const char *message);

/*
 * On a page that shows what action a changes (an R_READ route): NULL when
 * the viewer may change it, else why not, for the page to say while it
 * shows the data without a form (a viewer who may only read it: an API
 * Developer). Sets read_only in d to that.
 */
const char *page_read_only(struct request *req, struct tval *d,
    enum perm_action a);

/*
 * Whether a model's read of the page's object found it (rc 1); else the
 * 404 page (outside the view or missing: "There is no page at this
 * address.") or, on a database error (rc < 0), the 503 page saying that
 * what ("The location") could not be read was sent.
 */
bool page_found(struct request *req, int rc, const char *what);

/*
 * The page of a change a model did not make: the 404 page when it found
 * nothing to change (rc MODEL_NOT_FOUND: outside the view or missing),
 * else the 503 page: failure ("The group could not be saved") "because
 * of a database error", and that nothing changed (the model rolled
 * back).
 */
void page_unchanged(struct request *req, enum model_result rc,
    const char *failure);

/*
 * A form's {field: message} map from a model's errors struct (check.h),
 * keyed by the fields' form names; NULL when no field is in error, so
 * that templates can test {{#errors}}.
 */
struct arena;
struct check_field;
struct tval *page_errors(struct arena *a, const void *errors,
    const struct check_field *fields);

/* {value, label, selected: value is current} appended to list, for a
 * <select> or a radio group. current NULL: none selected. */
void page_push_option(struct arena *a, struct tval *list, const char *value,
    const char *label, const char *current);

/*
 * The customers the viewer sees as <select> options: a list of {value,
 * label, selected} (selected for selected_id), without the subtree at
 * exclude_path (NULL for none). NULL on a database error.
 */
struct tval *page_customer_options(struct request *req, int64_t selected_id,
    const char *exclude_path);

/* More customers than a list's filter offers as a select: a select of
 * thousands is no way to choose one, and would be most of the page. */
#define PAGE_FILTER_CUSTOMERS_MAX 200

/*
 * A list page's customer filter into d: name (a list of options, the
 * customer selected marked) or, for a scope of more than
 * PAGE_FILTER_CUSTOMERS_MAX customers, "customers_many" (how many: the
 * page then says how to filter instead) and "customer_id_kept" (the
 * filter on, for a hidden field). false, the 503 page sent, on a
 * database error.
 */
bool page_list_customers(struct request *req, struct tval *d,
    const char *name, int64_t selected);

/*
 * A list page's customer_id filter into d: customer_filter (as
 * page_list_customers) and filtered (q or the customer narrows the
 * list). false, the 503 page sent, on a database error.
 */
struct list_query;
bool page_customer_filter(struct request *req, struct tval *d,
    const struct list_query *lq);

/*
 * The user-group checkboxes of a user's or a device's form (seed 004)
 * into d: "user_group_choices" [{value, label, checked, auto_assign}]
 * of the editable groups among c (n of them), "has_user_group_choices",
 * and "user_groups_fixed" (the read-only groups it is in, as text).
 * chosen (nchosen ids): what the form sent, NULL for the stored
 * membership, or for a new user (is_new) the auto-assign groups.
 */
struct ugroup_choice;
void page_ugroup_boxes(struct request *req, struct tval *d,
    const struct ugroup_choice *c, size_t n, bool is_new,
    const int64_t *chosen, size_t nchosen);

/* The user_group ids a form sent, when it listed the groups (its marker
 * user_groups_listed: unchecked boxes are not sent), 0 for a value that
 * is no id; NULL when the form did not list them (they are kept). */
const int64_t *page_ugroup_ids(struct request *req, size_t *n);

/* The permission-group checkboxes (templates/group_boxes) into d: those
 * v holds checked as asked, the others disabled and showing current (a
 * user's groups as they are; 0 for a new one). */
void page_group_boxes(struct request *req, struct tval *d, unsigned asked,
    unsigned current);

/* The location checkboxes (templates/location_boxes) into d: the
 * locations v sees, labelled with their customer's path, checked[0..n)
 * checked. 0, or -1 on a database error. */
int page_location_boxes(struct request *req, struct tval *d,
    const int64_t *checked, size_t nchecked);

/* The names of group bits (perm.h), comma-separated, "All groups" or
 * "All groups but API Developer" (what owners hold); "" for none. */
const char *page_group_names(struct arena *a, unsigned bits);

#endif
