"""Issue 13, MFA: the Account Administrator enforces MFA on the Accounts
tab (/accounts/security), resets a user's MFA (/users/{id}/mfa/reset),
and the Users list shows and filters by MFA status.

Every test makes its own customers and users (make_customer, make_user),
so that flags, sessions and TOTP steps of one test do not meet another's.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import PASSWORD, Client  # noqa: E402
from fixtures import (AA, DM, FDA, NCA, STACK, Api, PageTest, cid, client,  # noqa: E402
                      events, field_error, logged_in, make_customer, make_user, new_token,
                      pages, setUpModule, tables, uid, user_rows)
from test_mfa import enrol, totp  # noqa: E402


def require_mfa(customer_id):
    return STACK.query('SELECT require_mfa FROM customers WHERE id = ?', customer_id)[0][0]


class EnforceMfa(PageTest):
    """An Account Administrator without Nested Customer Administrator sets
    and clears require_mfa of their own customer and of one below."""

    @classmethod
    def setUpClass(cls):
        cls.top = make_customer('Enforce Top', cid('Northwind Fleet'))
        cls.child = make_customer('Enforce Child', cls.top)
        cls.grandchild = make_customer('Enforce Grandchild', cls.child)
        make_user('enf.aa', 'Enforce Top', AA | FDA | DM)
        make_user('enf.plain', 'Enforce Top', FDA | DM | NCA)
        make_user('enf.below', 'Enforce Child', AA)

    def set_flag(self, c, customer_id, on):
        fields = {'customer_id': str(customer_id)}
        if on:
            fields['require_mfa'] = '1'
        return c.post('/accounts/security', fields)

    def test_aa_without_nca_sets_and_clears(self):
        c = logged_in('enf.aa')
        # enforcing it on their own customer applies to them too
        enrol(c)
        r = c.get('/accounts')
        self.assertPage(r)
        self.assertIn('href="/accounts/security"', r.text)
        self.assertNotIn('href="/customers"', r.text)
        r = c.get('/accounts/security')
        self.assertPage(r)
        self.assertIn(f'name="customer_id" value="{self.top}"', r.text)
        actor = STACK.query("SELECT id FROM users WHERE username = 'enf.aa'")[0][0]
        # the child first: below a customer that requires it, the
        # child's own flag is not asked for
        for customer in (self.child, self.top):
            before = len(events('mfa_enforced'))
            r = self.set_flag(c, customer, True)
            self.assertEqual(r.status, 303, r)
            self.assertEqual(r.location, f'/accounts/security?customer_id={customer}')
            self.assertEqual(require_mfa(customer), 1)
            self.assertEqual(events('mfa_enforced')[before:],
                             [(None, actor, f'customer {customer}')])
            r = c.get(f'/accounts/security?customer_id={customer}')
            self.assertPage(r)
            self.assertIn('require MFA', r.text)
            self.assertRegex(r.text, r'id="require_mfa"[^>]* checked')
        # below a customer that requires MFA the flag cannot be lifted
        r = c.get(f'/accounts/security?customer_id={self.grandchild}')
        self.assertPage(r)
        self.assertRegex(r.text, r'id="require_mfa"[^>]* disabled')
        r = self.set_flag(c, self.child, False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(require_mfa(self.child), 1, 'inherited: stays')
        for customer in (self.top, self.child):
            before = len(events('mfa_unenforced'))
            self.assertEqual(self.set_flag(c, customer, False).status, 303)
            self.assertEqual(require_mfa(customer), 0)
            self.assertEqual(len(events('mfa_unenforced')), before + 1)
        # the rest of the customer is not theirs to change
        name = STACK.query('SELECT name FROM customers WHERE id = ?', self.child)[0][0]
        self.assertEqual(c.post(f'/customers/{self.child}', {'name': 'X'}).status, 403)
        self.assertEqual(STACK.query('SELECT name FROM customers WHERE id = ?',
                                     self.child)[0][0], name)

    def test_without_aa_refused(self):
        c = logged_in('enf.plain')
        before = tables('customers', 'events')
        self.assertEqual(c.get('/accounts/security').status, 403)
        self.assertEqual(self.set_flag(c, self.top, True).status, 403)
        self.assertEqual(tables('customers', 'events'), before)
        self.assertNotIn('href="/accounts/security"', c.get('/accounts').text)

    def test_outside_scope_404(self):
        c = logged_in('enf.below')
        for customer in (self.top, cid('Contoso Charging'), 999999):
            before = tables('customers')
            self.assertEqual(c.get(f'/accounts/security?customer_id={customer}').status, 404)
            self.assertEqual(self.set_flag(c, customer, True).status, 404)
            self.assertEqual(tables('customers'), before)
        self.assertEqual(c.get('/accounts/security?customer_id=abc').status, 404)
        self.assertEqual(c.post('/accounts/security', {'require_mfa': '1'}).status, 404)


class ResetMfa(PageTest):
    """POST /users/{id}/mfa/reset by an Account Administrator holding
    every group of the user, confirmed with their own password (and code
    when they use MFA)."""

    @classmethod
    def setUpClass(cls):
        cls.plain = make_customer('Reset Plain', cid('Northwind Fleet'))
        cls.strict = make_customer('Reset Strict', cid('Northwind Fleet'), require_mfa=1)
        make_user('rst.admin', 'Northwind Fleet', AA | FDA)
        make_user('rst.mfaadmin', 'Northwind Fleet', AA | FDA)
        make_user('rst.weak', 'Northwind Fleet', AA)

    def enrolled_user(self, username, customer, groups=0):
        """A new user with MFA on, still signed in: (id, client, secret)."""
        user_id = make_user(username, customer, groups)
        c = logged_in(username)
        return user_id, c, enrol(c)[0]

    def mfa_state(self, user_id):
        return STACK.query('SELECT totp_secret IS NOT NULL, totp_enabled, '
                           '(SELECT count(*) FROM recovery_codes WHERE user_id = u.id), '
                           '(SELECT count(*) FROM sessions WHERE user_id = u.id) '
                           'FROM users u WHERE id = ?', user_id)[0]

    def test_reset_then_enrol_again_where_required(self):
        target, victim, _ = self.enrolled_user('rst.strict', 'Reset Strict', FDA)
        self.assertEqual(self.mfa_state(target), (1, 1, 10, 1))
        admin = logged_in('rst.admin')
        r = admin.get(f'/users/{target}')
        self.assertPage(r)
        self.assertIn(f'action="/users/{target}/mfa/reset"', r.text)
        self.assertNotIn('id="reset_code"', r.text, 'the admin has no MFA: no code asked')
        mails = STACK.query('SELECT count(*) FROM mail_queue')[0][0]
        r = admin.post(f'/users/{target}/mfa/reset', {'password': PASSWORD})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, f'/users/{target}')
        self.assertEqual(self.mfa_state(target), (0, 0, 0, 0))
        self.assertEqual(events('mfa_reset')[-1], (target, uid('rst.admin'), ''))
        mail = STACK.query('SELECT recipient, subject, body FROM mail_queue WHERE id > '
                           '(SELECT max(id) - 1 FROM mail_queue)')[0]
        self.assertEqual(STACK.query('SELECT count(*) FROM mail_queue')[0][0], mails + 1)
        self.assertEqual(mail[0], 'rst.strict@test.example')
        self.assertIn('two-factor authentication was reset', mail[1])
        self.assertIn('set it up again', mail[2])
        # the old session is over; signing in asks for enrolment, not a code
        self.assertEqual(victim.get('/accounts').status, 303)
        c = Client(STACK)
        c.login('rst.strict')
        r = c.get('/accounts')
        self.assertEqual((r.status, r.location), (303, '/profile/mfa'))
        self.assertIn('id="mfa-secret"', c.get('/profile/mfa').text)
        r = admin.get(f'/users/{target}')
        self.assertIn('Required but not set up', r.text)
        self.assertNotIn('mfa/reset', r.text)

    def test_reset_where_not_required(self):
        target, _, _ = self.enrolled_user('rst.free', 'Reset Plain')
        admin = logged_in('rst.admin')
        self.assertEqual(admin.post(f'/users/{target}/mfa/reset',
                                    {'password': PASSWORD}).status, 303)
        c = Client(STACK)
        r = c.login('rst.free')
        self.assertEqual(r.location, '/accounts', 'no code asked, no enrolment forced')
        self.assertEqual(c.get('/accounts').status, 200)
        self.assertIn('id="mfa-secret"', c.get('/profile/mfa').text, 'can enrol anyway')

    def test_admin_with_mfa_gives_a_code(self):
        target, _, _ = self.enrolled_user('rst.coded', 'Reset Plain')
        admin = logged_in('rst.mfaadmin')
        secret = enrol(admin)[0]
        r = admin.get(f'/users/{target}')
        self.assertIn('id="reset_code"', r.text)
        before = tables('users', 'recovery_codes', 'sessions', 'mail_queue')
        r = admin.post(f'/users/{target}/mfa/reset', {'password': PASSWORD, 'code': '000000'})
        self.assertPage(r, 400)
        self.assertEqual(field_error(r.text, 'reset_code'), 'That code is not valid.')
        self.assertEqual(tables('users', 'recovery_codes', 'sessions', 'mail_queue'), before)
        time.sleep(1)
        r = admin.post(f'/users/{target}/mfa/reset', {'password': PASSWORD,
                                                       'code': totp(secret, 30)})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.mfa_state(target), (0, 0, 0, 0))

    def test_wrong_password_counted(self):
        target, _, _ = self.enrolled_user('rst.pw', 'Reset Plain')
        admin = logged_in('rst.admin')
        failed = len(events('password_check_failed'))
        before = tables('users', 'recovery_codes', 'mail_queue')
        r = admin.post(f'/users/{target}/mfa/reset', {'password': 'wrong password'})
        self.assertPage(r, 400)
        self.assertEqual(field_error(r.text, 'reset_password'),
                         'That is not your current password.')
        self.assertIn('name="password"', r.text)
        self.assertEqual(tables('users', 'recovery_codes', 'mail_queue'), before)
        self.assertEqual(events('password_check_failed')[failed:],
                         [(uid('rst.admin'), uid('rst.admin'), '')])
        self.assertEqual(admin.post(f'/users/{target}/mfa/reset', {}).status, 400)

    def test_refusals(self):
        target, _, _ = self.enrolled_user('rst.strong', 'Reset Plain', FDA | DM)
        other, _, _ = self.enrolled_user('rst.contoso', 'Contoso Charging')
        plain = make_user('rst.nomfa', 'Reset Plain')
        mfa = 'SELECT id, totp_secret, totp_enabled FROM users ORDER BY id'
        before = STACK.query(mfa), tables('recovery_codes', 'mail_queue')
        weak = logged_in('rst.weak')
        # a group the administrator lacks: read-only, and 403
        self.assertNotIn('mfa/reset', weak.get(f'/users/{target}').text)
        self.assertEqual(weak.post(f'/users/{target}/mfa/reset',
                                   {'password': PASSWORD}).status, 403)
        admin = logged_in('rst.admin')
        self.assertEqual(admin.post(f'/users/{other}/mfa/reset',
                                    {'password': PASSWORD}).status, 404)
        self.assertEqual(admin.post('/users/999999/mfa/reset', {'password': PASSWORD}).status, 404)
        self.assertEqual(admin.post(f'/users/{plain}/mfa/reset',
                                    {'password': PASSWORD}).status, 409)
        self.assertEqual(admin.post(f'/users/{uid("rst.admin")}/mfa/reset',
                                    {'password': PASSWORD}).status, 403)
        # without Account Administrator
        fleet = logged_in('rst.strong')
        self.assertEqual(fleet.post(f'/users/{plain}/mfa/reset',
                                    {'password': PASSWORD}).status, 303)
        self.assertEqual(admin.post(f'/users/{target}/mfa/reset', {'password': PASSWORD},
                                    csrf=False).status, 403)
        self.assertEqual((STACK.query(mfa), tables('recovery_codes', 'mail_queue')), before)
        self.assertEqual(STACK.query('SELECT count(DISTINCT user_id) FROM sessions '
                                     'WHERE user_id IN (?, ?)', target, other)[0][0], 2)


class UsersFilters(PageTest):
    """The Users list's MFA status and its filters customer_id, group,
    active and mfa; the API list takes the same."""

    @classmethod
    def setUpClass(cls):
        cls.strict = make_customer('Filter Strict', cid('Northwind Fleet'), require_mfa=1)
        cls.below = make_customer('Filter Below', cls.strict)
        cls.free = make_customer('Filter Free', cid('Northwind Fleet'))
        cls.ids = {
            'f.on': make_user('f.on', 'Filter Strict', FDA),
            'f.missing': make_user('f.missing', 'Filter Below', DM),
            'f.off': make_user('f.off', 'Filter Free', FDA),
            'f.gone': make_user('f.gone', 'Filter Free', FDA | DM, active=0),
        }
        STACK.query('UPDATE users SET totp_enabled = 1 WHERE id = ?', cls.ids['f.on'])
        make_user('f.contoso', 'Contoso Charging', FDA)
        make_user('f.fleet', 'Filter Free', FDA)

    def names(self, query):
        r = client('admin').get('/users?' + query)
        self.assertPage(r)
        return {u for _, _, u in user_rows(r.text) if u.startswith('f.')}, r.text

    def test_filters_on_the_page(self):
        # a customer, not its subtree
        customers = f'customer_id={self.below}'
        self.assertEqual(self.names(f'customer_id={self.strict}')[0], {'f.on'})
        self.assertEqual(self.names(f'customer_id={self.strict}&mfa=on')[0], {'f.on'})
        self.assertEqual(self.names(f'customer_id={self.strict}&mfa=required')[0], set())
        self.assertEqual(self.names(customers + '&mfa=required')[0], {'f.missing'})
        self.assertEqual(self.names(customers + '&mfa=on')[0], set())
        self.assertEqual(self.names('mfa=required&q=f.')[0], {'f.missing'})
        self.assertEqual(self.names(f'customer_id={self.free}&mfa=off')[0],
                         {'f.off', 'f.gone', 'f.fleet'})
        self.assertEqual(self.names('q=f.&group=device_management')[0], {'f.missing', 'f.gone'})
        self.assertEqual(self.names('q=f.&active=0')[0], {'f.gone'})
        self.assertEqual(self.names(f'customer_id={self.free}&active=1&group=full_device_access')[0],
                         {'f.off', 'f.fleet'})
        names, text = self.names(f'customer_id={self.free}&mfa=off&group=device_management')
        self.assertEqual(names, {'f.gone'})
        self.assertIn('1 user', text)
        # the form shows the filters; sort links keep them
        self.assertRegex(text, r'<option value="off" selected>')
        self.assertRegex(text, r'<option value="device_management" selected>')
        self.assertIn('group=device_management&amp;mfa=off', text)
        # unknown values are no filter, like other malformed list values
        self.assertEqual(self.names(f'{customers}&mfa=maybe&group=nope&active=2')[0],
                         {'f.missing'})
        # the status column
        _, text = self.names(customers)
        self.assertIn('Required, not set up', text)

    def test_status_column_and_pagination(self):
        seen = set()
        for text in pages(client('admin'), '/users?mfa=off&q=f.'):
            seen |= {u for _, _, u in user_rows(text)}
        self.assertEqual({u for u in seen if u.startswith('f.')}, {'f.off', 'f.gone', 'f.fleet'})

    def test_refusals(self):
        self.assertEqual(client('admin').get(f'/users?customer_id={cid("Contoso Charging")}'
                                             '&mfa=on').status, 404)
        self.assertEqual(logged_in('f.fleet').get('/users?mfa=on').status, 403)

    def test_api_list(self):
        secret, _ = new_token('admin')
        api = Api(secret)
        r = api.call('GET', f'/api/v1/users?customer_id={self.below}&mfa=required')
        self.assertEqual(r.status, 200, r.json)
        self.assertEqual([u['username'] for u in r.json['items']], ['f.missing'])
        self.assertEqual(r.json['items'][0]['mfa'], 'required')
        r = api.call('GET', '/api/v1/users?q=f.&group=device_management&active=0')
        self.assertEqual([u['username'] for u in r.json['items']], ['f.gone'])
        self.assertEqual(r.json['items'][0]['mfa'], 'off')
        r = api.call('GET', f'/api/v1/users/{self.ids["f.on"]}')
        self.assertEqual(r.json['mfa'], 'on')
        r = api.call('GET', f'/api/v1/users?customer_id={cid("Contoso Charging")}&mfa=on')
        self.assertEqual(r.status, 404)


if __name__ == '__main__':
    unittest.main()
