"""Issue 13, Users: the administrator's "Set a password now" on the user
form asks for the password twice (confirm_password); a mismatch or a
missing second entry is a 400 next to confirm_password and writes nothing.
The API users resource keeps taking password alone (a script does not
mistype), which test_api_resources covers.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import STACK, field_error, logged_in, make_user, setUpModule, uid  # noqa: E402,F401
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


if __name__ == '__main__':
    unittest.main()
