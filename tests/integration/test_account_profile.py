"""An account's profile (issue 16, seed 003; SPEC "Account profile and
e-mail language"): /customers/{id}/profile and
/api/v1/customers/{id}/profile, for operators and the Billing or Account
Administrators of the account itself (API Developer: read); IBANs checked
by ISO 13616 mod-97; feature flags for operators only; nested customers
billed through their account.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import assert_html_page, tidy_check  # noqa: E402
from fixtures import (AA, NCA, STACK, Api, cid, events, field_error, logged_in,  # noqa: E402
                      make_user, new_token, start_stack, tables)

API_DEV, BILLING = 64, 128
FIELDS = ('plan', 'account_type', 'language', 'contact_name', 'contact_phone', 'contact_email',
          'contact_gender', 'billing_street', 'billing_postal_code', 'billing_city',
          'billing_country', 'payment_method', 'iban', 'reimbursement_iban', 'notifications',
          'feature_flags')
VALID_IBANS = {'GB82 WEST 1234 5698 7654 32': 'GB82WEST12345698765432',
               'nl91abna0417164300': 'NL91ABNA0417164300',
               'DE89 3704 0044 0532 0130 00': 'DE89370400440532013000'}
INVALID_IBANS = ('GB82 WEST 1234 5698 7654 33', 'NL91ABNA0417164030', 'NL91ABNA04',
                 'GB82-WEST-1234-5698-7654-32', 'DK50 0040 0440 1162 4X')


def setUpModule():
    start_stack()
    make_user('bill.admin', 'Northwind Fleet', BILLING)
    make_user('acct.dev', 'Northwind Fleet', API_DEV)
    make_user('nested.billing', 'Northwind Denmark', BILLING | AA)
    make_user('dk.nca', 'Northwind Denmark', NCA)


def path(account='Northwind Fleet'):
    return f'/customers/{cid(account)}/profile'


def form(**changes):
    """Every field of the form as a person leaves it, with changes."""
    fields = {'plan': 'Fleet', 'account_type': 'company', 'language': 'nl',
              'contact_name': 'Frida Holm', 'contact_phone': '+45 12 34 56 78',
              'contact_email': 'billing@northwind.example', 'contact_gender': 'female',
              'billing_street': 'Havnegade 1', 'billing_postal_code': '1058',
              'billing_city': 'København', 'billing_country': 'DK',
              'payment_method': 'direct_debit', 'iban': 'DK50 0040 0440 1162 43',
              'reimbursement_iban': '', 'notifications': '1'}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def stored(account='Northwind Fleet'):
    rows = STACK.query(f'SELECT {", ".join(FIELDS)} FROM account_profiles WHERE customer_id = ?',
                       cid(account))
    return dict(zip(FIELDS, rows[0])) if rows else None


class PageTests(unittest.TestCase):
    def test_defaults_before_the_first_save(self):
        STACK.query('DELETE FROM account_profiles')
        r = logged_in('admin').get(path())
        self.assertEqual(r.status, 200)
        assert_html_page(r)
        tidy_check(r.text)
        self.assertIn('<h1>Profile of Northwind Fleet</h1>', r.text)
        self.assertIn('value="fleet@northwind.example"', r.text)   # the account's e-mail
        self.assertRegex(r.text, r'<option value="DK" selected>')
        self.assertRegex(r.text, r'id="payment_method-invoice"[^>]* checked')
        for plan in ('Starter', 'Fleet', 'Enterprise'):
            self.assertIn(f'<option value="{plan}">{plan}</option>', r.text)

    def test_a_billing_administrator_saves_it(self):
        c = logged_in('bill.admin')
        before = len(events('account_profile_updated'))
        r = c.post(path(), form())
        self.assertEqual(r.status, 303, r.text[:400])
        self.assertEqual(r.location, path())
        got = stored()
        self.assertEqual(got['iban'], 'DK5000400440116243')   # stored without spaces
        self.assertEqual((got['plan'], got['language'], got['billing_city'], got['notifications']),
                         ('Fleet', 'nl', 'København', 1))
        logged = events('account_profile_updated')
        self.assertEqual(len(logged), before + 1)
        self.assertIn('iban', logged[-1][2])
        page = c.get(path()).text
        self.assertIn('The account profile was saved.', page)
        self.assertIn('value="DK5000400440116243"', page)
        # notifications off: the unchecked box is absent from the form
        self.assertEqual(c.post(path(), form(notifications=None)).status, 303)
        self.assertEqual(stored()['notifications'], 0)

    def test_ibans_are_checked(self):
        c = logged_in('admin')
        for typed, kept in VALID_IBANS.items():
            self.assertEqual(c.post(path(), form(iban=typed)).status, 303, typed)
            self.assertEqual(stored()['iban'], kept)
        before = stored()
        for bad in INVALID_IBANS:
            r = c.post(path(), form(iban=bad))
            self.assertEqual(r.status, 400, bad)
            self.assertIn('not a valid IBAN', field_error(r.text, 'iban'))
            r = c.post(path(), form(reimbursement_iban=bad))
            self.assertIn('not a valid IBAN', field_error(r.text, 'reimbursement_iban'))
        r = c.post(path(), form(iban=''))
        self.assertEqual(r.status, 400)
        self.assertIn('Direct debit needs the IBAN', field_error(r.text, 'iban'))
        self.assertEqual(c.post(path(), form(iban='', payment_method='invoice')).status, 303)
        self.assertEqual(stored()['iban'], '')
        self.assertEqual(c.post(path(), form(**before)).status, 303)

    def test_other_refusals_change_nothing(self):
        c = logged_in('admin')
        self.assertEqual(c.post(path(), form()).status, 303)
        before = tables('account_profiles')
        for field, value in (('plan', 'Gold'), ('account_type', 'charity'), ('language', 'de'),
                             ('contact_email', 'not-mail'), ('contact_phone', 'call me'),
                             ('contact_gender', 'other'), ('billing_country', 'XX'),
                             ('payment_method', 'cash'), ('billing_street', 'a\x01b'),
                             ('billing_postal_code', '1' * 21), ('contact_name', 'x' * 201)):
            r = c.post(path(), form(**{field: value}))
            self.assertEqual(r.status, 400, field)
            self.assertTrue(field_error(r.text, field), field)
        self.assertEqual(tables('account_profiles'), before)

    def test_feature_flags_are_the_operators(self):
        op = logged_in('operator')
        r = op.post(path(), form(feature_flags='beta_map, ev-charging'))
        self.assertEqual(r.status, 303)
        self.assertEqual(stored()['feature_flags'], 'beta_map,ev-charging')
        self.assertEqual(op.post(path(), form(feature_flags='Bad Flag')).status, 400)
        admin = logged_in('admin')
        page = admin.get(path()).text
        self.assertRegex(page, r'<input id="feature_flags" value="beta_map,ev-charging"[^>]* '
                               r'disabled>')
        # the page sends no flags for them: kept
        self.assertEqual(admin.post(path(), form()).status, 303)
        self.assertEqual(stored()['feature_flags'], 'beta_map,ev-charging')
        r = admin.post(path(), form(feature_flags='other'))
        self.assertEqual(r.status, 400)
        self.assertIn('Only operators', field_error(r.text, 'feature_flags'))
        self.assertEqual(stored()['feature_flags'], 'beta_map,ev-charging')

    def test_who_sees_it(self):
        fleet, dk = cid('Northwind Fleet'), cid('Northwind Denmark')
        contoso = cid('Contoso Charging')
        # the account's own Billing/Account Administrators and operators
        for user, account in (('admin', fleet), ('bill.admin', fleet), ('operator', fleet),
                              ('operator', contoso), ('contoso.admin', contoso)):
            self.assertEqual(logged_in(user).get(f'/customers/{account}/profile').status, 200,
                             (user, account))
        # not another account's, not a nested customer's, not from below
        for user, account in (('contoso.admin', fleet), ('admin', contoso), ('admin', dk),
                              ('nested.billing', fleet), ('nested.billing', dk),
                              ('operator', dk)):
            self.assertEqual(logged_in(user).get(f'/customers/{account}/profile').status, 404,
                             (user, account))
        # no group for it at all
        self.assertEqual(logged_in('dk.admin').get(f'/customers/{dk}/profile').status, 404)
        self.assertEqual(logged_in('driver').get(f'/customers/{fleet}/profile').status, 403)
        # an API Developer of the account reads it, changes nothing
        dev = logged_in('acct.dev')
        r = dev.get(path())
        self.assertEqual(r.status, 200)
        self.assertIn('<fieldset class="read-only" disabled>', r.text)
        self.assertNotIn('Save profile', r.text)
        before = tables('account_profiles')
        self.assertEqual(dev.post(path(), form(plan='Starter')).status, 403)
        self.assertEqual(logged_in('nested.billing').post(path(), form()).status, 404)
        self.assertEqual(tables('account_profiles'), before)

    def test_the_accounts_tab_and_customer_pages_say_how_it_is_billed(self):
        page = logged_in('bill.admin').get('/accounts').text
        self.assertIn('<h2 id="profile-heading">Account profile</h2>', page)
        self.assertIn(f'href="{path()}"', page)
        self.assertNotIn('profile-heading', logged_in('driver').get('/accounts').text)
        self.assertNotIn('profile-heading', logged_in('nested.billing').get('/accounts').text)
        admin = logged_in('admin')
        self.assertIn(f'href="{path()}">Account profile</a>',
                      admin.get(f'/customers/{cid("Northwind Fleet")}').text)
        self.assertIn('Billed through Northwind Fleet',
                      admin.get(f'/customers/{cid("Aarhus")}').text)
        # never a name above the viewer's own customer
        nested = logged_in('dk.nca').get(f'/customers/{cid("Aarhus")}').text
        self.assertIn('Billed through its account', nested)
        self.assertNotIn('Northwind Fleet', nested)
        ops = logged_in('operator').get('/accounts').text
        self.assertIn(f'href="{path("Contoso Charging")}">Profile', ops)

    def test_no_one_gives_billing_administrator_without_holding_it(self):
        c = logged_in('dk.admin')
        before = tables('users')
        r = c.post('/users/new', {'email': 'billing.no@test.example', 'username': 'billing.no',
                                  'customer_id': cid('Aarhus'), 'group': 'billing_admin',
                                  'password_mode': 'welcome', 'active': '1', 'full_name': '',
                                  'phone': '', 'address': ''})
        self.assertEqual(r.status, 400)
        self.assertIn('only grant the groups you hold', field_error(r.text, 'group'))
        self.assertEqual(tables('users'), before)


class ApiTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.admin = Api(new_token('admin', name='profile')[0])

    def test_read_and_change_through_the_api(self):
        r = self.admin.call('GET', f'/api/v1{path()}')
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.json), set(FIELDS) | {'customer_id', 'updated_at'})
        self.assertIsInstance(r.json['notifications'], bool)
        r = self.admin.call('PATCH', f'/api/v1{path()}',
                            {'payment_method': 'direct_debit', 'iban': 'NL91 ABNA 0417 1643 00',
                             'notifications': False})
        self.assertEqual(r.status, 200, r.json)
        self.assertEqual((r.json['iban'], r.json['notifications']), ('NL91ABNA0417164300', False))
        before = tables('account_profiles')
        for body, field in (({'iban': 'NL91ABNA0417164301'}, 'iban'),
                            ({'colour': 'red'}, 'colour'),
                            ({'notifications': 'yes'}, 'notifications'),
                            ({'feature_flags': 'beta'}, 'feature_flags')):
            r = self.admin.call('PATCH', f'/api/v1{path()}', body)
            self.assertIn(r.status, (400, 403), body)
            self.assertEqual(r.json.get('field'), field, body)
        self.assertEqual(self.admin.call('GET', f'/api/v1{path("Northwind Denmark")}').status,
                         404)
        self.assertEqual(self.admin.call('GET', f'/api/v1{path("Contoso Charging")}').status,
                         404)
        reader = Api(new_token('admin', name='profile-read', scope='read')[0])
        self.assertEqual(reader.call('GET', f'/api/v1{path()}').status, 200)
        self.assertEqual(reader.call('PATCH', f'/api/v1{path()}', {'plan': ''}).status, 403)
        self.assertEqual(tables('account_profiles'), before)


if __name__ == '__main__':
    unittest.main()
