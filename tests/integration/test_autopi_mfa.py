"""Issue 13, MFA: the Account Administrator enforces MFA on the Accounts
tab (/accounts/security), resets a user's MFA (/users/{id}/mfa/reset),
and the Users list shows and filters by MFA status.

Every test makes its own customers and users (make_customer, make_user),
so that flags, sessions and TOTP steps of one test do not meet another's.
"""
import html
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (AA, DM, FDA, NCA, STACK, PageTest, cid, client,  # noqa: E402
                      events, field_error, logged_in, make_customer, make_user,
                      setUpModule, tables)


def totp(secret, offset=0):
    """The code oathtool computes for now + offset seconds."""
    out = subprocess.run(['oathtool', '--totp', '-b', secret, '-N',
                          f'@{int(time.time()) + offset}'],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def enrol(c):
    """Enrol the signed-in user of client c; returns the secret."""
    r = c.get('/profile/mfa')
    assert r.status == 200, r
    m = re.search(r'id="mfa-secret"[^>]*>([^<]+)<', r.text)
    secret = html.unescape(m.group(1)).split()[0]
    r = c.post('/profile/mfa', {'code': totp(secret)})
    assert r.status == 200, r
    return secret


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


if __name__ == '__main__':
    unittest.main()
