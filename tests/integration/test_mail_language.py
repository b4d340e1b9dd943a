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
from fixtures import STACK, cid, field_error, logged_in, setUpModule  # noqa: E402,F401
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


class LanguageTests(MailTest):
    def setUp(self):
        self.send()
        clear_spool()
        STACK.query('UPDATE users SET language = NULL')
        STACK.query('DELETE FROM account_profiles')

    def assertWritten(self, msg, subject_and_lines):
        subject, *lines = subject_and_lines
        self.assertEqual(msg['Subject'], subject)
        body = msg.get_body(('plain',)).get_content()
        for line in lines:
            self.assertIn(line, body)
        link_in(msg)            # the link is there, whatever the language

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


if __name__ == '__main__':
    unittest.main()
