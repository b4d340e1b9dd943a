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
void ui_login_mfa_get(struct request *req);
void ui_login_mfa_post(struct request *req);
void ui_logout(struct request *req);

/* ui-health.c (issue 18) */
void ui_healthz(struct request *req);

/* ui-accounts.c */
void ui_accounts(struct request *req);
void ui_accounts_security_get(struct request *req);
void ui_accounts_security_post(struct request *req);

/* ui-customers.c, ui-locations.c (issue 4) */
void ui_customers(struct request *req);
void ui_customer_new_get(struct request *req);
void ui_customer_new_post(struct request *req);
void ui_customer_get(struct request *req);
void ui_customer_post(struct request *req);
void ui_account_profile_get(struct request *req);
void ui_account_profile_post(struct request *req);
void ui_locations(struct request *req);
void ui_location_new_get(struct request *req);
void ui_location_new_post(struct request *req);
void ui_location_get(struct request *req);
void ui_location_post(struct request *req);
void ui_location_delete_get(struct request *req);
void ui_location_delete_post(struct request *req);

/* ui-users.c, ui-password.c (issue 4) */
void ui_users_list(struct request *req);
void ui_user_new_get(struct request *req);
void ui_user_new_post(struct request *req);
void ui_user_edit_get(struct request *req);
void ui_user_edit_post(struct request *req);
void ui_user_delete_get(struct request *req);
void ui_user_delete_post(struct request *req);
void ui_user_mfa_reset(struct request *req);
void ui_password_forgot_get(struct request *req);
void ui_password_forgot_post(struct request *req);
/* GET/POST /password/setup/{token} and /password/reset/{token} */
void ui_password_link_get(struct request *req);
void ui_password_link_post(struct request *req);

/* ui-devices.c */
void ui_devices(struct request *req);
void ui_device(struct request *req);
void ui_device_new_get(struct request *req);
void ui_device_new_post(struct request *req);
void ui_device_edit_get(struct request *req);
void ui_device_edit_post(struct request *req);
void ui_devices_manage_get(struct request *req);
void ui_devices_manage_post(struct request *req);

/* ui-access.c: RFID tags and the scan history (issue 15) */
void ui_access(struct request *req);
void ui_access_tags(struct request *req);
void ui_access_tag_new_get(struct request *req);
void ui_access_tag_new_post(struct request *req);
void ui_access_tag_get(struct request *req);
void ui_access_tag_post(struct request *req);

/* ui-tokens.c */
/* ui-groups.c: user groups (issue 15) */
void ui_operator_groups(struct request *req);
void ui_operator_group_new_get(struct request *req);
void ui_operator_group_new_post(struct request *req);
void ui_operator_group_get(struct request *req);
void ui_operator_group_post(struct request *req);
void ui_operator_group_delete_get(struct request *req);
void ui_operator_group_delete_post(struct request *req);
void ui_groups(struct request *req);
void ui_group_get(struct request *req);
void ui_group_post(struct request *req);
void ui_group_members_post(struct request *req);
void ui_group_member_remove(struct request *req);
void ui_group_devices_post(struct request *req);
void ui_group_device_remove(struct request *req);
/* ui-shares.c: location shares (issue 16) */
void ui_location_shares_get(struct request *req);
void ui_location_shares_post(struct request *req);
void ui_location_share_revoke(struct request *req);
void ui_share_get(struct request *req);
void ui_share_post(struct request *req);
void ui_shared(struct request *req);
void ui_shared_location(struct request *req);
void ui_tokens(struct request *req);
void ui_token_new(struct request *req);
void ui_token_created(struct request *req);
void ui_token_revoke_get(struct request *req);
void ui_token_revoke(struct request *req);

/* ui-profile.c */
void ui_profile_get(struct request *req);
void ui_profile_post(struct request *req);
void ui_password_get(struct request *req);
void ui_password_post(struct request *req);
void ui_session_end(struct request *req);
void ui_sessions_end_others(struct request *req);

/* ui-mfa.c */
void ui_mfa_get(struct request *req);
void ui_mfa_post(struct request *req);
void ui_mfa_disable(struct request *req);
void ui_mfa_recovery(struct request *req);

/* api-*.c: the JSON API (R_API routes). Lists and single objects of a
 * resource go through api.c's two handlers with the route's resource. */
struct api_resource;
void api_list_route(struct request *req);
void api_get_route(struct request *req);
extern const struct api_resource api_devices, api_customers, api_users,
    api_locations, api_account_profiles;
void api_me(struct request *req);
void api_device_create(struct request *req);
void api_devices_assign(struct request *req);
/* api-customers.c, api-users.c, api-locations.c (issue 6) */
void api_customer_create(struct request *req);
void api_customer_update(struct request *req);
void api_account_profile_update(struct request *req);
void api_user_create(struct request *req);
void api_user_update(struct request *req);
void api_user_delete(struct request *req);
void api_location_create(struct request *req);
/* api-access.c: the access decision (issue 15) */
void api_authorize(struct request *req);
void api_users_export(struct request *req);
void api_users_import(struct request *req);
void api_access_scan(struct request *req);
/* api-shares.c: a Location Facilitator's shared locations (issue 16) */
void api_shared(struct request *req);
void api_shared_devices(struct request *req);

/* ui-invites.c */
void ui_invites(struct request *req);
void ui_invite_new_get(struct request *req);
void ui_invite_new_post(struct request *req);
void ui_invite_get(struct request *req);
void ui_invite_resend(struct request *req);
void ui_invite_revoke(struct request *req);

/* ui-join.c */
void ui_join_links_get(struct request *req);
void ui_join_links_post(struct request *req);
void ui_join_link_revoke(struct request *req);
void ui_signup_domains_get(struct request *req);
void ui_signup_domains_post(struct request *req);

/* ui-import.c */
void ui_users_export(struct request *req);
void ui_users_import_get(struct request *req);
void ui_users_import_post(struct request *req);
void ui_accounts_export(struct request *req);
void ui_accounts_import_get(struct request *req);
void ui_accounts_import_post(struct request *req);

/* ui-onboard.c */
void ui_invite_accept_get(struct request *req);
void ui_invite_accept_post(struct request *req);
void ui_join_get(struct request *req);
void ui_join_post(struct request *req);
void ui_join_confirm_get(struct request *req);
void ui_join_confirm_post(struct request *req);
void ui_signup_get(struct request *req);
void ui_signup_post(struct request *req);
void ui_signup_finish_get(struct request *req);
void ui_signup_finish_post(struct request *req);

#endif
