#!/usr/bin/python3
"""test_cluster.py - two app nodes on one database (issue 19).

The stack here has two nodes (nginx/stack.sh NODES=2): separate worker
pools on separate sockets, as if on two machines. `make test` runs it on
SQLite (both pools on one file), `make test-pg` on PostgreSQL, where that
is how Arbor grows. NodeClient sends each request to the node the test
names, so that each test shows that what one node wrote the other reads:
a session, the login failures that lock a user out, the TOTP step last
used, a one-time link. The
last test kills a node under load and shows the other serving on with
nothing lost.
"""
import email
import email.policy
import http.client
import json
import os
import re
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from arbor_stack import PASSWORD, Client, Stack  # noqa: E402
from fixtures import new_token  # noqa: E402
from node_client import NodeClient  # noqa: E402
from test_mfa import enrol, totp  # noqa: E402

STACK = Stack(demo=True, nodes=2)
LINK_RE = re.compile(r'(/password/reset/[A-Za-z0-9_-]{43})')
WRONG = 'not the password at all'


def setUpModule():
    STACK.start()
    unittest.addModuleCleanup(STACK.stop)


def node_pids(stack, node):
    """The pids of node's worker tree: its top (multiwatch) and workers."""
    name = 'fcgi.pid' if node == 1 else f'fcgi-{node}.pid'
    with open(os.path.join(stack.var, 'run', name)) as f:
        top = int(f.read())
    kids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == top:
                        kids.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return [top] + kids


def alive(pid):
    """Whether pid runs (a zombie has stopped: its sockets are closed)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def sign_in(client, username, password=PASSWORD):
    client.get('/login')
    return client.post('/login', [('username', username), ('password', password)])


class SharedStateTests(unittest.TestCase):
    def test_a_session_made_on_one_node_lives_on_the_other_and_ends_on_both(self):
        """The login form from node 1, signed in on node 2, the pages read
        on node 1; one logout, on node 2, ends the session on both."""
        c = NodeClient(STACK, node=1)
        c.get('/login')
        c.node = 2
        r = c.post('/login', [('username', 'admin'), ('password', PASSWORD)])
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        session = c.session_token
        for node in (1, 2):
            c.node = node
            r = c.get('/accounts')
            self.assertEqual(r.status, 200, f'node {node}')
            self.assertIn('Northwind Fleet', r.text)
        c.node = 1                       # the CSRF token of node 1's page
        c.get('/accounts')
        c.node = 2
        r = c.post('/logout')
        self.assertEqual((r.status, r.location), (303, '/login'))
        for node in (1, 2):
            old = NodeClient(STACK, node=node)
            old.cookies = dict(c.cookies, **{'__Host-arbor_session': session})
            r = old.get('/accounts')
            self.assertEqual((r.status, r.location), (303, '/login?next=%2Faccounts'),
                             f'the ended session on node {node}')

    def test_login_failures_on_both_nodes_add_up_to_one_lockout(self):
        """Five wrong passwords, alternately on each node, lock the user out
        from that address: the right password is then refused on either."""
        for i in range(5):
            r = sign_in(NodeClient(STACK, node=1 + i % 2), 'se.user', f'{WRONG} {i}')
            self.assertEqual(r.status, 401, i)
        for node in (1, 2):
            c = NodeClient(STACK, node=node)
            self.assertEqual(sign_in(c, 'se.user').status, 401, f'node {node}')
            self.assertIsNone(c.session_token)
        # another user from the same address is not locked
        self.assertEqual(sign_in(NodeClient(STACK, node=2), 'dk.admin').status, 303)

    def test_a_totp_code_used_on_one_node_is_refused_on_the_other(self):
        """MFA enrolled on node 1; a code signs in on node 2 and the same
        code is refused on node 1 (the step last used is in the database)."""
        c = NodeClient(STACK, node=1)
        self.assertEqual(sign_in(c, 'contoso.admin').status, 303)
        secret, _ = enrol(c)
        c.logout()
        c.node = 2
        r = sign_in(c, 'contoso.admin')
        self.assertEqual((r.status, r.location), (303, '/login/mfa'))
        code = totp(secret, 30)
        r = c.post('/login/mfa', {'code': code})
        self.assertEqual((r.status, r.location), (303, '/accounts'))
        other = NodeClient(STACK, node=1)
        self.assertEqual(sign_in(other, 'contoso.admin').location, '/login/mfa')
        self.assertEqual(other.post('/login/mfa', {'code': code}).status, 401)
        self.assertEqual(other.get('/accounts').location, '/login/mfa')

    def test_a_reset_link_made_on_one_node_is_used_once_on_either(self):
        """A reset link asked for on node 1 sets the password on node 2;
        used again on node 1 it is gone, and the new password signs in on
        both nodes."""
        c = NodeClient(STACK, node=1)
        c.get('/password/forgot')
        self.assertEqual(c.post('/password/forgot',
                                [('email', 'driver@northwind.example')]).status, 200)
        STACK.arborctl('mail', 'send')
        links = []
        for name in os.listdir(os.path.join(STACK.var, 'mail')):
            with open(os.path.join(STACK.var, 'mail', name), 'rb') as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            if msg['To'] == 'driver@northwind.example':
                links += LINK_RE.findall(msg.get_body(('plain',)).get_content())
        self.assertEqual(len(links), 1, links)
        fields = [('new_password', 'a new password for the driver'),
                  ('confirm_password', 'a new password for the driver')]
        other = NodeClient(STACK, node=2)
        self.assertEqual(other.get(links[0]).status, 200)
        r = other.post(links[0], fields)
        self.assertEqual(r.status, 303, r)
        again = NodeClient(STACK, node=1)
        self.assertEqual(again.get(links[0]).status, 404)
        for node in (1, 2):
            self.assertEqual(sign_in(NodeClient(STACK, node=node), 'driver',
                                     'a new password for the driver').status, 303)


class NodeDeathTests(unittest.TestCase):
    THREADS, WRITES = 8, 40      # users made through nginx, per thread

    @classmethod
    def setUpClass(cls):
        # a stack of its own: the node it kills stays dead
        cls.stack = Stack(demo=True, nodes=2)
        cls.stack.start()
        cls.addClassCleanup(cls.stack.stop)

    def test_killing_a_node_mid_load_loses_nothing(self):
        """Eight threads make users through nginx while node 2 is killed
        (SIGKILL, its whole worker tree) a third of the way in. Node 1 serves
        on: every write begun after the kill is done (nginx passes a
        request node 2 refuses to node 1), only writes in flight on node 2
        went unanswered or got a 502, and every user answered as made is in
        the database."""
        stack = self.stack
        page = Client(stack)
        page.login('admin')
        bearer = 'Bearer ' + new_token('admin', 'node death', client=page)[0]
        fleet = stack.query('SELECT id FROM customers WHERE name = ?', 'Northwind Fleet')[0][0]
        node1 = node_pids(stack, 1)
        results, lock, killed = [], threading.Lock(), threading.Event()
        killed_at = []

        def write(thread):
            for i in range(self.WRITES):
                name = f'nd.{thread}.{i}'
                started = time.monotonic()
                conn = http.client.HTTPConnection('127.0.0.1', stack.port, timeout=60)
                try:
                    conn.request('POST', '/api/v1/users', json.dumps({
                        'email': f'{name}@nodes.example', 'username': name,
                        'customer_id': fleet, 'groups': []}),
                        {'Authorization': bearer, 'Content-Type': 'application/json'})
                    status = conn.getresponse().status
                except (OSError, http.client.HTTPException):
                    status = None
                finally:
                    conn.close()
                with lock:
                    results.append((name, started, status))
                    if len(results) == self.THREADS * self.WRITES // 3 and not killed.is_set():
                        doomed = node_pids(stack, 2)
                        for pid in doomed:
                            os.kill(pid, signal.SIGKILL)
                        while any(alive(pid) for pid in doomed):
                            time.sleep(0.001)
                        killed_at.append(time.monotonic())
                        killed.set()

        threads = [threading.Thread(target=write, args=(t,)) for t in range(self.THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(killed.is_set())
        made = {name for (name,) in stack.query(
            "SELECT username FROM users WHERE email LIKE '%@nodes.example'")}
        done = {name for name, _, status in results if status == 201}
        self.assertLessEqual(done, made, 'a user answered as made is missing')
        others = [(name, status) for name, _, status in results if status != 201]
        self.assertTrue(all(status in (None, 502) for _, status in others), others)
        self.assertLessEqual(len(others), self.THREADS, others)
        after = [status for _, started, status in results if started > killed_at[0]]
        self.assertGreater(len(after), self.THREADS * self.WRITES // 2)
        self.assertEqual(set(after), {201}, 'node 1 serves everything after the kill')
        self.assertTrue(all(alive(pid) for pid in node1), "node 1's workers are the same ones")
        self.assertEqual(stack.arborctl('check').stdout.strip(), 'ok')
        print(f'node death: {len(results)} writes, {len(after)} begun after the kill; '
              f'not done: {sorted(str(status) for _, status in others)}', file=sys.stderr)


if __name__ == '__main__':
    unittest.main()
