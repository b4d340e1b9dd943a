/*
 * ui.h - the page handlers, one ui-*.c file per tab.
 *
 * A handler runs only after routes.c has checked the route, method,
 * CSRF token, login, login stage and permission; it validates its own
 * form fields and asks perm.h (through the scoped statements of sql.h)
 * which rows it may show.
 */
#ifndef ARBOR_UI_H
#define ARBOR_UI_H

struct request;

/* ui-login.c */
void ui_root(struct request *req);
void ui_login_get(struct request *req);
void ui_login_post(struct request *req);
void ui_logout(struct request *req);

/* ui-accounts.c */
void ui_accounts(struct request *req);

/* ui-customers.c, ui-locations.c (issue 4) */

/* ui-users.c, ui-password.c (issue 4) */

/* ui-profile.c, ui-mfa.c (issue 3) */

#endif
