"""fixtures.py - what the integration test modules share.

A test module serves all its tests from one demo stack: it imports STACK
and setUpModule from here (a module that adds rows of its own writes its
own setUpModule, which calls start_stack() first). unittest runs one
module at a time, so one Stack object serves every module, started afresh
(a new database) for each; module cleanups stop it when the module is
done, or when the rest of its set-up fails, and forget the clients logged
in on it.

The helpers below work on STACK (the ones with a stack argument also on
another): ids by name; users, customers, locations and devices written
straight to the database, users with the demo password; logged-in clients;
API tokens made on the Tokens page and the JSON API through them; the
event log and table snapshots; readers of list pages and forms.
"""
import html
import json
import os
import re
import secrets
import time
import unittest
import uuid

from arbor_stack import PASSWORD, Client, Stack, assert_html_page, parse_page, tidy_check

# the permission groups, as bits of users.groups (cgi/perm.h)
AA, FDA, DM, NCA, FM = 1, 2, 4, 8, 16

STACK = Stack(demo=True)
CLIENTS = {}      # username -> Client logged in on STACK, for client()


def start_stack():
    """Start STACK for the module that runs now."""
    STACK.start()
    unittest.addModuleCleanup(STACK.stop)
    unittest.addModuleCleanup(CLIENTS.clear)


setUpModule = start_stack


# ------------------------------------------------------------------ ids

def cid(name, stack=None):
    """The id of the customer called name."""
    return (stack or STACK).query('SELECT id FROM customers WHERE name = ?', name)[0][0]


def uid(username, stack=None):
    """The id of the user called username."""
    return (stack or STACK).query('SELECT id FROM users WHERE username = ?', username)[0][0]


def customer_ids():
    """{name: id} of every customer."""
    return {name: id_ for id_, name in STACK.query('SELECT id, name FROM customers')}


def subtree_ids(customer_id):
    """The ids of customer_id and of every customer below it."""
    path = STACK.query('SELECT path FROM customers WHERE id = ?', customer_id)[0][0]
    return {r[0] for r in STACK.query('SELECT id FROM customers WHERE substr(path, 1, ?) = ?',
                                      len(path), path)}


# ------------------------------------------------------------------ rows

def make_user(username, customer='Northwind Fleet', groups=0, locations=(), *, active=1,
              must_change=0, full_name='', domain='test.example'):
    """A user of customer (a name) straight in the database: e-mail
    username@domain, the demo password (admin's hash), the location ids
    given. Returns its id."""
    user_id = STACK.insert(
        'INSERT INTO users (customer_id, email, username, full_name, password_hash, groups, '
        'active, must_change_password, created_at, updated_at) SELECT ?, ?, ?, ?, '
        "password_hash, ?, ?, ?, 0, 0 FROM users WHERE username = 'admin'",
        cid(customer), f'{username}@{domain}', username, full_name, groups, active, must_change)
    for location in locations:
        STACK.query('INSERT INTO user_locations (user_id, location_id) VALUES (?, ?)',
                    user_id, location)
    return user_id


def make_customer(name, parent_id, require_mfa=0, email=None):
    """Insert a customer straight into the database (path and depth as the app would)."""
    con = STACK.db()
    try:
        now = int(time.time())
        if parent_id is None:
            path, depth, owner = '/', -1, f'owner-{len(name)}@example.com'
        else:
            path, depth = con.execute('SELECT path, depth FROM customers WHERE id = ?',
                                      (parent_id,)).fetchone()
            owner = None
        cur = con.execute(
            'INSERT INTO customers (parent_id, path, depth, name, email, owner_email, country, '
            'time_zone, time_format, units, require_mfa, created_at, updated_at) VALUES '
            "(?, ?, ?, ?, ?, ?, 'DK', 'UTC', '24h', 'metric', ?, ?, ?)",
            (parent_id, f'/pending/{secrets.token_hex(8)}', depth + 1, name,
             email or 'x@example.com', owner, require_mfa, now, now))
        new = cur.lastrowid
        con.execute('UPDATE customers SET path = ? WHERE id = ?', (f'{path}{new}/', new))
        return new
    finally:
        con.close()


def make_location(name, customer):
    """A location of customer (a name) straight in the database; returns its id."""
    return STACK.insert('INSERT INTO locations (customer_id, name, created_at, updated_at) '
                        'VALUES (?, ?, 0, 0)', cid(customer), name)


def make_device(unit_id, customer, location=None, name=None):
    """A device of customer (a name) straight in the database, at location
    (an id) if given, named "Device UNIT_ID" unless named. Returns (id, uuid)."""
    device_uuid = str(uuid.uuid4())
    device_id = STACK.insert(
        'INSERT INTO devices (unit_id, device_uuid, name, customer_id, location_id, '
        'registered_at) VALUES (?, ?, ?, ?, ?, 1700000000)',
        unit_id, device_uuid, name or f'Device {unit_id}', cid(customer), location)
    return device_id, device_uuid


# ------------------------------------------------------------------ clients

def logged_in(username, password=PASSWORD, stack=None, **login):
    """A new Client of stack (STACK if none), logged in as username; login
    holds Client.login's other arguments (next)."""
    c = Client(stack or STACK)
    c.login(username, password, **login)
    return c


def client(username):
    """A Client logged in as username, kept for the rest of the module."""
    if username not in CLIENTS:
        CLIENTS[username] = logged_in(username)
    return CLIENTS[username]


def new_token(username, name='script', expires_on='2099-01-01', client=None, scope=None):
    """A token made on the Tokens page (scope: 'read', 'write' or None, the
    field left out); returns (secret, page client)."""
    c = client or Client(STACK)
    if client is None:
        c.login(username)
    c.get('/tokens')
    if expires_on == '2099-01-01':
        expires_on = re.search(r'name="expires_on" type="date" value="([^"]+)"',
                               c.get('/tokens').text).group(1)
    form = {'name': name, 'expires_on': expires_on}
    if scope is not None:
        form['scope'] = scope
    r = c.post('/tokens/new', form)
    assert r.status == 303, r
    r = c.get(r.location)
    return re.search(r'id="token-secret">([^<]+)<', r.text).group(1), c


class Api:
    """The JSON API with a bearer token (None: without Authorization)."""

    def __init__(self, token):
        self.client = Client(STACK)
        self.token = token

    def call(self, method, path, body=None, content_type='application/json', raw=None):
        headers = {}
        if self.token is not None:
            headers['Authorization'] = f'Bearer {self.token}'
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else b'')
        if data:
            headers['Content-Type'] = content_type
        r = self.client.request(method, path, data, headers)
        r.json = json.loads(r.text) if r.text else None
        return r


# ------------------------------------------------------------------ events and tables

def access_lines(needle, wait=5.0, stack=None):
    """The lines of nginx's access log that contain needle. nginx writes a
    request's line after the client has its answer: waits for one."""
    deadline = time.monotonic() + wait
    while True:
        with open(os.path.join((stack or STACK).log_dir, 'access.log'), errors='replace') as f:
            found = [line for line in f if needle in line]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def last_event_id():
    return STACK.query('SELECT coalesce(max(id), 0) FROM events')[0][0]


def events(kind):
    """(user_id, actor_id, detail) of every event of kind, oldest first."""
    return STACK.query('SELECT user_id, actor_id, detail FROM events WHERE kind = ? '
                       'ORDER BY id', kind)


def tables(*names):
    """{table: every row} of the tables names, in a fixed order: what a
    refused request must leave as it was."""
    return {t: STACK.query(f'SELECT * FROM {t} ORDER BY 1, 2') for t in names}


# ------------------------------------------------------------------ pages

def pages(client, path):
    """The text of every page of a list from path on, following rel="next"."""
    while path:
        r = client.get(path)
        assert r.status == 200, r
        yield r.text
        m = re.search(r'<a href="([^"]*)" rel="next">', r.text)
        path = html.unescape(m.group(1)) if m else None


USER_ROW_RE = re.compile(r'<tr>\s*<th scope="row"><a href="/users/(\d+)">([^<]*)</a></th>\s*'
                         r'<td>([^<]*)</td>', re.S)


def user_rows(text):
    """[(id, email, username)] of a Users list page."""
    return [(int(i), html.unescape(e), html.unescape(u))
            for i, e, u in USER_ROW_RE.findall(text)]


def field_error(text, field):
    """The error message shown next to field (p.error#FIELD-error), or None."""
    m = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', text, re.S)
    return html.unescape(m.group(1)) if m else None


def control(text, name):
    """The attributes of the form control called name, or None."""
    return next((a for a in parse_page(text)[1] if a.get('name') == name), None)


def option_values(text, select_id):
    m = re.search(rf'<select id="{select_id}".*?</select>', text, re.S)
    return re.findall(r'<option value="([^"]*)"', m.group(0)) if m else None


def selected_option(text, select_id):
    m = re.search(rf'<select id="{select_id}".*?</select>', text, re.S)
    s = re.search(r'<option value="([^"]*)" selected>', m.group(0)) if m else None
    return s.group(1) if s else None


class PageTest(unittest.TestCase):
    maxDiff = None

    def assertPage(self, r, status=200):
        """r is a whole HTML page of status that tidy finds no error in."""
        self.assertEqual(r.status, status, r)
        assert_html_page(r)
        self.assertTrue(r.text.startswith('<!DOCTYPE html>'), r.text[:200])
        tidy_check(r.text)
