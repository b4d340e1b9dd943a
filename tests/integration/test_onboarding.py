"""Onboarding (issue 17, SPEC "Onboarding", seeds 003 and 004): an
administrator's invitation to one address, a customer's reusable join
links (a confirmation mail before the user exists), sign-up by a
customer's e-mail domain. Each path makes the user through one model
flow that adds the account's auto-assign user groups; every link works
once (a join link: up to its uses), dies when expired, revoked or sent
again, and answers 404 then; the public pages answer alike for known and
unknown addresses and domains, and are rate-limited per client address
and per target address.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client  # noqa: E402
from fixtures import (AA, FM, STACK, PageTest, access_lines, cid, client, events,  # noqa: E402
                      field_error, logged_in, make_location, make_user, setUpModule,  # noqa: F401
                      uid)
from test_mail import message_to, spool_files  # noqa: E402

GOOD_PASSWORD = 'Plum-Orbit-Canyon-Whistle-77'
INVITE_RE = re.compile(r'/invite/[A-Za-z0-9_-]{43}')
CONFIRM_RE = re.compile(r'/join/confirm/[A-Za-z0-9_-]{43}')
SIGNUP_RE = re.compile(r'/signup/[A-Za-z0-9_-]{43}')
JOIN_RE = re.compile(r'/join/[A-Za-z0-9_-]{43}')


def fresh_mail():
    STACK.arborctl('mail', 'send')
    for path in spool_files():
        os.remove(path)


def mail_body(to):
    STACK.arborctl('mail', 'send')
    _, _, msg = message_to(to)
    return msg['Subject'], msg.get_body(('plain',)).get_content()


def link_in(to, pattern):
    subject, body = mail_body(to)
    m = pattern.search(body)
    assert m, f'no link in {body!r}'
    return m.group(0)


def auto_group(account='Northwind Fleet', name='Everyone NW'):
    """An auto-assign user group of account (made once): its id."""
    rows = STACK.query('SELECT id FROM user_groups WHERE name = ?', name)
    if rows:
        return rows[0][0]
    return STACK.insert('INSERT INTO user_groups (name, account_id, auto_assign, created_at) '
                        'VALUES (?, ?, 1, 0)', name, cid(account))


def member_of(group_id, username):
    return bool(STACK.query('SELECT 1 FROM user_group_members WHERE group_id = ? AND '
                            'user_id = (SELECT id FROM users WHERE username = ?)',
                            group_id, username))


def invite(c, email, customer='Northwind Denmark', groups=(), locations=(), days='7',
           message=''):
    c.get('/invites/new')
    fields = [('email', email), ('customer_id', str(cid(customer))),
              ('expires_days', days), ('message', message)]
    fields += [('group', g) for g in groups]
    fields += [('location', str(loc)) for loc in locations]
    return c.post('/invites/new', fields)


def account_fields(username, password=GOOD_PASSWORD, **more):
    return dict({'username': username, 'full_name': '', 'new_password': password,
                 'confirm_password': password}, **more)


def public_post(path, fields):
    """A visitor without a session: GET the page (its csrf token), POST."""
    v = Client(STACK)
    v.get(path)
    return v.post(path, fields)


class Base(PageTest):
    def setUp(self):
        fresh_mail()
        STACK.query("DELETE FROM auth_failures WHERE subject LIKE 'public:%' OR "
                    "subject LIKE 'mailto:%' OR subject LIKE 'taken:%'")


class InvitationTests(Base):
    def test_invite_accept_sign_in(self):
        """The invitee chooses username and password; the user has the
        invitation's customer, groups and location and the auto-assign
        group; the link then answers 404."""
        group = auto_group()
        depot = make_location('Invite Depot', 'Northwind Denmark')
        r = invite(client('admin'), 'ivy@newcomer.example', groups=['fleet_management'],
                   locations=[depot], message='Welcome aboard!\nSee you.')
        self.assertEqual(r.status, 303, r.text)
        invite_id = int(r.headers['Location'].rsplit('/', 1)[1])
        subject, body = mail_body('ivy@newcomer.example')
        self.assertIn('Welcome aboard!', body)
        self.assertIn('Northwind Denmark', body)
        link = INVITE_RE.search(body).group(0)
        self.assertEqual(STACK.query('SELECT count(*) FROM invites WHERE token_hash = ?',
                                     link.rsplit('/', 1)[1])[0][0], 0, 'only the hash is kept')
        page = Client(STACK).get(link)
        self.assertPage(page)
        self.assertIn('ivy@newcomer.example', page.text)
        self.assertIn('Welcome aboard!', page.text)
        r = public_post(link, account_fields('ivy.new', full_name='Ivy New'))
        self.assertEqual((r.status, r.headers.get('Location')), (303, '/login'), r.text)
        row = STACK.query('SELECT customer_id, groups, email, full_name, must_change_password, '
                          'active FROM users WHERE username = ?', 'ivy.new')[0]
        self.assertEqual(row, (cid('Northwind Denmark'), FM, 'ivy@newcomer.example', 'Ivy New',
                               0, 1))
        self.assertEqual(STACK.query('SELECT location_id FROM user_locations WHERE user_id = ?',
                                     uid('ivy.new')), [(depot,)])
        self.assertTrue(member_of(group, 'ivy.new'), 'auto-assign applies on invitation')
        logged_in('ivy.new', GOOD_PASSWORD)
        self.assertEqual(STACK.query('SELECT accepted_at IS NOT NULL, user_id FROM invites '
                                     'WHERE id = ?', invite_id)[0], (1, uid('ivy.new')))
        self.assertTrue(events('invite_accepted'))
        # used: 404, for the page and the form
        self.assertEqual(Client(STACK).get(link).status, 404)
        self.assertEqual(public_post(link, account_fields('ivy.again')).status, 404)
        view = client('admin').get(f'/invites/{invite_id}')
        self.assertIn('accepted', view.text)
        self.assertIn('ivy.new', view.text)

    def test_refusals_of_the_form(self):
        admin, dk = client('admin'), client('dk.admin')
        # a page answers 400 for any field in error; the message says which rule
        cases = [
            (admin, dict(email='admin@northwind.example'), 'email', 'already has a user'),
            (admin, dict(email='not-an-address'), 'email', 'like name@example.com'),
            (admin, dict(email='x1@newcomer.example', customer='Contoso Charging'),
             'customer_id', 'Choose one of the customers'),
            (dk, dict(email='x2@newcomer.example', groups=['fleet_management']), 'group',
             'groups you hold'),
            (admin, dict(email='x3@newcomer.example', days='31'), 'expires_days', '1 to 30'),
            (admin, dict(email='x4@newcomer.example', message='m' * 501), 'message',
             'at most 500'),
        ]
        foreign = make_location('Contoso Yard Invite', 'Contoso Charging')
        cases.append((admin, dict(email='x5@newcomer.example', locations=[foreign]), 'location',
                      'Choose locations of the user'))
        before = STACK.query('SELECT count(*) FROM invites')[0][0]
        for c, fields, field, why in cases:
            with self.subTest(fields=fields):
                r = invite(c, **fields)
                self.assertEqual(r.status, 400, r.text)
                self.assertIn(why, field_error(r.text, field) or '', r.text)
        self.assertEqual(STACK.query('SELECT count(*) FROM invites')[0][0], before)
        self.assertEqual(spool_files(), [], 'a refused invitation sends nothing')
        # a second open invitation to the same customer: resend that one
        self.assertEqual(invite(admin, 'twice@newcomer.example').status, 303)
        r = invite(admin, 'twice@newcomer.example')
        self.assertEqual(r.status, 400)
        self.assertIn('send that one again', r.text)

    def test_expired_revoked_and_resent_links_are_404(self):
        admin = client('admin')
        r = invite(admin, 'late@newcomer.example')
        invite_id = int(r.headers['Location'].rsplit('/', 1)[1])
        old = link_in('late@newcomer.example', INVITE_RE)
        fresh_mail()
        self.assertEqual(admin.post(f'/invites/{invite_id}/resend', {}).status, 303)
        new = link_in('late@newcomer.example', INVITE_RE)
        self.assertNotEqual(old, new)
        self.assertEqual(Client(STACK).get(old).status, 404, 'a resend kills the old link')
        self.assertEqual(Client(STACK).get(new).status, 200)
        STACK.query('UPDATE invites SET expires_at = 1 WHERE id = ?', invite_id)
        self.assertEqual(Client(STACK).get(new).status, 404, 'expired')
        self.assertIn('badge-expired', admin.get(f'/invites/{invite_id}').text)
        self.assertIn('late@newcomer.example', admin.get('/invites?status=expired').text)
        self.assertNotIn('late@newcomer.example', admin.get('/invites?status=pending').text)
        fresh_mail()
        admin.post(f'/invites/{invite_id}/resend', {})
        newer = link_in('late@newcomer.example', INVITE_RE)
        self.assertEqual(Client(STACK).get(newer).status, 200, 'a resend restarts the days')
        self.assertEqual(admin.post(f'/invites/{invite_id}/revoke', {}).status, 303)
        self.assertEqual(Client(STACK).get(newer).status, 404, 'revoked')
        self.assertEqual(public_post(newer, account_fields('late.user')).status, 404)
        self.assertEqual(admin.post(f'/invites/{invite_id}/resend', {}).status, 400)
        self.assertEqual(Client(STACK).get('/invite/' + 'A' * 43).status, 404, 'unknown')

    def test_inviter_who_lost_the_groups_grants_nothing(self):
        make_user('inviter.x', 'Northwind Fleet', AA | FM)
        c = logged_in('inviter.x')
        self.assertEqual(invite(c, 'lost@newcomer.example', groups=['fleet_management']).status,
                         303)
        link = link_in('lost@newcomer.example', INVITE_RE)
        STACK.query("UPDATE users SET groups = ? WHERE username = 'inviter.x'", AA)
        self.assertEqual(Client(STACK).get(link).status, 404)
        STACK.query("UPDATE users SET groups = ? WHERE username = 'inviter.x'", AA | FM)
        self.assertEqual(Client(STACK).get(link).status, 200)

    def test_accept_refusals(self):
        invite(client('admin'), 'picky@newcomer.example')
        link = link_in('picky@newcomer.example', INVITE_RE)
        for fields, status, field in [
                (account_fields('picky', password='password1234'), 400, 'new_password'),
                (account_fields('picky', confirm_password='Other-Words-Here-99'), 400,
                 'confirm_password'),
                (account_fields('bad name!'), 400, 'username'),
                (account_fields('admin'), 400, 'username')]:
            with self.subTest(fields=fields):
                r = public_post(link, fields)
                self.assertEqual(r.status, status, r.text)
                self.assertTrue(field_error(r.text, field), r.text)
        self.assertFalse(STACK.query("SELECT 1 FROM users WHERE email = 'picky@newcomer.example'"))
        self.assertEqual(Client(STACK).get(link).status, 200, 'a refused form keeps the link')

    def test_the_list_is_scoped(self):
        admin, dk = client('admin'), client('dk.admin')
        invite(admin, 'fleet.only@newcomer.example', customer='Northwind Fleet')
        r = invite(dk, 'dk.only@newcomer.example')
        dk_invite = int(r.headers['Location'].rsplit('/', 1)[1])
        self.assertIn('dk.only@newcomer.example', admin.get('/invites').text)
        mine = dk.get('/invites').text
        self.assertIn('dk.only@newcomer.example', mine)
        self.assertNotIn('fleet.only@newcomer.example', mine)
        contoso = client('contoso.admin')
        self.assertNotIn('newcomer.example', contoso.get('/invites').text)
        self.assertEqual(contoso.get(f'/invites/{dk_invite}').status, 404)
        self.assertEqual(contoso.post(f'/invites/{dk_invite}/revoke', {}).status, 404)
        self.assertEqual(contoso.post(f'/invites/{dk_invite}/resend', {}).status, 404)
        found = admin.get('/invites?q=dk.only&status=pending').text
        self.assertIn('dk.only@newcomer.example', found)
        self.assertNotIn('fleet.only@newcomer.example', found)
        self.assertNotIn('dk.only@newcomer.example', admin.get('/invites?status=accepted').text)

    def test_resend_needs_the_groups_and_names_stay_hidden(self):
        """A nested administrator sees an invitation into their subtree but
        not who above them sent it, and cannot renew groups they lack."""
        r = invite(client('admin'), 'renew@newcomer.example', groups=['fleet_management'])
        invite_id = int(r.headers['Location'].rsplit('/', 1)[1])
        dk = client('dk.admin')
        page = dk.get(f'/invites/{invite_id}')
        self.assertPage(page)
        self.assertNotIn('>admin<', page.text, 'the inviter above is not named')
        self.assertNotIn('>admin<', dk.get('/invites').text)
        r = dk.post(f'/invites/{invite_id}/resend', {})
        self.assertEqual(r.status, 403)
        self.assertIn('groups you do not hold', r.text)
        self.assertEqual(dk.post(f'/invites/{invite_id}/revoke', {}).status, 303,
                         'revoking takes nothing from anyone')

    def test_api_developer_reads_only(self):
        make_user('dev.reader', 'Northwind Fleet', 64)
        dev = logged_in('dev.reader')
        r = invite(client('admin'), 'readme@newcomer.example')
        invite_id = int(r.headers['Location'].rsplit('/', 1)[1])
        self.assertPage(dev.get('/invites'))
        self.assertPage(dev.get(f'/invites/{invite_id}'))
        self.assertNotIn('Send again', dev.get(f'/invites/{invite_id}').text)
        for path, fields in [('/invites/new', {'email': 'x9@newcomer.example',
                                               'customer_id': str(cid('Northwind Fleet'))}),
                             (f'/invites/{invite_id}/resend', {}),
                             (f'/invites/{invite_id}/revoke', {}),
                             (f'/customers/{cid("Northwind Fleet")}/join-links',
                              {'max_uses': '1'})]:
            with self.subTest(path=path):
                self.assertEqual(dev.post(path, fields).status, 403)

    def test_tokens_stay_out_of_the_access_log(self):
        invite(client('admin'), 'logged@newcomer.example')
        link = link_in('logged@newcomer.example', INVITE_RE)
        Client(STACK).get(link)
        Client(STACK).get('/join/' + 'C' * 43)
        Client(STACK).get('/signup/' + 'D' * 43)
        Client(STACK).get('/join/confirm/' + 'E' * 43)
        self.assertTrue(access_lines('/join/confirm/'), 'the last request is logged')
        with open(os.path.join(STACK.log_dir, 'access.log')) as f:
            log = f.read()
        token = link.rsplit('/', 1)[1]
        self.assertNotIn(token, log)
        for secret in ('C' * 43, 'D' * 43, 'E' * 43):
            self.assertNotIn(secret, log)
        self.assertIn('/invite/[token]', log)

    def test_mails_per_address_are_capped(self):
        admin = client('admin')
        r = invite(admin, 'flood@newcomer.example')
        invite_id = int(r.headers['Location'].rsplit('/', 1)[1])
        self.assertEqual(admin.post(f'/invites/{invite_id}/resend', {}).status, 303)
        self.assertEqual(admin.post(f'/invites/{invite_id}/resend', {}).status, 303)
        r = admin.post(f'/invites/{invite_id}/resend', {})
        self.assertEqual(r.status, 429, 'the fourth mail of the hour')
        STACK.arborctl('mail', 'send')
        self.assertEqual(len([p for p in spool_files()
                              if 'flood@newcomer.example' in open(p, errors='replace').read()]),
                         3)


class JoinLinkTests(Base):
    def make_link(self, c=None, customer='Northwind Denmark', groups=('fleet_management',),
                  uses='2'):
        c = c or client('admin')
        path = f'/customers/{cid(customer)}/join-links'
        page = c.get(path)
        expires = re.search(r'name="expires_on" type="date" value="([^"]+)"', page.text).group(1)
        fields = [('max_uses', uses), ('expires_on', expires)] + [('group', g) for g in groups]
        r = c.post(path, fields)
        return r, (JOIN_RE.search(r.text).group(0) if r.status == 201 else None)

    def join(self, link, email, username):
        return public_post(link, {'email': email, 'username': username,
                                  'new_password': GOOD_PASSWORD,
                                  'confirm_password': GOOD_PASSWORD})

    def test_join_confirm_sign_in(self):
        group = auto_group()
        r, link = self.make_link()
        self.assertEqual(r.status, 201, r.text)
        self.assertIn('shown only this once', r.text)
        self.assertNotIn(link, client('admin').get(
            f'/customers/{cid("Northwind Denmark")}/join-links').text)
        r = self.join(link, 'jo@joiner.example', 'jo.joiner')
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('Check your mail', r.text)
        self.assertFalse(STACK.query("SELECT 1 FROM users WHERE username = 'jo.joiner'"),
                         'no user before the confirmation')
        confirm = link_in('jo@joiner.example', CONFIRM_RE)
        self.assertEqual(Client(STACK).get(confirm).status, 200)
        self.assertFalse(STACK.query("SELECT 1 FROM users WHERE username = 'jo.joiner'"),
                         'a GET (a mail scanner) confirms nothing')
        r = public_post(confirm, {'new_password': 'Someone-Elses-Guess-11'})
        self.assertEqual(r.status, 400, 'only who chose the password confirms')
        self.assertFalse(STACK.query("SELECT 1 FROM users WHERE username = 'jo.joiner'"))
        r = public_post(confirm, {'new_password': GOOD_PASSWORD})
        self.assertEqual((r.status, r.headers.get('Location')), (303, '/login'), r.text)
        self.assertEqual(STACK.query("SELECT customer_id, groups FROM users WHERE username = "
                                     "'jo.joiner'")[0], (cid('Northwind Denmark'), FM))
        self.assertTrue(member_of(group, 'jo.joiner'), 'auto-assign applies on a join link')
        logged_in('jo.joiner', GOOD_PASSWORD)
        self.assertEqual(Client(STACK).get(confirm).status, 404, 'a confirmation works once')
        self.assertEqual(STACK.query('SELECT uses FROM join_links ORDER BY id DESC LIMIT 1'),
                         [(1,)])

    def test_used_up_revoked_expired_links_are_404(self):
        r, link = self.make_link(uses='1')
        self.join(link, 'one@joiner.example', 'one.joiner')
        public_post(link_in('one@joiner.example', CONFIRM_RE), {'new_password': GOOD_PASSWORD})
        self.assertEqual(Client(STACK).get(link).status, 404, 'used up')
        r, link = self.make_link()
        link_id = STACK.query('SELECT max(id) FROM join_links')[0][0]
        self.join(link, 'two@joiner.example', 'two.joiner')
        confirm = link_in('two@joiner.example', CONFIRM_RE)
        c = client('admin')
        self.assertEqual(c.post(f'/customers/{cid("Northwind Denmark")}/join-links/{link_id}'
                                '/revoke', {}).status, 303)
        self.assertEqual(Client(STACK).get(link).status, 404, 'revoked')
        self.assertEqual(public_post(confirm, {'new_password': GOOD_PASSWORD}).status, 404,
                         'its pending sign-ups too')
        self.assertEqual(STACK.query('SELECT count(*) FROM signups WHERE join_link_id = ? AND '
                                     'password_hash IS NOT NULL', link_id)[0][0], 0)
        r, link = self.make_link()
        STACK.query('UPDATE join_links SET expires_at = 1 WHERE id = (SELECT max(id) FROM '
                    'join_links)')
        self.assertEqual(Client(STACK).get(link).status, 404, 'expired')
        self.assertEqual(Client(STACK).get('/join/' + 'B' * 43).status, 404, 'unknown')

    def test_maker_who_lost_the_groups_grants_nothing(self):
        make_user('maker.x', 'Northwind Fleet', AA | FM)
        r, link = self.make_link(c=logged_in('maker.x'))
        self.assertEqual(r.status, 201)
        STACK.query("UPDATE users SET groups = ? WHERE username = 'maker.x'", AA)
        self.assertEqual(Client(STACK).get(link).status, 404)
        STACK.query("UPDATE users SET active = 0, groups = ? WHERE username = 'maker.x'",
                    AA | FM)
        self.assertEqual(Client(STACK).get(link).status, 404, 'an inactive maker')

    def test_known_address_answers_alike(self):
        r, link = self.make_link()
        known = self.join(link, 'dk.admin@northwind.example', 'someone.new')
        unknown = self.join(link, 'nobody@joiner.example', 'someone.else')
        self.assertEqual(known.status, unknown.status)
        self.assertEqual(known.text.replace('dk.admin@northwind.example', 'X'),
                         unknown.text.replace('nobody@joiner.example', 'X'))
        subject, body = mail_body('dk.admin@northwind.example')
        self.assertIn('already', subject)
        self.assertNotRegex(body, CONFIRM_RE)
        self.assertFalse(STACK.query("SELECT 1 FROM signups WHERE email = "
                                     "'dk.admin@northwind.example'"))

    def test_who_may_make_links(self):
        r, _ = self.make_link(c=client('dk.admin'), groups=('fleet_management',))
        self.assertEqual(r.status, 400, 'a group the maker lacks')
        self.assertIn('groups you hold', field_error(r.text, 'group'))
        contoso = client('contoso.admin')
        self.assertEqual(contoso.get(f'/customers/{cid("Northwind Denmark")}/join-links').status,
                         404)
        self.assertEqual(contoso.post(f'/customers/{cid("Northwind Denmark")}/join-links',
                                      {'max_uses': '1'}).status, 404)
        link_id = STACK.query('SELECT max(id) FROM join_links')[0][0] or 1
        self.assertEqual(contoso.post(f'/customers/{cid("Northwind Denmark")}/join-links/'
                                      f'{link_id}/revoke', {}).status, 404)


class SignupTests(Base):
    def set_domains(self, c, customer, domains):
        path = f'/customers/{cid(customer)}/signup-domains'
        c.get(path)
        return c.post(path, {'domains': domains})

    def test_domains_one_customer_each(self):
        op = client('operator')
        r = self.set_domains(op, 'Northwind Denmark', 'Dk-Staff.example, @dk-staff.example')
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(STACK.query('SELECT domain FROM signup_domains WHERE customer_id = ?',
                                     cid('Northwind Denmark')), [('dk-staff.example',)])
        r = self.set_domains(op, 'Contoso Charging', 'dk-staff.example')
        self.assertEqual(r.status, 400)
        self.assertIn('Northwind Denmark', field_error(r.text, 'domains'),
                      'an operator sees the conflict')
        for bad in ('not a domain', 'localhost', '-x.example', 'a..example', '1.2.3.4',
                    'gmail.com'):
            with self.subTest(bad=bad):
                self.assertEqual(self.set_domains(op, 'Northwind Sweden', bad).status, 400)
        # administrators read them: a domain lets everyone there in, so
        # the platform sets it
        page = client('admin').get(f'/customers/{cid("Northwind Denmark")}/signup-domains')
        self.assertPage(page)
        self.assertIn('dk-staff.example', page.text)
        self.assertNotIn('name="domains"', page.text)
        self.assertEqual(self.set_domains(client('admin'), 'Northwind Denmark', 'x.example').status,
                         403)
        self.assertEqual(client('contoso.admin').get(
            f'/customers/{cid("Northwind Denmark")}/signup-domains').status, 404)

    def test_signup_by_domain(self):
        group = auto_group()
        self.set_domains(client('operator'), 'Northwind Denmark', 'dk-staff.example')
        r = public_post('/signup', {'email': 'sam@DK-staff.example'})
        self.assertEqual(r.status, 200)
        link = link_in('sam@DK-staff.example', SIGNUP_RE)
        page = Client(STACK).get(link)
        self.assertPage(page)
        self.assertIn('sam@DK-staff.example', page.text)
        r = public_post(link, account_fields('sam.staff', full_name='Sam Staff'))
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(STACK.query("SELECT customer_id, groups FROM users WHERE username = "
                                     "'sam.staff'")[0], (cid('Northwind Denmark'), 0))
        self.assertTrue(member_of(group, 'sam.staff'), 'auto-assign applies on sign-up')
        logged_in('sam.staff', GOOD_PASSWORD)
        self.assertEqual(Client(STACK).get(link).status, 404, 'the link works once')
        # a domain removed since the mail: its link no longer works
        public_post('/signup', {'email': 'kim@dk-staff.example'})
        kim = link_in('kim@dk-staff.example', SIGNUP_RE)
        self.set_domains(client('operator'), 'Northwind Denmark', '')
        self.assertEqual(public_post(kim, account_fields('kim.staff')).status, 404)

    def test_answers_alike(self):
        self.set_domains(client('operator'), 'Northwind Denmark', 'dk-staff.example')
        answers = {}
        for email in ('new@dk-staff.example', 'dk.admin@northwind.example',
                      'who@unknown-domain.example'):
            r = public_post('/signup', {'email': email})
            answers[email] = (r.status, r.text.replace(email, 'X'))
        self.assertEqual(len(set(answers.values())), 1, 'one answer for every address')
        STACK.arborctl('mail', 'send')
        to = {message_to(e)[2]['To'] for e in ('new@dk-staff.example',)}
        self.assertEqual(to, {'new@dk-staff.example'})
        self.assertFalse([p for p in spool_files()
                          if 'who@unknown-domain.example' in open(p, errors='replace').read()])
        self.assertEqual(public_post('/signup', {'email': 'nope'}).status, 400)

    def test_rate_limits(self):
        self.set_domains(client('operator'), 'Northwind Denmark', 'dk-staff.example')
        for _ in range(4):
            r = public_post('/signup', {'email': 'busy@dk-staff.example'})
            self.assertEqual(r.status, 200)
        STACK.arborctl('mail', 'send')
        self.assertEqual(len([p for p in spool_files()
                              if 'busy@dk-staff.example' in open(p, errors='replace').read()]),
                         3, 'at most 3 mails an hour to one address; the fourth answers alike')
        # the visitors' mails are counted apart from an administrator's
        self.assertEqual(invite(client('admin'), 'busy@dk-staff.example').status, 303)
        STACK.query("UPDATE auth_failures SET failures = 1000000 WHERE subject LIKE 'public:%'")
        r = public_post('/signup', {'email': 'other@dk-staff.example'})
        self.assertEqual(r.status, 429)
        self.assertIn('minutes', r.text)


if __name__ == '__main__':
    unittest.main()
