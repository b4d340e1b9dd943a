"""Issue 13, Users: the administrator's "Set a password now" on the user
form asks for the password twice (confirm_password); a mismatch or a
missing second entry is a 400 next to confirm_password and writes nothing.
The API users resource keeps taking password alone (a script does not
mistype), which test_api_resources covers.

The user page shows the state of the user's latest set-up or reset link
(waiting / used / voided / expired) and, for a user with neither a
password nor a usable link, a "Send a new set-up link" button.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client  # noqa: E402
from fixtures import STACK, field_error, logged_in, make_user, setUpModule, uid  # noqa: E402,F401
from test_mail import LINK_RE, parse_eml, spool_files  # noqa: E402
from test_users import NEW_PASSWORD, form_of, new_user_fields  # noqa: E402


def password_hash(username):
    return STACK.query('SELECT password_hash FROM users WHERE username = ?', username)[0][0]


class ConfirmPassword(unittest.TestCase):
    """Both the create and the edit form: the same password twice or a 400."""

    def test_the_form_has_a_labelled_confirmation_field(self):
        c = logged_in('admin')
        for url in ('/users/new', f'/users/{uid("driver")}'):
            with self.subTest(url=url):
                text = c.get(url).text
                self.assertIn('<label for="confirm_password">', text)
                self.assertIn('id="confirm_password" name="confirm_password" type="password"',
                              text)

    def test_create_refuses_a_mismatch_or_a_missing_confirmation(self):
        c = logged_in('admin')
        c.get('/users/new')
        for confirm, why in (('Quiet-Harbor-Lantern-4472', 'differ'), ('', 'again'),
                             (None, 'again')):
            with self.subTest(confirm=confirm):
                r = c.post('/users/new', new_user_fields('confirm.new', 'Aarhus',
                                                         confirm_password=confirm))
                self.assertEqual(r.status, 400, r)
                self.assertIn(why, field_error(r.text, 'confirm_password'))
                self.assertNotIn(NEW_PASSWORD, r.text, 'no password echoed')
        self.assertEqual(STACK.query('SELECT count(*) FROM users WHERE username = ?',
                                     'confirm.new')[0][0], 0)
        r = c.post('/users/new', new_user_fields('confirm.new', 'Aarhus'))
        self.assertEqual(r.status, 303, r)

    def test_edit_refuses_a_mismatch_and_keeps_the_password(self):
        make_user('confirm.edit', 'Aarhus', domain='example.test')
        target = uid('confirm.edit')
        before = password_hash('confirm.edit')
        c = logged_in('dk.admin')
        c.get(f'/users/{target}')
        r = c.post(f'/users/{target}', form_of('confirm.edit', password_mode='manual',
                                               password=NEW_PASSWORD,
                                               confirm_password=NEW_PASSWORD + 'x'))
        self.assertEqual(r.status, 400, r)
        self.assertIn('differ', field_error(r.text, 'confirm_password'))
        self.assertEqual(password_hash('confirm.edit'), before)
        # keep and welcome do not ask for it
        r = c.post(f'/users/{target}', form_of('confirm.edit', full_name='Kept'))
        self.assertEqual(r.status, 303, r)
        r = c.post(f'/users/{target}', form_of('confirm.edit', password_mode='manual',
                                               password=NEW_PASSWORD))
        self.assertEqual(r.status, 303, r)
        self.assertNotEqual(password_hash('confirm.edit'), before)


def links_to(address):
    """The set-up/reset links mailed to address, oldest first (the queue sent first)."""
    STACK.arborctl('mail', 'send')
    out = []
    for path in spool_files():
        _, msg = parse_eml(path)
        if msg['To'] == address:
            out.append(LINK_RE.search(msg.get_body(('plain',)).get_content()).group(1))
    return out


def link_text(text):
    return re.search(r'<dt>Set-up or reset link</dt><dd>(.*?)</dd>', text, re.S).group(1)


class LinkState(unittest.TestCase):
    """A welcome link voided by deactivation shows as voided, and a button sends a new one."""

    def test_voided_welcome_link_and_a_new_one(self):
        c = logged_in('dk.admin')
        c.get('/users/new')
        r = c.post('/users/new', new_user_fields('voided.link', 'Aarhus',
                                                 password_mode='welcome', password=''))
        self.assertEqual(r.status, 303, r)
        target = int(r.location.rsplit('/', 1)[1])
        [first] = links_to('voided.link@example.test')
        page = c.get(f'/users/{target}').text
        self.assertIn('Waiting to be used, until', link_text(page))
        self.assertNotIn('name="send_link"', page, 'a usable link: no button')
        r = c.post(f'/users/{target}', form_of('voided.link', active=None))
        self.assertEqual(r.status, 303, r)
        self.assertNotIn('name="send_link"', c.get(f'/users/{target}').text,
                         'an inactive user gets no link')
        r = c.post(f'/users/{target}', form_of('voided.link', active='1'))
        self.assertEqual(r.status, 303, r)
        page = c.get(f'/users/{target}').text
        self.assertIn('Voided', link_text(page))
        self.assertIn('<button type="submit" name="send_link" value="1"', page)
        self.assertEqual(links_to('voided.link@example.test'), [first], 'no mail yet')
        r = c.post(f'/users/{target}', form_of('voided.link', send_link='1'))
        self.assertEqual(r.status, 303, r)
        links = links_to('voided.link@example.test')
        self.assertEqual(len(links), 2, 'a new link mailed')
        self.assertNotEqual(links[1], first)
        self.assertEqual(Client(STACK).get(first).status, 404, 'the old link stays dead')
        self.assertEqual(Client(STACK).get(links[1]).status, 200)
        page = c.get(f'/users/{target}').text
        self.assertIn('Waiting to be used', link_text(page))
        self.assertNotIn('name="send_link"', page)

    def test_used_link_shows_as_used_not_voided(self):
        c = logged_in('dk.admin')
        c.get('/users/new')
        r = c.post('/users/new', new_user_fields('used.link', 'Aarhus',
                                                 password_mode='welcome', password=''))
        target = int(r.location.rsplit('/', 1)[1])
        [link] = links_to('used.link@example.test')
        u = Client(STACK)
        u.get(link)
        r = u.post(link, [('new_password', NEW_PASSWORD), ('confirm_password', NEW_PASSWORD)])
        self.assertEqual(r.status, 303, r)
        page = c.get(f'/users/{target}').text
        self.assertEqual(link_text(page), 'Used')
        self.assertNotIn('name="send_link"', page, 'the user has a password')

    def test_refusals(self):
        """Another tenant's user is 404 like a missing one, a user without Account
        Administrator is 403; no mail goes out."""
        c = logged_in('contoso.admin')
        target = uid('driver')
        STACK.arborctl('mail', 'send')
        before = len(spool_files())
        self.assertEqual(c.get(f'/users/{target}').status, 404)
        c.get('/users')
        r = c.post(f'/users/{target}', form_of('driver', send_link='1'))
        self.assertEqual(r.status, 404)
        plain = logged_in('driver')
        plain.get('/accounts')
        self.assertEqual(plain.get(f'/users/{target}').status, 403)
        self.assertEqual(plain.post(f'/users/{target}', form_of('driver', send_link='1')).status,
                         403)
        STACK.arborctl('mail', 'send')
        self.assertEqual(len(spool_files()), before)


if __name__ == '__main__':
    unittest.main()
