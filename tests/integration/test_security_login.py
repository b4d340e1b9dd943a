"""Issue 12, signing in: lockout across the MFA step, current-password checks,
lockout per account and address, throttles and session caps, new session ids,
the `next` redirect and rate-limited 409 answers.

The module's stack runs with small limits (SETTINGS) so that each can be
reached in a few requests. Every test signs in from a loopback address of its
own (127.0.0.N, see address()): the server counts per client address, so the
tests do not share their counts.
"""
import html
import itertools
import json
import os
import re
import statistics
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import PASSWORD, Client, assert_html_page  # noqa: E402
from fixtures import STACK, make_user, start_stack, uid  # noqa: E402
from test_mfa import enrol, totp  # noqa: E402

SETTINGS = {
    'session': {'max_per_user': 3},
    'login': {'max_failures_per_ip': 12, 'max_attempts_per_ip_minute': 20,
              'max_password_checks': 3, 'max_taken_per_ip': 3},
}
NEW_PASSWORD = 'a fresh passphrase for this test'
WRONG_PASSWORD = 'not the password at all'
_addresses = itertools.count(10)


def setUpModule():
    default = STACK.settings
    STACK.settings = SETTINGS
    unittest.addModuleCleanup(setattr, STACK, 'settings', default)
    start_stack()


def address():
    """A client address no other test of the module uses."""
    return f'127.0.0.{next(_addresses)}'


def browser(source=None):
    return Client(STACK, source=source or address())


def sign_in(c, username, password=PASSWORD, next=None):
    """The password step's answer."""
    c.get('/login')
    fields = {'username': username, 'password': password}
    if next is not None:
        fields['next'] = next
    return c.post('/login', fields)


def masked(text, username):
    """A login page without what may differ between two answers: the csrf
    token and the username typed."""
    text = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r'\1', text)
    text = re.sub(r'(value=")[^"]*("[^>]*name="csrf_token")', r'\1\2', text)
    return text.replace(html.escape(username), 'USERNAME')


def enrolled(username, c):
    """Sign c in as a new user username and turn MFA on; the secret."""
    make_user(username)
    assert sign_in(c, username).status == 303
    return enrol(c)[0]


def wrong_code(secret):
    return '%06d' % ((int(totp(secret)) + 3) % 1000000)


def failures(subject):
    rows = STACK.query('SELECT failures FROM auth_failures WHERE subject = ?', subject)
    return rows[0][0] if rows else None


def event_count(kind, detail=None):
    """Events of kind (with detail, from a page or the API)."""
    if detail is None:
        return STACK.query('SELECT count(*) FROM events WHERE kind = ?', kind)[0][0]
    return STACK.query('SELECT count(*) FROM events WHERE kind = ? AND detail IN (?, ?)',
                       kind, detail, f'{detail} (API)')[0][0]


class Api:
    """The JSON API with token from address source."""

    def __init__(self, token, source):
        self.client = Client(STACK, source=source)
        self.token = token

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else b''
        r = self.client.request(method, path, data, {
            'Authorization': f'Bearer {self.token}', 'Content-Type': 'application/json'})
        r.json = json.loads(r.text) if r.text else None
        return r


def new_token(c):
    """A token of c's user, made on the Tokens page."""
    c.get('/tokens')
    expires = re.search(r'name="expires_on" type="date" value="([^"]+)"',
                        c.get('/tokens').text).group(1)
    r = c.post('/tokens/new', {'name': 'script', 'expires_on': expires})
    assert r.status == 303, r
    r = c.get(r.location)
    return re.search(r'id="token-secret">([^<]+)<', r.text).group(1)


class MfaLockoutTests(unittest.TestCase):
    def test_wrong_mfa_codes_lock_the_account(self):
        """Item 1: password + 4 wrong codes, twice, locks the account from this
        address: the right password does not clear the codes' failures, only
        the whole sign-in does."""
        c = browser()
        secret = enrolled('sl.mfa', c)
        c.logout()
        subject = f'user:{uid("sl.mfa")}@{c.source[0]}'
        wrong = wrong_code(secret)
        r = sign_in(c, 'sl.mfa')
        self.assertEqual((r.status, r.location), (303, '/login/mfa'))
        for _ in range(4):
            self.assertEqual(c.post('/login/mfa', {'code': wrong}).status, 401)
        # the right password again: the four wrong codes still count
        self.assertEqual(sign_in(c, 'sl.mfa').status, 303)
        self.assertEqual(failures(subject), 4)
        r = c.post('/login/mfa', {'code': wrong})
        self.assertEqual((r.status, r.location), (303, '/login'))
        self.assertIsNone(c.session_token)
        self.assertIn('Too many failed attempts', c.get('/login').text)
        self.assertEqual(event_count('lockout', subject), 1)
        # locked: the right password is answered like a wrong one
        r = sign_in(c, 'sl.mfa')
        self.assertEqual(r.status, 401)
        self.assertIn('Wrong username or password', r.text)
        self.assertIsNone(c.session_token)
        # the lock over, the whole sign-in clears the count
        STACK.query('UPDATE auth_failures SET locked_until = 1 WHERE subject = ?', subject)
        self.assertEqual(sign_in(c, 'sl.mfa').status, 303)
        self.assertEqual(c.post('/login/mfa', {'code': wrong}).status, 401)
        self.assertEqual(failures(subject), 1)
        r = c.post('/login/mfa', {'code': totp(secret, 30)})
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        self.assertIsNone(failures(subject))


class PasswordCheckTests(unittest.TestCase):
    def test_wrong_current_passwords_end_the_session(self):
        """Item 5: wrong current passwords on the three forms that ask for it
        add up per account, whichever session; the 3rd (max_password_checks)
        ends the session it was typed in. A right one clears the count."""
        c = browser()
        secret = enrolled('sl.check', c)
        me = uid('sl.check')
        other = browser()
        self.assertEqual(sign_in(other, 'sl.check').status, 303)
        self.assertEqual(other.post('/login/mfa', {'code': totp(secret, 30)}).status, 303)
        c.get('/profile/password')
        r = c.post('/profile/password', {'current_password': WRONG_PASSWORD,
                                         'new_password': NEW_PASSWORD,
                                         'confirm_password': NEW_PASSWORD})
        self.assertEqual(r.status, 400)
        self.assertIn('id="current_password-error"', r.text)
        c.get('/profile/mfa')
        r = c.post('/profile/mfa/disable', {'password': WRONG_PASSWORD,
                                            'code': wrong_code(secret)})
        self.assertEqual(r.status, 400)
        self.assertEqual(failures(f'check:user:{me}'), 2)
        # the right password (with a wrong code) clears the count
        r = c.post('/profile/mfa/recovery', {'password': PASSWORD, 'code': wrong_code(secret)})
        self.assertEqual(r.status, 400)
        self.assertIsNone(failures(f'check:user:{me}'))
        for _ in range(2):
            r = c.post('/profile/mfa/recovery', {'password': WRONG_PASSWORD,
                                                 'code': wrong_code(secret)})
            self.assertEqual(r.status, 400)
        # the 3rd, from the other session: that one ends
        other.get('/profile/password')
        r = other.post('/profile/password', {'current_password': WRONG_PASSWORD,
                                             'new_password': NEW_PASSWORD,
                                             'confirm_password': NEW_PASSWORD})
        self.assertEqual((r.status, r.location), (303, '/login'))
        self.assertIsNone(other.session_token)
        self.assertIn('Too many wrong passwords', other.get('/login').text)
        self.assertEqual(event_count('password_check_failed'), 5)
        self.assertEqual(event_count('password_check_restart'), 1)
        # the password is unchanged, the first session lives on
        self.assertEqual(c.get('/profile').status, 200)
        self.assertEqual(sign_in(browser(), 'sl.check').status, 303)


class LockoutTests(unittest.TestCase):
    def test_locked_attempt_answers_like_a_wrong_password(self):
        """Item 6: once locked, even the right password gets the wrong
        password's answer: status, page and (argon2id) time."""
        make_user('sl.guessed')
        c = browser()
        pages, times = [], []
        for i in range(7):
            start = time.monotonic()
            r = sign_in(c, 'sl.guessed', f'{WRONG_PASSWORD} {i}')
            times.append(time.monotonic() - start)
            self.assertEqual(r.status, 401, i)
            pages.append(masked(r.text, 'sl.guessed'))
        locked_times = []
        for _ in range(5):      # a median of five: a busy machine stalls one or two
            start = time.monotonic()
            r = sign_in(c, 'sl.guessed')
            locked_times.append(time.monotonic() - start)
            assert_html_page(r)
            self.assertEqual(r.status, 401)
            self.assertEqual(masked(r.text, 'sl.guessed'), pages[0])
            self.assertNotRegex(r.text, r'(?i)\block')
            self.assertIsNone(c.session_token)
        self.assertEqual(len(set(pages)), 1)
        self.assertNotRegex(pages[0], r'(?i)\block')
        self.assertGreater(statistics.median(locked_times), statistics.median(times) / 2,
                           (locked_times, times))
        self.assertEqual(event_count('lockout', f'user:{uid("sl.guessed")}@{c.source[0]}'), 1)

    def test_a_stranger_elsewhere_cannot_lock_the_owner_out(self):
        """Item 6: failures lock the account per client address."""
        make_user('sl.victim')
        stranger = browser()
        for i in range(6):
            self.assertEqual(sign_in(stranger, 'sl.victim', f'guess {i}').status, 401)
        owner = browser()
        r = sign_in(owner, 'sl.victim')
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        self.assertEqual(owner.get('/accounts').status, 200)

    def test_an_unknown_name_reads_like_a_known_one(self):
        """Item 6: an e-mail, its username and an unknown name answer alike, and
        typing the e-mail then the username does not link them."""
        make_user('sl.known')
        sequences = {
            'e-mail': ['sl.known@test.example'] * 6,
            'unknown': ['nobody.known@test.example'] * 6,
            'e-mail then username': ['sl.known@test.example'] * 4 + ['sl.known'] * 2,
        }
        answers = {}
        for what, names in sequences.items():
            c = browser()
            answers[what] = [(r.status, masked(r.text, name)) for name in names
                             for r in [sign_in(c, name, WRONG_PASSWORD)]]
        first = answers['e-mail'][0]
        self.assertEqual(first[0], 401)
        for what, got in answers.items():
            self.assertEqual(got, [first] * 6, what)

    def test_the_address_limit_stands_on_top(self):
        """Item 6: one address's failures across accounts (12 here) stop it for
        every name, known or not, and say so without naming an account; another
        address goes on."""
        for name in ('sl.ip1', 'sl.ip2'):
            make_user(name)
        c = browser()
        for name in ('sl.ip1', 'sl.ip2', 'nobody.ip1', 'nobody.ip2'):
            for i in range(3):
                self.assertEqual(sign_in(c, name, f'{WRONG_PASSWORD} {i}').status, 401)
        known, unknown = sign_in(c, 'sl.ip1'), sign_in(c, 'nobody.ip3', PASSWORD)
        self.assertEqual((known.status, unknown.status), (429, 429))
        self.assertIn('from your address', known.text)
        self.assertEqual(masked(known.text, 'sl.ip1'), masked(unknown.text, 'nobody.ip3'))
        self.assertIsNone(c.session_token)
        self.assertEqual(sign_in(browser(), 'sl.ip1').status, 303)


class ThrottleAndCapTests(unittest.TestCase):
    def test_live_sessions_per_user_are_capped(self):
        """Item 9: a 4th sign-in (max_per_user 3) ends the oldest session."""
        make_user('sl.cap')
        source = address()
        clients = [browser(source) for _ in range(4)]
        for c in clients:
            self.assertEqual(sign_in(c, 'sl.cap').status, 303)
        self.assertEqual(STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?',
                                     uid('sl.cap'))[0][0], 3)
        r = clients[0].get('/accounts')
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith('/login'), r.location)
        for c in clients[1:]:
            self.assertEqual(c.get('/accounts').status, 200)

    def test_logins_are_throttled_per_address(self):
        """Item 9: 20 sign-ins a minute from one address (max_attempts_per_ip_minute),
        right ones too; the 21st is refused before the password is checked;
        another address goes on."""
        make_user('sl.rate')
        source = address()
        for i in range(20):
            self.assertEqual(sign_in(browser(source), 'sl.rate').status, 303, i)
        c = browser(source)
        r = sign_in(c, 'sl.rate')
        self.assertEqual(r.status, 429)
        assert_html_page(r)
        self.assertIn('Too many sign-in attempts from your address', r.text)
        self.assertIsNone(c.session_token)
        self.assertEqual(event_count('login_throttled', f'rate:{source}'), 1)
        self.assertEqual(sign_in(browser(), 'sl.rate').status, 303)


class SessionIdTests(unittest.TestCase):
    def assertReplaced(self, c, old):
        """c's session has a new token that works; old works no more."""
        self.assertIsNotNone(c.session_token)
        self.assertNotEqual(c.session_token, old)
        self.assertEqual(c.get('/accounts').status, 200)
        stale = Client(STACK, source=c.source[0])
        stale.cookies = dict(c.cookies, **{'__Host-arbor_session': old})
        r = stale.get('/accounts')
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith('/login'), r.location)

    def test_session_id_rotates_when_the_mfa_step_completes(self):
        c = browser()
        secret = enrolled('sl.rotate.mfa', c)
        c.logout()
        self.assertEqual(sign_in(c, 'sl.rotate.mfa').status, 303)
        old = c.session_token
        r = c.post('/login/mfa', {'code': totp(secret, 30)})
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        self.assertReplaced(c, old)

    def test_session_id_rotates_on_a_password_change(self):
        make_user('sl.rotate.pw')
        c, other = browser(), browser()
        self.assertEqual(sign_in(c, 'sl.rotate.pw').status, 303)
        self.assertEqual(sign_in(other, 'sl.rotate.pw').status, 303)
        old = c.session_token
        c.get('/profile/password')
        r = c.post('/profile/password', {'current_password': PASSWORD,
                                         'new_password': NEW_PASSWORD,
                                         'confirm_password': NEW_PASSWORD})
        self.assertEqual((r.status, r.location), (303, '/profile'))
        self.assertReplaced(c, old)
        self.assertEqual(c.get('/profile').status, 200)
        self.assertEqual(other.get('/accounts').status, 303)


class NextTests(unittest.TestCase):
    def test_next_is_percent_encoded_in_location(self):
        make_user('sl.next')
        c = browser()
        r = sign_in(c, 'sl.next', next='/users?q=a b"<\u00e9>')
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header('Location'), '/users?q=a%20b%22%3C%C3%A9%3E')
        # already encoded, it stays as it is; signed in, GET /login goes there
        r = c.get('/login?next=%2Fusers%3Fq%3Da%2520b%20c')
        self.assertEqual((r.status, r.header('Location')), (303, '/users?q=a%20b%20c'))


class TakenTests(unittest.TestCase):
    def test_taken_answers_are_rate_limited_per_address(self):
        """409s (taken e-mail, username, unit id: page or API) count per
        address; after 3 (max_taken_per_ip) every save of a user or device
        from there is refused with 429, taken or not."""
        source = address()
        c = browser(source)
        self.assertEqual(sign_in(c, 'admin').status, 303)
        api = Api(new_token(c), source)
        northwind = STACK.query("SELECT id FROM customers WHERE name = 'Northwind Fleet'")[0][0]
        taken_email = STACK.query("SELECT email FROM users WHERE username = 'operator'")[0][0]
        taken_unit = STACK.query('SELECT unit_id FROM devices ORDER BY id LIMIT 1')[0][0]
        c.get('/users/new')
        r = c.post('/users/new', {'email': taken_email, 'username': 'sl.taken1',
                                  'customer_id': northwind, 'password_mode': 'welcome',
                                  'active': '1'})
        self.assertEqual(r.status, 400)
        self.assertIn('already in use', r.text)
        user = {'email': 'sl.free@test.example', 'username': 'sl.free', 'customer_id': northwind}
        r = api.call('POST', '/api/v1/users', dict(user, username='operator'))
        self.assertEqual((r.status, r.json['field']), (409, 'username'))
        r = api.call('POST', '/api/v1/devices', {'unit_id': taken_unit, 'name': 'Van',
                                                 'customer_id': northwind})
        self.assertEqual(r.status, 409)
        self.assertEqual(event_count('lockout', f'taken:{source}'), 1)
        # from now on nothing from there is saved, taken or not
        for body in (user, dict(user, email=taken_email)):
            r = api.call('POST', '/api/v1/users', body)
            self.assertEqual((r.status, r.json['field']), (429, 'email'), body)
        c.get('/devices/new')
        r = c.post('/devices/new', {'unit_id': 'SL-FREE-1', 'name': 'Van',
                                    'customer_id': northwind})
        self.assertEqual(r.status, 429)
        c.get('/users/new')
        r = c.post('/users/new', dict(user, password_mode='welcome', active='1'))
        self.assertEqual(r.status, 429)
        self.assertIn('Too many changes from your address', r.text)
        self.assertEqual(STACK.query("SELECT count(*) FROM users WHERE username = 'sl.free'")[0][0]
                         + STACK.query("SELECT count(*) FROM devices "
                                       "WHERE unit_id = 'SL-FREE-1'")[0][0], 0)
        # another address still learns that it is taken
        elsewhere = Api(api.token, address())
        r = elsewhere.call('POST', '/api/v1/users', dict(user, email=taken_email))
        self.assertEqual(r.status, 409)
