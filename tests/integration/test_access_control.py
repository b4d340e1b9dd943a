"""Access Control Management (issue 15, seed 001's sixth group, SPEC "User
groups and access control"): RFID tags of the users one sees, the scans
devices report through POST /api/v1/access/scans, answered by the one
access decision and recorded, and the scan history of /access, scoped
like everything else: by the customer a device had at its scan, naming
only holders the viewer sees.
"""
import os
import re
import sys
import unittest
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (STACK, Api, PageTest, cid, client, events,  # noqa: E402,F401
                      field_error, logged_in, make_user, new_token, setUpModule, tables,
                      uid)

ACM = 32          # Access Control Management (cgi/perm.h)
FDA = 2
TAG_TABLES = ('rfid_tags', 'events')


def unit_of(customer):
    """The first device of customer (a name): its unit id."""
    return STACK.query('SELECT d.unit_id FROM devices d JOIN customers c ON c.id = '
                       'd.customer_id WHERE c.name = ? ORDER BY d.id', customer)[0][0]


def add_tag(uid_, username, active=1, label=''):
    """A tag straight in the database; its id."""
    return STACK.insert('INSERT INTO rfid_tags (uid, user_id, label, active, created_at, '
                        'updated_at) VALUES (?, ?, ?, ?, 0, 0)', uid_, uid(username), label,
                        active)


def tag_form(c, path, uid_, user, label='', active=True):
    c.get(path)
    fields = {'uid': uid_, 'label': label, 'user': user}
    if active:
        fields['active'] = '1'
    return c.post(path, fields)


def scan_count():
    return STACK.query('SELECT count(*) FROM access_scans')[0][0]


class TagTests(PageTest):
    def test_admin_adds_and_edits_a_tag(self):
        c = client('admin')
        self.assertPage(c.get('/access/tags/new'))
        r = tag_form(c, '/access/tags/new', 'aa:bb:cc:01', 'driver', label='Van key')
        self.assertEqual((r.status, r.location), (303, '/access/tags'))
        page = c.get('/access/tags')
        self.assertPage(page)
        self.assertIn('Tag AABBCC01 was added.', page.text)
        self.assertIn('>AABBCC01</a>', page.text)
        self.assertIn('Van key', page.text)
        tag = STACK.query("SELECT id, user_id, label, active FROM rfid_tags WHERE uid = "
                          "'AABBCC01'")[0]
        self.assertEqual(tag[1:], (uid('driver'), 'Van key', 1))
        self.assertTrue(any('AABBCC01' in d for _, _, d in events('rfid_tag_created')))
        # the edit: inactive, another holder by e-mail
        r = tag_form(c, f'/access/tags/{tag[0]}', 'AABBCC01', 'se.user@northwind.example',
                     label='Spare', active=False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query('SELECT user_id, label, active FROM rfid_tags WHERE id = ?',
                                     tag[0]), [(uid('se.user'), 'Spare', 0)])
        page = c.get(f'/access/tags/{tag[0]}')
        self.assertPage(page)
        self.assertIn('value="se.user"', page.text)
        self.assertNotRegex(page.text, r'id="active"[^>]*checked')
        # search by holder and by uid
        self.assertIn('AABBCC01', c.get('/access/tags?q=se.us').text)
        self.assertNotIn('AABBCC01', c.get('/access/tags?q=nobody').text)

    def test_refusals_change_nothing(self):
        add_tag('0A0B0C0D', 'admin')
        c = client('admin')
        before = tables(*TAG_TABLES)
        cases = (
            ('ABC', 'driver', 'uid', '8 to 20 hex digits'),
            ('0A0B0C0G', 'driver', 'uid', '8 to 20 hex digits'),
            ('0a:0b:0c:0d', 'driver', 'uid', 'Another tag of this account'),
            ('01010101', '', 'user', 'username or e-mail'),
            ('01010101', 'nobody-such', 'user', 'no such user'),
        )
        for uid_, user, field, message in cases:
            r = tag_form(c, '/access/tags/new', uid_, user)
            self.assertPage(r, 400)
            self.assertIn(message, field_error(r.text, field) or '', (uid_, user))
            self.assertIn(f'value="{user}"', r.text)
        # another account's user reads exactly like no user
        foreign = tag_form(c, '/access/tags/new', '01010101', 'contoso.admin')
        unknown = tag_form(c, '/access/tags/new', '01010101', 'nobody-such')
        self.assertEqual(field_error(foreign.text, 'user'), field_error(unknown.text, 'user'))
        r = tag_form(c, '/access/tags/new', '01010101', 'driver', label='two\nlines')
        self.assertIsNotNone(field_error(r.text, 'label'))
        self.assertEqual(tables(*TAG_TABLES), before)

    def test_a_uid_of_another_account_is_free_and_not_told(self):
        add_tag('0E0E0E0E', 'admin')
        r = tag_form(client('contoso.admin'), '/access/tags/new', '0e0e0e0e', 'contoso.admin')
        self.assertEqual(r.status, 303, r)
        self.assertEqual(STACK.query("SELECT count(*) FROM rfid_tags WHERE uid = '0E0E0E0E'"),
                         [(2,)])

    def test_tags_are_scoped_like_their_holders(self):
        nw = add_tag('0F0F0F01', 'admin', label='Boss key')
        aarhus = add_tag('0F0F0F02', 'driver')
        other = client('contoso.admin')
        self.assertEqual(other.get(f'/access/tags/{nw}').status, 404)
        self.assertNotIn('0F0F0F01', other.get('/access/tags').text)
        before = tables(*TAG_TABLES)
        other.get('/access/tags')
        self.assertEqual(other.post(f'/access/tags/{nw}', {'uid': '0F0F0F01', 'user':
                                                           'contoso.admin'}).status, 404)
        self.assertEqual(tables(*TAG_TABLES), before)
        # a nested customer's manager sees the tags of its users alone
        make_user('aarhus.acm', 'Aarhus', groups=ACM)
        c = logged_in('aarhus.acm')
        text = c.get('/access/tags').text
        self.assertIn('0F0F0F02', text)
        self.assertNotIn('0F0F0F01', text)
        self.assertEqual(c.get(f'/access/tags/{nw}').status, 404)
        self.assertEqual(c.get(f'/access/tags/{aarhus}').status, 200)
        r = tag_form(c, '/access/tags/new', '0F0F0F03', 'admin')
        self.assertEqual(field_error(r.text, 'user'), 'There is no such user among those you see.')

    def test_without_the_group(self):
        c = client('driver')
        for path in ('/access', '/access/tags', '/access/tags/new'):
            self.assertEqual(c.get(path).status, 403, path)
        self.assertNotIn('href="/access"', client('driver').get('/profile').text)
        self.assertIn('href="/access"', client('admin').get('/profile').text)


class ScanTests(PageTest):
    """Scans for every reason, their record and the history's scope."""

    @classmethod
    def setUpClass(cls):
        cls.api = Api(new_token('admin', name='scans')[0])
        cls.unit = unit_of('Aarhus')
        add_tag('A1A1A1A1', 'driver', label='Driver card')
        add_tag('A2A2A2A2', 'driver', active=0)
        add_tag('A3A3A3A3', 'former')
        add_tag('A4A4A4A4', 'contoso.admin')
        add_tag('A5A5A5A5', 'admin', label='Boss card')

    def scan(self, rfid, unit=None, at=None, api=None):
        body = {'unit_id': unit or self.unit, 'rfid': rfid}
        if at is not None:
            body['at'] = at
        return (api or self.api).call('POST', '/api/v1/access/scans', body)

    def test_every_reason_recorded(self):
        cases = (
            ('a1:a1:a1:a1', True, 'Accepted', 'driver'),
            ('A2A2A2A2', False, 'Blocked', 'driver'),
            ('A3A3A3A3', False, 'Blocked', 'former'),
            ('B0B0B0B0', False, 'Invalid', None),
            ('A4A4A4A4', False, 'Invalid', None),
        )
        for rfid, allowed, status, holder in cases:
            n = scan_count()
            r = self.scan(rfid)
            self.assertEqual((r.status, r.json['allowed'], r.json['status']),
                             (201, allowed, status), (rfid, r.json))
            row = STACK.query('SELECT s.uid, s.allowed, s.status, u.username, s.customer_id '
                              'FROM access_scans s LEFT JOIN users u ON u.id = s.user_id '
                              'ORDER BY s.id DESC LIMIT 1')[0]
            self.assertEqual(scan_count(), n + 1)
            self.assertEqual(row, (rfid.replace(':', '').upper(), int(allowed), status, holder,
                                   cid('Aarhus')))
        # another account's tag answers exactly as an unknown one
        foreign = self.scan('A4A4A4A4').json
        unknown = self.scan('B0B0B0B0').json
        self.assertEqual(foreign, unknown)

    def test_grouped_device_and_authorize_by_tag(self):
        unit = unit_of('Northwind Sweden')
        STACK.query("INSERT INTO user_groups (name, account_id, created_at, "
                    "max_discount_percent, discount_percent) VALUES ('Scan group', ?, 0, 30, 15)",
                    cid('Northwind Fleet'))
        gid = STACK.query("SELECT id FROM user_groups WHERE name = 'Scan group'")[0][0]
        STACK.query('INSERT INTO user_group_devices SELECT ?, id FROM devices WHERE unit_id = ?',
                    gid, unit)
        r = self.scan('A1A1A1A1', unit=unit)
        self.assertEqual((r.json['allowed'], r.json['status']), (False, 'Invalid'))
        self.assertIn('none of the device', r.json['reason'])
        STACK.query('INSERT INTO user_group_members VALUES (?, ?)', gid, uid('driver'))
        n = scan_count()
        r = self.api.call('POST', '/api/v1/authorize', {'unit_id': unit, 'rfid': 'A1A1A1A1'})
        self.assertEqual((r.status, r.json['allowed'], r.json['discount_percent'],
                          r.json['groups']), (200, True, 15, ['Scan group']))
        self.assertEqual(scan_count(), n)           # authorize records nothing
        both = self.api.call('POST', '/api/v1/authorize',
                             {'unit_id': unit, 'rfid': 'A1A1A1A1', 'user_id': uid('driver')})
        self.assertEqual(both.status, 400)

    def test_refusals_record_nothing(self):
        n = scan_count()
        contoso_unit = unit_of('Contoso Charging')
        self.assertEqual(self.scan('A1A1A1A1', unit=contoso_unit).status, 404)
        self.assertEqual(self.scan('A1A1A1A1', unit='NO-SUCH-UNIT').status, 404)
        for body in ({'unit_id': self.unit}, {'rfid': 'A1A1A1A1'},
                     {'unit_id': self.unit, 'rfid': 'XYZXYZXY'},
                     {'unit_id': self.unit, 'rfid': '0' * 21},
                     {'unit_id': self.unit, 'rfid': 'A1A1A1A1', 'at': 'yesterday'},
                     {'unit_id': self.unit, 'rfid': 'A1A1A1A1', 'at': '2026-02-30T10:00:00Z'},
                     {'unit_id': self.unit, 'rfid': 'A1A1A1A1', 'at': '2099-01-01T00:00:00Z'},
                     {'unit_id': self.unit, 'rfid': 'A1A1A1A1', 'at': '2001-01-01T00:00:00Z'},
                     {'unit_id': self.unit, 'rfid': 'A1A1A1A1', 'colour': 'red'}):
            r = self.api.call('POST', '/api/v1/access/scans', body)
            self.assertEqual(r.status, 400, (body, r.json))
        # a user who does not see the device (no device group) is refused
        make_user('scan.nodev', 'Aarhus', groups=ACM)
        r = self.scan('A1A1A1A1', api=Api(new_token('scan.nodev', name='nodev')[0]))
        self.assertEqual(r.status, 403)
        self.assertEqual(scan_count(), n)

    def test_history_page(self):
        at = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(second=0,
                                                                         microsecond=0)
        r = self.scan('A1A1A1A1', at=at.strftime('%Y-%m-%dT%H:%M:%SZ'))
        self.assertEqual(r.status, 201, r.json)
        self.scan('C0C0C0C0')
        c = client('admin')
        page = c.get('/access')
        self.assertPage(page)
        zone = STACK.query("SELECT c.time_zone FROM users u JOIN customers c ON c.id = "
                           "u.customer_id WHERE u.username = 'admin'")[0][0]
        shown = at.astimezone(ZoneInfo(zone)).strftime('%Y-%m-%d %H:%M')
        self.assertIn(f'">{shown} ', page.text)       # and the zone's name
        self.assertIn('>driver</a>', page.text)
        self.assertIn('Driver card', page.text)
        self.assertIn(self.unit, page.text)
        # the newest first: the unknown uid (now) before the card (earlier)
        self.assertLess(page.text.index('C0C0C0C0'), page.text.index('A1A1A1A1'))
        # filters: denied, a device, a uid's start, a holder's
        denied = c.get('/access?result=denied').text
        self.assertIn('C0C0C0C0', denied)
        self.assertNotRegex(denied, r'badge-active">Allowed')
        device_id = STACK.query('SELECT id FROM devices WHERE unit_id = ?', self.unit)[0][0]
        self.assertIn(f'device {self.unit}', re.sub(r'<[^>]+>', '',
                                                      c.get(f'/access?device_id={device_id}').text))
        self.assertNotIn('C0C0C0C0', c.get('/access?q=a1a1').text)
        self.assertIn('A1A1A1A1', c.get('/access?q=driv').text)
        other_device = STACK.query('SELECT id FROM devices WHERE unit_id = ?',
                                   unit_of('Contoso Charging'))[0][0]
        self.assertEqual(c.get(f'/access?device_id={other_device}').status, 404)

    def test_history_scope_and_holders(self):
        self.scan('A5A5A5A5')            # admin's card, at an Aarhus device
        make_user('aarhus.viewer', 'Aarhus', groups=ACM | FDA)
        nested = logged_in('aarhus.viewer')
        text = nested.get('/access').text
        self.assertIn('A5A5A5A5', text)
        self.assertNotIn('Boss card', text)          # the tag of a holder above
        self.assertNotIn('>admin<', text)
        self.assertIn("The tag&#39;s holder is outside your view.", text)
        self.assertNotIn('A5A5A5A5', nested.get('/access?q=admin').text)
        self.assertIn('A5A5A5A5', client('admin').get('/access?q=admin').text)
        # another account sees none of it, nor a sibling customer
        self.assertNotIn('A5A5A5A5', client('contoso.admin').get('/access').text)
        make_user('se.acm', 'Northwind Sweden', groups=ACM | FDA)
        self.assertNotIn('A5A5A5A5', logged_in('se.acm').get('/access').text)
        # Access Control Management alone sees no device: no scan, and why
        make_user('aarhus.tags', 'Aarhus', groups=ACM)
        text = logged_in('aarhus.tags').get('/access').text
        self.assertNotIn('A5A5A5A5', text)
        self.assertIn('needs Full Device Access', text)

    def test_history_stays_with_the_customer_when_the_device_moves(self):
        unit = unit_of('Northwind Denmark')
        self.scan('A1A1A1A1', unit=unit)
        scan_id = STACK.query('SELECT max(id) FROM access_scans')[0][0]
        STACK.query('UPDATE devices SET customer_id = ? WHERE unit_id = ?',
                    cid('Contoso Charging'), unit)
        device_id = STACK.query('SELECT id FROM devices WHERE unit_id = ?', unit)[0][0]
        try:
            self.assertNotIn(unit, client('contoso.admin').get('/access').text)
            # the new owner may filter by the device it sees: no old scan
            r = client('contoso.admin').get(f'/access?device_id={device_id}')
            self.assertPage(r)
            self.assertNotIn('A1A1A1A1', r.text)
            # the old owner still filters by it, through its scans
            self.assertIn('A1A1A1A1', client('admin').get(f'/access?device_id={device_id}').text)
            self.assertEqual(STACK.query('SELECT customer_id FROM access_scans WHERE id = ?',
                                         scan_id), [(cid('Northwind Denmark'),)])
            self.assertIn(unit, client('admin').get('/access').text)
        finally:
            STACK.query('UPDATE devices SET customer_id = ? WHERE unit_id = ?',
                        cid('Northwind Denmark'), unit)

    def test_pagination(self):
        device_id = STACK.query('SELECT id FROM devices WHERE unit_id = ?', self.unit)[0][0]
        for i in range(120):
            STACK.query('INSERT INTO access_scans (customer_id, device_id, uid, at, '
                        'recorded_at, allowed, status, reason) VALUES (?, ?, ?, ?, 0, 0, '
                        "'Invalid', 'There is no such tag for this device''s account.')",
                        cid('Aarhus'), device_id, f'D{i:07d}', 1000000 + i)
        c = client('admin')
        query = f'/access?device_id={device_id}&result=denied&q=D000'
        first = c.get(query)
        self.assertPage(first)
        nxt = re.search(r'href="([^"]+)" rel="next"', first.text)
        self.assertIsNotNone(nxt)
        second = c.get(nxt.group(1).replace('&amp;', '&'))
        self.assertPage(second)
        self.assertIn('Showing 51–100', second.text)
        self.assertIn(f'device_id={device_id}', nxt.group(1))
        self.assertRegex(nxt.group(1), r'after=\d+')
        # newest first, no row twice: D0000119 … D0000070, then D0000069 …
        uids = re.compile(r'>(D\d{7})<')
        page1, page2 = uids.findall(first.text), uids.findall(second.text)
        self.assertEqual(page1, [f'D{i:07d}' for i in range(119, 69, -1)])
        self.assertEqual(page2, [f'D{i:07d}' for i in range(69, 19, -1)])
        # another tenant's scan as a position is no position: page 2 by number
        foreign = STACK.insert('INSERT INTO access_scans (customer_id, uid, at, recorded_at, '
                               "allowed, status, reason) VALUES (?, 'FFFFFFFF', 2000000, 0, 0, "
                               "'Invalid', 'x')", cid('Contoso Charging'))
        r = c.get(f'{query}&page=2&after={foreign}')
        self.assertPage(r)
        self.assertEqual(uids.findall(r.text), page2)
        # the oldest last: ascending puts D0000000 first
        asc = uids.findall(c.get(f'{query}&sort=time&dir=asc').text)
        self.assertEqual(asc[:2], ['D0000000', 'D0000001'])


if __name__ == '__main__':
    unittest.main()
