"""test_crash_safety.py - issue 18: what workers killed mid-request, and
once the whole stack, leave in the database.

The real stack (nginx, and on each app node multiwatch and WORKERS
workers) serves THREADS threads of writes: users made through the JSON
API, bulk moves of a group of devices between two customers through the
API, and API tokens made on the Tokens page (tokens have no API).
Meanwhile a killer thread sends SIGKILL to a random worker of any node at
random moments (as multiwatch allows: it gives up on a worker that dies
young too often), and once, halfway, to the whole stack (nginx, every
node's multiwatch and workers), which is then started again on the same
database. Afterwards, read from the database itself: every write whose
answer was 2xx is there; every bulk move moved all of its group or none
of it; the engine finds its storage whole (SQLite: PRAGMA
integrity_check says ok; PostgreSQL: amcheck finds every B-tree index
agreeing with its table, and no session of the database is left inside
a transaction a killed worker began); and `arborctl check` finds the
tree and the counters consistent. Writes that got a 502, a 5xx or no
answer are fine either way; how many of each, the kills and the time
taken are printed.
"""
import glob
import http.client
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import threading
import time
import unittest
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from arbor_stack import SESSION_COOKIE, Client, Stack, on_postgresql

THREADS = 16
WRITES_PER_THREAD = 63              # 16 x 63 = 1,008 writes
WORKERS = 4                         # per node
GROUP = 5                           # devices per bulk move
# multiwatch's defaults: a worker that dies within RETRY_S of its start
# counts against its slot, which is given up after 3 such deaths
RETRY_S = 10
YOUNG_DEATHS_MAX = 2
KILL_GAP_S = (0.05, 0.4)


def pids_under(parent):
    """The processes whose parent is parent (from /proc)."""
    out = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent and fields[0] != 'Z':
                out.append(int(entry))
    return out


def pid_file(stack, name):
    with open(os.path.join(stack.var, 'run', name)) as f:
        return int(f.read().strip())


def worker_tops(stack):
    """The top of each node's worker tree (its multiwatch): fcgi.pid,
    fcgi-2.pid, ..."""
    return [pid_file(stack, os.path.basename(path)) for path in
            sorted(glob.glob(os.path.join(stack.var, 'run', 'fcgi*.pid')))]


def gone(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


class Killer(threading.Thread):
    """Kills a random worker of any node every few tenths of a second,
    each slot of a multiwatch at most YOUNG_DEATHS_MAX times within
    RETRY_S of its start; once (kill_stack set) the whole stack, then
    starts it again."""

    def __init__(self, stack):
        super().__init__(daemon=True)
        self.stack = stack
        self.stop = threading.Event()
        self.kill_stack = threading.Event()
        self.workers_killed = 0
        self.stack_killed = 0
        self.error = None
        self._watch()

    def _watch(self):
        """{worker pid: [born, young deaths of its slot, its multiwatch]}
        of every node's WORKERS workers, once each multiwatch has started
        them all (a slot missed here would let a later kill be counted
        against the wrong one)."""
        self.slots = {}
        for top in worker_tops(self.stack):
            deadline = time.monotonic() + 10
            while len(pids := pids_under(top)) < WORKERS and time.monotonic() < deadline:
                time.sleep(0.02)
            if len(pids) != WORKERS:
                raise AssertionError(f'{len(pids)} workers under multiwatch {top}, '
                                     f'not {WORKERS}')
            now = time.monotonic()
            self.slots.update({pid: [now, 0, top] for pid in pids})

    def run(self):
        try:
            while not self.stop.wait(random.uniform(*KILL_GAP_S)):
                if self.kill_stack.is_set() and not self.stack_killed:
                    self._kill_everything()
                else:
                    self._kill_a_worker()
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def _kill_a_worker(self):
        now = time.monotonic()
        old = [p for p, (born, _, _) in self.slots.items() if now - born > RETRY_S + 1]
        young = [p for p, (_, deaths, _) in self.slots.items() if deaths < YOUNG_DEATHS_MAX]
        victims = old or young
        if not victims:
            return
        pid = random.choice(victims)
        born, deaths, top = self.slots.pop(pid)
        deaths = 0 if now - born > RETRY_S + 1 else deaths + 1
        os.kill(pid, signal.SIGKILL)
        self.workers_killed += 1
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            new = [p for p in pids_under(top) if p not in self.slots and p != pid]
            if new:
                self.slots[new[0]] = [time.monotonic(), deaths, top]
                return
            time.sleep(0.02)
        raise AssertionError(f'multiwatch did not replace worker {pid}')

    def _kill_everything(self):
        tops = [pid_file(self.stack, 'nginx.pid')] + worker_tops(self.stack)
        everyone = tops + [pid for top in tops for pid in pids_under(top)]
        for pid in everyone:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not all(gone(p) for p in everyone):
            if time.monotonic() > deadline:
                raise AssertionError(f'still alive after SIGKILL: {everyone}')
            time.sleep(0.02)
        self.stack_killed = 1
        self.stack.resume()
        self._watch()


def request(stack, method, path, body=b'', headers=None):
    """(status, body text) of one request on a connection of its own;
    raises OSError/HTTPException when there is no answer."""
    conn = http.client.HTTPConnection('127.0.0.1', stack.port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader('Location'), r.read().decode(errors='replace')
    finally:
        conn.close()


# the answer of a write that was done, per kind
DONE = {'user': 201, 'move': 200, 'token': 303}


def outcome(kind, status):
    """What the client saw of a write, for the tally."""
    if status is None:
        return 'no answer'
    return 'done' if status == DONE[kind] else str(status)


class CrashSafetyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = Stack(demo=True, workers=WORKERS)
        cls.stack.start()
        cls.addClassCleanup(cls.stack.stop)
        cls.fleet, cls.denmark, cls.sweden = (
            cls.stack.query('SELECT id FROM customers WHERE name = ?', name)[0][0]
            for name in ('Northwind Fleet', 'Northwind Denmark', 'Northwind Sweden'))
        # one group of devices per thread, at Denmark; only its thread moves it
        cls.groups = [[f'CRASH-{t}-{i}' for i in range(GROUP)] for t in range(THREADS)]
        con = cls.stack.db()
        try:
            con.executemany('INSERT INTO devices (unit_id, device_uuid, name, customer_id, '
                            'registered_at) VALUES (?, ?, ?, ?, 0)',
                            [(u, secrets.token_hex(16), f'Crash {u}', cls.denmark)
                             for g in cls.groups for u in g])
        finally:
            con.close()
        # one session makes every token (a login costs a password hash),
        # one token makes every API call
        page = Client(cls.stack)
        page.login('admin')
        cls.cookie = f'{SESSION_COOKIE}={page.session_token}'
        page.get('/tokens')
        cls.csrf, cls.expires_on = page.csrf, re.search(
            r'name="expires_on" type="date" value="([^"]+)"', page.get('/tokens').text).group(1)
        r = page.post('/tokens/new', {'name': 'crash load', 'expires_on': cls.expires_on})
        cls.bearer = 'Bearer ' + re.search(r'id="token-secret">([^<]+)<',
                                           page.get(r.location).text).group(1)

    # ------------------------------------------------------------ the writes

    def api(self, method, path, body):
        return request(self.stack, method, path, json.dumps(body).encode(), {
            'Authorization': self.bearer, 'Content-Type': 'application/json'})

    def make_user(self, name):
        status, _, text = self.api('POST', '/api/v1/users', {
            'email': f'{name}@crash.example', 'username': name,
            'customer_id': self.fleet, 'groups': []})
        return status, json.loads(text)['id'] if status == 201 else None

    def make_token(self, name):
        status, location, _ = request(self.stack, 'POST', '/tokens/new', urllib.parse.urlencode({
            'csrf_token': self.csrf, 'name': name, 'expires_on': self.expires_on}).encode(), {
            'Cookie': self.cookie, 'Content-Type': 'application/x-www-form-urlencoded'})
        found = re.fullmatch(r'(?:https?://[^/]+)?/tokens/(\d+)/created', location or '')
        return status, int(found.group(1)) if status == 303 and found else None

    def move(self, group, target):
        status, _, text = self.api('POST', '/api/v1/devices/assign',
                                   {'customer_id': target, 'ids': group})
        return status, sorted(m['unit_id'] for m in json.loads(text)['moved']) \
            if status == 200 else None

    def writer(self, t, started):
        """Thread t's writes, in turn a user, a move of its group (to the
        other customer than its last attempt's), a token; one record each:
        (kind, what, status, result)."""
        records, target = [], self.denmark
        for k in range(WRITES_PER_THREAD):
            if k == WRITES_PER_THREAD // 2 and t == 0:
                started.set()
            kind = ('user', 'move', 'token')[k % 3]
            name = f'crash-{t}-{k}'
            if kind == 'move':
                target = self.sweden if target == self.denmark else self.denmark
                what, call = target, (lambda: self.move(self.groups[t], target))
            else:
                what, call = name, (lambda: (self.make_user if kind == 'user'
                                             else self.make_token)(name))
            try:
                status, result = call()
            except (OSError, http.client.HTTPException):
                status, result = None, None
                self.wait_for_the_stack()
            records.append((kind, what, status, result))
        return records

    def wait_for_the_stack(self, limit=60):
        """After a write got no answer (the stack is down, being started
        again): wait until it answers, so that a slow restart costs time,
        not the writes the test counts on."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                if request(self.stack, 'GET', '/healthz')[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)

    # ------------------------------------------------------------ the test

    def test_writes_survive_killed_workers_and_a_killed_stack(self):
        killer = Killer(self.stack)
        halfway = threading.Event()
        t0 = time.monotonic()
        killer.start()
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(self.writer, t, halfway) for t in range(THREADS)]
            halfway.wait(60)
            killer.kill_stack.set()
            per_thread = [f.result() for f in futures]
        killer.stop.set()
        killer.join(30)
        seconds = time.monotonic() - t0
        self.assertIsNone(killer.error)
        self.assertEqual(killer.stack_killed, 1, 'the whole stack was killed once')
        records = [r for rs in per_thread for r in rs]

        tally = {}
        for kind, _, status, _ in records:
            tally.setdefault(kind, {}).setdefault(outcome(kind, status), 0)
            tally[kind][outcome(kind, status)] += 1
        print(f'\ncrash safety: {len(records)} writes by {THREADS} threads in {seconds:.1f} s, '
              f'{killer.workers_killed} workers and the whole stack once killed with SIGKILL; '
              + '; '.join(f'{kind}: ' + ', '.join(f'{n} {o}' for o, n in sorted(t.items()))
                          for kind, t in sorted(tally.items())))
        refused = [r for r in records if r[2] is not None and r[2] < 500 and r[2] != DONE[r[0]]]
        self.assertEqual(refused, [], 'each write done, or a 5xx, or no answer')
        for kind in DONE:
            self.assertGreater(tally[kind].get('done', 0), len(records) // 6,
                               f'most {kind} writes got through')

        self.assertStorageWhole()
        con = self.stack.db()
        try:
            users = dict(con.execute("SELECT id, username FROM users WHERE username LIKE "
                                     "'crash-%'"))
            tokens = dict(con.execute('SELECT id, name FROM api_tokens'))
            for kind, name, status, new_id in records:
                if kind == 'user' and status == 201:
                    self.assertEqual(users.get(new_id), name, f'user {name} (201) is there')
                elif kind == 'token' and status == 303:
                    self.assertEqual(tokens.get(new_id), name, f'token {name} (303) is there')
            for t, group in enumerate(self.groups):
                self.assertGroupMovedWhole(con, group, [r for r in per_thread[t]
                                                        if r[0] == 'move'])
        finally:
            con.close()
        p = self.stack.arborctl('check', check=False)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, 'ok\n', ''))

    def assertStorageWhole(self):
        """What the engine itself says of its storage after the kills."""
        if not on_postgresql():
            con = sqlite3.connect(self.stack.database, timeout=30)
            try:
                self.assertEqual(con.execute('PRAGMA integrity_check').fetchall(), [('ok',)])
            finally:
                con.close()
            return
        con = self.stack.db()
        try:
            self.assertEqual(con.execute(
                "SELECT pid, state, query FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() AND state <> 'idle'").fetchall(),
                [], 'a transaction left open')
            # amcheck (contrib, with the server): each B-tree index's
            # structure, and every row of its table found in it
            con.execute('CREATE EXTENSION amcheck')
            try:
                indexes = con.execute(
                    "SELECT c.relname, bt_index_check(c.oid, true) FROM pg_index i "
                    "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE a.amname = 'btree' AND n.nspname = current_schema()").fetchall()
            finally:
                con.execute('DROP EXTENSION amcheck')
            self.assertGreater(len(indexes), 20, 'the schema\'s B-tree indexes were checked')
        finally:
            con.close()

    def assertGroupMovedWhole(self, con, group, moves):
        """Every device of group where the others are, moved as often as
        the others; at the target of the last move if that was answered
        200, and moved at least once per move answered 200 with all of
        them in its "moved"."""
        marks = ','.join('?' * len(group))
        rows = con.execute(f'SELECT d.customer_id, (SELECT count(*) FROM device_moves m '
                           f'WHERE m.device_id = d.id) FROM devices d WHERE d.unit_id IN '
                           f'({marks})', group).fetchall()
        self.assertEqual(len(set(rows)), 1, f'{group}: moved all together or not: {rows}')
        at, moved = rows[0]
        answered = [r for r in moves if r[2] == 200]
        for _, target, _, unit_ids in answered:
            self.assertIn(unit_ids, ([], sorted(group)), f'{group}: a move of some only')
        self.assertGreaterEqual(moved, sum(1 for r in answered if r[3]), f'{group}: moves lost')
        if moves and moves[-1][2] == 200:
            self.assertEqual(at, moves[-1][1], f'{group}: not at its last move\'s target')


if __name__ == '__main__':
    unittest.main()
