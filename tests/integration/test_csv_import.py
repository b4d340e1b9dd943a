"""CSV import and export of users (issue 17, SPEC "CSV import and
export", seed 003): /users/export.csv and /api/v1/users/export with the
Users list's filters; /users/import (pasted or uploaded, preview then
commit) and /api/v1/users/import (dry_run) checking every row by the
Users form's rules, writing all rows in one transaction or none; seed
003's field rules; spreadsheet formulas neutralised; export then import
previews no change.
"""
import csv
import io
import os
import re
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client  # noqa: E402
from fixtures import (AA, FM, STACK, Api, PageTest, cid, client, events,  # noqa: E402
                      make_location, make_user, new_token, setUpModule, tables, uid)  # noqa: F401
from test_mail import spool_files  # noqa: E402

HEADER = 'email,username,customer_id,groups,locations,migrated'
WRITTEN = ('users', 'user_locations', 'user_group_members', 'mail_queue')


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def multipart(fields, files=()):
    """A multipart/form-data body: (body, content type)."""
    boundary = 'arbor' + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     .encode() + value.encode() + b'\r\n')
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode() +
                     data + b'\r\n')
    return b''.join(parts) + f'--{boundary}--\r\n'.encode(), \
        f'multipart/form-data; boundary={boundary}'


def page_import(c, text=None, step='preview', upload=None):
    """POST /users/import as the page's form does (multipart)."""
    c.get('/users/import')
    fields = [('csrf_token', c.csrf), ('step', step), ('csv', text or '')]
    files = [('file', 'users.csv', upload)] if upload is not None else []
    body, ctype = multipart(fields, files)
    return c.request('POST', '/users/import', body, {'Content-Type': ctype})


def commit_previewed(c, preview):
    """The preview page's commit button: the file it sends back (base64)."""
    b64 = re.search(r'name="file_b64" value="([^"]+)"', preview.text).group(1)
    c.get('/users/import')
    body, ctype = multipart([('csrf_token', c.csrf), ('step', 'commit'), ('file_b64', b64)])
    return c.request('POST', '/users/import', body, {'Content-Type': ctype})


def preview_rows(text):
    """[(row, email, action, column, reason)] of a preview page."""
    out = []
    for m in re.finditer(r'<tr><th scope="row">(\d+)</th><td>(.*?)</td><td><span class="badge '
                         r'badge-\w+">(\w+)</span></td><td>(.*?)</td><td>(.*?)</td></tr>', text):
        out.append((int(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)))
    return out


class ImportTest(PageTest):
    @classmethod
    def setUpClass(cls):
        cls.token = new_token('admin')[0]
        cls.api = Api(cls.token)
        cls.depot = make_location('CSV Depot', 'Northwind Denmark')

    def api_import(self, text, dry_run=True, api=None, content_type='text/csv'):
        path = '/api/v1/users/import' + ('?dry_run=1' if dry_run else '')
        data = text if isinstance(text, bytes) else text.encode()
        return (api or self.api).call('POST', path, raw=data, content_type=content_type)

    def test_round_trip_previews_no_change(self):
        STACK.query("UPDATE users SET full_name = '=HYPERLINK(\"http://x\")', phone = '+45 1234', "
                    "address = 'Line 1\nLine 2, \"quoted\"', gender = 'female', language = 'nl' "
                    "WHERE username = 'driver'")
        export = client('admin').get('/users/export.csv')
        self.assertEqual(export.status, 200)
        self.assertTrue(export.header('Content-Type').startswith('text/csv'))
        self.assertIn('attachment', export.header('Content-Disposition'))
        self.assertIn('"\'=HYPERLINK(""http://x"")"', export.text, 'a formula is neutralised')
        self.assertIn("'+45 1234", export.text)
        driver = [r for r in rows_of(export.text) if r['username'] == 'driver'][0]
        self.assertEqual((driver['contact.gender'], driver['defaultLangCode'], driver['migrated']),
                         ('female', 'nl', 'false'))
        self.assertEqual(driver['locations'], 'North Terminal')
        self.assertNotIn('contoso', export.text, 'another account is not exported')
        self.assertNotIn('operator@', export.text)
        r = self.api_import(export.data)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual((r.json['created'], r.json['updated'], r.json['errors']), (0, 0, 0),
                         [row for row in r.json['rows'] if row['action'] != 'unchanged'])
        self.assertEqual(r.json['unchanged'], len(rows_of(export.text)))
        # the API's export is the same file; the list's filters apply
        api_export = Client(STACK).request('GET', '/api/v1/users/export', headers={
            'Authorization': f'Bearer {self.token}'})
        self.assertEqual(api_export.data, export.data)
        only = client('admin').get(f'/users/export.csv?customer_id={cid("Aarhus")}').text
        self.assertEqual({r['username'] for r in rows_of(only)}, {'driver'})
        self.assertEqual(client('admin').get(
            f'/users/export.csv?customer_id={cid("Contoso Charging")}').status, 404)

    def test_page_preview_then_commit(self):
        group = STACK.insert("INSERT INTO user_groups (name, account_id, auto_assign, created_at) "
                             "VALUES ('CSV everyone', ?, 1, 0)", cid('Northwind Fleet'))
        text = (HEADER + '\n'
                f'csv.a@import.example,csv.a,{cid("Northwind Denmark")},fleet_management,'
                'CSV Depot,false\n'
                f'csv.b@import.example,csv.b,{cid("Northwind Denmark")},,,true\n')
        c = client('admin')
        r = page_import(c, text)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual([row[2] for row in preview_rows(r.text)], ['create', 'create'])
        self.assertFalse(STACK.query("SELECT 1 FROM users WHERE username = 'csv.a'"),
                         'a preview writes nothing')
        STACK.arborctl('mail', 'send')
        for path in spool_files():
            os.remove(path)
        r = page_import(c, text, step='commit')
        self.assertEqual((r.status, r.headers.get('Location')), (303, '/users'), r.text)
        row = STACK.query("SELECT customer_id, groups, password_hash IS NULL FROM users WHERE "
                          "username = 'csv.a'")[0]
        self.assertEqual(row, (cid('Northwind Denmark'), FM, 1))
        self.assertEqual(STACK.query('SELECT location_id FROM user_locations WHERE user_id = ?',
                                     uid('csv.a')), [(self.depot,)])
        for name in ('csv.a', 'csv.b'):
            self.assertTrue(STACK.query('SELECT 1 FROM user_group_members WHERE group_id = ? AND '
                                        'user_id = ?', group, uid(name)),
                            'auto-assign applies on import')
        STACK.arborctl('mail', 'send')
        mailed = ' '.join(open(p, errors='replace').read() for p in spool_files())
        self.assertIn('csv.a@import.example', mailed, 'a new user gets the welcome mail')
        self.assertNotIn('csv.b@import.example', mailed, 'a migrated one does not')
        self.assertTrue(events('users_imported'))

    def test_upload_with_bom_crlf_and_semicolons(self):
        data = ('\ufeffemail;username;customer_id;full_name\r\n'
                f'up.one@import.example;up.one;{cid("Northwind Denmark")};"Doe; Jane"\r\n'
                ).encode()
        c = client('admin')
        r = page_import(c, upload=data)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual([row[2] for row in preview_rows(r.text)], ['create'])
        r = commit_previewed(c, r)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(STACK.query("SELECT full_name, customer_id FROM users WHERE "
                                     "username = 'up.one'"),
                         [('Doe; Jane', cid('Northwind Denmark'))],
                         'the BOM dropped, ";" the separator, the quoted ";" kept')

    def test_rows_refused_as_the_form_refuses_them(self):
        dk = client('dk.admin')
        make_user('existing.csv', 'Northwind Denmark', 0)
        dk_id, contoso = cid('Northwind Denmark'), cid('Contoso Charging')
        make_location('Contoso CSV Yard', 'Contoso Charging')
        text = (HEADER + ',contact.gender,defaultLangCode\n'
                f'r2@import.example,r2,{dk_id},fleet_management,,false,,\n'   # escalation
                f'r3@import.example,r3,{contoso},,,false,,\n'                  # foreign customer
                f'r4@import.example,r4,999999,,,false,,\n'                     # unknown customer
                f'r5@import.example,r5,{dk_id},,Contoso CSV Yard,false,,\n'    # foreign location
                f'r6@import.example,r6,{dk_id},,No Such Yard,false,,\n'        # unknown location
                f'r7@import.example,r7,{dk_id},,,maybe,,\n'                    # migrated rule
                f'admin@contoso.example,r8,{dk_id},,,false,,\n'                # another's e-mail
                f'not-an-address,r9,{dk_id},,,false,,\n'                       # bad e-mail
                f'r10@import.example,r10,{dk_id},,,false,,\n'
                f'R10@import.example,r11,{dk_id},,,false,,\n'                  # duplicate e-mail
                f'r12@import.example,r10,{dk_id},,,false,,\n'                  # duplicate username
                f'existing.csv@test.example,existing.csv,{dk_id},,,false,Female,NL\n')
        dk_api = Api(new_token('dk.admin', name='dk script')[0])   # signs in: before the snapshot
        before = tables(*WRITTEN)
        r = page_import(dk, text, step='commit')
        self.assertEqual(r.status, 400, 'a commit with errors is refused')
        self.assertEqual(tables(*WRITTEN), before, 'nothing changed')
        got = {row[0]: row for row in preview_rows(r.text)}
        self.assertEqual(got[2][2:4], ('error', 'groups'))
        self.assertEqual(got[3][2:4], ('error', 'customer_id'))
        self.assertEqual(got[3][4], got[4][4], 'a foreign customer reads like an unknown one')
        self.assertEqual(got[5][3], 'locations')
        self.assertEqual(got[5][4].replace('Contoso CSV Yard', 'X'),
                         got[6][4].replace('No Such Yard', 'X'))
        self.assertEqual(got[7][2:4], ('error', 'migrated'))
        self.assertEqual(got[8][2:4], ('error', 'email'))
        self.assertIn('already in use', got[8][4])
        self.assertEqual(got[9][2:4], ('error', 'email'))
        self.assertEqual(got[10][2], 'create')
        self.assertEqual(got[11][2:4], ('error', 'email'))
        self.assertEqual(got[12][2:4], ('error', 'username'))
        self.assertEqual(got[13][2], 'update', got[13])
        # the same through the API: 422 and nothing written
        r = self.api_import(text, dry_run=False, api=dk_api)
        self.assertEqual(r.status, 422)
        self.assertFalse(r.json['committed'])
        self.assertEqual(tables(*WRITTEN), before)
        dry = self.api_import(f'email,username,customer_id,contact.gender,defaultLangCode\n'
                              f'existing.csv@test.example,existing.csv,{dk_id},Female,NL\n',
                              dry_run=False)
        self.assertEqual((dry.status, dry.json['updated']), (200, 1))
        self.assertEqual(STACK.query("SELECT gender, language FROM users WHERE username = "
                                     "'existing.csv'"), [('male', 'en')])

    def test_files_refused_as_a_whole(self):
        dk_id = cid('Northwind Denmark')
        cases = [
            (b'email,username,customer_id\n\xff\xfe,x,1\n', 400, 'not UTF-8'),
            (b'email,username,nope\n', 400, 'Unknown columns: "nope"'),
            (b'email,full_name\n', 400, 'Required columns are missing: username, customer_id'),
            (b'email,username,customer_id,email\n', 400, 'twice'),
            (b'email,username,customer_id\n"open,x,1\n', 400, 'not valid CSV'),
            (b'\r\n', 400, 'empty'),
        ]
        for data, status, why in cases:
            with self.subTest(data=data):
                r = self.api_import(data)
                self.assertEqual(r.status, status, r.text)
                self.assertIn(why, r.json['detail'])
        r = self.api_import(b'email\n' + b'x' * (16 * 1024 * 1024))
        self.assertEqual(r.status, 413)
        self.assertIn('16 MB', r.json['detail'])
        r = self.api_import(f'email,username,customer_id\na@b.example,ab,{dk_id}\n',
                            content_type='application/json')
        self.assertEqual(r.status, 415)
        r = page_import(client('admin'), 'email,username\n')
        self.assertEqual(r.status, 400)
        self.assertIn('Required columns are missing', r.text)

    def test_taken_values_are_told_no_more_than_the_form_tells(self):
        """A file cannot list other accounts' addresses past the guard's
        allowance of 409s (the Users form's, 20 per window): beyond it the
        import is refused whole and names none of them."""
        for i in range(25):
            make_user(f'probe.target{i}', 'Contoso Charging', domain='secret.example')
        dk_id = cid('Northwind Denmark')
        text = 'email,username,customer_id\n' + ''.join(
            f'probe.target{i}@secret.example,probe.new{i},{dk_id}\n' for i in range(25))
        STACK.query("DELETE FROM auth_failures WHERE subject LIKE 'taken:%'")
        r = self.api_import(text)
        self.assertEqual(r.status, 429, r.text)
        self.assertNotIn('secret.example', r.text)
        self.assertEqual(self.api_import(f'email,username,customer_id\n'
                                         f'ok.later@import.example,ok.later,{dk_id}\n').status,
                         429, 'then the address waits, like the form')
        STACK.query("DELETE FROM auth_failures WHERE subject LIKE 'taken:%'")

    def test_round_trip_of_a_reader_who_holds_fewer_groups(self):
        """dk.admin (Account Administrator only) exports users holding
        groups they lack and a location named with a comma: importing the
        export changes nothing and refuses nothing."""
        comma = make_location('Depot, North', 'Northwind Denmark')
        make_user('fm.holder', 'Northwind Denmark', FM, locations=[comma])
        dk = client('dk.admin')
        export = dk.get('/users/export.csv')
        self.assertIn('"Depot, North"', export.text)
        r = page_import(dk, export.text)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual({row[2] for row in preview_rows(r.text)}, {'unchanged'})

    def test_rows_of_the_wrong_width_and_bad_values(self):
        dk_id = cid('Northwind Denmark')
        r = self.api_import('email,username,customer_id,active,migrated\n'
                            f'w1@import.example,w1,{dk_id},true,false,extra\n'
                            f'w2@import.example,w2,{dk_id},yes,false\n'
                            f'w3@import.example,w3,{dk_id},false,false\n'
                            f'w4@import.example,w4,{dk_id},false,true\n')
        got = {row['row']: row for row in r.json['rows']}
        self.assertEqual((got[2]['action'], got[2]['column']), ('error', ''))
        self.assertIn('6 cells', got[2]['reason'])
        self.assertEqual((got[3]['action'], got[3]['column']), ('error', 'active'))
        self.assertEqual((got[4]['action'], got[4]['column']), ('error', 'active'),
                         'a welcome mail goes to active users only')
        self.assertEqual(got[5]['action'], 'create', 'a migrated inactive user')

    def test_page_commit_sends_the_file_back_as_it_was(self):
        dk_id = cid('Northwind Denmark')
        text = ('email,username,customer_id,address,migrated\n'
                f'lines@import.example,lines.user,{dk_id},"Street 1\nCity",true\n')
        c = client('admin')
        r = page_import(c, text)
        self.assertEqual(r.status, 200, r.text)
        r = commit_previewed(c, r)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(STACK.query("SELECT address FROM users WHERE username = 'lines.user'"),
                         [('Street 1\nCity',)], 'no CRLF crept in')

    def test_uploads_only_where_a_file_is_read(self):
        """Another route does not read multipart: its form is empty, so the
        CSRF check refuses it; and only the part named file may be bytes."""
        c = client('admin')
        c.get('/users/new')
        body, ctype = multipart([('csrf_token', c.csrf), ('email', 'mp@import.example'),
                                 ('username', 'mp.user')])
        self.assertEqual(c.request('POST', '/users/new', body, {'Content-Type': ctype}).status,
                         403)
        c.get('/users/import')
        body, ctype = multipart([('csrf_token', c.csrf), ('step', 'preview')],
                                [('csv', 'x.csv', b'\xff\xfe')])
        self.assertEqual(c.request('POST', '/users/import', body,
                                   {'Content-Type': ctype}).status, 400)


def accounts_import(c, text, step='preview'):
    """POST /accounts/import as its page's form does (multipart)."""
    c.get('/accounts/import')
    body, ctype = multipart([('csrf_token', c.csrf), ('step', step), ('csv', text)])
    return c.request('POST', '/accounts/import', body, {'Content-Type': ctype})


class AccountImportTest(PageTest):
    """Operators' accounts in and out: seed 003's account columns."""

    def test_round_trip_and_a_new_account(self):
        op = client('operator')
        export = op.get('/accounts/export.csv')
        self.assertEqual(export.status, 200)
        rows = rows_of(export.text)
        self.assertEqual({r['name'] for r in rows}, {'Northwind Fleet', 'Contoso Charging'})
        self.assertEqual(set(rows[0]), {
            'name', 'email', 'country', 'time_zone', 'time_format', 'units', 'owner_email',
            'plan', 'account_type', 'language', 'contact.name', 'contact.phone',
            'contact.email', 'contact.gender', 'billing.street', 'billing.postal_code',
            'billing.city', 'billing.country', 'featureFlags', 'notifications'})
        r = accounts_import(op, export.text)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual({row[2] for row in preview_rows(r.text)}, {'unchanged'})
        text = ('name,email,country,account_type,language,contact.gender,featureFlags,'
                'notifications\n'
                'Fjord Fleet,ops@fjord.example,NO,company,nl,Female,"beta, ocpp",true\n')
        before = tables('customers', 'account_profiles')
        r = accounts_import(op, text)
        self.assertEqual([row[2] for row in preview_rows(r.text)], ['create'], r.text)
        self.assertEqual(tables('customers', 'account_profiles'), before,
                         'a preview writes nothing')
        r = accounts_import(op, text, step='commit')
        self.assertEqual((r.status, r.headers.get('Location')), (303, '/accounts'), r.text)
        row = STACK.query("SELECT c.country, c.parent_id, p.language, p.contact_gender, "
                          "p.feature_flags, p.notifications FROM customers c JOIN "
                          "account_profiles p ON p.customer_id = c.id WHERE c.name = "
                          "'Fjord Fleet'")
        self.assertEqual(row, [('NO', None, 'nl', 'male', 'beta,ocpp', 1)])
        again = op.get('/accounts/export.csv').text
        r = accounts_import(op, again)
        self.assertEqual({row[2] for row in preview_rows(r.text)}, {'unchanged'})

    def test_refusals(self):
        op = client('operator')
        text = ('name,email,country,plan,notifications\n'
                'Bad Land,bad@land.example,XX,,true\n'
                'Plan Land,plan@land.example,NL,no-such-plan,true\n'
                'Flag Land,flag@land.example,NL,,maybe\n'
                'Twice,one@land.example,NL,,true\n'
                'twice,two@land.example,NL,,true\n')
        before = tables('customers', 'account_profiles')
        r = accounts_import(op, text, step='commit')
        self.assertEqual(r.status, 400)
        got = {row[0]: row for row in preview_rows(r.text)}
        self.assertEqual(got[2][2:4], ('error', 'country'))
        self.assertEqual(got[3][2:4], ('error', 'plan'))
        self.assertEqual(got[4][2:4], ('error', 'notifications'))
        self.assertEqual(got[6][2:4], ('error', 'name'))
        self.assertEqual(tables('customers', 'account_profiles'), before, 'nothing changed')
        # operators only
        admin = client('admin')
        self.assertEqual(admin.get('/accounts/export.csv').status, 403)
        self.assertEqual(admin.get('/accounts/import').status, 403)
        admin.get('/accounts')
        body, ctype = multipart([('csrf_token', admin.csrf), ('step', 'preview'),
                                 ('csv', text)])
        self.assertEqual(admin.request('POST', '/accounts/import', body,
                                       {'Content-Type': ctype}).status, 403)
        r = accounts_import(op, 'name,email\n')
        self.assertEqual(r.status, 400)
        self.assertIn('Required columns are missing: country', r.text)

    def test_updates_and_their_columns(self):
        """A changed profile cell is an update; a profile error names its
        column; an empty owner e-mail is the main one (unchanged); accounts
        of one name are told apart by their e-mail."""
        op = client('operator')
        STACK.insert("INSERT INTO customers (name, email, owner_email, country, path, depth, "
                     "created_at, updated_at) VALUES ('Contoso Charging', 'other@contoso.example', "
                     "'other@contoso.example', 'NL', '/twin/', 0, 0, 0)")
        STACK.query("UPDATE customers SET path = '/' || id || '/' WHERE path = '/twin/'")
        export = op.get('/accounts/export.csv').text
        r = accounts_import(op, export)
        self.assertEqual({row[2] for row in preview_rows(r.text)}, {'unchanged'},
                         'two accounts of one name round-trip')
        rows = rows_of(export)
        header = ','.join(rows[0].keys())

        def line(name='Northwind Fleet', **change):
            row = dict([x for x in rows if x['name'] == name][0], **change)
            return header + '\n' + ','.join(f'"{v}"' for v in row.values()) + '\n'

        updated = STACK.query("SELECT updated_at FROM customers WHERE name = 'Northwind Fleet'")
        twin = [x for x in rows if x['email'] == 'other@contoso.example'][0]
        r = accounts_import(op, header + '\n' + ','.join(
            f'"{v}"' for v in dict(twin, owner_email='').values()) + '\n')
        self.assertEqual([x[2] for x in preview_rows(r.text)], ['unchanged'],
                         'an empty owner e-mail is the main one, which it is')
        r = accounts_import(op, line(**{'contact.email': 'not-an-address'}))
        self.assertEqual([x[2:4] for x in preview_rows(r.text)], [('error', 'contact.email')])
        r = accounts_import(op, line(featureFlags='Bad Flag!'))
        self.assertEqual([x[2:4] for x in preview_rows(r.text)], [('error', 'featureFlags')])
        r = accounts_import(op, line(**{'billing.city': 'Aarhus'}), step='commit')
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(STACK.query("SELECT p.billing_city FROM account_profiles p JOIN "
                                     "customers c ON c.id = p.customer_id WHERE c.name = "
                                     "'Northwind Fleet'"), [('Aarhus',)])
        self.assertEqual(STACK.query("SELECT updated_at FROM customers WHERE name = "
                                     "'Northwind Fleet'"), updated,
                         'a profile change leaves the customer as it was')
        r = accounts_import(op, line(**{'billing.city': 'Aarhus'}))
        self.assertEqual([x[2] for x in preview_rows(r.text)], ['unchanged'])


if __name__ == '__main__':
    unittest.main()
