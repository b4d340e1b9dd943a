"""Foundation: login, logout, sessions, CSRF, bad input, routing, headers, /accounts.

One demo Stack serves the whole module. The login limiter allows 5 failures
per 15 minutes (per user and per address, and every request comes from
127.0.0.1), so this module makes only 3 failed logins in all.
"""
import html
import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import (PASSWORD, PRE_COOKIE, SESSION_COOKIE, Client,  # noqa: E402
                         assert_html_page, assert_security_headers, cookie_deleted,
                         parse_page, tidy_check)
from fixtures import (STACK, control as input_named, last_event_id, logged_in,  # noqa: E402
                      setUpModule, uid as user_id)

SUBSECTIONS = {'/customers', '/users', '/devices', '/locations'}
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


def events_since(event_id):
    return STACK.query('SELECT kind, user_id FROM events WHERE id > ? ORDER BY id', event_id)


def session_count():
    return STACK.query('SELECT count(*) FROM sessions')[0][0]


def newest_session(username):
    return STACK.query('SELECT id FROM sessions WHERE user_id = ? ORDER BY id DESC LIMIT 1',
                       user_id(username))[0][0]


def customer_of(username):
    """(name, e-mail) of the customer the user belongs to."""
    return STACK.query('SELECT c.name, c.email FROM users u JOIN customers c '
                       'ON c.id = u.customer_id WHERE u.username = ?', username)[0]


def link_paths(text):
    return {urllib.parse.urlsplit(href).path for href in parse_page(text)[0]}


class ArborTest(unittest.TestCase):
    maxDiff = None

    def client(self):
        return Client(STACK)

    logged_in = staticmethod(logged_in)

    def assertRedirect(self, resp, location):
        self.assertEqual(resp.status, 303, resp)
        self.assertEqual(resp.location, location)

    def assertSentToLogin(self, resp):
        self.assertEqual(resp.status, 303, resp)
        self.assertTrue((resp.location or '').startswith('/login'), resp.location)

    def assertNoSessionCookie(self, resp):
        cookie = resp.cookie(SESSION_COOKIE)
        self.assertTrue(cookie is None or cookie_deleted(*cookie),
                        f'a session cookie was set: {resp.set_cookies}')

    def assertAlive(self, client):
        self.assertEqual(client.get('/accounts').status, 200, 'session should be alive')


class LoginPageTests(ArborTest):
    def test_login_form_has_fields_csrf_and_pre_login_cookie(self):
        """GET /login: an HTML form with csrf_token, username, password and a __Host- pre cookie."""
        r = self.client().get('/login')
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        assert_security_headers(r)
        csrf = input_named(r.text, 'csrf_token')
        self.assertIsNotNone(csrf, 'no csrf_token field')
        self.assertEqual(csrf.get('type'), 'hidden')
        self.assertTrue(csrf.get('value'), 'empty csrf_token')
        self.assertIsNotNone(input_named(r.text, 'username'), 'no username field')
        self.assertEqual((input_named(r.text, 'password') or {}).get('type'), 'password')
        value, attrs = r.cookie(PRE_COOKIE) or (None, {})
        self.assertTrue(value, f'no {PRE_COOKIE} cookie: {r.set_cookies}')
        self.assertEqual(attrs.get('path'), '/')
        self.assertIn('secure', attrs)
        self.assertIn('httponly', attrs)

    def test_login_form_carries_next(self):
        """GET /login?next=… puts the wanted path in the hidden next field."""
        r = self.client().get('/login?next=%2Faccounts%3Fx%3D1')
        self.assertEqual(r.status, 200, r)
        field = input_named(r.text, 'next')
        self.assertIsNotNone(field, 'no next field')
        self.assertEqual(field.get('value'), '/accounts?x=1')


class LoginTests(ArborTest):
    def test_login_sets_session_cookie_and_redirects_to_accounts(self):
        """A right password: 303 to /accounts and a Secure HttpOnly SameSite=Lax session cookie."""
        c = self.client()
        r = c.login('admin')
        self.assertRedirect(r, '/accounts')
        token, attrs = r.cookie(SESSION_COOKIE)
        self.assertGreaterEqual(len(token), 32, 'session token looks too short to be random')
        self.assertEqual(attrs.get('path'), '/')
        self.assertIn('secure', attrs)
        self.assertIn('httponly', attrs)
        self.assertEqual(attrs.get('samesite', '').lower(), 'lax')
        self.assertNotIn('domain', attrs, '__Host- cookies must not have a Domain')
        self.assertAlive(c)

    def test_login_by_email(self):
        """The username field also takes the user's e-mail address."""
        c = self.client()
        self.assertRedirect(c.login('admin@northwind.example'), '/accounts')
        r = c.get('/accounts')
        self.assertEqual(r.status, 200, r)
        self.assertIn('Northwind Fleet', r.text)

    def test_failed_logins_are_indistinguishable(self):
        """Wrong password, unknown or inactive user: same 401 page, no session, an event each."""
        former_email = STACK.query("SELECT email FROM users WHERE username = 'former'")[0][0]
        attempts = [('admin@northwind.example', 'not-the-password'),
                    ('nobody@northwind.example', PASSWORD),
                    (former_email, PASSWORD)]
        sessions_before = session_count()
        pages = []
        for username, password in attempts:
            with self.subTest(username=username):
                mark = last_event_id()
                c = self.client()
                c.get('/login')
                r = c.post('/login', {'username': username, 'password': password})
                pages.append(self.masked(r.text, username))
                self.assertEqual(r.status, 401, r)
                assert_html_page(r)
                self.assertIn('Wrong username or password', r.text)
                self.assertNoSessionCookie(r)
                self.assertIsNone(c.session_token)
                kinds = [kind for kind, _ in events_since(mark)]
                self.assertIn('login_failed', kinds)
                self.assertNotIn('login', kinds)
        self.assertEqual(session_count(), sessions_before, 'a failed login created a session')
        self.assertEqual(pages[0], pages[1], 'wrong password and unknown user differ')
        self.assertEqual(pages[0], pages[2], 'wrong password and inactive user differ')

    @staticmethod
    def masked(text, username):
        """The page without what may legitimately differ: csrf token and echoed username."""
        text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r'\1', text)
        text = re.sub(r'(value=")[^"]*("[^>]*name="csrf_token")', r'\1\2', text)
        return text.replace(html.escape(username), 'USERNAME')

    def test_each_login_gets_a_new_session_token(self):
        """Every login issues a fresh token, never one chosen by the browser or used before."""
        first = self.logged_in('admin')
        second = self.logged_in('admin')
        self.assertNotEqual(first.session_token, second.session_token)
        old = first.session_token
        first.logout()
        first.login('admin')
        self.assertNotIn(first.session_token, (old, second.session_token))
        fixated = self.client()
        fixated.cookies[SESSION_COOKIE] = 'A' * 43
        fixated.login('admin')
        self.assertNotEqual(fixated.session_token, 'A' * 43)


class CsrfTests(ArborTest):
    CREDENTIALS = {'username': 'admin', 'password': PASSWORD}

    def assertLoginRefused(self, client, csrf):
        sessions_before, mark = session_count(), last_event_id()
        r = client.post('/login', self.CREDENTIALS, csrf=csrf)
        self.assertEqual(r.status, 403, r)
        self.assertNoSessionCookie(r)
        self.assertEqual(session_count(), sessions_before, 'a session was created')
        self.assertNotIn('login', [kind for kind, _ in events_since(mark)])

    def test_login_without_csrf_token_is_refused(self):
        """POST /login with no csrf_token: 403, no session, no login event."""
        c = self.client()
        c.get('/login')
        self.assertLoginRefused(c, csrf=False)

    def test_login_with_forged_csrf_token_is_refused(self):
        """POST /login with a made-up csrf_token: 403."""
        c = self.client()
        c.get('/login')
        self.assertLoginRefused(c, csrf='A' * 43)

    def test_login_with_another_browsers_csrf_token_is_refused(self):
        """The login token is bound to its own pre-login cookie."""
        other = self.client()
        other.get('/login')
        c = self.client()
        c.get('/login')
        self.assertNotEqual(other.csrf, c.csrf)
        self.assertLoginRefused(c, csrf=other.csrf)

    def test_logout_without_csrf_token_is_refused(self):
        """POST /logout with no token: 403 and the session is still alive."""
        c = self.logged_in('admin')
        self.assertEqual(c.post('/logout', csrf=False).status, 403)
        self.assertAlive(c)

    def test_logout_with_another_sessions_csrf_token_is_refused(self):
        """A token taken from another session's page cannot log this session out."""
        victim = self.logged_in('admin')
        attacker = self.logged_in('dk.admin')
        attacker.get('/accounts')
        self.assertTrue(attacker.csrf, 'no csrf_token (logout form) on /accounts')
        r = victim.post('/logout', csrf=attacker.csrf)
        self.assertEqual(r.status, 403, r)
        self.assertAlive(victim)
        self.assertAlive(attacker)


class LogoutTests(ArborTest):
    def test_logout_ends_the_session(self):
        """POST /logout: 303 /login, and the old cookie no longer opens /accounts."""
        c = self.logged_in('admin')
        token = c.session_token
        self.assertAlive(c)
        c.logout()
        self.assertSentToLogin(c.get('/accounts'))
        replay = self.client()
        replay.cookies[SESSION_COOKIE] = token
        self.assertSentToLogin(replay.get('/accounts'))


class SessionExpiryTests(ArborTest):
    def age_session(self, username, **columns):
        assignments = ', '.join(f'{name} = ?' for name in columns)
        STACK.query(f'UPDATE sessions SET {assignments} WHERE id = ?',
                    *columns.values(), newest_session(username))

    def test_idle_session_expires_after_30_minutes(self):
        """A session unused for 29 minutes works; one unused for 31 minutes is logged out."""
        c = self.logged_in('se.user')
        now = int(time.time())
        self.age_session('se.user', last_seen_at=now - 29 * 60)
        self.assertAlive(c)
        self.age_session('se.user', last_seen_at=now - 31 * 60)
        self.assertRedirect(c.get('/accounts'), '/login?next=%2Faccounts')

    def test_session_expires_12_hours_after_login(self):
        """A busy session created 11 h ago works; one created over 12 h ago is logged out."""
        c = self.logged_in('se.user')
        now = int(time.time())
        self.age_session('se.user', created_at=now - 11 * 3600, last_seen_at=now)
        self.assertAlive(c)
        self.age_session('se.user', created_at=now - 12 * 3600 - 60, last_seen_at=now)
        self.assertRedirect(c.get('/accounts'), '/login?next=%2Faccounts')

    def test_session_token_in_url_is_ignored(self):
        """A valid token in the query string instead of the cookie does not log in."""
        token = self.logged_in('admin').session_token
        quoted = urllib.parse.quote(token, safe='')
        for name in ('session', SESSION_COOKIE, 'arbor_session', 'token'):
            with self.subTest(name=name):
                self.assertSentToLogin(self.client().get(f'/accounts?{name}={quoted}'))


class NextTests(ArborTest):
    def test_next_is_followed_only_for_local_paths(self):
        """next= is honoured for a local path; other sites and tricks fall back to /accounts."""
        cases = [('/accounts?x=1', '/accounts?x=1'),
                 ('//evil.example', '/accounts'),
                 ('https://evil.example', '/accounts'),
                 ('/\\evil', '/accounts'),
                 ('/\\/evil.example', '/accounts'),
                 ('javascript:alert(1)', '/accounts'),
                 ('', '/accounts')]
        for next_path, want in cases:
            with self.subTest(next=next_path):
                self.assertRedirect(self.client().login('admin', next=next_path), want)

    def test_next_round_trip_from_login_redirect(self):
        """/accounts?x=1 → login form → after login, back to /accounts?x=1."""
        c = self.client()
        r = c.get('/accounts?x=1')
        self.assertSentToLogin(r)
        form = c.get(r.location)
        self.assertEqual(form.status, 200, form)
        next_path = (input_named(form.text, 'next') or {}).get('value')
        self.assertEqual(next_path, '/accounts?x=1')
        r = c.post('/login', {'username': 'admin', 'password': PASSWORD, 'next': next_path})
        self.assertRedirect(r, '/accounts?x=1')


class BadInputTests(ArborTest):
    def assertBadRequest(self, r):
        self.assertEqual(r.status, 400, r)
        assert_html_page(r)
        assert_security_headers(r)

    def post_raw(self, body):
        """POST /login with a raw body that starts with a valid csrf_token."""
        c = self.client()
        c.get('/login')
        token = urllib.parse.quote(c.csrf, safe='')
        r = c.request('POST', '/login', f'csrf_token={token}&'.encode() + body, FORM)
        self.assertNoSessionCookie(r)
        return r

    def test_malformed_query_is_400(self):
        """Bad percent-encoding or an encoded NUL in the query: 400 page."""
        for query in ('x=%zz', 'x=%4', 'x=%', 'x=a%00b', 'next=%2'):
            with self.subTest(query=query):
                self.assertBadRequest(self.client().get(f'/login?{query}'))

    def test_malformed_form_body_is_400(self):
        """Bad percent-encoding or an encoded NUL in a POST body: 400, no login."""
        for body in (b'username=%zz&password=x', b'username=admin&password=%4',
                     b'username=ad%00min&password=' + PASSWORD.encode()):
            with self.subTest(body=body):
                self.assertBadRequest(self.post_raw(body))

    def test_too_many_fields_is_400(self):
        """More than 1000 form fields: 400."""
        body = '&'.join(f'f{i}=1' for i in range(1001)).encode()
        self.assertBadRequest(self.post_raw(b'username=admin&password=x&' + body))

    def test_field_over_512_kib_is_400(self):
        """One field value over 512 KiB (body still under 1 MiB): 400."""
        body = b'password=x&username=' + b'a' * (512 * 1024 + 1)
        self.assertBadRequest(self.post_raw(body))

    def test_body_over_1_mib_is_413_with_security_headers(self):
        """A body over 1 MiB: 413 from nginx, still with CSP and nosniff."""
        r = self.client().request('POST', '/login', b'a=' + b'b' * (1024 * 1024), FORM)
        self.assertEqual(r.status, 413, r)
        assert_security_headers(r, referrer_policy=False)


class RoutingTests(ArborTest):
    def test_unknown_route_is_404_page(self):
        """An unknown path: 404 HTML page with the security headers, tidy-clean."""
        for client in (self.client(), self.logged_in('admin')):
            r = client.get('/no-such-page')
            self.assertEqual(r.status, 404, r)
            assert_html_page(r)
            assert_security_headers(r)
            tidy_check(r.text)

    def test_wrong_method_is_405_with_allow(self):
        """A known path with a wrong method: 405 and an Allow header naming the right ones."""
        c = self.logged_in('admin')
        c.get('/accounts')
        cases = [(c, 'POST', '/accounts', {'GET'}),
                 (self.client(), 'DELETE', '/login', {'GET', 'POST'}),
                 (self.client(), 'PUT', '/login', {'GET', 'POST'})]
        for client, method, path, allowed in cases:
            with self.subTest(method=method, path=path):
                body = f'csrf_token={urllib.parse.quote(c.csrf or "")}'.encode()
                r = client.request(method, path, body, FORM)
                self.assertEqual(r.status, 405, r)
                allow = {m.strip().upper() for m in (r.header('Allow') or '').split(',')}
                self.assertTrue(allowed <= allow, f'Allow: {r.header("Allow")!r}')
                self.assertNotIn(method, allow)


class HeaderTests(ArborTest):
    def test_app_pages_carry_security_headers(self):
        """/login, /accounts, 404 and 400 pages all send CSP, nosniff and Referrer-Policy."""
        anonymous, admin = self.client(), self.logged_in('admin')
        for client, path in ((anonymous, '/login'), (admin, '/accounts'),
                             (anonymous, '/no-such-page'), (anonymous, '/login?x=%zz'),
                             (anonymous, '/accounts')):
            with self.subTest(path=path):
                assert_security_headers(client.get(path))

    def test_pages_behind_login_are_not_cached(self):
        """/accounts: Cache-Control: no-store."""
        r = self.logged_in('admin').get('/accounts')
        self.assertEqual(r.status, 200, r)
        self.assertIn('no-store', (r.header('Cache-Control') or '').lower())

    def test_static_css_is_served_with_charset_and_headers(self):
        """/static/arbor.css: 200 text/css with a charset, CSP and nosniff."""
        r = self.client().get('/static/arbor.css')
        self.assertEqual(r.status, 200, r)
        ctype = (r.header('Content-Type') or '').lower().replace(' ', '')
        self.assertEqual(ctype, 'text/css;charset=utf-8')
        assert_security_headers(r, referrer_policy=False)

    def test_pages_are_tidy_clean(self):
        """/login, /accounts and the 404 page have no HTML errors."""
        admin = self.logged_in('admin')
        for client, path in ((self.client(), '/login'), (admin, '/accounts'),
                             (self.client(), '/no-such-page')):
            with self.subTest(path=path):
                tidy_check(client.get(path).text)


class AccountsTests(ArborTest):
    def accounts_page(self, username):
        r = self.logged_in(username).get('/accounts')
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        return r.text

    def built_sections(self):
        """The subsections this build serves: the page never links to a tab
        that is not there yet (a 404), so those are not expected."""
        admin = self.logged_in('admin')
        return {p for p in SUBSECTIONS if admin.get(p).status != 404}

    def assertSubsections(self, username, expected):
        text = self.accounts_page(username)
        name, email = customer_of(username)
        self.assertIn(html.escape(name), text)
        self.assertIn(html.escape(email), text)
        self.assertEqual(link_paths(text) & SUBSECTIONS, expected & self.built_sections())
        return text

    def test_accounts_requires_login(self):
        """/accounts without a session: 303 to /login?next=%2Faccounts."""
        self.assertRedirect(self.client().get('/accounts'), '/login?next=%2Faccounts')

    def test_admin_with_all_groups_sees_every_subsection(self):
        """admin: Northwind Fleet, its e-mail, links to all four subsections."""
        text = self.assertSubsections('admin', SUBSECTIONS)
        self.assertIn('Northwind Fleet', text)
        self.assertNotIn('Contoso Charging', text)

    def test_account_administrator_sees_own_subtree_only(self):
        """dk.admin: Northwind Denmark with users/devices/locations, never parent or siblings."""
        text = self.assertSubsections('dk.admin', {'/users', '/devices', '/locations'})
        self.assertIn('Northwind Denmark', text)
        for hidden in ('Northwind Fleet', 'Contoso Charging', 'Northwind Sweden'):
            self.assertNotIn(hidden, text)

    def test_user_without_groups_sees_no_subsections(self):
        """driver: Aarhus and no subsection links."""
        text = self.assertSubsections('driver', set())
        self.assertIn('Aarhus', text)
        self.assertNotIn('Northwind Fleet', text)

    def test_full_device_access_sees_devices_only(self):
        """se.user: only the /devices link."""
        self.assertIn('Northwind Sweden', self.assertSubsections('se.user', {'/devices'}))

    def test_operator_sees_every_account(self):
        """operator: both root accounts."""
        text = self.accounts_page('operator')
        self.assertIn('Northwind Fleet', text)
        self.assertIn('Contoso Charging', text)

    def test_every_tab_serves_its_page(self):
        """The tabs follow the permission matrix alone: each one shown (all
        nine for admin and the operator, three for a user without groups)
        serves a page."""
        for username, count in (('admin', 10), ('operator', 10), ('driver', 3)):
            c = self.logged_in(username)
            nav = re.search(r'<nav class="main-nav".*?</nav>', c.get('/accounts').text, re.S)
            tabs = re.findall(r'<a href="([^"]+)"', nav.group(0))
            self.assertEqual(len(tabs), count, (username, tabs))
            for href in tabs:
                self.assertEqual(c.get(href).status, 200, (username, href))

    def test_other_tenant_sees_nothing_of_northwind(self):
        """contoso.admin: Contoso Charging and nothing of Northwind."""
        text = self.assertSubsections('contoso.admin', SUBSECTIONS)
        self.assertIn('Contoso Charging', text)
        self.assertNotIn('Northwind', text)


class EventTests(ArborTest):
    def test_login_and_logout_write_events(self):
        """A login writes a 'login' event and a logout a 'logout' event for the user."""
        uid = user_id('contoso.admin')
        mark = last_event_id()
        c = self.logged_in('contoso.admin')
        self.assertIn(('login', uid), events_since(mark))
        mark = last_event_id()
        c.logout()
        self.assertIn(('logout', uid), events_since(mark))


if __name__ == '__main__':
    unittest.main(verbosity=2)
