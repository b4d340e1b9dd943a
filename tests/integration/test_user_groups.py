"""User groups (issue 15, seed 004, SPEC "User groups and access
control"): operators define groups for all accounts or for one, with
auto-assign, a financial owner and a discount cap; an account's
administrators set the discount (up to the cap) and the members of their
account's groups, among the users they see; all-accounts groups are
read-only to them, and another account's groups are not found.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (AA, DM, FDA, STACK, Api, PageTest, cid, client, events,  # noqa: E402,F401
                      field_error, logged_in, make_user, new_token, setUpModule, tables,
                      uid)

GROUP_TABLES = ('user_groups', 'user_group_members', 'events')


def group_id(name):
    return STACK.query('SELECT id FROM user_groups WHERE name = ?', name)[0][0]


def members(name):
    return sorted(r[0] for r in STACK.query(
        'SELECT u.username FROM user_group_members m JOIN users u ON u.id = m.user_id '
        'JOIN user_groups g ON g.id = m.group_id WHERE g.name = ?', name))


def new_group(name, scope='account', account='Northwind Fleet', auto_assign=False,
              owner='', cap='20', description=''):
    """An operator's POST of a new group: the response."""
    op = client('operator')
    op.get('/operator/groups/new')
    fields = {'name': name, 'description': description, 'scope': scope,
              'account_id': str(cid(account)) if account else '',
              'financial_owner': owner, 'max_discount_percent': cap}
    if auto_assign:
        fields['auto_assign'] = '1'
    return op.post('/operator/groups/new', fields)


def create_user(admin, username, customer='Aarhus'):
    c = client(admin)
    c.get('/users/new')
    r = c.post('/users/new', [('email', f'{username}@example.test'), ('username', username),
                              ('customer_id', str(cid(customer))), ('password_mode', 'manual'),
                              ('password', 'Quiet-Harbor-Lantern-4471'),
                              ('confirm_password', 'Quiet-Harbor-Lantern-4471'),
                              ('active', '1')])
    assert r.status == 303, r
    return int(r.location.rsplit('/', 1)[1])


class OperatorTests(PageTest):
    def test_operator_creates_both_scopes_and_lists_them(self):
        r = new_group('Drivers NW', auto_assign=True, owner='admin', cap='25',
                      description='Company drivers')
        self.assertEqual((r.status, r.location), (303, '/operator/groups'))
        r = new_group('Roaming partners', scope='all', account='', cap='10')
        self.assertEqual(r.status, 303, r)
        page = client('operator').get('/operator/groups')
        self.assertPage(page)
        self.assertIn('Drivers NW', page.text)
        self.assertIn('Roaming partners', page.text)
        self.assertIn('Company drivers', page.text)
        row = STACK.query('SELECT account_id, auto_assign, financial_owner_id, '
                          'max_discount_percent, coalesce(discount_percent, 0) FROM user_groups '
                          "WHERE name = 'Drivers NW'")
        self.assertEqual(row, [(cid('Northwind Fleet'), 1, uid('admin'), 25, 0)])
        self.assertTrue(any('Drivers NW' in d for _, _, d in events('user_group_created')))
        # search and scope filter
        text = client('operator').get('/operator/groups?q=roaming&scope=all').text
        self.assertIn('Roaming partners', text)
        self.assertNotIn('Drivers NW', text)
        text = client('operator').get('/operator/groups?scope=account').text
        self.assertNotIn('Roaming partners', text)
        # the edit form shows it as stored
        page = client('operator').get(f'/operator/groups/{group_id("Drivers NW")}')
        self.assertPage(page)
        self.assertIn('value="admin"', page.text)

    def test_bad_groups_are_refused_and_change_nothing(self):
        new_group('Taken name')
        before = tables(*GROUP_TABLES)
        for fields, field in (
                ({'name': ''}, 'name'),
                ({'name': 'taken NAME'}, 'name'),
                ({'scope': 'galaxy'}, 'scope'),
                ({'account': None}, 'account_id'),
                ({'scope': 'all', 'account': '', 'auto_assign': True}, 'auto_assign'),
                ({'owner': 'admin@contoso.example'}, 'financial_owner'),
                ({'owner': 'nobody-at-all'}, 'financial_owner'),
                ({'cap': '101'}, 'max_discount_percent'),
                ({'cap': 'ten'}, 'max_discount_percent')):
            args = {'name': 'Fresh group', **fields}
            r = new_group(**args)
            self.assertPage(r, 400)
            self.assertTrue(field_error(r.text, field), (fields, field))
        self.assertEqual(tables(*GROUP_TABLES), before)

    def test_only_operators_reach_the_definitions(self):
        for who in ('admin', 'dk.admin', 'contoso.admin'):
            c = client(who)
            self.assertEqual(c.get('/operator/groups').status, 403, who)
            self.assertEqual(c.post('/operator/groups/new', {'name': 'x', 'scope': 'all'})
                             .status, 403, who)

    def test_delete_says_what_it_detaches(self):
        new_group('Short lived')
        gid = group_id('Short lived')
        STACK.query('INSERT INTO user_group_members VALUES (?, ?)', gid, uid('driver'))
        op = client('operator')
        page = op.get(f'/operator/groups/{gid}/delete')
        self.assertPage(page)
        self.assertIn('detaches 1 member and 0 devices', page.text)
        r = op.post(f'/operator/groups/{gid}/delete')
        self.assertEqual(r.status, 303)
        self.assertEqual(STACK.query('SELECT count(*) FROM user_groups WHERE id = ?', gid),
                         [(0,)])
        self.assertEqual(STACK.query('SELECT count(*) FROM user_group_members WHERE group_id = ?',
                                     gid), [(0,)])
        self.assertIn('1 members and 0 devices detached', events('user_group_deleted')[-1][2])


class AutoAssignTests(PageTest):
    def test_new_users_join_and_turning_it_off_leaves_members(self):
        new_group('Auto NW', auto_assign=True)
        new_group('Manual NW')
        create_user('admin', 'auto.one')
        self.assertEqual(members('Auto NW'), ['auto.one'])
        self.assertEqual(members('Manual NW'), [])
        # another account's new user does not join
        create_user('contoso.admin', 'auto.contoso', customer='Contoso Charging')
        self.assertEqual(members('Auto NW'), ['auto.one'])
        # off: the members stay, the next user does not join
        gid = group_id('Auto NW')
        op = client('operator')
        op.get(f'/operator/groups/{gid}')
        r = op.post(f'/operator/groups/{gid}', {'name': 'Auto NW', 'scope': 'account',
                                                'account_id': str(cid('Northwind Fleet')),
                                                'max_discount_percent': '20'})
        self.assertEqual(r.status, 303, r)
        create_user('admin', 'auto.two')
        self.assertEqual(members('Auto NW'), ['auto.one'])


class AdministratorTests(PageTest):
    @classmethod
    def setUpClass(cls):
        new_group('NW Fleet drivers', cap='30')
        new_group('Everyone roams', scope='all', account='', cap='5')
        new_group('Contoso staff', account='Contoso Charging', cap='50')

    def test_the_list_shows_own_and_all_accounts_groups(self):
        page = client('admin').get('/groups')
        self.assertPage(page)
        self.assertIn('NW Fleet drivers', page.text)
        self.assertIn('Everyone roams', page.text)
        self.assertRegex(page.text, r'Everyone roams</a>.*?</th>\s*<td>All accounts '
                         r'<span class="badge badge-inactive">read-only</span>')
        # members of customers the viewer may not see are not counted
        self.assertNotRegex(page.text, r'<a href="/groups/\d+">\d+</a>')
        self.assertNotIn('Contoso staff', page.text)
        self.assertNotIn('Contoso staff', client('dk.admin').get('/groups').text)
        self.assertNotIn('NW Fleet drivers', client('contoso.admin').get('/groups').text)
        # without Account Administrator: 403
        self.assertEqual(client('driver').get('/groups').status, 403)

    def test_another_accounts_group_is_not_found(self):
        gid = group_id('Contoso staff')
        c = client('admin')
        self.assertEqual(c.get(f'/groups/{gid}').status, 404)
        c.get('/groups')
        self.assertEqual(c.post(f'/groups/{gid}', {'discount_percent': '1'}).status, 404)
        self.assertEqual(c.post(f'/groups/{gid}/members', {'users': 'admin'}).status, 404)

    def test_discount_up_to_the_cap(self):
        gid = group_id('NW Fleet drivers')
        c = client('admin')
        page = c.get(f'/groups/{gid}')
        self.assertPage(page)
        before = tables(*GROUP_TABLES)
        for bad in ('31', '-1', 'x', ''):
            r = c.post(f'/groups/{gid}', {'discount_percent': bad})
            self.assertPage(r, 400)
            self.assertIn('0 to 30', field_error(r.text, 'discount_percent'))
        self.assertEqual(tables(*GROUP_TABLES), before)
        r = c.post(f'/groups/{gid}', {'discount_percent': '30'})
        self.assertEqual(r.status, 303)
        self.assertEqual(STACK.query('SELECT discount_percent FROM user_groups WHERE id = ?',
                                     gid), [(30,)])
        self.assertIn('"NW Fleet drivers": 30% (was 0%)',
                      events('user_group_discount_set')[-1][2])
        # a lower cap lowers the discount
        op = client('operator')
        op.get(f'/operator/groups/{gid}')
        op.post(f'/operator/groups/{gid}', {'name': 'NW Fleet drivers', 'scope': 'account',
                                            'account_id': str(cid('Northwind Fleet')),
                                            'max_discount_percent': '12'})
        self.assertEqual(STACK.query('SELECT discount_percent FROM user_groups WHERE id = ?',
                                     gid), [(12,)])
        op.post(f'/operator/groups/{gid}', {'name': 'NW Fleet drivers', 'scope': 'account',
                                            'account_id': str(cid('Northwind Fleet')),
                                            'max_discount_percent': '30'})

    def test_all_accounts_groups_are_read_only(self):
        gid = group_id('Everyone roams')
        c = client('admin')
        page = c.get(f'/groups/{gid}')
        self.assertPage(page)
        self.assertIn('only the platform', page.text)
        self.assertNotIn('name="users"', page.text)
        before = tables(*GROUP_TABLES)
        self.assertEqual(c.post(f'/groups/{gid}', {'discount_percent': '1'}).status, 403)
        self.assertEqual(c.post(f'/groups/{gid}/members', {'users': 'driver'}).status, 403)
        self.assertEqual(c.post(f'/groups/{gid}/members/{uid("admin")}/remove').status, 403)
        self.assertEqual(tables(*GROUP_TABLES), before)

    def test_members_by_paste_with_a_preview(self):
        gid = group_id('NW Fleet drivers')
        c = client('admin')
        c.get(f'/groups/{gid}')
        before = tables(*GROUP_TABLES)
        paste = 'driver, se.user@northwind.example;\nadmin@contoso.example  no-such-user'
        r = c.post(f'/groups/{gid}/members', {'users': paste, 'preview': '1'})
        self.assertPage(r)
        self.assertEqual(tables(*GROUP_TABLES), before)
        rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]+)</td>',
                          r.text)
        self.assertEqual(rows, [('driver', 'driver', 'will be added'),
                                ('se.user@northwind.example', 'se.user', 'will be added'),
                                # another account's user reads as unknown
                                ('admin@contoso.example', '—', 'not found'),
                                ('no-such-user', '—', 'not found')])
        r = c.post(f'/groups/{gid}/members', {'users': paste, 'add': '1'})
        self.assertPage(r)
        self.assertIn('2 added, 0 already members, 2 not found', r.text)
        self.assertEqual(members('NW Fleet drivers'), ['driver', 'se.user'])
        r = c.post(f'/groups/{gid}/members', {'users': 'driver', 'preview': '1'})
        self.assertIn('already a member', r.text)
        # a nested customer's administrator sees and adds only their users
        dk = client('dk.admin')
        text = dk.get(f'/groups/{gid}').text
        self.assertIn('driver@northwind.example', text)     # Aarhus: below Denmark
        self.assertNotIn('se.user', text)                   # Sweden: a sibling
        r = dk.post(f'/groups/{gid}/members', {'users': 'admin', 'add': '1'})
        self.assertRegex(r.text, r'<tr><th scope="row">admin</th><td>—</td><td>not found</td>')
        self.assertNotIn('name="discount_percent"', text)   # the account's, not Denmark's
        self.assertEqual(dk.post(f'/groups/{gid}', {'discount_percent': '1'}).status, 403)
        self.assertEqual(dk.post(f'/groups/{gid}/members/{uid("se.user")}/remove').status,
                         404)
        # removal
        r = c.post(f'/groups/{gid}/members/{uid("driver")}/remove')
        self.assertEqual(r.status, 303)
        self.assertEqual(members('NW Fleet drivers'), ['se.user'])
        # nothing pasted
        r = c.post(f'/groups/{gid}/members', {'users': ' , ', 'add': '1'})
        self.assertPage(r, 400)
        self.assertTrue(field_error(r.text, 'users'))
        # without the form's token: 403
        self.assertEqual(c.post(f'/groups/{gid}/members', {'users': 'driver'}, csrf=False)
                         .status, 403)

    def test_readers_of_groups(self):
        """A Billing Administrator and an API Developer read the groups and change nothing."""
        make_user('nw.billing', 'Northwind Fleet', 128)
        make_user('nw.apidev', 'Northwind Fleet', 64)
        gid = group_id('NW Fleet drivers')
        for who in ('nw.billing', 'nw.apidev'):
            c = logged_in(who)
            self.assertIn('NW Fleet drivers', c.get('/groups').text, who)
            page = c.get(f'/groups/{gid}')
            self.assertEqual(page.status, 200, who)
            self.assertNotIn('name="discount_percent"', page.text)
            self.assertEqual(c.post(f'/groups/{gid}', {'discount_percent': '1'}).status, 403)


class RefusalTests(PageTest):
    @classmethod
    def setUpClass(cls):
        new_group('Ref NW', cap='10')
        new_group('Ref Contoso', account='Contoso Charging', cap='10')

    def test_operator_pages_are_operators_only(self):
        gid = group_id('Ref NW')
        c = client('admin')
        c.get('/groups')
        for path in (f'/operator/groups/{gid}', f'/operator/groups/{gid}/delete'):
            self.assertEqual(c.get(path).status, 403, path)
            self.assertEqual(c.post(path, {'name': 'x', 'scope': 'all'}).status, 403, path)
        self.assertEqual(STACK.query('SELECT count(*) FROM user_groups WHERE id = ?', gid),
                         [(1,)])

    def test_another_accounts_members_cannot_be_removed(self):
        gid = group_id('Ref Contoso')
        STACK.query('INSERT INTO user_group_members VALUES (?, ?)', gid, uid('contoso.admin'))
        c = client('admin')
        c.get('/groups')
        self.assertEqual(c.post(f'/groups/{gid}/members/{uid("contoso.admin")}/remove').status,
                         404)
        self.assertEqual(members('Ref Contoso'), ['contoso.admin'])

    def test_a_group_keeps_no_other_accounts_members_when_it_moves(self):
        new_group('Ref movable', scope='all', account='', cap='10')
        gid = group_id('Ref movable')
        STACK.query('INSERT INTO user_group_members VALUES (?, ?)', gid, uid('contoso.admin'))
        op = client('operator')
        op.get(f'/operator/groups/{gid}')
        r = op.post(f'/operator/groups/{gid}', {'name': 'Ref movable', 'scope': 'account',
                                                'account_id': str(cid('Northwind Fleet')),
                                                'max_discount_percent': '10'})
        self.assertPage(r, 400)
        self.assertIn('1 member and 0 devices', field_error(r.text, 'account_id'))
        self.assertEqual(STACK.query('SELECT account_id FROM user_groups WHERE id = ?', gid),
                         [(None,)])

    def test_auto_assign_through_the_api(self):
        new_group('Ref auto', auto_assign=True)
        token, _ = new_token('admin', name='groups auto')
        r = Api(token).call('POST', '/api/v1/users', {
            'email': 'ref.api@example.test', 'username': 'ref.api',
            'customer_id': cid('Aarhus'), 'password_mode': 'welcome'})
        self.assertEqual(r.status, 201, r.text)
        self.assertIn('Ref auto', r.json['user_groups'])
        self.assertIn('ref.api', members('Ref auto'))

    def test_too_many_names_at_once(self):
        gid = group_id('Ref NW')
        c = client('admin')
        c.get(f'/groups/{gid}')
        r = c.post(f'/groups/{gid}/members', {'users': ' '.join(f'u{i}' for i in range(501)),
                                              'add': '1'})
        self.assertPage(r, 400)
        self.assertIn('at most 500', field_error(r.text, 'users'))


class DeviceScopeTests(PageTest):
    """The charger scope (seed 004): devices pasted into a group are open
    to its members only; a device without groups to every active user of
    its account; POST /api/v1/authorize answers it."""

    @classmethod
    def setUpClass(cls):
        new_group('Scope NW', cap='20', owner='admin')
        STACK.query("UPDATE user_groups SET discount_percent = 20 WHERE name = 'Scope NW'")
        cls.token = new_token('admin', name='groups authorize')[0]

    def authorize(self, unit_id, username=None, user_id=None):
        return Api(self.token).call('POST', '/api/v1/authorize', {
            'unit_id': unit_id, 'user_id': user_id or uid(username)})

    def test_devices_by_paste_and_the_decision(self):
        gid = group_id('Scope NW')
        unit = STACK.query("SELECT unit_id FROM devices d JOIN customers c ON c.id = "
                           "d.customer_id WHERE c.name = 'Aarhus' ORDER BY d.id")[0][0]
        contoso_unit = STACK.query("SELECT unit_id FROM devices d JOIN customers c ON c.id = "
                                   "d.customer_id WHERE c.name = 'Contoso Charging'")[0][0]
        # no group: open to every active user of the account
        r = self.authorize(unit, 'driver')
        self.assertEqual((r.status, r.json['allowed'], r.json['status']), (200, True, 'Accepted'))
        c = client('admin')
        c.get(f'/groups/{gid}')
        r = c.post(f'/groups/{gid}/devices', {'ids': f'{unit} {contoso_unit} NOPE-1',
                                              'preview': '1'})
        self.assertPage(r)
        self.assertRegex(r.text, rf'<tr><th scope="row">{unit}</th><td>{unit}</td>'
                                 r'<td>will be added</td>')
        self.assertRegex(r.text, rf'<tr><th scope="row">{contoso_unit}</th><td>—</td>'
                                 r'<td>not found</td>')
        r = c.post(f'/groups/{gid}/devices', {'ids': f'{unit} {contoso_unit}', 'add': '1'})
        self.assertIn('1 added', r.text)
        # grouped: members only
        r = self.authorize(unit, 'driver')
        self.assertEqual((r.json['allowed'], r.json['status']), (False, 'Invalid'))
        self.assertIn('none of the device', r.json['reason'])
        STACK.query('INSERT INTO user_group_members VALUES (?, ?)', gid, uid('driver'))
        r = self.authorize(unit, 'driver')
        self.assertEqual((r.json['allowed'], r.json['discount_percent'],
                          r.json['financial_owner'], r.json['groups'][0]),
                         (True, 20, 'admin', 'Scope NW'))
        # inactive: blocked
        STACK.query("UPDATE users SET active = 0 WHERE username = 'driver'")
        try:
            r = self.authorize(unit, 'driver')
            self.assertEqual((r.json['allowed'], r.json['status']), (False, 'Blocked'))
        finally:
            STACK.query("UPDATE users SET active = 1 WHERE username = 'driver'")
        # another account's user reads like no user at all
        foreign = self.authorize(unit, 'contoso.admin').json
        missing = self.authorize(unit, user_id=999999).json
        self.assertEqual(foreign, missing)
        self.assertEqual((foreign['allowed'], foreign['status']), (False, 'Invalid'))
        # a device the token's user does not see: 404, like a missing one
        self.assertEqual(self.authorize(contoso_unit, 'driver').status, 404)
        self.assertEqual(self.authorize('NO-SUCH-UNIT', 'driver').status, 404)
        # bad bodies
        api = Api(self.token)
        self.assertEqual(api.call('POST', '/api/v1/authorize', {'unit_id': unit}).status, 400)
        self.assertEqual(api.call('POST', '/api/v1/authorize', {'user_id': 1}).status, 400)
        self.assertEqual(api.call('POST', '/api/v1/authorize',
                                  {'unit_id': unit, 'user_id': 1, 'x': 1}).status, 400)
        # removal opens it again
        device_id = STACK.query('SELECT id FROM devices WHERE unit_id = ?', unit)[0][0]
        STACK.query('DELETE FROM user_group_members WHERE user_id = ?', uid('driver'))
        self.assertEqual(c.post(f'/groups/{gid}/devices/{device_id}/remove').status, 303)
        self.assertTrue(self.authorize(unit, 'driver').json['allowed'])


class UserFormTests(PageTest):
    """The user form shows the account's groups as checkboxes (an
    all-accounts group the user is in as text) and sets them through the
    one user flow."""

    @classmethod
    def setUpClass(cls):
        new_group('Form A')
        new_group('Form auto', auto_assign=True)
        new_group('Form global', scope='all', account='', cap='5')
        new_group('Form Contoso', account='Contoso Charging')

    def user_fields(self, c, user_id):
        """The edit form of user_id as posted back unchanged, as pairs."""
        text = c.get(f'/users/{user_id}').text
        self.assertIn('name="user_groups_listed"', text)
        return text

    def test_the_form_sets_the_groups(self):
        c = client('admin')
        text = c.get('/users/new').text
        a, auto = group_id('Form A'), group_id('Form auto')
        self.assertRegex(text, rf'id="user_group-{auto}" name="user_group" value="{auto}" '
                               r'checked')
        self.assertNotRegex(text, rf'id="user_group-{a}" name="user_group" value="{a}" '
                                  r'checked')
        self.assertNotIn('Form Contoso', text)
        # a new user: Form A ticked, the auto-assign group unticked
        r = c.post('/users/new', [('email', 'form.one@example.test'), ('username', 'form.one'),
                                  ('customer_id', str(cid('Aarhus'))), ('password_mode', 'welcome'),
                                  ('active', '1'), ('user_groups_listed', '1'),
                                  ('user_group', str(a))])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(members('Form A'), ['form.one'])
        self.assertEqual(members('Form auto'), [])
        user_id = int(r.location.rsplit('/', 1)[1])
        # the all-accounts group shows as text, and stays whatever is posted
        STACK.query('INSERT INTO user_group_members VALUES (?, ?)', group_id('Form global'),
                    user_id)
        text = c.get(f'/users/{user_id}').text
        self.assertIn('Also in: Form global', text)
        base = [('email', 'form.one@example.test'), ('username', 'form.one'),
                ('customer_id', str(cid('Aarhus'))), ('password_mode', 'keep'), ('active', '1')]
        # another account's group, or an all-accounts one: refused, nothing changed
        before = tables(*GROUP_TABLES)
        for bad in (group_id('Form Contoso'), group_id('Form global'), 999999):
            r = c.post(f'/users/{user_id}', base + [('user_groups_listed', '1'),
                                                    ('user_group', str(bad))])
            self.assertPage(r, 400)
            self.assertTrue(field_error(r.text, 'user_group'), bad)
        self.assertEqual(tables(*GROUP_TABLES), before)
        # a form without the list keeps the groups; with it, unticked leaves
        self.assertEqual(c.post(f'/users/{user_id}', base).status, 303)
        self.assertEqual(members('Form A'), ['form.one'])
        r = c.post(f'/users/{user_id}', base + [('user_groups_listed', '1'),
                                                ('user_group', str(auto))])
        self.assertEqual(r.status, 303, r)
        self.assertEqual((members('Form A'), members('Form auto'), members('Form global')),
                         ([], ['form.one'], ['form.one']))
        self.assertIn('joined "Form auto"; left "Form A"', events('user_groups_set')[-1][2])


class EffectTests(PageTest):
    def test_the_most_favourable_discount_and_who_pays(self):
        """Three overlapping groups: the largest discount wins; of two
        with the same discount, the group made first names who pays."""
        make_user('eff.payer1', 'Northwind Fleet')
        make_user('eff.payer2', 'Northwind Fleet')
        new_group('Eff small', cap='10', owner='eff.payer1')
        new_group('Eff big first', cap='40', owner='eff.payer1')
        new_group('Eff big second', cap='40', owner='eff.payer2')
        STACK.query("UPDATE user_groups SET discount_percent = max_discount_percent "
                    "WHERE name LIKE 'Eff %'")
        # made first: the lower id, and the earlier time
        STACK.query("UPDATE user_groups SET created_at = 1 WHERE name = 'Eff big first'")
        STACK.query("UPDATE user_groups SET created_at = 2 WHERE name = 'Eff big second'")
        for name in ('Eff small', 'Eff big second', 'Eff big first'):
            STACK.query('INSERT INTO user_group_members VALUES (?, ?)', group_id(name),
                        uid('driver'))
        page = client('admin').get(f'/users/{uid("driver")}').text
        self.assertIn('<dt>Discount</dt><dd>40 %', page)
        self.assertIn('<dt>Paid by</dt><dd>eff.payer1</dd>', page)
        self.assertIn('Eff big first, Eff big second, Eff small', page)
        token, _ = new_token('admin', name='groups effect')
        doc = Api(token).call('GET', f'/api/v1/users/{uid("driver")}').json
        self.assertEqual((doc['discount_percent'], doc['financial_owner'], doc['user_groups']),
                         (40, 'eff.payer1', ['Eff big first', 'Eff big second', 'Eff small']))
        # the tie turns: the other group made first names the other payer
        STACK.query("UPDATE user_groups SET created_at = 3 WHERE name = 'Eff big first'")
        doc = Api(token).call('GET', f'/api/v1/users/{uid("driver")}').json
        self.assertEqual(doc['financial_owner'], 'eff.payer2')
        # a payer the viewer does not see is not named, on the page or in the API
        text = client('dk.admin').get(f'/users/{uid("driver")}').text
        self.assertIn('a user outside your view', text)
        doc = Api(new_token('dk.admin', name='groups effect dk')[0]).call(
            'GET', f'/api/v1/users/{uid("driver")}').json
        self.assertEqual((doc['financial_owner'], doc['financial_owner_outside_view']),
                         (None, True))
        # no group: no discount, nobody named
        make_user('eff.none', 'Northwind Fleet')
        doc = Api(token).call('GET', f'/api/v1/users/{uid("eff.none")}').json
        self.assertEqual((doc['discount_percent'], doc['financial_owner'], doc['user_groups']),
                         (0, None, []))


class DeviceFormTests(PageTest):
    """/devices/{id}/edit (seed 004's charger scope on the device): Device
    Management edits the settings, an Account Administrator the user
    groups; each sees and changes only their part."""

    @classmethod
    def setUpClass(cls):
        new_group('Form chargers', cap='10')
        new_group('Form roaming', scope='all', account='', cap='5')
        make_user('form.dm', 'Northwind Fleet', groups=DM | FDA)
        cls.device = STACK.query("SELECT id FROM devices WHERE unit_id = 'NW-100002'")[0][0]
        cls.path = f'/devices/{cls.device}/edit'

    def scope(self):
        return sorted(r[0] for r in STACK.query(
            'SELECT g.name FROM user_group_devices x JOIN user_groups g ON g.id = x.group_id '
            'WHERE x.device_id = ?', self.device))

    def settings(self):
        return STACK.query('SELECT name, vehicle_name FROM devices WHERE id = ?', self.device)[0]

    def test_each_sees_and_changes_only_their_part(self):
        gid = group_id('Form chargers')
        # an Account Administrator (nested, of Denmark): the groups only
        c = client('dk.admin')
        page = c.get(self.path)
        self.assertPage(page)
        self.assertIn(f'id="user_group-{gid}"', page.text)
        self.assertNotIn('id="vehicle_name"', page.text)
        before = self.settings()
        r = c.post(self.path, [('user_groups_listed', '1'), ('user_group', str(gid)),
                               ('name', 'Renamed'), ('vehicle_name', 'Hijack')])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.scope(), ['Form chargers'])
        self.assertEqual(self.settings(), before)
        self.assertTrue(any('NW-100002' in d for _, _, d in events('device_user_groups_set')))
        # Device Management: the settings only; groups sent are ignored
        dm = logged_in('form.dm')
        page = dm.get(self.path)
        self.assertIn('id="vehicle_name"', page.text)
        self.assertNotIn('user_groups_listed', page.text)
        r = dm.post(self.path, [('name', 'Tracker 2b'), ('vehicle_name', 'Van 12'),
                                ('location_id', ''), ('user_groups_listed', '1')])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.settings()[0], 'Tracker 2b')
        self.assertEqual(self.scope(), ['Form chargers'])
        # unticked by the administrator: open again; the device page links the form
        self.assertIn(f'href="{self.path}"', c.get(f'/devices/{self.device}').text)
        r = c.post(self.path, [('user_groups_listed', '1')])
        self.assertEqual((r.status, self.scope()), (303, []))

    def test_refusals(self):
        c = client('dk.admin')
        roaming = group_id('Form roaming')
        STACK.query("INSERT INTO user_groups (name, account_id, created_at) VALUES "
                    "('Contoso form', ?, 0)", cid('Contoso Charging'))
        foreign = group_id('Contoso form')
        before = tables('user_group_devices', 'devices')
        for gid in (roaming, foreign, 999999):
            c.get(self.path)
            r = c.post(self.path, [('user_groups_listed', '1'), ('user_group', str(gid))])
            self.assertPage(r, 400)
            self.assertIn('user groups of your account', field_error(r.text, 'user_group'))
        self.assertEqual(tables('user_group_devices', 'devices'), before)
        # a device outside the view, and a user with neither part
        contoso = STACK.query("SELECT d.id FROM devices d JOIN customers c ON c.id = "
                              "d.customer_id WHERE c.name = 'Contoso Charging'")[0][0]
        self.assertEqual(c.get(f'/devices/{contoso}/edit').status, 404)
        self.assertEqual(client('driver').get(self.path).status, 403)


if __name__ == '__main__':
    unittest.main()
