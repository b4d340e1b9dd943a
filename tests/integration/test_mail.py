"""Mail and password links: the welcome mail's set-up link, forgot password and
the reset link (single use, expiry, sessions ended), the .eml spool, SMTP
delivery to a real server on loopback (aiosmtpd) with retries and back-off,
and `arborctl mail send --loop` stopping on SIGTERM.
"""
import email
import email.header
import email.policy
import glob
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import (PASSWORD, SESSION_COOKIE, Client, Stack, assert_html_page,  # noqa: E402
                         free_port, tidy_check)
from fixtures import STACK, cid, logged_in, setUpModule, uid  # noqa: E402

NEW_PASSWORD = 'Copper-Meadow-Violin-2390'
LINK_RE = re.compile(r'(/password/(setup|reset)/[A-Za-z0-9_-]{43})')


def spool_files(stack=None):
    return sorted(glob.glob(os.path.join((stack or STACK).var, 'mail', '*.eml')))


def parse_eml(path):
    with open(path, 'rb') as f:
        raw = f.read()
    return raw, email.message_from_bytes(raw, policy=email.policy.default)


def message_to(recipient, stack=None):
    """The spooled message to recipient (there must be exactly one)."""
    found = []
    for path in spool_files(stack):
        raw, msg = parse_eml(path)
        if msg['To'] == recipient:
            found.append((path, raw, msg))
    assert len(found) == 1, f'{len(found)} messages to {recipient}'
    return found[0]


def link_in(msg, stack=None):
    body = msg.get_body(('plain',)).get_content()
    m = LINK_RE.search(body)
    assert m, f'no link in {body!r}'
    assert (stack or STACK).url(m.group(1)) in body, 'the link is absolute, on base_url'
    return m.group(1)


class MailTest(unittest.TestCase):
    maxDiff = None

    logged_in = staticmethod(logged_in)

    def create_welcome(self, username, customer='Aarhus', stack=None, full_name=''):
        stack = stack or STACK
        c = self.logged_in('admin', stack=stack)
        c.get('/users/new')
        r = c.post('/users/new', [('email', f'{username}@example.test'), ('username', username),
                                  ('customer_id', str(cid(customer, stack))),
                                  ('password_mode', 'welcome'), ('active', '1'),
                                  ('full_name', full_name)])
        self.assertEqual(r.status, 303, r)
        return int(r.location.rsplit('/', 1)[1])

    def send(self, stack=None, check=True):
        return (stack or STACK).arborctl('mail', 'send', check=check)

    def set_password(self, client, link, password=NEW_PASSWORD, confirm=None):
        client.get(link)
        return client.post(link, [('new_password', password),
                                  ('confirm_password', password if confirm is None else confirm)])


class WelcomeMailTests(MailTest):
    def test_welcome_mail_link_sets_the_password_once(self):
        new = self.create_welcome('welcome.user', full_name='Wéll Come')
        self.assertEqual(STACK.query('SELECT count(*) FROM mail_queue WHERE sent_at IS NULL '
                                     'AND recipient = ?', 'welcome.user@example.test')[0][0], 1)
        p = self.send()
        self.assertIn('sent', p.stdout)
        path, raw, msg = message_to('welcome.user@example.test')
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        # RFC 5322 with the MIME headers; the non-ASCII subject RFC 2047-encoded
        self.assertIn(b'\r\n\r\n', raw)
        self.assertNotRegex(raw, rb'[^\r]\n', 'every line ends in CRLF')
        self.assertRegex(raw, rb'(?m)^Subject: =\?UTF-8\?B\?')
        self.assertEqual(str(msg['Subject']), 'Welcome to Arbor – set your password')
        self.assertEqual(msg['From'], 'arbor@localhost')
        self.assertRegex(msg['Message-ID'], r'^<arbor\.\d+\.\d+\.[0-9a-f]{16}@localhost>$')
        self.assertIsNotNone(msg['Date'].datetime)
        self.assertEqual(msg['MIME-Version'], '1.0')
        self.assertEqual(msg.get_content_type(), 'text/plain')
        self.assertEqual(msg.get_content_charset(), 'utf-8')
        self.assertEqual(msg['Content-Transfer-Encoding'], '8bit')
        body = msg.get_body().get_content()
        self.assertIn('Hello Wéll Come', body)
        self.assertIn('welcome.user', body)
        self.assertNotIn(PASSWORD, body)
        self.assertEqual(STACK.query('SELECT attempts, sent_at IS NOT NULL, last_error, body '
                                     'FROM mail_queue WHERE recipient = ?',
                                     'welcome.user@example.test'), [(1, 1, None, '')],
                         'a delivered body (with its live link) is not kept')
        link = link_in(msg)
        self.assertTrue(link.startswith('/password/setup/'))
        token = link.rsplit('/', 1)[1]
        self.assertNotIn(token, STACK.worker_log(), 'tokens never reach the log')

        visitor = Client(STACK)
        r = visitor.get(link)
        self.assertEqual(r.status, 200, r)
        assert_html_page(r)
        tidy_check(r.text)
        self.assertIn('no-store', r.header('Cache-Control'))
        self.assertIn('welcome.user', r.text)
        # the checks: the same password twice, the policy
        r = self.set_password(visitor, link, confirm='Copper-Meadow-Violin-2391')
        self.assertEqual(r.status, 400)
        self.assertIn('id="confirm_password-error"', r.text)
        r = self.set_password(visitor, link, password='welcome.user')
        self.assertEqual(r.status, 400)
        self.assertIn('id="new_password-error"', r.text)
        self.assertIsNone(STACK.query('SELECT password_hash FROM users WHERE id = ?', new)[0][0])
        r = visitor.post(link, [('new_password', NEW_PASSWORD),
                                ('confirm_password', NEW_PASSWORD)], csrf=False)
        self.assertEqual(r.status, 403, 'a link page form needs its CSRF token too')
        r = self.set_password(visitor, link)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, '/login')
        self.assertIn('Your password is set.', visitor.get('/login').text)
        self.assertIn((new, 'setup'), [tuple(r) for r in STACK.query(
            "SELECT user_id, detail FROM events WHERE kind = 'password_reset'")])
        # the new user signs in and lands on /accounts (no forced change)
        u = Client(STACK)
        r = u.login('welcome.user', NEW_PASSWORD)
        self.assertEqual(r.location, '/accounts')
        self.assertEqual(u.get('/accounts').status, 200)
        # the link a second time: refused, GET and POST, nothing changed
        hash_before = STACK.query('SELECT password_hash FROM users WHERE id = ?', new)[0][0]
        again = Client(STACK)
        r = again.get(link)
        self.assertEqual(r.status, 404)
        self.assertIn('expired or was already used', r.text)
        assert_html_page(r)
        tidy_check(r.text)
        r = self.set_password(again, link, password='Another-Harbor-Lamp-5521')
        self.assertEqual(r.status, 404)
        self.assertEqual(STACK.query('SELECT password_hash FROM users WHERE id = ?', new)[0][0],
                         hash_before)
        # the same token as a reset link is not a reset link
        self.assertEqual(Client(STACK).get('/password/reset/' + token).status, 404)

    def test_expired_link_is_refused(self):
        new = self.create_welcome('expired.user')
        self.send()
        link = link_in(message_to('expired.user@example.test')[2])
        STACK.query('UPDATE user_links SET expires_at = ? WHERE user_id = ?',
                    int(time.time()) - 1, new)
        c = Client(STACK)
        r = c.get(link)
        self.assertEqual(r.status, 404)
        self.assertIn('expired or was already used', r.text)
        r = self.set_password(c, link)
        self.assertEqual(r.status, 404)
        self.assertIsNone(STACK.query('SELECT password_hash FROM users WHERE id = ?', new)[0][0])

    def test_malformed_and_unknown_tokens_are_404(self):
        c = Client(STACK)
        for token in ('x', 'A' * 43, 'A' * 42 + '!', 'A' * 44, 'A' * 42 + '.', 'A' * 200):
            for kind in ('setup', 'reset'):
                with self.subTest(token=token, kind=kind):
                    self.assertEqual(c.get(f'/password/{kind}/{token}').status, 404)

    def test_deactivating_voids_a_pending_link(self):
        new = self.create_welcome('voided.user')
        self.send()
        link = link_in(message_to('voided.user@example.test')[2])
        STACK.query('UPDATE users SET active = 0 WHERE id = ?', new)
        self.assertEqual(Client(STACK).get(link).status, 404, 'inactive: refused')
        STACK.query('UPDATE users SET active = 1 WHERE id = ?', new)
        # through the form, deactivation marks the link used
        admin = self.logged_in('admin')
        admin.get(f'/users/{new}')
        r = admin.post(f'/users/{new}', [
            ('email', 'voided.user@example.test'), ('username', 'voided.user'),
            ('customer_id', str(cid('Aarhus'))), ('password_mode', 'keep')])
        self.assertEqual(r.status, 303, r)
        STACK.query('UPDATE users SET active = 1 WHERE id = ?', new)
        self.assertEqual(Client(STACK).get(link).status, 404, 'voided by the deactivation')

    def test_resend_setup_link_from_the_edit_form(self):
        new = self.create_welcome('resend.user')
        admin = self.logged_in('admin')
        admin.get(f'/users/{new}')
        r = admin.post(f'/users/{new}', [
            ('email', 'resend.user@example.test'), ('username', 'resend.user'),
            ('customer_id', str(cid('Aarhus'))), ('password_mode', 'welcome'), ('active', '1')])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query("SELECT count(*) FROM user_links WHERE user_id = ? AND "
                                     "purpose = 'setup'", new)[0][0], 2)
        self.assertEqual(STACK.query('SELECT count(*) FROM mail_queue WHERE recipient = ?',
                                     'resend.user@example.test')[0][0], 2)


class ForgotTests(MailTest):
    def forgot(self, address, client=None):
        c = client or Client(STACK)
        c.get('/password/forgot')
        started = time.monotonic()
        r = c.post('/password/forgot', [('email', address)])
        return r, time.monotonic() - started

    def test_forgot_page(self):
        r = Client(STACK).get('/password/forgot')
        self.assertEqual(r.status, 200)
        assert_html_page(r)
        tidy_check(r.text)
        self.assertIn('name="email"', r.text)
        r, _ = self.forgot('')
        self.assertEqual(r.status, 400)
        self.assertIn('id="email-error"', r.text)

    def test_same_answer_whether_or_not_the_address_exists(self):
        """Known, unknown, inactive and operator addresses: the same page and status; a mail
        only for the known active user."""
        queued = STACK.query('SELECT count(*) FROM mail_queue')[0][0]
        answers = {}
        for address in ('se.user@northwind.example', 'nobody@northwind.example',
                        'former@northwind.example', 'operator@arbor.example'):
            c = Client(STACK)
            r, took = self.forgot(address, c)
            self.assertEqual(r.status, 200, r)
            self.assertLess(took, 5)
            text = r.text.replace(address, 'ADDRESS')
            answers[address] = text.replace(c.csrf, 'CSRF') if c.csrf else text
        self.assertEqual(len(set(answers.values())), 1, 'the answers differ')
        self.assertIn('If an active account uses', answers['nobody@northwind.example'])
        mails = STACK.query('SELECT recipient FROM mail_queue')[queued:]
        self.assertEqual([m[0] for m in mails], ['se.user@northwind.example'])
        links = STACK.query("SELECT expires_at - created_at FROM user_links WHERE purpose = "
                            "'reset' AND user_id = ?", uid('se.user'))
        self.assertEqual(links, [(3600,)])

    def test_reset_link_works_once_and_ends_all_sessions(self):
        a, b = self.logged_in('dk.admin'), self.logged_in('dk.admin')
        self.assertEqual(STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?',
                                     uid('dk.admin'))[0][0], 2)
        r, _ = self.forgot('DK.Admin@northwind.example')   # any case
        self.assertEqual(r.status, 200)
        self.send()
        path, raw, msg = message_to('dk.admin@northwind.example')
        self.assertEqual(str(msg['Subject']), 'Reset your Arbor password')
        link = link_in(msg)
        self.assertTrue(link.startswith('/password/reset/'))
        # signed in as dk.admin in this browser too: that session ends as well
        r = self.set_password(a, link)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, '/login')
        self.assertEqual(STACK.query('SELECT count(*) FROM sessions WHERE user_id = ?',
                                     uid('dk.admin'))[0][0], 0)
        self.assertIsNone(a.session_token, 'the session cookie of this browser is dropped')
        r = b.get('/accounts')
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith('/login'))
        self.logged_in('dk.admin', NEW_PASSWORD)
        c = Client(STACK)
        c.get('/login')
        self.assertEqual(c.post('/login', [('username', 'dk.admin'),
                                           ('password', PASSWORD)]).status, 401)
        self.assertEqual(Client(STACK).get(link).status, 404, 'single use')
        # put the demo password back for the other tests
        STACK.query("UPDATE users SET password_hash = (SELECT password_hash FROM users "
                    "WHERE username = 'admin') WHERE username = 'dk.admin'")

    def test_reset_mails_are_throttled(self):
        before = STACK.query("SELECT count(*) FROM user_links WHERE purpose = 'reset' AND "
                             "user_id = ?", uid('driver'))[0][0]
        texts = set()
        for _ in range(5):
            c = Client(STACK)
            r, _ = self.forgot('driver@northwind.example', c)
            self.assertEqual(r.status, 200)
            texts.add(r.text.replace(c.csrf, 'CSRF') if c.csrf else r.text)
        self.assertEqual(len(texts), 1)
        after = STACK.query("SELECT count(*) FROM user_links WHERE purpose = 'reset' AND "
                            "user_id = ?", uid('driver'))[0][0]
        self.assertEqual(after - before, 3)

    def test_forgot_without_csrf_is_403(self):
        c = Client(STACK)
        c.get('/password/forgot')
        queued = STACK.query('SELECT count(*) FROM mail_queue')[0][0]
        r = c.post('/password/forgot', [('email', 'se.user@northwind.example')], csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(STACK.query('SELECT count(*) FROM mail_queue')[0][0], queued)


class LinkTest(MailTest):
    """A user with a pending reset link, and what a dead link answers."""

    def user_with_reset_link(self, username):
        """A new user of Aarhus with the demo password and a pending reset link from the
        forgot-password page; returns (id, link)."""
        address = f'{username}@example.test'
        STACK.query("INSERT INTO users (customer_id, email, username, full_name, password_hash, "
                    "groups, active, created_at, updated_at) SELECT ?, ?, ?, '', password_hash, "
                    "0, 1, 0, 0 FROM users WHERE username = 'admin'", cid('Aarhus'), address,
                    username)
        c = Client(STACK)
        c.get('/password/forgot')
        self.assertEqual(c.post('/password/forgot', [('email', address)]).status, 200)
        body = STACK.query('SELECT body FROM mail_queue WHERE recipient = ?', address)[0][0]
        link = LINK_RE.search(body).group(1)
        self.assertEqual(Client(STACK).get(link).status, 200, 'the link works until then')
        return uid(username), link

    def assertLinkDead(self, user, link):
        """The link answers 404 to GET and POST and sets nothing; no link of user is open."""
        hash_before = STACK.query('SELECT password_hash FROM users WHERE id = ?', user)[0][0]
        c = Client(STACK)
        r = c.get(link)
        self.assertEqual(r.status, 404)
        self.assertIn('expired or was already used', r.text)
        r = self.set_password(c, link, password='Another-Harbor-Lamp-5521')
        self.assertEqual(r.status, 404)
        self.assertEqual(STACK.query('SELECT password_hash FROM users WHERE id = ?', user)[0][0],
                         hash_before)
        self.assertEqual(STACK.query('SELECT count(*) FROM user_links WHERE user_id = ? AND '
                                     'used_at IS NULL', user)[0][0], 0)


class PasswordSetVoidsLinksTests(LinkTest):
    """However a password is set (profile, administrator, arborctl), the user's
    outstanding set-up and reset links stop working and their other sessions end."""

    def test_a_change_on_the_profile_voids_the_link(self):
        user, link = self.user_with_reset_link('voided.by.profile')
        other = self.logged_in('voided.by.profile')
        me = self.logged_in('voided.by.profile')
        me.get('/profile/password')
        r = me.post('/profile/password', [('current_password', PASSWORD),
                                          ('new_password', NEW_PASSWORD),
                                          ('confirm_password', NEW_PASSWORD)])
        self.assertEqual(r.status, 303, r)
        self.assertLinkDead(user, link)
        self.assertEqual(me.get('/profile').status, 200, 'the session that changed it stays')
        self.assertEqual(other.get('/accounts').status, 303, 'the other one ended')
        self.assertIn((user, user, ''), [tuple(e) for e in STACK.query(
            "SELECT user_id, actor_id, detail FROM events WHERE kind = 'password_changed'")])

    def test_a_password_set_by_an_administrator_voids_the_link(self):
        user, link = self.user_with_reset_link('voided.by.admin')
        admin = self.logged_in('admin')
        admin.get(f'/users/{user}')
        r = admin.post(f'/users/{user}', [
            ('email', 'voided.by.admin@example.test'), ('username', 'voided.by.admin'),
            ('customer_id', str(cid('Aarhus'))), ('password_mode', 'manual'),
            ('password', NEW_PASSWORD), ('confirm_password', NEW_PASSWORD),
            ('active', '1')])
        self.assertEqual(r.status, 303, r)
        self.assertLinkDead(user, link)
        self.assertEqual(STACK.query('SELECT must_change_password FROM users WHERE id = ?',
                                     user)[0][0], 1)
        self.assertIn((user, uid('admin'), ''), [tuple(e) for e in STACK.query(
            "SELECT user_id, actor_id, detail FROM events WHERE kind = 'password_set_by_admin'")])

    def test_arborctl_passwd_voids_the_link_and_ends_the_sessions(self):
        user, link = self.user_with_reset_link('voided.by.cli')
        session = self.logged_in('voided.by.cli')
        p = STACK.arborctl('passwd', 'voided.by.cli', input=NEW_PASSWORD + '\n')
        self.assertIn('password of voided.by.cli changed', p.stdout)
        self.assertLinkDead(user, link)
        self.assertEqual(session.get('/accounts').status, 303)
        self.assertIn((user, None, '(arborctl)'), [tuple(e) for e in STACK.query(
            "SELECT user_id, actor_id, detail FROM events WHERE kind = 'password_set'")])
        # no forced change: the new password leads straight in
        self.assertEqual(Client(STACK).login('voided.by.cli', NEW_PASSWORD).location,
                         '/accounts')


class SenderLoopTests(MailTest):
    def test_loop_delivers_and_stops_on_sigterm(self):
        self.create_welcome('loop.user')
        p = subprocess.Popen([os.path.join(STACK.bin, 'arborctl'), 'mail', 'send', '--loop'],
                             env=STACK.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.time() + 20
            while time.time() < deadline:
                if STACK.query('SELECT sent_at FROM mail_queue WHERE recipient = ?',
                               'loop.user@example.test')[0][0]:
                    break
                time.sleep(0.2)
            self.assertTrue(message_to('loop.user@example.test'))
        finally:
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=15)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn('mail sender stopped', err)

    def test_status_lists_nothing_when_all_is_sent(self):
        self.send(check=False)
        p = STACK.arborctl('mail', 'status')
        self.assertIn('0 queued', p.stdout)


class SmtpServer:
    """aiosmtpd on loopback, keeping every message it receives."""

    def __init__(self, port):
        from aiosmtpd.controller import Controller
        self.messages = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):
                data = getattr(envelope, 'original_content', None) or envelope.content
                server.messages.append((envelope.mail_from, list(envelope.rcpt_tos), data))
                return '250 OK'

        self.controller = Controller(Handler(), hostname='127.0.0.1', port=port)

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()


def port_closed(port):
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) != 0


class SmtpTests(MailTest):
    """A second stack whose arbor.conf names an SMTP server on loopback."""

    @classmethod
    def setUpClass(cls):
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            raise unittest.SkipTest('python3-aiosmtpd is not installed (make deps)')
        cls.port = free_port()
        cls.stack = Stack(demo=True, settings={'mail': {
            'smtp_url': f'smtp://127.0.0.1:{cls.port}', 'from': 'Arbor <arbor@example.test>'}})
        cls.stack.start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_smtp_delivery_retry_and_backoff(self):
        st = self.stack
        server = SmtpServer(self.port)
        server.start()
        try:
            self.create_welcome('smtp.user', stack=st)
            p = self.send(stack=st)
            self.assertIn('1 sent', p.stdout)
        finally:
            server.stop()
        self.assertEqual(len(server.messages), 1)
        mail_from, rcpt, data = server.messages[0]
        self.assertEqual(mail_from, 'arbor@example.test')
        self.assertEqual(rcpt, ['smtp.user@example.test'])
        msg = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(msg['To'], 'smtp.user@example.test')
        self.assertEqual(msg['From'], 'Arbor <arbor@example.test>')
        self.assertEqual(str(msg['Subject']), 'Welcome to Arbor – set your password')
        link = link_in(msg, st)
        self.assertEqual(Client(st).get(link).status, 200)
        self.assertEqual(spool_files(st), [], 'SMTP, not the spool')
        self.assertEqual(st.query('SELECT attempts, sent_at IS NOT NULL FROM mail_queue'),
                         [(1, 1)])

        # the server is down: the message stays queued, the failure is kept
        self.assertTrue(port_closed(self.port))
        self.create_welcome('smtp.later', stack=st)
        started = int(time.time())
        p = self.send(stack=st, check=False)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn('1 failed', p.stdout)
        row = st.query('SELECT attempts, sent_at, last_error, next_attempt_at FROM mail_queue '
                       'WHERE recipient = ?', 'smtp.later@example.test')[0]
        self.assertEqual(row[0], 1)
        self.assertIsNone(row[1])
        self.assertTrue(row[2])
        self.assertGreaterEqual(row[3], started + 60)
        self.assertLessEqual(row[3], int(time.time()) + 60)
        status = st.arborctl('mail', 'status').stdout
        self.assertIn('smtp.later@example.test', status)
        self.assertIn('last error:', status)
        # not due yet: another run leaves it alone
        self.send(stack=st)
        self.assertEqual(st.query('SELECT attempts FROM mail_queue WHERE recipient = ?',
                                  'smtp.later@example.test')[0][0], 1)
        # a second failure doubles the delay
        st.query('UPDATE mail_queue SET next_attempt_at = 0 WHERE sent_at IS NULL')
        started = int(time.time())
        self.send(stack=st, check=False)
        row = st.query('SELECT attempts, next_attempt_at FROM mail_queue WHERE recipient = ?',
                       'smtp.later@example.test')[0]
        self.assertEqual(row[0], 2)
        self.assertGreaterEqual(row[1], started + 120)
        # the server is back and the message due: delivered
        server = SmtpServer(self.port)
        server.start()
        try:
            st.query('UPDATE mail_queue SET next_attempt_at = 0 WHERE sent_at IS NULL')
            self.assertIn('1 sent', self.send(stack=st).stdout)
        finally:
            server.stop()
        self.assertEqual([m[1] for m in server.messages], [['smtp.later@example.test']])
        self.assertEqual(st.query('SELECT attempts, sent_at IS NOT NULL, last_error FROM '
                                  'mail_queue WHERE recipient = ?', 'smtp.later@example.test'),
                         [(3, 1, None)])


if __name__ == '__main__':
    unittest.main()
