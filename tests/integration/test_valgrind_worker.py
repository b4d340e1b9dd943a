"""One plain-build worker under valgrind serves 1,000 mixed requests, then exits clean.

Needs VALGRIND_BIN (the plain build's bin folder; `make integration` sets it).
argon2id is slow under valgrind (2-3 s a hash), so only 6 requests check a
password; the rest are cheap pages, redirects, refusals and errors.
"""
import glob
import os
import re
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import PASSWORD, Client, Stack, StackError  # noqa: E402

VALGRIND_BIN = os.environ.get('VALGRIND_BIN')
WRAP = ('valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect '
        '--error-exitcode=99 --log-file={var}/log/valgrind.%p.log')
TOTAL_REQUESTS = 1000
USERS = ('admin', 'dk.admin', 'driver', 'operator')
FORM = {'Content-Type': 'application/x-www-form-urlencoded'}


def cheap_steps(anon, user):
    """(description, expected status, request) for one round of cheap requests."""
    return [
        ('GET /login', 200, lambda: anon.get('/login')),
        ('GET /accounts', 200, lambda: user.get('/accounts')),
        ('GET /accounts?x=1', 200, lambda: user.get('/accounts?x=1')),
        ('GET /accounts anonymous', 303, lambda: anon.get('/accounts')),
        ('GET unknown', 404, lambda: anon.get('/no-such-page')),
        ('GET unknown logged in', 404, lambda: user.get('/no/such/page?q=1')),
        ('DELETE /login', 405, lambda: anon.request('DELETE', '/login')),
        ('POST /accounts', 405, lambda: user.post('/accounts', {'a': 'b'})),
        ('bad query', 400, lambda: anon.get('/login?x=%zz')),
        ('NUL in query', 400, lambda: anon.get('/login?next=%00')),
        ('bad body', 400, lambda: anon.request('POST', '/login', b'username=%4', FORM)),
        ('login without csrf', 403,
         lambda: anon.post('/login', {'username': 'admin', 'password': 'x'}, csrf=False)),
        ('logout without csrf', 403, lambda: user.post('/logout', csrf=False)),
        ('static css', 200, lambda: anon.get('/static/arbor.css')),
    ]


def serve_traffic(stack):
    """Send the mixed requests; return (requests sent, [mismatch descriptions])."""
    mismatches = []

    def expect(description, status, response):
        if response.status != status:
            mismatches.append(f'{description}: want {status}, got {response.status}')

    anon = Client(stack)
    failed = Client(stack)
    failed.get('/login')
    expect('wrong password', 401, failed.post('/login', {'username': 'admin', 'password': 'x'}))
    expect('unknown user', 401, failed.post('/login', {'username': 'nobody',
                                                       'password': PASSWORD}))
    users = [Client(stack) for _ in USERS]
    for client, username in zip(users, USERS):
        client.get('/login')
        expect(f'login {username}', 303, client.post('/login', {'username': username,
                                                                'password': PASSWORD}))
    clients = [anon, failed, *users]
    logouts = 2 * len(users)
    round_number = 0
    while sum(c.requests for c in clients) + logouts < TOTAL_REQUESTS:
        user = users[round_number % len(users)]
        for description, status, send in cheap_steps(anon, user):
            if sum(c.requests for c in clients) + logouts >= TOTAL_REQUESTS:
                break
            expect(description, status, send())
        round_number += 1
    for client, username in zip(users, USERS):
        client.get('/accounts')
        expect(f'logout {username}', 303, client.post('/logout'))
    return sum(c.requests for c in clients), mismatches


def valgrind_logs(log_dir, timeout=30):
    """{path: text} of the valgrind logs, waiting until each has its final summary."""
    deadline = time.time() + timeout
    while True:
        logs = {}
        for path in sorted(glob.glob(os.path.join(log_dir, 'valgrind.*.log'))):
            with open(path, errors='replace') as f:
                logs[path] = f.read()
        if logs and all('ERROR SUMMARY' in text for text in logs.values()):
            return logs
        if time.time() > deadline:
            return logs
        time.sleep(1)


def lost_bytes(text, kind):
    """The bytes valgrind reports as '<kind> lost', 0 when it reports none."""
    return sum(int(n.replace(',', '')) for n in re.findall(rf'{kind} lost: ([\d,]+) bytes', text))


class ValgrindWorkerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not VALGRIND_BIN:
            raise unittest.SkipTest('VALGRIND_BIN is not set (the plain build\'s bin folder; '
                                    '`make integration` sets it)')
        stack = Stack(demo=True, bin_dir=VALGRIND_BIN, wrap=WRAP, workers=1,
                      start_timeout=600, stop_timeout=600)
        stack.start()
        cls.var, cls.stop_error, cls.traffic_error = stack.var, None, None
        cls.sent, cls.mismatches = 0, []
        try:
            cls.sent, cls.mismatches = serve_traffic(stack)
        except Exception as e:  # e.g. the worker died: its valgrind log says why
            cls.traffic_error = f'{type(e).__name__}: {e}'
        try:
            stack.stop(remove_var=False)  # the worker gets SIGTERM, must free everything
        except StackError as e:
            cls.stop_error = str(e)
        cls.logs = valgrind_logs(os.path.join(cls.var, 'log'))

    @classmethod
    def tearDownClass(cls):
        if os.environ.get('ARBOR_KEEP_VAR') != '1':
            shutil.rmtree(cls.var, ignore_errors=True)

    def test_1000_requests_got_expected_answers(self):
        """All 1,000 requests answered with the status the contract gives them."""
        self.assertIsNone(self.traffic_error)
        self.assertGreaterEqual(self.sent, TOTAL_REQUESTS)
        self.assertEqual(self.mismatches[:20], [], f'{len(self.mismatches)} wrong answers')

    def test_stack_stopped_cleanly(self):
        """stack.sh stop succeeded."""
        self.assertIsNone(self.stop_error)

    def test_worker_exited_and_valgrind_reported(self):
        """The worker exited on SIGTERM, so valgrind wrote its final summary."""
        self.assertTrue(self.logs, 'no valgrind.*.log: was the worker started under WRAP?')
        for path, text in self.logs.items():
            self.assertIn('ERROR SUMMARY', text, f'{path}: worker did not exit:\n{text[-3000:]}')

    def test_no_memory_errors(self):
        """valgrind found no invalid reads/writes, uninitialised use or leak errors."""
        for path, text in self.logs.items():
            for count in re.findall(r'ERROR SUMMARY: ([\d,]+) errors', text):
                self.assertEqual(count, '0', f'{path}:\n{text}')

    def test_nothing_definitely_or_indirectly_lost(self):
        """At exit, no heap block is definitely or indirectly lost."""
        for path, text in self.logs.items():
            self.assertEqual(lost_bytes(text, 'definitely'), 0, f'{path}:\n{text}')
            self.assertEqual(lost_bytes(text, 'indirectly'), 0, f'{path}:\n{text}')


if __name__ == '__main__':
    unittest.main(verbosity=2)
