"""Location shares (issue 16, SPEC "Location shares", seed 003's Location
Facilitator): an Account Administrator shares a location with an e-mail;
the user of another account with that address who holds Location
Facilitator accepts it through the mail's link and then reads exactly that
location's devices, on /shared and /api/v1/shared, and nothing else of
the owner, until the share is revoked or expires (on the next request).
Every grant, acceptance, revocation and view is an event.
"""
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (AA, FDA, NCA, STACK, Api, PageTest, cid, client, events,  # noqa: E402
                      field_error, logged_in, make_device, make_location, make_user, new_token,
                      setUpModule, tables, uid)  # noqa: F401
from test_mail import message_to, spool_files  # noqa: E402

LF = 256
API_DEV = 64
SHARE_LINK_RE = re.compile(r'/shares/[A-Za-z0-9_-]{43}')
# the guest: all groups of their own account, Location Facilitator among them
GUEST = 'contoso.admin'
GUEST_EMAIL = 'admin@contoso.example'


def send_mail():
    STACK.arborctl('mail', 'send')


def clear_spool():
    for path in spool_files():
        os.remove(path)


def default_expiry(c, location_id):
    text = c.get(f'/locations/{location_id}/shares').text
    return re.search(r'name="expires_on" type="date" value="([^"]+)"', text).group(1)


class SharesTest(PageTest):
    """Northwind Denmark's location "Share Depot" with three devices, a
    second location with one, and a device of Denmark at no location."""

    @classmethod
    def setUpClass(cls):
        n = cls.__name__
        cls.loc = make_location(f'Share Depot {n}', 'Northwind Denmark')
        cls.other_loc = make_location(f'Private Yard {n}', 'Northwind Denmark')
        cls.shared_units = [f'{n[:6]}-S{i}' for i in range(3)]
        cls.devices = [make_device(u, 'Northwind Denmark', cls.loc)[0] for u in cls.shared_units]
        cls.private_unit = f'{n[:6]}-P0'
        cls.private = make_device(cls.private_unit, 'Northwind Denmark', cls.other_loc)[0]
        cls.loose_unit = f'{n[:6]}-L0'
        make_device(cls.loose_unit, 'Northwind Denmark')

    def setUp(self):
        send_mail()
        clear_spool()
        STACK.query('DELETE FROM location_shares')

    def share(self, email=GUEST_EMAIL, expires_on=None, admin='admin', location=None):
        c = client(admin)
        location = location or self.loc
        fields = {'email': email,
                  'expires_on': expires_on or default_expiry(c, location)}
        return c, c.post(f'/locations/{location}/shares', fields)

    def link_for(self, email=GUEST_EMAIL):
        send_mail()
        _, _, msg = message_to(email)
        body = msg.get_body(('plain',)).get_content()
        m = SHARE_LINK_RE.search(body)
        self.assertTrue(m, body)
        self.assertIn(STACK.url(m.group(0)), body)     # absolute, on base_url
        return m.group(0), msg

    def accepted(self, guest=GUEST, email=GUEST_EMAIL):
        """Share the depot with email, accept as guest: (guest client, share id)."""
        _, r = self.share(email)
        self.assertEqual(r.status, 303, r)
        link, _ = self.link_for(email)
        g = client(guest)
        r = g.get(link)
        self.assertPage(r)
        r = g.post(link)
        self.assertEqual(r.status, 303, r)
        share_id = int(r.location.rsplit('/', 1)[1])
        return g, share_id


class GrantAndAcceptTests(SharesTest):
    def test_share_accept_and_read_exactly_the_location(self):
        first = STACK.query('SELECT coalesce(max(id), 0) FROM events')[0][0]
        c, r = self.share()
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.location, f'/locations/{self.loc}/shares')
        page = c.get(r.location)
        self.assertPage(page)
        self.assertIn(f'The invitation to {GUEST_EMAIL} was sent.', page.text)
        self.assertIn('badge-pending', page.text)
        link, msg = self.link_for()
        self.assertEqual(msg['Subject'], 'A location is shared with you in Arbor')
        body = msg.get_body(('plain',)).get_content()
        self.assertIn(f'Location: Share Depot {type(self).__name__}', body)
        self.assertIn('Shared by: Nora Admin', body)
        self.assertIn('Location Facilitator', body)

        g = client(GUEST)
        r = g.get(link)
        self.assertPage(r)
        self.assertIn('Northwind Denmark shares the location', r.text)
        r = g.post(link)
        self.assertEqual(r.status, 303, r)
        share_id = int(r.location.rsplit('/', 1)[1])
        r = g.get(r.location)
        self.assertPage(r)
        for unit in self.shared_units:
            self.assertIn(unit, r.text)
        self.assertNotIn(self.private_unit, r.text)
        self.assertNotIn(self.loose_unit, r.text)
        overview = g.get('/shared')
        self.assertPage(overview)
        self.assertIn('Shared with me', overview.text)
        for unit in self.shared_units:
            self.assertIn(unit, overview.text)
        self.assertNotIn(self.private_unit, overview.text)
        # the owner's list shows it accepted
        self.assertIn('badge-active', c.get(f'/locations/{self.loc}/shares').text)
        # a second click on the link goes to the share, and changes nothing
        r = g.get(link)
        self.assertEqual((r.status, r.location), (303, f'/shared/{share_id}'))

        # every step is an event, each naming the share
        kinds = STACK.query('SELECT kind, user_id, actor_id FROM events WHERE id > ? AND kind '
                            "LIKE 'location_share%' ORDER BY id", first)
        self.assertEqual(kinds[0], ('location_shared', None, uid('admin')))
        self.assertEqual(kinds[1], ('location_share_accepted', uid(GUEST), uid(GUEST)))
        self.assertEqual({k[0] for k in kinds[2:]}, {'location_share_viewed'})
        self.assertEqual(len(kinds[2:]), 2)     # /shared/{id} and /shared
        self.assertTrue(all(f'(share {share_id})' in d for (d,) in STACK.query(
            "SELECT detail FROM events WHERE id > ? AND kind LIKE 'location_share%'", first)))

    def test_the_guest_sees_nothing_else_of_the_owner(self):
        g, share_id = self.accepted()
        denmark, fleet = cid('Northwind Denmark'), cid('Northwind Fleet')
        # pages of the owner's objects: 404, like objects that do not exist
        for path in (f'/devices/{self.devices[0]}', f'/devices/{self.devices[0]}/edit',
                     f'/devices/{self.private}', f'/locations/{self.loc}',
                     f'/locations/{self.loc}/shares', f'/locations/{self.other_loc}',
                     f'/customers/{denmark}', f'/customers/{fleet}/profile',
                     f'/users/{uid("dk.admin")}'):
            self.assertEqual(g.get(path).status, 404, path)
        # lists and searches of the guest's own account never list them
        for path in ('/devices?q=' + self.shared_units[0], '/devices',
                     '/locations?q=Share+Depot', '/customers?q=Northwind', '/users?q=northwind'):
            r = g.get(path)
            self.assertEqual(r.status, 200, path)
            # what the page says back of the search is not a finding
            text = re.sub(r'value="[^"]*"|match “[^”]*”', '', r.text)
            for needle in (self.shared_units[0], 'Share Depot', 'Northwind', 'dk.admin'):
                self.assertNotIn(needle, text, path)
        # nor a move of the owner's devices through the guest's Manage page
        r = g.get('/devices/manage')
        self.assertNotIn('Northwind', r.text)

        # the API: the same, and /api/v1/shared gives exactly the location
        token, _ = new_token(GUEST, name='shares: isolation')
        api = Api(token)
        for path in (f'/api/v1/devices/{self.devices[0]}', f'/api/v1/locations/{self.loc}',
                     f'/api/v1/customers/{denmark}', f'/api/v1/users/{uid("dk.admin")}'):
            self.assertEqual(api.call('GET', path).status, 404, path)
        r = api.call('GET', '/api/v1/devices?q=' + self.shared_units[0])
        self.assertEqual(r.json['items'], [])
        r = api.call('GET', '/api/v1/shared')
        self.assertEqual(r.status, 200)
        self.assertEqual([(s['id'], s['location']['id'], s['owner'])
                          for s in r.json['items']],
                         [(share_id, self.loc, 'Northwind Denmark')])
        units, cursor = [], None
        while True:
            r = api.call('GET', f'/api/v1/shared/{share_id}/devices?limit=2' +
                         (f'&cursor={cursor}' if cursor else ''))
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(set(r.json['items'][0]),
                             {'id', 'unit_id', 'name', 'vehicle_name', 'registered_at'})
            units += [d['unit_id'] for d in r.json['items']]
            cursor = r.json['next_cursor']
            if cursor is None:
                break
        self.assertEqual(units, self.shared_units)
        # a share id that is not the guest's: 404
        self.assertEqual(api.call('GET', f'/api/v1/shared/{share_id + 1000}/devices').status,
                         404)
        other = client('admin')      # holds Location Facilitator, but not this share
        self.assertEqual(other.get(f'/shared/{share_id}').status, 404)

    def test_devices_follow_the_location(self):
        g, share_id = self.accepted()
        STACK.query('UPDATE devices SET location_id = ? WHERE id = ?', self.other_loc,
                    self.devices[0])
        STACK.query('UPDATE devices SET location_id = ? WHERE id = ?', self.loc, self.private)
        try:
            text = g.get(f'/shared/{share_id}').text
            self.assertNotIn(self.shared_units[0], text)
            self.assertIn(self.private_unit, text)
        finally:
            STACK.query('UPDATE devices SET location_id = ? WHERE id = ?', self.loc,
                        self.devices[0])
            STACK.query('UPDATE devices SET location_id = ? WHERE id = ?', self.other_loc,
                        self.private)

    def test_pages_of_devices(self):
        g, share_id = self.accepted()
        units = [f'PG-{i:03d}' for i in range(55)]
        ids = [make_device(u, 'Northwind Denmark', self.loc)[0] for u in units]
        try:
            seen, path = [], f'/shared/{share_id}'
            while path:
                r = g.get(path)
                self.assertPage(r)
                seen += re.findall(r'<th scope="row">([^<]+)</th>', r.text)
                m = re.search(r'<a href="([^"]+)" rel="next">', r.text)
                path = m.group(1) if m else None
            self.assertEqual(seen, self.shared_units + units)
            self.assertEqual(g.get(f'/shared/{share_id}?after=x').status, 400)
        finally:
            for i in ids:
                STACK.query('DELETE FROM devices WHERE id = ?', i)


class EndTests(SharesTest):
    def test_revocation_ends_it_on_the_next_request(self):
        g, share_id = self.accepted()
        api = Api(new_token(GUEST, name='shares: revocation')[0])
        self.assertEqual(g.get(f'/shared/{share_id}').status, 200)
        c = client('admin')
        page = c.get(f'/locations/{self.loc}/shares')
        self.assertIn(f'/locations/{self.loc}/shares/{share_id}/revoke', page.text)
        r = c.post(f'/locations/{self.loc}/shares/{share_id}/revoke')
        self.assertEqual(r.status, 303, r)
        self.assertIn('badge-revoked', c.get(r.location).text)
        self.assertEqual(g.get(f'/shared/{share_id}').status, 404)
        self.assertNotIn('Share Depot', g.get('/shared').text)
        self.assertEqual(api.call('GET', f'/api/v1/shared/{share_id}/devices').status, 404)
        self.assertEqual(api.call('GET', '/api/v1/shared').json['items'], [])
        (user_id, actor_id, detail), = events('location_share_revoked')[-1:]
        self.assertEqual((user_id, actor_id), (uid(GUEST), uid('admin')))
        self.assertIn(f'(share {share_id})', detail)
        # revoking again changes nothing and logs nothing
        before = len(events('location_share_revoked'))
        r = c.post(f'/locations/{self.loc}/shares/{share_id}/revoke')
        self.assertEqual(r.status, 303)
        self.assertEqual(len(events('location_share_revoked')), before)

    def test_a_revoked_invitation_cannot_be_accepted(self):
        c, r = self.share()
        link, _ = self.link_for()
        share_id = STACK.query('SELECT id FROM location_shares')[0][0]
        c.post(f'/locations/{self.loc}/shares/{share_id}/revoke')
        g = client(GUEST)
        self.assertEqual(g.get(link).status, 410)
        r = g.post(link)
        self.assertEqual(r.status, 410)
        self.assertIn('revoked', r.text)
        self.assertEqual(STACK.query('SELECT guest_id FROM location_shares'), [(None,)])

    def test_expiry_ends_it_on_the_next_request(self):
        g, share_id = self.accepted()
        self.assertEqual(g.get(f'/shared/{share_id}').status, 200)
        STACK.query('UPDATE location_shares SET expires_at = ?', int(time.time()) - 1)
        self.assertEqual(g.get(f'/shared/{share_id}').status, 404)
        self.assertIn('No location is shared with you', g.get('/shared').text)
        self.assertIn('badge-expired', client('admin').get(f'/locations/{self.loc}/shares').text)

    def test_an_expired_invitation_cannot_be_accepted(self):
        self.share()
        link, _ = self.link_for()
        STACK.query('UPDATE location_shares SET expires_at = ?', int(time.time()) - 1)
        r = client(GUEST).post(link)
        self.assertEqual(r.status, 410)
        self.assertIn('expired', r.text)

    def test_deleting_the_location_ends_its_shares(self):
        loc = make_location('Doomed Depot', 'Northwind Denmark')
        _, r = self.share(location=loc)
        link, _ = self.link_for()
        g = client(GUEST)
        g.post(link)
        share_id = STACK.query('SELECT id FROM location_shares')[0][0]
        c = client('admin')
        c.get(f'/locations/{loc}/delete')
        self.assertEqual(c.post(f'/locations/{loc}/delete').status, 303)
        self.assertEqual(g.get(f'/shared/{share_id}').status, 404)
        self.assertEqual(STACK.query('SELECT count(*) FROM location_shares'), [(0,)])


class RefusalTests(SharesTest):
    def test_a_user_without_location_facilitator_cannot_accept(self):
        make_user('nolf.guest', 'Contoso Charging', AA | FDA | NCA)
        self.share('nolf.guest@test.example')
        link, _ = self.link_for('nolf.guest@test.example')
        g = logged_in('nolf.guest')
        r = g.get(link)
        self.assertPage(r, 403)
        self.assertIn('Location Facilitator', r.text)
        self.assertNotIn('Share Depot', r.text)
        self.assertEqual(g.post(link).status, 403)
        self.assertEqual(STACK.query('SELECT guest_id FROM location_shares'), [(None,)])
        self.assertEqual(g.get('/shared').status, 403)
        self.assertNotIn('href="/shared"', g.get('/accounts').text)
        # given the group, the same link works
        STACK.query("UPDATE users SET groups = groups | 256 WHERE username = 'nolf.guest'")
        self.assertEqual(g.post(link).status, 303)
        # and taken away again, the share shows no more
        STACK.query("UPDATE users SET groups = groups & ~256 WHERE username = 'nolf.guest'")
        self.assertEqual(logged_in('nolf.guest').get('/shared').status, 403)
        api = Api(new_token('nolf.guest')[0])
        self.assertEqual(api.call('GET', '/api/v1/shared').status, 403)

    def test_only_the_addressee_can_accept(self):
        make_user('lf.other', 'Contoso Charging', LF)
        self.share()
        link, _ = self.link_for()
        other = logged_in('lf.other')
        r = other.get(link)
        self.assertPage(r, 403)
        self.assertIn('another e-mail address', r.text)
        self.assertNotIn('Share Depot', r.text)
        self.assertEqual(other.post(link).status, 403)
        # the addressee accepts; the link is then used up, even for a
        # user who has that address later
        guest = client(GUEST)
        self.assertEqual(guest.post(link).status, 303)
        STACK.query("UPDATE users SET email = 'moved-' || email WHERE username = ?", GUEST)
        STACK.query("UPDATE users SET email = ? WHERE username = 'lf.other'", GUEST_EMAIL)
        try:
            self.assertEqual(other.post(link).status, 410)
            # the guest keeps the share under their new address
            share_id = STACK.query('SELECT id FROM location_shares')[0][0]
            self.assertEqual(guest.get(f'/shared/{share_id}').status, 200)
        finally:
            STACK.query("UPDATE users SET email = 'lf.other@test.example' "
                        "WHERE username = 'lf.other'")
            STACK.query("UPDATE users SET email = ? WHERE username = ?", GUEST_EMAIL, GUEST)

    def test_the_state_of_a_link_is_not_told_to_others(self):
        """Revoked, expired or used: someone else hears only "another address"."""
        make_user('lf.nosy', 'Contoso Charging', LF)
        nosy = logged_in('lf.nosy')
        for state in ('revoked_at = 1', 'expires_at = 1', 'guest_id = NULL, accepted_at = 1'):
            STACK.query('DELETE FROM location_shares')
            clear_spool()
            self.share()
            link, _ = self.link_for()
            STACK.query(f'UPDATE location_shares SET {state}')
            r = nosy.get(link)
            self.assertPage(r, 403)
            self.assertIn('another e-mail address', r.text, state)

    def test_a_location_of_ones_own_account_cannot_be_accepted(self):
        make_user('nw.lf', 'Northwind Sweden', LF)
        self.share('nw.lf@test.example')
        link, _ = self.link_for('nw.lf@test.example')
        g = logged_in('nw.lf')
        r = g.get(link)
        self.assertPage(r, 403)
        self.assertIn('your own account', r.text)
        self.assertEqual(g.post(link).status, 403)
        self.assertEqual(STACK.query('SELECT accepted_at FROM location_shares'), [(None,)])
        # the sharer's own address: the same
        c, _ = self.share('admin@northwind.example', location=self.other_loc)
        link, _ = self.link_for('admin@northwind.example')
        self.assertEqual(c.post(link).status, 403)

    def test_links_are_checked(self):
        g = client(GUEST)
        for link in ('/shares/nonsense', '/shares/' + 'A' * 43):
            r = g.get(link)
            self.assertPage(r, 404)
            self.assertIn('not valid', r.text)
        # signed out: to the login page, and back after it
        self.share()
        link, _ = self.link_for()
        from arbor_stack import Client
        anon = Client(STACK)
        r = anon.get(link)
        self.assertEqual(r.status, 303)
        self.assertTrue(r.location.startswith('/login?next='), r.location)
        r = anon.login(GUEST, next=link)
        self.assertEqual(r.location, link)

    def test_bad_shares_are_refused_and_change_nothing(self):
        c = client('admin')
        today = default_expiry(c, self.loc)
        before = tables('location_shares', 'mail_queue')
        for fields, field, status in (
                ({'email': 'not-an-address', 'expires_on': today}, 'email', 400),
                ({'email': '', 'expires_on': today}, 'email', 400),
                ({'email': GUEST_EMAIL, 'expires_on': '2000-01-01'}, 'expires_on', 400),
                ({'email': GUEST_EMAIL, 'expires_on': '2099-01-01'}, 'expires_on', 400),
                ({'email': GUEST_EMAIL, 'expires_on': '31/12/2026'}, 'expires_on', 400),
                ({'email': GUEST_EMAIL}, 'expires_on', 400)):
            r = c.post(f'/locations/{self.loc}/shares', fields)
            self.assertPage(r, status)
            self.assertTrue(field_error(r.text, field), (fields, r.text[-800:]))
        self.assertEqual(tables('location_shares', 'mail_queue'), before)
        # a location of the longest name is shared all the same (the
        # mail's subject does not carry it)
        long_loc = make_location('L' * 190 + ' ✓ Depot', 'Northwind Denmark')
        self.assertEqual(c.post(f'/locations/{long_loc}/shares',
                                {'email': 'long@example.com', 'expires_on': today}).status, 303)
        self.assertIn('L' * 190, self.link_for('long@example.com')[1]
                      .get_body(('plain',)).get_content())
        # one open share per address and location
        self.assertEqual(c.post(f'/locations/{self.loc}/shares',
                                {'email': GUEST_EMAIL, 'expires_on': today}).status, 303)
        r = c.post(f'/locations/{self.loc}/shares',
                   {'email': GUEST_EMAIL.upper(), 'expires_on': today})
        self.assertPage(r, 400)       # a form's refusal is a 400 page, whatever its cause
        self.assertIn('shared with this address already', field_error(r.text, 'email'))
        # without the form's token: 403
        self.assertEqual(c.post(f'/locations/{self.loc}/shares',
                                {'email': 'x@example.com', 'expires_on': today},
                                csrf=False).status, 403)

    def test_who_may_share(self):
        contoso_loc = make_location('Contoso Yard', 'Contoso Charging')
        # another tenant's location: 404 on every route, like a missing one
        g = client(GUEST)
        self.assertEqual(g.get(f'/locations/{self.loc}/shares').status, 404)
        self.assertEqual(g.post(f'/locations/{self.loc}/shares',
                                {'email': 'x@example.com', 'expires_on': '2030-01-01'}).status,
                         404)
        # a share of the owner's, revoked from another account: 404, still open
        self.share()
        share_id = STACK.query('SELECT id FROM location_shares')[0][0]
        self.assertEqual(g.post(f'/locations/{self.loc}/shares/{share_id}/revoke').status, 404)
        # a share id of another location: 404
        self.assertEqual(g.post(f'/locations/{contoso_loc}/shares/{share_id}/revoke').status,
                         404)
        self.assertEqual(STACK.query('SELECT revoked_at FROM location_shares'), [(None,)])
        # Fleet Management edits locations but does not share them
        make_user('fm.only', 'Northwind Denmark', 16)
        fm = logged_in('fm.only')
        self.assertEqual(fm.get(f'/locations/{self.loc}').status, 200)
        self.assertNotIn('/shares', fm.get(f'/locations/{self.loc}').text)
        self.assertEqual(fm.get(f'/locations/{self.loc}/shares').status, 403)
        # an API Developer reads the shares, and cannot share or revoke
        make_user('dev.shares', 'Northwind Denmark', API_DEV)
        dev = logged_in('dev.shares')
        r = dev.get(f'/locations/{self.loc}/shares')
        self.assertPage(r)
        self.assertIn(GUEST_EMAIL, r.text)
        self.assertNotIn('Send invitation', r.text)
        self.assertNotIn('/revoke', r.text)
        self.assertEqual(dev.post(f'/locations/{self.loc}/shares',
                                  {'email': 'x@example.com', 'expires_on': '2030-01-01'}).status,
                         403)
        self.assertEqual(dev.post(f'/locations/{self.loc}/shares/{share_id}/revoke').status, 403)

    def test_the_answer_is_the_same_for_any_address(self):
        """The sharer learns nothing of whether the address is a user."""
        answers = []
        for email in (GUEST_EMAIL, 'nobody@nowhere.example'):
            STACK.query('DELETE FROM location_shares')
            c, r = self.share(email)
            self.assertEqual(r.status, 303)
            page = c.get(r.location).text
            main = page.split('<main', 1)[1].split('</main>', 1)[0].replace(email, 'E')
            answers.append(re.sub(r'name="csrf_token" value="[^"]*"|/shares/\d+/|'
                                  r'\d{4}-\d\d-\d\d \d\d:\d\d', '', main))
        self.assertEqual(answers[0], answers[1])
        send_mail()
        self.assertTrue(message_to('nobody@nowhere.example'))

    def test_the_invitation_is_in_the_recipients_language(self):
        STACK.query("UPDATE users SET language = 'nl' WHERE username = ?", GUEST)
        try:
            self.share()
            _, msg = self.link_for()
            self.assertTrue(msg['Subject'].startswith('Er is een locatie met je gedeeld'),
                            msg['Subject'])
            clear_spool()
            self.share('nobody@nowhere.example', admin='admin', location=self.other_loc)
            send_mail()
            _, _, msg = message_to('nobody@nowhere.example')
            self.assertTrue(msg['Subject'].startswith('A location is shared with you'))
        finally:
            STACK.query("UPDATE users SET language = NULL WHERE username = ?", GUEST)


class ReviewTests(SharesTest):
    """What a share must not show or survive."""

    def test_a_sharer_limited_to_locations_shares_only_theirs(self):
        make_user('dk.limited', 'Northwind Denmark', AA, locations=(self.other_loc,))
        c = logged_in('dk.limited')
        r = c.get(f'/locations/{self.loc}/shares')
        self.assertPage(r)
        self.assertIn('only at the locations assigned to you', r.text)
        self.assertNotIn('Send invitation', r.text)
        before = tables('location_shares', 'mail_queue')
        self.assertEqual(c.post(f'/locations/{self.loc}/shares',
                                {'email': GUEST_EMAIL, 'expires_on': '2030-01-01'}).status, 404)
        self.assertEqual(tables('location_shares', 'mail_queue'), before)
        self.assertIn('Send invitation', c.get(f'/locations/{self.other_loc}/shares').text)

    def test_devices_of_customers_above_the_locations_are_not_shared(self):
        parent_dev = make_device(f'{type(self).__name__[:6]}-UP', 'Northwind Fleet', self.loc)[0]
        try:
            g, share_id = self.accepted()
            text = g.get(f'/shared/{share_id}').text
            self.assertNotIn('-UP', text)
            for unit in self.shared_units:
                self.assertIn(unit, text)
            api = Api(new_token(GUEST, name='shares: above')[0])
            units = [d['unit_id'] for d in
                     api.call('GET', f'/api/v1/shared/{share_id}/devices').json['items']]
            self.assertEqual(units, self.shared_units)
        finally:
            STACK.query('DELETE FROM devices WHERE id = ?', parent_dev)

    def test_moving_the_location_revokes_its_shares(self):
        loc = make_location('Movable Depot', 'Northwind Denmark')
        self.share(location=loc)
        link, _ = self.link_for()
        g = client(GUEST)
        self.assertEqual(g.post(link).status, 303)
        share_id = STACK.query('SELECT id FROM location_shares')[0][0]
        self.assertEqual(g.get(f'/shared/{share_id}').status, 200)
        c = client('admin')
        c.get(f'/locations/{loc}')
        r = c.post(f'/locations/{loc}', {'name': 'Movable Depot', 'customer_id': cid('Aarhus')})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(g.get(f'/shared/{share_id}').status, 404)
        self.assertIn('badge-revoked', c.get(f'/locations/{loc}/shares').text)
        self.assertIn('moved to another customer', events('location_share_revoked')[-1][2])

    def test_losing_the_group_ends_it_in_the_open_session_and_token(self):
        g, share_id = self.accepted()
        api = Api(new_token(GUEST, name='shares: group')[0])
        self.assertEqual(api.call('GET', f'/api/v1/shared/{share_id}/devices').status, 200)
        STACK.query('UPDATE users SET groups = groups & ~256 WHERE username = ?', GUEST)
        try:
            self.assertEqual(g.get(f'/shared/{share_id}').status, 403)
            self.assertEqual(api.call('GET', f'/api/v1/shared/{share_id}/devices').status, 403)
        finally:
            STACK.query('UPDATE users SET groups = groups | 256 WHERE username = ?', GUEST)
        self.assertEqual(g.get(f'/shared/{share_id}').status, 200)

    def test_a_pending_share_shows_nothing(self):
        self.share()
        self.link_for()
        g = client(GUEST)
        self.assertIn('No location is shared with you', g.get('/shared').text)
        share_id = STACK.query('SELECT id FROM location_shares')[0][0]
        self.assertEqual(g.get(f'/shared/{share_id}').status, 404)
        api = Api(new_token(GUEST, name='shares: pending')[0])
        self.assertEqual(api.call('GET', '/api/v1/shared').json['items'], [])
        self.assertEqual(api.call('GET', f'/api/v1/shared/{share_id}/devices').status, 404)

    def test_accept_and_revoke_need_the_forms_token(self):
        self.share()
        link, _ = self.link_for()
        g = client(GUEST)
        g.get(link)
        self.assertEqual(g.post(link, csrf=False).status, 403)
        self.assertEqual(STACK.query('SELECT accepted_at FROM location_shares'), [(None,)])
        self.assertEqual(g.post(link).status, 303)
        share_id = STACK.query('SELECT id FROM location_shares')[0][0]
        c = client('admin')
        c.get(f'/locations/{self.loc}/shares')
        self.assertEqual(c.post(f'/locations/{self.loc}/shares/{share_id}/revoke',
                                csrf=False).status, 403)
        self.assertEqual(STACK.query('SELECT revoked_at FROM location_shares'), [(None,)])

    def test_a_deleted_guest_leaves_the_record(self):
        make_user('lf.leaving', 'Contoso Charging', LF)
        self.share('lf.leaving@test.example')
        link, _ = self.link_for('lf.leaving@test.example')
        self.assertEqual(logged_in('lf.leaving').post(link).status, 303)
        c = client(GUEST)
        c.get(f'/users/{uid("lf.leaving")}/delete')
        self.assertEqual(c.post(f'/users/{uid("lf.leaving")}/delete').status, 303)
        page = client('admin').get(f'/locations/{self.loc}/shares').text
        self.assertIn('badge-ended', page)
        self.assertIn('lf.leaving@test.example', page)

    def test_the_sharer_above_the_viewer_is_not_named(self):
        self.share()            # by admin, of Northwind Fleet
        make_user('dk.aa', 'Northwind Denmark', AA)
        page = logged_in('dk.aa').get(f'/locations/{self.loc}/shares').text
        self.assertIn('an administrator outside your view', page)
        self.assertNotIn('<td>admin</td>', page)


if __name__ == '__main__':
    unittest.main()
