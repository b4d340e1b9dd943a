"""E-mail language (issue 16, SPEC "Account profile and e-mail language"):
welcome and reset mails are written in the recipient's language: their
own (Profile), else their account's (the account profile), else English.
Both versions are read from the spool.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client  # noqa: E402
from fixtures import (STACK, Api, cid, field_error, logged_in, new_token,  # noqa: E402,F401
                      setUpModule)
from test_mail import MailTest, link_in, message_to, spool_files  # noqa: E402

DUTCH_WELCOME = ('Welkom bij Arbor – kies je wachtwoord', 'er is een Arbor-account voor je '
                 'aangemaakt', 'Gebruikersnaam: ')
ENGLISH_WELCOME = ('Welcome to Arbor – set your password', 'an Arbor account has been '
                   'created for you', 'Username: ')


def account_language(account, language):
    """The account's profile says language (its other fields the defaults)."""
    STACK.query('INSERT INTO account_profiles (customer_id, language, updated_at) VALUES (?, ?, 0) '
                'ON CONFLICT (customer_id) DO UPDATE SET language = excluded.language',
                cid(account), language)


def clear_spool():
    for path in spool_files():
        os.remove(path)


class LanguageTest(MailTest):
    def assertWritten(self, msg, subject_and_lines):
        subject, *lines = subject_and_lines
        self.assertEqual(msg['Subject'], subject)
        body = msg.get_body(('plain',)).get_content()
        for line in lines:
            self.assertIn(line, body)
        link_in(msg)            # the link is there, whatever the language


class LanguageTests(LanguageTest):
    def setUp(self):
        self.send()
        clear_spool()
        STACK.query('UPDATE users SET language = NULL')
        STACK.query('DELETE FROM account_profiles')

    def test_a_welcome_mail_is_in_the_accounts_language(self):
        account_language('Northwind Fleet', 'nl')
        self.create_welcome('nl.new', customer='Aarhus', full_name='Noor')
        self.send()
        _, _, msg = message_to('nl.new@example.test')
        self.assertWritten(msg, DUTCH_WELCOME)
        self.assertIn('Hallo Noor,', msg.get_body(('plain',)).get_content())
        account_language('Northwind Fleet', 'en')
        self.create_welcome('en.new', customer='Aarhus')
        self.send()
        self.assertWritten(message_to('en.new@example.test')[2], ENGLISH_WELCOME)

    def test_the_users_own_language_comes_first(self):
        account_language('Northwind Fleet', 'nl')
        c = logged_in('driver')
        page = c.get('/profile').text
        self.assertIn('id="language_account" name="language" value="" checked', page)
        for language, subject in (('en', 'Reset your Arbor password'),
                                  ('nl', 'Stel je Arbor-wachtwoord opnieuw in'),
                                  ('', 'Stel je Arbor-wachtwoord opnieuw in')):
            r = c.post('/profile', {'time_zone': 'Europe/Copenhagen', 'time_format': '24h',
                                    'units': 'metric', 'language': language})
            self.assertEqual(r.status, 303, language)
            self.assertEqual(STACK.query("SELECT language FROM users WHERE username = 'driver'"),
                             [(language or None,)])
            clear_spool()
            Client(STACK).post('/password/forgot', [('email', 'driver@northwind.example')])
            self.send()
            _, _, msg = message_to('driver@northwind.example')
            self.assertEqual(msg['Subject'], subject, language)
            link_in(msg)
            # the next reset link of the hour is still allowed: spread them
            STACK.query("DELETE FROM user_links WHERE purpose = 'reset'")

    def test_an_unknown_language_is_refused(self):
        c = logged_in('driver')
        before = STACK.query("SELECT language FROM users WHERE username = 'driver'")
        r = c.post('/profile', {'time_zone': 'Europe/Copenhagen', 'time_format': '24h',
                                'units': 'metric', 'language': 'de'})
        self.assertEqual(r.status, 400)
        self.assertTrue(field_error(r.text, 'language'))
        self.assertEqual(STACK.query("SELECT language FROM users WHERE username = 'driver'"),
                         before)
        # a form without the field (from before it existed) keeps the language
        STACK.query("UPDATE users SET language = 'nl' WHERE username = 'driver'")
        r = c.post('/profile', {'time_zone': 'Europe/Copenhagen', 'time_format': '24h',
                                'units': 'metric'})
        self.assertEqual(r.status, 303)
        self.assertEqual(STACK.query("SELECT language FROM users WHERE username = 'driver'"),
                         [('nl',)])


class AdministratorSetsLanguageTests(LanguageTest):
    """An Account Administrator sets a user's e-mail language on the user
    form and through the API; the welcome mail follows it."""

    def setUp(self):
        self.send()
        clear_spool()
        STACK.query('DELETE FROM account_profiles')

    def test_the_user_form_sets_the_language_and_the_welcome_mail_follows(self):
        c = logged_in('admin')
        c.get('/users/new')
        r = c.post('/users/new', [('email', 'lang.form@example.test'), ('username', 'lang.form'),
                                  ('customer_id', str(cid('Aarhus'))),
                                  ('password_mode', 'welcome'), ('active', '1'),
                                  ('language', 'nl')])
        self.assertEqual(r.status, 303, r)
        user_id = int(r.location.rsplit('/', 1)[1])
        self.send()
        self.assertWritten(message_to('lang.form@example.test')[2], DUTCH_WELCOME)
        page = c.get(f'/users/{user_id}').text
        self.assertIn('id="language_nl" name="language" value="nl" checked', page)
        form = [('email', 'lang.form@example.test'), ('username', 'lang.form'),
                ('customer_id', str(cid('Aarhus'))), ('password_mode', 'keep'),
                ('active', '1')]
        # an unknown language is refused and changes nothing
        r = c.post(f'/users/{user_id}', form + [('language', 'de')])
        self.assertEqual(r.status, 400)
        self.assertTrue(field_error(r.text, 'language'))
        self.assertEqual(STACK.query('SELECT language FROM users WHERE id = ?', user_id),
                         [('nl',)])
        # a form without the field keeps it; "" is the account's
        self.assertEqual(c.post(f'/users/{user_id}', form).status, 303)
        self.assertEqual(STACK.query('SELECT language FROM users WHERE id = ?', user_id),
                         [('nl',)])
        self.assertEqual(c.post(f'/users/{user_id}', form + [('language', '')]).status, 303)
        self.assertEqual(STACK.query('SELECT language FROM users WHERE id = ?', user_id),
                         [(None,)])

    def test_the_api_sets_the_language(self):
        api = Api(new_token('admin', name='language api')[0])
        r = api.call('POST', '/api/v1/users', {'email': 'lang.api@example.test',
                                               'username': 'lang.api',
                                               'customer_id': cid('Aarhus'),
                                               'password_mode': 'welcome', 'language': 'nl'})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json['language'], 'nl')
        self.send()
        self.assertWritten(message_to('lang.api@example.test')[2], DUTCH_WELCOME)
        path = f"/api/v1/users/{r.json['id']}"
        r = api.call('PATCH', path, {'language': 'fr'})
        self.assertEqual((r.status, r.json['field']), (400, 'language'))
        r = api.call('PATCH', path, {'full_name': 'Kept'})
        self.assertEqual(r.json['language'], 'nl')
        r = api.call('PATCH', path, {'language': ''})
        self.assertEqual((r.status, r.json['language']), (200, None))


if __name__ == '__main__':
    unittest.main()
