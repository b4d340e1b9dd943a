"""Issue 12, the account life cycle: what must end when an account changes.

Set-up and reset links die with a new e-mail address and with a password
changed on the profile; API tokens are revoked by a reset, a password an
administrator sets, the user's own change and a deactivation, and are
refused while the user owes a password change or an MFA enrolment; an
administrator changes or deletes only users whose every group they hold;
the database files are the owner's alone whatever the umask; a bulk move
that moves nothing records no event.

The module's stack starts under umask 000, so that the file modes it finds
are the ones the programs chose.
"""
import itertools
import os
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import PASSWORD, Client, on_postgresql  # noqa: E402
from fixtures import (STACK, AA, FDA, Api, PageTest, cid, events, last_event_id,  # noqa: E402
                      logged_in, make_customer, make_device, make_user, new_token,
                      start_stack, tables, uid)
from test_mail import NEW_PASSWORD, LINK_RE, LinkTest  # noqa: E402
from test_mfa import enrol  # noqa: E402
from test_users import form_of  # noqa: E402


def setUpModule():
    old = os.umask(0)
    try:
        start_stack()
    finally:
        os.umask(old)


def api_of(username, name='script'):
    """The API as username through a new token, checked to work; and the
    page client that made it (signed in as username)."""
    secret, page = new_token(username, name=name)
    api = Api(secret)
    r = api.call('GET', '/api/v1/me')
    assert r.status == 200, r
    return api, page


ADMIN_TOKENS = itertools.count(1)


def admin_api():
    # a token name is unique among a user's tokens in use: one each
    return api_of('admin', name=f'admin-lifecycle-{next(ADMIN_TOKENS)}')[0]


def links_of(address):
    """Every link mailed to address, oldest first."""
    return [LINK_RE.search(body).group(1) for (body,) in STACK.query(
        'SELECT body FROM mail_queue WHERE recipient = ? ORDER BY id', address)]


def forgot(address):
    c = Client(STACK)
    c.get('/password/forgot')
    r = c.post('/password/forgot', [('email', address)])
    assert r.status == 200, r


class LinkLifecycleTests(LinkTest):
    def test_setup_and_reset_links_die_when_the_email_changes(self):
        """Item 2: a user created with a mistyped e-mail gets it corrected, on the
        page and through the API; the set-up link of the welcome mail and a reset
        link, both in the old mailbox, set nothing afterwards."""
        admin = logged_in('admin')
        admin.get('/users/new')
        r = admin.post('/users/new', [
            ('email', 'typo.page@exmaple.test'), ('username', 'typo.page'),
            ('customer_id', str(cid('Aarhus'))), ('password_mode', 'welcome'), ('active', '1')])
        self.assertEqual(r.status, 303, r)
        page_user = uid('typo.page')
        forgot('typo.page@exmaple.test')

        r = admin_api().call('POST', '/api/v1/users', {
            'email': 'typo.api@exmaple.test', 'username': 'typo.api',
            'customer_id': cid('Aarhus'), 'password_mode': 'welcome'})
        self.assertEqual(r.status, 201, r.text)
        api_user = r.json['id']
        forgot('typo.api@exmaple.test')

        for user, address in ((page_user, 'typo.page@exmaple.test'),
                              (api_user, 'typo.api@exmaple.test')):
            links = links_of(address)
            self.assertEqual([link.split('/')[2] for link in links], ['setup', 'reset'])
            for link in links:
                self.assertEqual(Client(STACK).get(link).status, 200, 'works until then')

        admin.get(f'/users/{page_user}')
        r = admin.post(f'/users/{page_user}', form_of('typo.page',
                                                      email='typo.page@example.test'))
        self.assertEqual(r.status, 303, r)
        r = admin_api().call('PATCH', f'/api/v1/users/{api_user}',
                             {'email': 'typo.api@example.test'})
        self.assertEqual(r.status, 200, r.text)

        for user, address in ((page_user, 'typo.page@exmaple.test'),
                              (api_user, 'typo.api@exmaple.test')):
            for link in links_of(address):
                with self.subTest(link=link):
                    self.assertLinkDead(user, link)

    def test_changing_the_password_on_the_profile_voids_reset_links(self):
        """Item 4: the user changes the password on the profile page; the reset link
        mailed before sets nothing afterwards."""
        user, link = self.user_with_reset_link('profile.voids')
        me = logged_in('profile.voids')
        me.get('/profile/password')
        r = me.post('/profile/password', [('current_password', PASSWORD),
                                          ('new_password', NEW_PASSWORD),
                                          ('confirm_password', NEW_PASSWORD)])
        self.assertEqual(r.status, 303, r)
        self.assertLinkDead(user, link)


class TokenLifecycleTests(unittest.TestCase):
    """Item 3: API tokens end with what should end them."""

    def assertRefused(self, api, words):
        """The token answers 401, a problem whose detail holds words."""
        r = api.call('GET', '/api/v1/me')
        self.assertEqual(r.status, 401, r.text)
        self.assertEqual(r.header('Content-Type'), 'application/problem+json')
        self.assertEqual(r.header('WWW-Authenticate'), 'Bearer realm="arbor"')
        self.assertIn(words, r.json['detail'])
        return r

    def assertRevoked(self, api, user, actor, detail='1 token'):
        """Every token of user is marked revoked, one tokens_revoked event says
        so, and the token answers 401."""
        self.assertRefused(api, 'valid, unexpired API token')
        self.assertEqual(STACK.query('SELECT count(*) FROM api_tokens WHERE user_id = ? AND '
                                     'revoked_at IS NULL', user)[0][0], 0)
        self.assertEqual([e for e in events('tokens_revoked') if e[0] == user],
                         [(user, actor, detail)])

    def test_api_tokens_are_revoked_by_a_reset_through_forgot_password(self):
        make_user('reset.api', 'Aarhus', domain='example.test')
        api, _ = api_of('reset.api')
        forgot('reset.api@example.test')
        link = links_of('reset.api@example.test')[-1]
        c = Client(STACK)
        c.get(link)
        r = c.post(link, [('new_password', NEW_PASSWORD), ('confirm_password', NEW_PASSWORD)])
        self.assertEqual(r.status, 303, r)
        # the visitor with the link is the user, as for password_reset
        self.assertRevoked(api, uid('reset.api'), uid('reset.api'))

    def test_api_tokens_are_revoked_when_an_administrator_sets_the_password(self):
        """On the page and through the API; two tokens, one event."""
        make_user('adminset.page', 'Aarhus', domain='example.test')
        make_user('adminset.api', 'Aarhus', domain='example.test')
        page_api, page = api_of('adminset.page')
        second = Api(new_token('adminset.page', name='second', client=page)[0])
        via_api, _ = api_of('adminset.api')
        admin = logged_in('dk.admin')
        admin.get(f'/users/{uid("adminset.page")}')
        r = admin.post(f'/users/{uid("adminset.page")}', form_of(
            'adminset.page', password_mode='manual', password=NEW_PASSWORD))
        self.assertEqual(r.status, 303, r)
        self.assertRevoked(page_api, uid('adminset.page'), uid('dk.admin'), '2 tokens')
        self.assertRefused(second, 'valid, unexpired API token')
        r = admin_api().call('PATCH', f'/api/v1/users/{uid("adminset.api")}',
                             {'password_mode': 'manual', 'password': NEW_PASSWORD})
        self.assertEqual(r.status, 200, r.text)
        self.assertRevoked(via_api, uid('adminset.api'), uid('admin'), '1 token (API)')

    def test_api_tokens_are_revoked_by_the_users_own_password_change(self):
        """The choice for the profile: the user's own new password revokes their
        tokens too (whoever had the old password may have made one)."""
        make_user('own.change', 'Aarhus', domain='example.test')
        api, page = api_of('own.change')
        page.get('/profile/password')
        r = page.post('/profile/password', [('current_password', PASSWORD),
                                            ('new_password', NEW_PASSWORD),
                                            ('confirm_password', NEW_PASSWORD)])
        self.assertEqual(r.status, 303, r)
        self.assertRevoked(api, uid('own.change'), uid('own.change'))
        self.assertIn('revokes your API tokens', page.get(r.location).text)

    def test_api_tokens_are_revoked_by_deactivation_and_stay_revoked_after_reactivation(self):
        """On the page and through the API: made inactive, then active again."""
        make_user('off.page', 'Aarhus', domain='example.test')
        make_user('off.api', 'Aarhus', domain='example.test')
        page_api, _ = api_of('off.page')
        via_api, _ = api_of('off.api')
        admin = logged_in('dk.admin')
        admin.get(f'/users/{uid("off.page")}')
        for active in (None, '1'):
            r = admin.post(f'/users/{uid("off.page")}', form_of('off.page', active=active))
            self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query('SELECT active FROM users WHERE id = ?',
                                     uid('off.page'))[0][0], 1)
        self.assertRevoked(page_api, uid('off.page'), uid('dk.admin'))
        admin_token = admin_api()
        for active in (False, True):
            r = admin_token.call('PATCH', f'/api/v1/users/{uid("off.api")}', {'active': active})
            self.assertEqual(r.status, 200, r.text)
        self.assertRevoked(via_api, uid('off.api'), uid('admin'), '1 token (API)')

    def test_api_tokens_are_refused_while_a_password_change_is_pending(self):
        """A forced change pending: 401 naming it, the token kept (every way the app
        sets the flag revokes the tokens as well, so it is set here directly)."""
        user = make_user('pending.change', 'Aarhus', domain='example.test')
        api, _ = api_of('pending.change')
        STACK.query('UPDATE users SET must_change_password = 1 WHERE id = ?', user)
        self.assertRefused(api, 'must change their password')
        self.assertEqual(STACK.query('SELECT count(*) FROM api_tokens WHERE user_id = ? AND '
                                     'revoked_at IS NULL', user)[0][0], 1)
        STACK.query('UPDATE users SET must_change_password = 0 WHERE id = ?', user)
        self.assertEqual(api.call('GET', '/api/v1/me').status, 200)

    def test_api_tokens_are_refused_while_mfa_is_required_but_not_enrolled(self):
        """The customer starts to require MFA: the token answers 401 naming the
        enrolment until the user enrols, then works again."""
        make_customer('Token MFA', cid('Northwind Denmark'))
        make_user('mfa.token', 'Token MFA', domain='example.test')
        api, page = api_of('mfa.token')
        r = admin_api().call('PATCH', f'/api/v1/customers/{cid("Token MFA")}',
                             {'require_mfa': True})
        self.assertEqual(r.status, 200, r.text)
        self.assertRefused(api, 'two-factor authentication')
        enrol(page)
        self.assertEqual(api.call('GET', '/api/v1/me').status, 200)
        self.assertEqual(STACK.query('SELECT count(*) FROM api_tokens WHERE user_id = ? AND '
                                     'revoked_at IS NULL', uid('mfa.token'))[0][0], 1)


class StrongerUserTests(PageTest):
    """Item 7: dk.admin (Account Administrator of Northwind Denmark) and a user of
    Aarhus who also holds Full Device Access, which dk.admin lacks."""

    @classmethod
    def setUpClass(cls):
        cls.strong = make_user('strong.target', 'Aarhus', AA | FDA, domain='example.test')
        cls.location = STACK.insert('INSERT INTO locations (customer_id, name, created_at, '
                                    "updated_at) VALUES (?, 'Strong yard', 0, 0)", cid('Aarhus'))

    def snapshot(self):
        """What a change or deletion of the user would touch (their sessions, tokens
        and links go with a deactivation; strong.target has none of the first two)."""
        return tables('users', 'user_locations', 'user_links', 'mail_queue')

    def test_a_weaker_administrator_cannot_change_or_delete_a_stronger_user(self):
        c = logged_in('dk.admin')
        api = api_of('dk.admin')[0]
        target = self.strong
        r = c.get(f'/users/{target}')
        self.assertPage(r)
        self.assertIn('You cannot change or delete strong.target: they hold Full Device '
                      'Access, which you do not.', r.text)
        self.assertNotIn(f'action="/users/{target}"', r.text, 'no form')
        self.assertNotIn(f'href="/users/{target}/delete"', r.text, 'no delete button')
        r = c.get('/users?q=strong.target')
        self.assertPage(r)
        listing = r.text
        self.assertIn('strong.target', listing)
        self.assertNotIn(f'/users/{target}/delete', listing)
        self.assertIn('Read-only', listing)

        before = self.snapshot()
        for change in ({'full_name': 'Weakened'}, {'username': 'renamed'},
                       {'group': []}, {'customer_id': str(cid('Northwind Denmark'))},
                       {'location': [str(self.location)]}, {'active': None}, {}):
            with self.subTest(page=change):
                r = c.post(f'/users/{target}', form_of('strong.target', **change))
                self.assertPage(r, 403)
                self.assertIn('You cannot change or delete strong.target', r.text)
        r = c.get(f'/users/{target}/delete')
        self.assertEqual(r.status, 403, r)
        self.assertIn('You cannot change or delete strong.target', r.text)
        r = c.post(f'/users/{target}/delete')
        self.assertEqual(r.status, 403, r)
        self.assertIn('You cannot change or delete strong.target', r.text)

        for body in ({'full_name': 'Weakened'}, {'username': 'renamed'}, {'groups': []},
                     {'customer_id': cid('Northwind Denmark')}, {'locations': [self.location]},
                     {'active': False}, {'email': 'mine@example.test'}, {}):
            with self.subTest(api=body):
                r = api.call('PATCH', f'/api/v1/users/{target}', body)
                self.assertEqual(r.status, 403, r.text)
                self.assertEqual(r.json['field'], 'groups')
                self.assertIn('You cannot change or delete strong.target', r.json['detail'])
        r = api.call('DELETE', f'/api/v1/users/{target}')
        self.assertEqual(r.status, 403, r.text)
        self.assertIn('You cannot change or delete strong.target', r.json['detail'])
        self.assertEqual(self.snapshot(), before)

        # someone who holds every group of the user may
        r = admin_api().call('PATCH', f'/api/v1/users/{target}', {'full_name': 'Changed'})
        self.assertEqual((r.status, r.json['full_name']), (200, 'Changed'), r.text)


class FileModeTests(unittest.TestCase):
    """Item 8: the module's stack started under umask 000."""

    def modes(self):
        """{file name: permission bits} of the database, its WAL and shared-memory
        files and the key file."""
        out = {}
        for name in ('arbor.db', 'arbor.db-wal', 'arbor.db-shm', 'arbor.keys'):
            path = os.path.join(STACK.var, name)
            if os.path.exists(path):
                out[name] = stat.S_IMODE(os.stat(path).st_mode)
        return out

    def test_database_and_key_files_are_0600_whatever_the_umask(self):
        # a write through a worker: the WAL and shared-memory files exist
        logged_in('driver')
        if on_postgresql():
            # the cluster keeps the database in its own files: ours is the key file alone
            self.assertEqual(self.modes(), {'arbor.keys': 0o600})
        else:
            self.assertEqual(self.modes(), {'arbor.db': 0o600, 'arbor.db-wal': 0o600,
                                            'arbor.db-shm': 0o600, 'arbor.keys': 0o600})

    @unittest.skipIf(on_postgresql(), "SQLite's database files: on PostgreSQL the database "
                     "is in the cluster's files, none of ours; the key file's mode is checked by "
                     'test_database_and_key_files_are_0600_whatever_the_umask')
    def test_arborctl_init_makes_existing_database_files_0600(self):
        """A database an older version created readable by all is made the
        owner's alone by the next `arborctl init`."""
        logged_in('driver')
        for name in ('arbor.db', 'arbor.db-wal', 'arbor.db-shm'):
            os.chmod(os.path.join(STACK.var, name), 0o644)
        old = os.umask(0)
        try:
            STACK.arborctl('init')
        finally:
            os.umask(old)
        self.assertEqual(self.modes(), {'arbor.db': 0o600, 'arbor.db-wal': 0o600,
                                        'arbor.db-shm': 0o600, 'arbor.keys': 0o600})
        self.assertEqual(Client(STACK).get('/login').status, 200)


class NoMoveNoEventTests(unittest.TestCase):
    def test_a_bulk_move_that_moves_nothing_records_no_event(self):
        """Also: every device already at the target, or unknown: no devices_moved
        event, on the page and through the API; a real move still records one."""
        make_device('NOMOVE-1', 'Aarhus')
        target = cid('Aarhus')
        before = last_event_id()
        page = logged_in('admin')
        page.get('/devices/manage?mode=text')
        r = page.post('/devices/manage', {'step': 'process', 'customer_id': target,
                                          'ids': 'NOMOVE-1\nNOMOVE-UNKNOWN'})
        self.assertEqual(r.status, 303, r)
        r = admin_api().call('POST', '/api/v1/devices/assign', {
            'customer_id': target, 'ids': ['NOMOVE-1', 'NOMOVE-UNKNOWN']})
        self.assertEqual((r.status, r.json['moved']), (200, []), r.text)
        self.assertEqual(STACK.query("SELECT count(*) FROM events WHERE kind = 'devices_moved' "
                                     'AND id > ?', before)[0][0], 0)
        r = admin_api().call('POST', '/api/v1/devices/assign', {
            'customer_id': cid('Northwind Denmark'), 'ids': ['NOMOVE-1']})
        self.assertEqual(len(r.json['moved']), 1, r.text)
        self.assertEqual(STACK.query("SELECT detail FROM events WHERE kind = 'devices_moved' "
                                     'AND id > ?', before),
                         [(f'1 devices to customer {cid("Northwind Denmark")} (API)',)])


if __name__ == '__main__':
    unittest.main()
