/*
 * routes.c - the route table and the checks before any handler.
 */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "arena.h"
#include "form.h"
#include "page.h"
#include "principal.h"
#include "session.h"
#include "token.h"
#include "ui.h"

static const struct route routes[] = {
	{ METHOD_GET, "/", ui_root, 0, ACT_ANY, NULL },
	{ METHOD_GET, "/login", ui_login_get, R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_POST, "/login", ui_login_post, R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_GET, "/login/mfa", ui_login_mfa_get, R_STAGE_MFA,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/login/mfa", ui_login_mfa_post, R_STAGE_MFA,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/logout", ui_logout, R_PUBLIC, ACT_ANY, NULL },
	/* load balancers and watchdogs (issue 18) */
	{ METHOD_GET, "/healthz", ui_healthz, R_PUBLIC | R_PROBE, ACT_ANY,
	  NULL },
	{ METHOD_GET, "/accounts", ui_accounts, 0, ACT_ANY, NULL },
	{ METHOD_GET, "/accounts/security", ui_accounts_security_get, 0,
	  ACT_ENFORCE_MFA, NULL },
	{ METHOD_POST, "/accounts/security", ui_accounts_security_post, 0,
	  ACT_ENFORCE_MFA, NULL },
	/* customers and locations (issue 4) */
	{ METHOD_GET, "/customers", ui_customers, R_READ, ACT_CUSTOMERS, NULL },
	{ METHOD_GET, "/customers/new", ui_customer_new_get, 0,
	  ACT_CUSTOMERS, NULL },
	{ METHOD_POST, "/customers/new", ui_customer_new_post, 0,
	  ACT_CUSTOMERS, NULL },
	{ METHOD_GET, "/customers/{id}", ui_customer_get, R_READ,
	  ACT_CUSTOMERS, NULL },
	{ METHOD_POST, "/customers/{id}", ui_customer_post, 0,
	  ACT_CUSTOMERS, NULL },
	/* an account's profile (issue 16): account.c decides whose */
	{ METHOD_GET, "/customers/{id}/profile", ui_account_profile_get,
	  R_READ, ACT_ACCOUNT_PROFILE, NULL },
	{ METHOD_POST, "/customers/{id}/profile", ui_account_profile_post, 0,
	  ACT_ACCOUNT_PROFILE, NULL },
	{ METHOD_GET, "/locations", ui_locations, R_READ, ACT_LOCATIONS, NULL },
	{ METHOD_GET, "/locations/new", ui_location_new_get, 0,
	  ACT_LOCATIONS, NULL },
	{ METHOD_POST, "/locations/new", ui_location_new_post, 0,
	  ACT_LOCATIONS, NULL },
	{ METHOD_GET, "/locations/{id}", ui_location_get, R_READ,
	  ACT_LOCATIONS, NULL },
	{ METHOD_POST, "/locations/{id}", ui_location_post, 0,
	  ACT_LOCATIONS, NULL },
	{ METHOD_GET, "/locations/{id}/delete", ui_location_delete_get, 0,
	  ACT_LOCATIONS, NULL },
	{ METHOD_POST, "/locations/{id}/delete", ui_location_delete_post, 0,
	  ACT_LOCATIONS, NULL },
	/* location shares (issue 16): the owner's side, the invitee's
	 * link and the guest's read-only view (share.h) */
	{ METHOD_GET, "/locations/{id}/shares", ui_location_shares_get,
	  R_READ, ACT_LOCATION_SHARES, NULL },
	{ METHOD_POST, "/locations/{id}/shares", ui_location_shares_post, 0,
	  ACT_LOCATION_SHARES, NULL },
	{ METHOD_POST, "/locations/{id}/shares/{sub}/revoke",
	  ui_location_share_revoke, 0, ACT_LOCATION_SHARES, NULL },
	{ METHOD_GET, "/shares/{token}", ui_share_get, 0, ACT_ANY, NULL },
	{ METHOD_POST, "/shares/{token}", ui_share_post, 0, ACT_ANY, NULL },
	{ METHOD_GET, "/shared", ui_shared, 0, ACT_SHARED, NULL },
	{ METHOD_GET, "/shared/{id}", ui_shared_location, 0, ACT_SHARED,
	  NULL },
	/* user groups (issue 15): operators define them, an account's
	 * administrators set their discount and members (usergroup.h) */
	{ METHOD_GET, "/operator/groups", ui_operator_groups, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_GET, "/operator/groups/new", ui_operator_group_new_get, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_POST, "/operator/groups/new", ui_operator_group_new_post, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_GET, "/operator/groups/{id}", ui_operator_group_get, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_POST, "/operator/groups/{id}", ui_operator_group_post, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_GET, "/operator/groups/{id}/delete",
	  ui_operator_group_delete_get, 0, ACT_OPERATOR, NULL },
	{ METHOD_POST, "/operator/groups/{id}/delete",
	  ui_operator_group_delete_post, 0, ACT_OPERATOR, NULL },
	{ METHOD_GET, "/groups", ui_groups, R_READ, ACT_USER_GROUPS, NULL },
	{ METHOD_GET, "/groups/{id}", ui_group_get, R_READ, ACT_USER_GROUPS,
	  NULL },
	{ METHOD_POST, "/groups/{id}", ui_group_post, 0, ACT_USER_GROUPS,
	  NULL },
	{ METHOD_POST, "/groups/{id}/members", ui_group_members_post, 0,
	  ACT_USER_GROUPS, NULL },
	{ METHOD_POST, "/groups/{id}/members/{sub}/remove",
	  ui_group_member_remove, 0, ACT_USER_GROUPS, NULL },
	{ METHOD_POST, "/groups/{id}/devices", ui_group_devices_post, 0,
	  ACT_USER_GROUPS, NULL },
	{ METHOD_POST, "/groups/{id}/devices/{sub}/remove",
	  ui_group_device_remove, 0, ACT_USER_GROUPS, NULL },
	/* users and password links (issue 4) */
	/* access control: the scan history and RFID tags (issue 15) */
	{ METHOD_GET, "/access", ui_access, R_READ, ACT_ACCESS_CONTROL, NULL },
	{ METHOD_GET, "/access/tags", ui_access_tags, R_READ,
	  ACT_ACCESS_CONTROL, NULL },
	{ METHOD_GET, "/access/tags/new", ui_access_tag_new_get, 0,
	  ACT_ACCESS_CONTROL, NULL },
	{ METHOD_POST, "/access/tags/new", ui_access_tag_new_post, 0,
	  ACT_ACCESS_CONTROL, NULL },
	{ METHOD_GET, "/access/tags/{id}", ui_access_tag_get, R_READ,
	  ACT_ACCESS_CONTROL, NULL },
	{ METHOD_POST, "/access/tags/{id}", ui_access_tag_post, 0,
	  ACT_ACCESS_CONTROL, NULL },
	{ METHOD_GET, "/users", ui_users_list, R_READ, ACT_USERS, NULL },
	{ METHOD_GET, "/accounts/export.csv", ui_accounts_export, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_GET, "/accounts/import", ui_accounts_import_get, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_POST, "/accounts/import", ui_accounts_import_post, 0,
	  ACT_OPERATOR, NULL },
	{ METHOD_GET, "/users/export.csv", ui_users_export, R_READ, ACT_USERS,
	  NULL },
	{ METHOD_GET, "/users/import", ui_users_import_get, 0, ACT_USERS,
	  NULL },
	{ METHOD_POST, "/users/import", ui_users_import_post, 0, ACT_USERS,
	  NULL },
	{ METHOD_GET, "/users/new", ui_user_new_get, 0, ACT_USERS, NULL },
	{ METHOD_POST, "/users/new", ui_user_new_post, 0, ACT_USERS, NULL },
	{ METHOD_GET, "/users/{id}", ui_user_edit_get, R_READ, ACT_USERS, NULL },
	{ METHOD_POST, "/users/{id}", ui_user_edit_post, 0, ACT_USERS, NULL },
	{ METHOD_GET, "/users/{id}/delete", ui_user_delete_get, 0,
	  ACT_USERS, NULL },
	{ METHOD_POST, "/users/{id}/delete", ui_user_delete_post, 0,
	  ACT_USERS, NULL },
	{ METHOD_POST, "/users/{id}/mfa/reset", ui_user_mfa_reset, 0,
	  ACT_USERS, NULL },
	{ METHOD_GET, "/password/forgot", ui_password_forgot_get, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/password/forgot", ui_password_forgot_post, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_GET, "/password/setup/{token}", ui_password_link_get, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/password/setup/{token}", ui_password_link_post,
	  R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_GET, "/password/reset/{token}", ui_password_link_get, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/password/reset/{token}", ui_password_link_post,
	  R_PUBLIC, ACT_ANY, NULL },
	/* onboarding (issue 17): invitations, join links, sign-up domains,
	 * and the public pages their links open */
	{ METHOD_GET, "/invites", ui_invites, R_READ, ACT_USERS, NULL },
	{ METHOD_GET, "/invites/new", ui_invite_new_get, 0, ACT_USERS, NULL },
	{ METHOD_POST, "/invites/new", ui_invite_new_post, 0, ACT_USERS,
	  NULL },
	{ METHOD_GET, "/invites/{id}", ui_invite_get, R_READ, ACT_USERS,
	  NULL },
	{ METHOD_POST, "/invites/{id}/resend", ui_invite_resend, 0, ACT_USERS,
	  NULL },
	{ METHOD_POST, "/invites/{id}/revoke", ui_invite_revoke, 0, ACT_USERS,
	  NULL },
	{ METHOD_GET, "/customers/{id}/join-links", ui_join_links_get, R_READ,
	  ACT_USERS, NULL },
	{ METHOD_POST, "/customers/{id}/join-links", ui_join_links_post, 0,
	  ACT_USERS, NULL },
	{ METHOD_POST, "/customers/{id}/join-links/{sub}/revoke",
	  ui_join_link_revoke, 0, ACT_USERS, NULL },
	{ METHOD_GET, "/customers/{id}/signup-domains", ui_signup_domains_get,
	  R_READ, ACT_USERS, NULL },
	{ METHOD_POST, "/customers/{id}/signup-domains",
	  ui_signup_domains_post, 0, ACT_OPERATOR, NULL },
	{ METHOD_GET, "/invite/{token}", ui_invite_accept_get, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/invite/{token}", ui_invite_accept_post, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_GET, "/join/{token}", ui_join_get, R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_POST, "/join/{token}", ui_join_post, R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_GET, "/join/confirm/{token}", ui_join_confirm_get, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/join/confirm/{token}", ui_join_confirm_post,
	  R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_GET, "/signup", ui_signup_get, R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_POST, "/signup", ui_signup_post, R_PUBLIC, ACT_ANY, NULL },
	{ METHOD_GET, "/signup/{token}", ui_signup_finish_get, R_PUBLIC,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/signup/{token}", ui_signup_finish_post, R_PUBLIC,
	  ACT_ANY, NULL },
	/* devices */
	{ METHOD_GET, "/devices", ui_devices, R_READ, ACT_DEVICES_PAGE, NULL },
	{ METHOD_GET, "/devices/new", ui_device_new_get, 0,
	  ACT_DEVICES_REGISTER, NULL },
	{ METHOD_POST, "/devices/new", ui_device_new_post, 0,
	  ACT_DEVICES_REGISTER, NULL },
	{ METHOD_GET, "/devices/manage", ui_devices_manage_get, 0,
	  ACT_DEVICES_MANAGE, NULL },
	{ METHOD_POST, "/devices/manage", ui_devices_manage_post, 0,
	  ACT_DEVICES_MANAGE, NULL },
	{ METHOD_GET, "/devices/{id}", ui_device, R_READ, ACT_DEVICES_LIST, NULL },
	{ METHOD_GET, "/devices/{id}/edit", ui_device_edit_get, 0,
	  ACT_DEVICE_EDIT, NULL },
	{ METHOD_POST, "/devices/{id}/edit", ui_device_edit_post, 0,
	  ACT_DEVICE_EDIT, NULL },
	/* API tokens */
	{ METHOD_GET, "/tokens", ui_tokens, 0, ACT_ANY, NULL },
	{ METHOD_POST, "/tokens/new", ui_token_new, 0, ACT_ANY, NULL },
	{ METHOD_GET, "/tokens/{id}/created", ui_token_created, 0,
	  ACT_ANY, NULL },
	{ METHOD_GET, "/tokens/{id}/revoke", ui_token_revoke_get, 0,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/tokens/{id}/revoke", ui_token_revoke, 0,
	  ACT_ANY, NULL },
	/* the JSON API: bearer token, problem documents (api.h) */
	{ METHOD_GET, "/api/v1/me", api_me, R_API, ACT_ANY, NULL },
	{ METHOD_GET, "/api/v1/devices", api_list_route, R_API | R_READ,
	  ACT_DEVICES_LIST, &api_devices },
	{ METHOD_POST, "/api/v1/devices", api_device_create, R_API,
	  ACT_DEVICES_REGISTER, NULL },
	{ METHOD_POST, "/api/v1/devices/assign", api_devices_assign, R_API,
	  ACT_DEVICES_MANAGE, NULL },
	{ METHOD_GET, "/api/v1/devices/{id}", api_get_route, R_API | R_READ,
	  ACT_DEVICES_LIST, &api_devices },
	{ METHOD_GET, "/api/v1/customers", api_list_route, R_API | R_READ,
	  ACT_CUSTOMERS, &api_customers },
	{ METHOD_POST, "/api/v1/customers", api_customer_create, R_API,
	  ACT_CUSTOMERS, NULL },
	{ METHOD_GET, "/api/v1/customers/{id}", api_get_route, R_API | R_READ,
	  ACT_CUSTOMERS, &api_customers },
	{ METHOD_PATCH, "/api/v1/customers/{id}", api_customer_update, R_API,
	  ACT_CUSTOMERS, NULL },
	{ METHOD_GET, "/api/v1/customers/{id}/profile", api_get_route,
	  R_API | R_READ, ACT_ACCOUNT_PROFILE, &api_account_profiles },
	{ METHOD_PATCH, "/api/v1/customers/{id}/profile",
	  api_account_profile_update, R_API, ACT_ACCOUNT_PROFILE, NULL },
	{ METHOD_GET, "/api/v1/users", api_list_route, R_API | R_READ,
	  ACT_USERS, &api_users },
	{ METHOD_POST, "/api/v1/users", api_user_create, R_API,
	  ACT_USERS, NULL },
	{ METHOD_GET, "/api/v1/users/export", api_users_export,
	  R_API | R_READ, ACT_USERS, NULL },
	{ METHOD_POST, "/api/v1/users/import", api_users_import, R_API,
	  ACT_USERS, NULL },
	{ METHOD_GET, "/api/v1/users/{id}", api_get_route, R_API | R_READ,
	  ACT_USERS, &api_users },
	{ METHOD_PATCH, "/api/v1/users/{id}", api_user_update, R_API,
	  ACT_USERS, NULL },
	{ METHOD_DELETE, "/api/v1/users/{id}", api_user_delete, R_API,
	  ACT_USERS, NULL },
	{ METHOD_GET, "/api/v1/locations", api_list_route, R_API | R_READ,
	  ACT_LOCATIONS, &api_locations },
	{ METHOD_POST, "/api/v1/locations", api_location_create, R_API,
	  ACT_LOCATIONS, NULL },
	{ METHOD_GET, "/api/v1/locations/{id}", api_get_route, R_API | R_READ,
	  ACT_LOCATIONS, &api_locations },
	/* a charger asks whether a user may use it (issue 15) */
	{ METHOD_POST, "/api/v1/authorize", api_authorize, R_API,
	  ACT_DEVICES_LIST, NULL },
	/* a device reports an RFID scan and is answered likewise */
	{ METHOD_POST, "/api/v1/access/scans", api_access_scan, R_API,
	  ACT_DEVICES_LIST, NULL },
	{ METHOD_GET, "/api/v1/shared", api_shared, R_API | R_READ,
	  ACT_SHARED, NULL },
	{ METHOD_GET, "/api/v1/shared/{id}/devices", api_shared_devices,
	  R_API | R_READ, ACT_SHARED, NULL },
	/* profile and MFA */
	{ METHOD_GET, "/profile", ui_profile_get, 0, ACT_ANY, NULL },
	{ METHOD_POST, "/profile", ui_profile_post, 0, ACT_ANY, NULL },
	{ METHOD_GET, "/profile/password", ui_password_get, R_STAGE_PASSWORD,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/profile/password", ui_password_post, R_STAGE_PASSWORD,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/profile/sessions/{id}/end", ui_session_end, 0,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/profile/sessions/end-others", ui_sessions_end_others,
	  0, ACT_ANY, NULL },
	{ METHOD_GET, "/profile/mfa", ui_mfa_get, R_STAGE_ENROL,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/profile/mfa", ui_mfa_post, R_STAGE_ENROL,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/profile/mfa/disable", ui_mfa_disable, 0,
	  ACT_ANY, NULL },
	{ METHOD_POST, "/profile/mfa/recovery", ui_mfa_recovery, 0,
	  ACT_ANY, NULL },
};

#define TOKEN_MAX 128

static bool
token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * Match path against pattern segment by segment. {id} takes a positive
 * decimal id (parse_id), {sub} a second one (an object of the first:
 * /locations/{id}/shares/{sub}), {token} 1..TOKEN_MAX URL-safe
 * characters.
 */
static bool
pattern_match(const char *pattern, const char *path, struct arena *a,
    int64_t *id, int64_t *sub, const char **token)
{
	const char *p = pattern, *s = path, *end;
	char *seg;

	while (*p != '\0' && *s != '\0') {
		if (strncmp(p, "{id}", 4) == 0 || strncmp(p, "{sub}", 5) == 0 ||
		    strncmp(p, "{token}", 7) == 0) {
			end = strchr(s, '/');
			if (end == NULL)
				end = s + strlen(s);
			if (end == s || end - s > TOKEN_MAX)
				return false;
			seg = arena_strndup(a, s, (size_t)(end - s));
			if (p[1] == 'i' || p[1] == 's') {
				int64_t *to = p[1] == 'i' ? id : sub;

				if ((*to = parse_id(seg)) == 0)
					return false;
				p += p[1] == 'i' ? 4 : 5;
			} else {
				for (const char *c = seg; *c; c++)
					if (!token_char(*c))
						return false;
				*token = seg;
				p += 7;
			}
			s = end;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

enum route_result
route_find(struct request *req, const struct route **out, char *allow,
    size_t allowlen)
{
	enum http_method m = req->method == METHOD_HEAD ? METHOD_GET :
	    req->method;
	bool path_known = false;
	const char *token = NULL;
	int64_t id = 0, sub = 0;
	size_t i, used = 0;

	allow[0] = '\0';
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!pattern_match(routes[i].pattern, req->path, req->arena,
		    &id, &sub, &token))
			continue;
		req->route = routes[i].pattern;
		if (routes[i].method == m) {
			*out = &routes[i];
			req->id = id;
			req->sub_id = sub;
			req->token = token;
			req->route_data = routes[i].data;
			return ROUTE_FOUND;
		}
		path_known = true;
		used += (size_t)snprintf(allow + used, used < allowlen ?
		    allowlen - used : 0, "%s%s", used ? ", " : "",
		    routes[i].method == METHOD_GET ? "GET, HEAD" :
		    http_method_name(routes[i].method));
		if (used >= allowlen)
			used = allowlen - 1;
	}
	return path_known ? ROUTE_BAD_METHOD : ROUTE_NO_PATH;
}

bool
route_exists(const char *path)
{
	size_t i;

	/* fixed paths only (no {id}): the tabs and sections link to those */
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].method == METHOD_GET &&
		    strcmp(routes[i].pattern, path) == 0)
			return true;
	return false;
}

/* Where a user whose login is not complete must go, and whether the
 * route is one of that step's. */
static const char *
stage_page(enum auth_stage stage, unsigned flags)
{
	switch (stage) {
	case STAGE_MFA:
		return flags & R_STAGE_MFA ? NULL : "/login/mfa";
	case STAGE_PASSWORD:
		return flags & R_STAGE_PASSWORD ? NULL : "/profile/password";
	case STAGE_ENROL:
		return flags & R_STAGE_ENROL ? NULL : "/profile/mfa";
	case STAGE_FULL:
		break;
	}
	return NULL;
}

/* Send an anonymous visitor to the login page, remembering where to. */
static void
redirect_to_login(struct request *req)
{
	const char *next = req->path;

	if (req->method != METHOD_GET && req->method != METHOD_HEAD) {
		http_redirect(req, "/login");
		return;
	}
	if (*req->query_string != '\0')
		next = arena_printf(req->arena, "%s?%s", req->path,
		    req->query_string);
	http_redirect(req, arena_printf(req->arena, "/login?next=%s",
	    url_encode(req->arena, next)));
}

const struct route *
route_table(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

static bool
api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0;
}

/* Whether the viewer may use route r: read it (R_READ) or do its
 * action. */
static bool
route_permits(const struct request *req, const struct route *r)
{
	return (r->flags & R_READ) ? perm_may_read(&req->viewer, r->action) :
	    perm_allows(&req->viewer, r->action);
}

/*
 * The gate of an API route: the bearer token stands for the session (no
 * cookie is looked at, so no CSRF token is needed), then the same
 * permission check as for pages. A token whose user still owes a step of
 * signing in is refused, naming the step; a token of scope "read" is
 * refused every route but a GET (HEAD is answered as GET), here, before
 * any handler, so that no handler can forget it.
 */
static void
api_gate(struct request *req, const struct route *r)
{
	const char *why = NULL;
	bool read_only;

	req->no_store = true;
	req->api = true;
	http_viewer(req);	/* nobody yet, from the API */
	switch (token_authenticate(&req->viewer, req->authorization,
	    &req->user, &read_only)) {
	case TOKEN_OK:
		break;
	case TOKEN_REFUSED:
		why = "Send a valid, unexpired API token as \"Authorization: "
		    "Bearer arbor_…\".";
		break;
	case TOKEN_PASSWORD_DUE:
		why = "The user of this token must change their password "
		    "first: sign in to Arbor to change it.";
		break;
	case TOKEN_ENROL_DUE:
		why = "The user of this token must set up two-factor "
		    "authentication first, which their customer requires: "
		    "sign in to Arbor to set it up.";
		break;
	}
	if (why != NULL) {
		http_header(req, "WWW-Authenticate", "Bearer realm=\"arbor\"");
		api_problem(req, 401, why, NULL);
		return;
	}
	if (read_only && r->method != METHOD_GET) {
		api_problem(req, 403, "This token's scope is \"read\": it may "
		    "only read (GET). Create a token of scope \"write\" to "
		    "change data.", NULL);
		return;
	}
	http_viewer(req);
	if (!route_permits(req, r)) {
		api_problem(req, 403, "Your permission groups do not allow "
		    "this.", NULL);
		return;
	}
	r->handler(req);
}

void
route_dispatch(struct request *req)
{
	const struct route *r = NULL;
	const char *stage_to;
	bool api = api_path(req->path);
	char allow[128];
	enum route_result found = route_find(req, &r, allow, sizeof(allow));

	/* a probe's answer is the same with any cookie, and writes none
	 * (resuming a session would write its last use) */
	if (!api && !(found == ROUTE_FOUND && (r->flags & R_PROBE))) {
		session_load(req);
		if (req->method == METHOD_GET || req->method == METHOD_HEAD)
			flash_take(req);
	}
	http_viewer(req);
	switch (found) {
	case ROUTE_NO_PATH:
		if (api)
			api_problem(req, 404, "There is no such resource.",
			    NULL);
		else
			page_error(req, 404, "There is no page at this "
			    "address.");
		return;
	case ROUTE_BAD_METHOD:
		http_header(req, "Allow", allow);
		if (api)
			api_problem(req, 405, "This resource does not accept "
			    "that method.", NULL);
		else
			page_error(req, 405, "This page does not accept that "
			    "kind of request.");
		return;
	case ROUTE_FOUND:
		break;
	}
	if (r->flags & R_API) {
		api_gate(req, r);
		return;
	}
	if (r->method == METHOD_POST && !csrf_valid(req)) {
		page_error(req, 403, "This form was not sent from an Arbor "
		    "page of your current session, or it has expired. Go "
		    "back, reload the page and try again.");
		return;
	}
	if (!(r->flags & R_PUBLIC)) {
		if (req->user == NULL) {
			redirect_to_login(req);
			return;
		}
		req->no_store = true;
		stage_to = stage_page(session_stage(req), r->flags);
		if (stage_to != NULL) {
			http_redirect(req, stage_to);
			return;
		}
		if (!route_permits(req, r)) {
			page_error(req, 403, "Your permission groups do not "
			    "allow this page.");
			return;
		}
	}
	if (req->user != NULL)
		req->no_store = true;
	r->handler(req);
}
