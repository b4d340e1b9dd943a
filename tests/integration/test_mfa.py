"""MFA with TOTP, brute-force protection, enforced MFA and the Profile tab.

Codes are computed with oathtool (Debian's oath-toolkit) from the secret the
enrolment page shows in #mfa-secret, as a user's authenticator app would.
Every test uses its own users (made by make_user), so their TOTP steps,
failure counts and sessions do not interfere.
"""
import html
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import (PASSWORD, Client, assert_html_page,  # noqa: E402
                         tidy_check)
from fixtures import STACK, logged_in, make_user, setUpModule  # noqa: E402


def totp(secret, offset=0):
    """The code oathtool computes for now + offset seconds."""
    out = subprocess.run(['oathtool', '--totp', '-b', secret, '-N',
                          f'@{int(time.time()) + offset}'],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def element_text(page, element_id):
    """The words inside the element with element_id (a <code> or <ul>)."""
    m = re.search(r'<(\w+) id="%s"[^>]*>(.*?)</\1>' % element_id, page, re.S)
    assert m, f'no #{element_id} in page'
    return html.unescape(re.sub(r'<[^>]+>', ' ', m.group(2))).split()


def enrol(client):
    """Enrol the signed-in user; returns (secret, recovery codes)."""
    r = client.get('/profile/mfa')
    assert r.status == 200, r
    assert r.header('Cache-Control') == 'no-store'
    secret = element_text(r.text, 'mfa-secret')[0]
    r = client.post('/profile/mfa', {'code': totp(secret)})
    assert r.status == 200, r
    codes = element_text(r.text, 'recovery-codes')
    assert len(codes) == 10, codes
    return secret, codes


def signed_in(username):
    """A client signed in as a new user (make_user) of that name."""
    make_user(username)
    return logged_in(username)


def enrolled(username):
    """A new user with MFA on, signed out again: (client, secret, codes)."""
    c = signed_in(username)
    secret, codes = enrol(c)
    c.logout()
    return c, secret, codes


def login_password(client, username):
    client.get('/login')
    return client.post('/login', {'username': username, 'password': PASSWORD})


def qr_payload(page):
    """Decode the enrolment page's SVG QR code with zbarimg, via a PGM."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', page).group(1))
    dark = [[False] * size for _ in range(size)]
    for x, y, w in re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="1"', page):
        for i in range(int(w)):
            dark[int(y)][int(x) + i] = True
    scale = 6
    rows = []
    for row in dark:
        line = bytes(0 if d else 255 for d in row for _ in range(scale))
        rows.extend([line] * scale)
    with tempfile.NamedTemporaryFile(suffix='.pgm') as f:
        f.write(b'P5 %d %d 255\n' % (size * scale, size * scale) + b''.join(rows))
        f.flush()
        out = subprocess.run(['zbarimg', '--raw', '-q', f.name],
                             capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


class EnrolmentTests(unittest.TestCase):
    def test_enrolment_page_secret_and_qr(self):
        """The page shows a base32 secret of >= 160 bits and a QR code that decodes
        to exactly the otpauth:// URI; each visit makes a new secret."""
        c = signed_in('mfa.page')
        r = c.get('/profile/mfa')
        assert_html_page(r)
        tidy_check(r.text)
        self.assertEqual(r.header('Cache-Control'), 'no-store')
        secret = element_text(r.text, 'mfa-secret')[0]
        self.assertRegex(secret, r'^[A-Z2-7]{32,}$')  # 32 chars = 160 bits
        uri = qr_payload(r.text)
        self.assertEqual(uri, f'otpauth://totp/Arbor:mfa.page?secret={secret}'
                              '&issuer=Arbor&algorithm=SHA1&digits=6&period=30')
        again = element_text(c.get('/profile/mfa').text, 'mfa-secret')[0]
        self.assertNotEqual(again, secret)
        # the secret is stored sealed, never in clear
        stored = STACK.query("SELECT totp_secret FROM users WHERE username = 'mfa.page'")[0][0]
        self.assertNotIn(again.encode(), stored)

    def test_wrong_code_does_not_enrol(self):
        """A wrong code leaves MFA off; the same secret is offered again."""
        c = signed_in('mfa.wrong')
        secret = element_text(c.get('/profile/mfa').text, 'mfa-secret')[0]
        wrong = '%06d' % ((int(totp(secret)) + 1) % 1000000)
        r = c.post('/profile/mfa', {'code': wrong})
        self.assertEqual(r.status, 400)
        self.assertIn('class="error"', r.text)
        self.assertEqual(element_text(r.text, 'mfa-secret')[0], secret)
        self.assertEqual(STACK.query(
            "SELECT totp_enabled FROM users WHERE username = 'mfa.wrong'")[0][0], 0)

    def test_login_with_code_and_reuse_refused(self):
        """After enrolment a login needs a code; the same code is refused again,
        from another session too; the MFA step blocks every other page."""
        c, secret, _ = enrolled('mfa.login')

        r = login_password(c, 'mfa.login')
        self.assertEqual(r.status, 303)
        self.assertEqual(r.location, '/login/mfa')
        for path in ('/accounts', '/profile', '/profile/mfa', '/profile/password'):
            r = c.get(path)
            self.assertEqual((r.status, r.location), (303, '/login/mfa'), path)
        code = totp(secret, 30)
        r = c.post('/login/mfa', {'code': code})
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        self.assertEqual(c.get('/accounts').status, 200)

        other = Client(STACK)
        login_password(other, 'mfa.login')
        r = other.post('/login/mfa', {'code': code})
        self.assertEqual(r.status, 401)
        self.assertEqual(other.get('/accounts').location, '/login/mfa')

    def test_five_wrong_codes_restart_login(self):
        """After 5 wrong codes the session ends and the login starts over."""
        c, secret, _ = enrolled('mfa.five')
        login_password(c, 'mfa.five')
        token = c.session_token
        wrong = '%06d' % ((int(totp(secret)) + 500000) % 1000000)
        for _ in range(4):
            self.assertEqual(c.post('/login/mfa', {'code': wrong}).status, 401)
        r = c.post('/login/mfa', {'code': wrong})
        self.assertEqual((r.status, r.location), (303, '/login'))
        self.assertEqual(STACK.query(
            'SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id '
            "WHERE u.username = 'mfa.five'")[0][0], 0)
        c.cookies['__Host-arbor_session'] = token
        self.assertEqual(c.get('/accounts').status, 303)

    def test_recovery_code_works_once(self):
        """A recovery code passes the MFA step once, never twice."""
        c, _, codes = enrolled('mfa.recovery')
        login_password(c, 'mfa.recovery')
        r = c.post('/login/mfa', {'code': codes[0].upper()})
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        c.logout()
        login_password(c, 'mfa.recovery')
        self.assertEqual(c.post('/login/mfa', {'code': codes[0]}).status, 401)
        self.assertEqual(c.post('/login/mfa', {'code': codes[1]}).status, 303)
        stored = STACK.query(
            'SELECT code_hash FROM recovery_codes r JOIN users u ON u.id = r.user_id '
            "WHERE u.username = 'mfa.recovery'")
        self.assertEqual(len(stored), 10)
        for (h,) in stored:
            self.assertNotIn(codes[2].encode(), h)

    def test_disable_needs_password_and_code(self):
        """Turning MFA off needs the password and a current code."""
        c = signed_in('mfa.off')
        secret, _ = enrol(c)
        c.get('/profile/mfa')
        r = c.post('/profile/mfa/disable', {'password': 'wrong password!', 'code': totp(secret, 30)})
        self.assertEqual(r.status, 400)
        self.assertEqual(STACK.query(
            "SELECT totp_enabled FROM users WHERE username = 'mfa.off'")[0][0], 1)
        c.get('/profile/mfa')
        # the failed attempt rolled back: its code is still unused
        r = c.post('/profile/mfa/disable', {'password': PASSWORD, 'code': totp(secret, 30)})
        self.assertEqual(r.status, 303)
        self.assertEqual(STACK.query(
            "SELECT totp_enabled, totp_secret FROM users WHERE username = 'mfa.off'")[0],
            (0, None))


class EnforcementTests(unittest.TestCase):
    def test_required_mfa_forces_enrolment_everywhere(self):
        """With require_mfa on a customer above, a user without MFA is sent to
        enrolment from every page until done, and cannot turn MFA off after."""
        with STACK.db() as db:
            db.execute("INSERT INTO customers (parent_id, path, depth, name, email, country, "
                       "require_mfa, created_at, updated_at) SELECT id, 'tmp', 2, "
                       "'Enforced', 'e@x.example', 'DK', 1, 0, 0 FROM customers "
                       "WHERE name = 'Northwind Denmark'")
            db.execute("UPDATE customers SET path = (SELECT path FROM customers "
                       "WHERE name = 'Northwind Denmark') || id || '/' WHERE path = 'tmp'")
            db.execute("INSERT INTO customers (parent_id, path, depth, name, email, country, "
                       "created_at, updated_at) SELECT id, 'tmp', 3, 'Below', "
                       "'b@x.example', 'DK', 0, 0 FROM customers WHERE name = 'Enforced'")
            db.execute("UPDATE customers SET path = (SELECT path FROM customers "
                       "WHERE name = 'Enforced') || id || '/' WHERE path = 'tmp'")
        make_user('mfa.forced', customer='Below', groups=1)
        c = Client(STACK)
        r = login_password(c, 'mfa.forced')
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        for path in ('/accounts', '/profile', '/users', '/customers', '/locations',
                     '/profile/password', '/'):
            r = c.get(path)
            self.assertEqual((r.status, r.location), (303, '/profile/mfa'), path)
        c.get('/profile/mfa')
        r = c.post('/profile', {'time_zone': 'UTC', 'time_format': '24h', 'units': 'metric'})
        self.assertEqual((r.status, r.location), (303, '/profile/mfa'))
        r = c.get('/profile/mfa')
        self.assertEqual(r.status, 200)
        self.assertIn('requires two-factor', r.text)
        secret, _ = enrol(c)
        self.assertEqual(c.get('/accounts').status, 200)
        r = c.get('/profile/mfa')
        self.assertNotIn('/profile/mfa/disable', r.text)
        r = c.post('/profile/mfa/disable', {'password': PASSWORD, 'code': totp(secret, 30)})
        self.assertEqual(r.status, 403)
        self.assertEqual(STACK.query(
            "SELECT totp_enabled FROM users WHERE username = 'mfa.forced'")[0][0], 1)


class BruteForceTests(unittest.TestCase):
    # issue 12: a locked account answers like a wrong password (401, the same
    # page) where it answered 429; the count is per account and address
    def wrong_message(self, r):
        self.assertEqual(r.status, 401)
        self.assertIn('Wrong username or password', r.text)

    def test_lockout_after_five_failures_and_expiry(self):
        """5 wrong passwords lock the account from this address (even the right
        password is then refused, like a wrong one); the lock ends when its time
        is over; success resets."""
        make_user('bf.user')
        c = Client(STACK)
        for i in range(4):
            c.get('/login')
            r = c.post('/login', {'username': 'bf.user', 'password': f'wrong-{i}'})
            self.assertEqual(r.status, 401)
        c.get('/login')
        self.wrong_message(c.post('/login', {'username': 'bf.user', 'password': 'wrong-5'}))
        c.get('/login')
        self.wrong_message(c.post('/login', {'username': 'bf.user', 'password': PASSWORD}))
        self.assertIsNone(c.session_token)
        subject = 'user:%d@127.0.0.1' % STACK.query(
            "SELECT id FROM users WHERE username = 'bf.user'")[0][0]
        self.assertEqual(STACK.query(
            "SELECT count(*) FROM events WHERE kind = 'lockout' AND detail = ?", subject)[0][0], 1)
        with STACK.db() as db:
            db.execute("UPDATE auth_failures SET locked_until = 1 WHERE subject = ?", (subject,))
        c.login('bf.user')
        self.assertEqual(STACK.query(
            "SELECT count(*) FROM auth_failures WHERE subject = ?", subject)[0][0], 0)

    def test_unknown_username_reads_the_same(self):
        """An unknown username locks and answers exactly like a known one."""
        c = Client(STACK)
        statuses = []
        for i in range(5):
            c.get('/login')
            statuses.append(c.post('/login', {'username': 'nobody.here',
                                              'password': f'x-{i}'}).status)
        self.assertEqual(statuses, [401, 401, 401, 401, 401])
        self.assertEqual(STACK.query("SELECT count(*) FROM events WHERE kind = 'lockout' "
                                     "AND detail = 'name:nobody.here@127.0.0.1'")[0][0], 1)

    def test_wrong_mfa_codes_count_against_the_account(self):
        """Wrong MFA codes count like wrong passwords."""
        c, secret, _ = enrolled('bf.mfa')
        wrong = '%06d' % ((int(totp(secret)) + 3) % 1000000)
        login_password(c, 'bf.mfa')
        for _ in range(4):
            c.post('/login/mfa', {'code': wrong})
        # the session ended on the 5th in a row is not needed: the count is shared
        self.assertEqual(STACK.query(
            "SELECT failures FROM auth_failures WHERE subject = "
            "'user:' || (SELECT id FROM users WHERE username = 'bf.mfa') || '@127.0.0.1'")[0][0],
            4)


class ProfileTests(unittest.TestCase):
    def test_settings_are_saved_and_used_for_times(self):
        """Time zone, format and units are saved; the sessions list shows times
        in them; a zone not in the tz database is refused."""
        c = signed_in('pr.settings')
        r = c.get('/profile')
        assert_html_page(r)
        tidy_check(r.text)
        r = c.post('/profile', {'time_zone': 'Mars/Olympus', 'time_format': '12h',
                                'units': 'imperial'})
        self.assertEqual(r.status, 400)
        self.assertIn('class="error"', r.text)
        r = c.post('/profile', {'time_zone': 'America/New_York', 'time_format': '12h',
                                'units': 'imperial'})
        self.assertEqual((r.status, r.location), (303, '/profile'))
        r = c.get('/profile')
        self.assertIn('class="flash"', r.text)
        self.assertRegex(r.text, r'\d{4}-\d\d-\d\d \d\d:\d\d [AP]M E[SD]T')
        self.assertEqual(STACK.query(
            "SELECT time_zone, time_format, units FROM users WHERE username = 'pr.settings'")[0],
            ('America/New_York', '12h', 'imperial'))

    def test_password_change_rules_and_other_sessions_end(self):
        """Current password required; policy enforced; other sessions end, this
        one stays."""
        make_user('pr.pass')
        a, b = Client(STACK), Client(STACK)
        a.login('pr.pass')
        b.login('pr.pass')
        a.get('/profile/password')
        cases = [
            ({'current_password': 'not it at all', 'new_password': 'a fine new passphrase'}, 'current_password'),
            ({'current_password': PASSWORD, 'new_password': 'too short'}, 'new_password'),
            ({'current_password': PASSWORD, 'new_password': 'pr.pass@test.example'}, 'new_password'),
            ({'current_password': PASSWORD, 'new_password': 'administrator'}, 'new_password'),
        ]
        for fields, field in cases:
            r = a.post('/profile/password', fields)
            self.assertEqual(r.status, 400, fields)
            self.assertIn(f'id="{field}-error"', r.text)
        self.assertEqual(b.get('/accounts').status, 200)
        r = a.post('/profile/password', {'current_password': PASSWORD,
                                         'new_password': 'a fine new passphrase ünïcode',
                                         'confirm_password': 'a fine new passphrase ünïcode'})
        self.assertEqual((r.status, r.location), (303, '/profile'))
        self.assertEqual(a.get('/accounts').status, 200)
        self.assertEqual(b.get('/accounts').status, 303)
        c = Client(STACK)
        c.login('pr.pass', password='a fine new passphrase ünïcode')

    def test_forced_change_at_first_login(self):
        """A password set by an administrator must be changed before anything else."""
        make_user('pr.forced', must_change=1)
        c = Client(STACK)
        r = login_password(c, 'pr.forced')
        for path in ('/accounts', '/profile', '/profile/mfa'):
            r = c.get(path)
            self.assertEqual((r.status, r.location), (303, '/profile/password'), path)
        r = c.get('/profile/password')
        self.assertEqual(r.status, 200)
        r = c.post('/profile/password', {'current_password': PASSWORD,
                                         'new_password': 'my own long passphrase',
                                         'confirm_password': 'my own long passphrase'})
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        self.assertEqual(c.get('/accounts').status, 200)

    def test_sessions_list_and_sign_out(self):
        """The sessions list shows each session; one can be signed out, then all
        others; another user's session id ends nothing."""
        make_user('pr.sessions')
        a, b, c = Client(STACK), Client(STACK), Client(STACK)
        for client in (a, b, c):
            client.login('pr.sessions')
        r = a.get('/profile')
        ids = re.findall(r'/profile/sessions/(\d+)/end', r.text)
        self.assertEqual(len(ids), 3)
        self.assertIn('arbor-integration-tests', r.text)
        foreign = Client(STACK)
        foreign.login('driver')
        own_b = STACK.query(
            'SELECT max(s.id) FROM sessions s JOIN users u ON u.id = s.user_id '
            "WHERE u.username = 'pr.sessions'")[0][0]
        foreign.get('/profile')
        self.assertEqual(foreign.post(f'/profile/sessions/{own_b}/end').status, 404)
        self.assertEqual(c.get('/accounts').status, 200)
        a.get('/profile')
        r = a.post('/profile/sessions/end-others')
        self.assertEqual(r.status, 303)
        self.assertEqual(a.get('/accounts').status, 200)
        self.assertEqual(b.get('/accounts').status, 303)
        self.assertEqual(c.get('/accounts').status, 303)


if __name__ == '__main__':
    unittest.main()
