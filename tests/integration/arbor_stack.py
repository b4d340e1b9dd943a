#!/usr/bin/python3
"""arbor_stack.py - the real Arbor stack (nginx + FastCGI workers) for tests.

Stack starts a private instance: a temporary state folder (VAR), a free
loopback port, an arbor.conf, `arborctl init` (and `demo`), then
nginx/stack.sh.  stop() stops it and fails when a sanitizer wrote a report.
Client is a small cookie-keeping HTTP client that never follows redirects.

Environment: ROOT (project folder, default: two levels above this file),
BIN (binaries, default ROOT/bin), ARBOR_KEEP_VAR=1 keeps VAR after stop.
ARBOR_PG_URL (a libpq connection string of a PostgreSQL cluster, as
tests/pg/cluster.sh prints it) runs every stack on PostgreSQL instead of
SQLite: each on a database of its own, made at start and dropped at stop;
ARBOR_NODES (default 1) is how many app nodes each stack has (make test-pg:
two).

As a program:  arbor_stack.py serve [--no-demo] -- COMMAND [ARG...]
starts a Stack, runs COMMAND with BASE_URL, ARBOR_CONF and ARBOR_VAR set,
stops the Stack and exits with COMMAND's status (1 on a sanitizer report).
"""
import argparse
import email.utils
import glob
import html.parser
import http.client
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.environ.get('ROOT') or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
PASSWORD = 'arbor-demo-password'
SESSION_COOKIE = '__Host-arbor_session'
PRE_COOKIE = '__Host-arbor_pre'
CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]*)"'
                     r'|value="([^"]*)"[^>]*?name="csrf_token"')


class StackError(Exception):
    """The stack could not start or stop, or a sanitizer reported."""


PG_URL = os.environ.get('ARBOR_PG_URL', '')
NODES = int(os.environ.get('ARBOR_NODES', '1'))


def on_postgresql():
    """Whether the stacks of this run use PostgreSQL (ARBOR_PG_URL)."""
    return PG_URL != ''


def pg_url(dbname):
    """ARBOR_PG_URL naming another database of the same cluster."""
    kept = [part for part in PG_URL.split() if not part.startswith('dbname=')]
    return ' '.join(kept + [f'dbname={dbname}'])


def pg_connect(dbname):
    import psycopg2     # Debian's python3-psycopg2: make test-pg installs it
    con = psycopg2.connect(pg_url(dbname))
    con.autocommit = True
    return con


def pg_admin(sql):
    """Run sql (CREATE or DROP DATABASE) on the cluster's postgres database."""
    con = pg_connect('postgres')
    try:
        con.cursor().execute(sql)
    finally:
        con.close()


class PgCursor:
    """The part of a sqlite3 cursor the tests use, over psycopg2's."""

    def __init__(self, cursor):
        self.cursor = cursor

    @property
    def lastrowid(self):
        """The id the last INSERT on this connection gave its row (the
        session's last nextval(): the row's own identity column)."""
        c = self.cursor.connection.cursor()
        c.execute('SELECT lastval()')
        return c.fetchone()[0]

    def fetchone(self):
        return self.cursor.fetchone() if self.cursor.description else None

    def fetchall(self):
        return self.cursor.fetchall() if self.cursor.description else []

    @property
    def rowcount(self):
        return self.cursor.rowcount

    @property
    def description(self):
        return self.cursor.description

    def __iter__(self):
        return iter(self.fetchall())


class PgConnection:
    """The part of an autocommit sqlite3 connection the tests use, on the
    stack's PostgreSQL database: execute() takes SQLite's ? placeholders."""

    def __init__(self, dbname):
        self.con = pg_connect(dbname)

    @property
    def IntegrityError(self):  # noqa: N802: sqlite3's connection names it so
        """The exception a broken constraint raises, as on sqlite3's connection."""
        return self.con.IntegrityError

    def execute(self, sql, params=()):
        cursor = self.con.cursor()
        cursor.execute(sql.replace('%', '%%').replace('?', '%s'), tuple(params))
        return PgCursor(cursor)

    def executemany(self, sql, rows):
        cursor = self.con.cursor()
        cursor.executemany(sql.replace('%', '%%').replace('?', '%s'),
                           [tuple(r) for r in rows])
        return PgCursor(cursor)

    def executescript(self, sql):
        self.con.cursor().execute(sql)

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def free_port():
    """A port that is free now, below Linux's range for outgoing connections
    (32768 up), so that no client's connection takes it before nginx binds
    it, and at random, so that test processes running side by side rarely
    pick the same one (start() picks again when one did)."""
    while True:
        port = random.randrange(20000, 32768)
        with socket.socket() as s:
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port


class Stack:
    """A private Arbor instance; use as a context manager or start()/stop()."""

    def __init__(self, demo=True, bin_dir=None, wrap=None, workers=None, settings=None,
                 start_timeout=60, stop_timeout=60, restore=None, nodes=None,
                 engine=None):
        """settings: {section: {key: value}} overriding arbor.conf defaults;
        restore: (backup, key file) to start on instead of a new database
        (`arborctl init` migrates it if it is older; no demo data): on
        SQLite copies of both; on PostgreSQL the backup is a pg_dump
        archive (`arborctl backup`), which pg_restore loads into the
        stack's new database, and the key file is copied;
        nodes: app nodes (default ARBOR_NODES, else 1); engine: 'sqlite' or
        'postgresql' (default: PostgreSQL when ARBOR_PG_URL is set)."""
        self.demo = demo and restore is None
        self.restore = restore
        self.settings = settings or {}
        self.bin = bin_dir or os.environ.get('BIN') or os.path.join(ROOT, 'bin')
        self.wrap = wrap          # a str; may contain {var}, e.g. log paths
        self.workers = workers
        self.nodes = nodes or NODES
        self.engine = engine or ('postgresql' if on_postgresql() else 'sqlite')
        self.pg_database = None     # the stack's own, on PostgreSQL
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.var = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    @property
    def log_dir(self):
        return os.path.join(self.var, 'log')

    @property
    def database(self):
        return os.path.join(self.var, 'arbor.db')

    def start(self):
        for program in ('arborctl', 'arbor-fcgi'):
            if not os.access(os.path.join(self.bin, program), os.X_OK):
                raise StackError(f'no {program} in {self.bin}: build it (make) or set BIN')
        self.var = tempfile.mkdtemp(prefix='arbor-test-')
        self.port = free_port()
        for sub in ('log', 'mail'):
            os.makedirs(os.path.join(self.var, sub))
        self.conf = os.path.join(self.var, 'arbor.conf')
        if self.engine == 'postgresql':
            self.pg_database = 'arbor_' + os.path.basename(self.var).replace('-', '_')
            pg_admin(f'CREATE DATABASE "{self.pg_database}" '
                     "TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8'")
        self._write_conf()
        self.env = self._environment()
        try:
            if self.restore:
                self._restore(*self.restore)
            self.arborctl('init')
            if self.demo:
                self.arborctl('demo')
            for attempt in range(3):
                try:
                    self._stack_sh('start', self.start_timeout)
                    break
                except StackError as e:
                    if 'Address already in use' not in str(e) or attempt == 2:
                        raise
                self.port = free_port()     # another process took it: again
                self._write_conf()
                self.env = self._environment()
        except BaseException:
            print(self.logs(), file=sys.stderr)
            self._stop_quietly()
            self._remove_var()
            self._drop_database()
            raise

    def _restore(self, backup, keys):
        """What restore= names, as this stack's database and key file."""
        copies = [(keys, 'arbor.keys')]
        if self.pg_database:
            p = subprocess.run(['pg_restore', '--no-owner', '--exit-on-error',
                                '--single-transaction', '--dbname', pg_url(self.pg_database),
                                backup], capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                raise StackError(f'pg_restore {backup} exited {p.returncode}:\n{p.stderr}')
        else:
            copies.append((backup, 'arbor.db'))
        for source, name in copies:
            shutil.copyfile(source, os.path.join(self.var, name))
            os.chmod(os.path.join(self.var, name), 0o600)

    def _write_conf(self):
        if self.pg_database:
            database = {'engine': 'postgresql', 'url': pg_url(self.pg_database)}
        else:
            database = {'path': self.database}
        settings = {
            'database': database,
            'server': {'keys': os.path.join(self.var, 'arbor.keys'),
                       'templates': os.path.join(ROOT, 'templates'),
                       'base_url': self.url('')},
            'session': {'idle_minutes': 30, 'absolute_hours': 12},
            'login': {'max_failures': 5, 'window_minutes': 15, 'max_lockout_minutes': 15},
            'mail': {'spool': os.path.join(self.var, 'mail'), 'from': 'arbor@localhost',
                     'smtp_url': ''},
            'plans': {'names': 'Starter, Fleet, Enterprise'},
        }
        for section, values in self.settings.items():
            settings.setdefault(section, {}).update(values)
        with open(self.conf, 'w') as f:
            for section, values in settings.items():
                f.write(f'[{section}]\n')
                f.writelines(f'{key} = {value}\n' for key, value in values.items())
                f.write('\n')

    def _environment(self):
        env = dict(os.environ)
        env.pop('WRAP', None)
        env.update(
            ROOT=ROOT, ARBOR_CONF=self.conf, VAR=self.var, PORT=str(self.port), BIN=self.bin,
            START_TIMEOUT=str(max(self.start_timeout - 10, 10)),
            STOP_TIMEOUT=str(max(self.stop_timeout - 10, 10)),
            ASAN_OPTIONS=f'log_path={self.log_dir}/asan:detect_leaks=1'
                         ':abort_on_error=0:halt_on_error=0',
            UBSAN_OPTIONS=f'print_stacktrace=1:log_path={self.log_dir}/ubsan')
        if self.wrap:
            env['WRAP'] = self.wrap.format(var=self.var)
        if self.workers:
            env['WORKERS'] = str(self.workers)
        env['NODES'] = str(self.nodes)
        return env

    def _stack_sh(self, action, timeout):
        script = os.path.join(ROOT, 'nginx', 'stack.sh')
        try:
            p = subprocess.run(['bash', script, action], env=self.env, timeout=timeout,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            raise StackError(f'stack.sh {action}: no answer after {timeout} s')
        if p.returncode != 0:
            raise StackError(f'stack.sh {action} exited {p.returncode}:\n{p.stdout}{p.stderr}')

    def resume(self):
        """Start nginx and the workers again on the same VAR and database,
        after they stopped or were killed (stack.sh start clears what a
        killed stack left)."""
        self._stack_sh('start', self.start_timeout)

    def _stop_quietly(self):
        try:
            self._stack_sh('stop', self.stop_timeout)
        except Exception as e:  # the start failure is the one to report
            print(f'(while cleaning up) {e}', file=sys.stderr)

    def stop(self, remove_var=True):
        """Stop the stack; raise StackError if stack.sh or a sanitizer complained.

        VAR is removed unless remove_var is false, ARBOR_KEEP_VAR=1 or it failed."""
        if self.var is None:
            return
        problems = []
        try:
            self._stack_sh('stop', self.stop_timeout)
        except StackError as e:
            problems.append(str(e))
        problems += self.sanitizer_reports()
        if problems:
            text = '\n\n'.join(problems) + f'\n(state kept in {self.var})'
            print(text, file=sys.stderr)
            self.var = None
            raise StackError(text)
        if remove_var:
            self._remove_var()
            self._drop_database()
        self.var = None

    def _drop_database(self):
        if self.pg_database and os.environ.get('ARBOR_KEEP_VAR') != '1':
            pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_database}" WITH (FORCE)')
            self.pg_database = None

    def _remove_var(self):
        if os.environ.get('ARBOR_KEEP_VAR') != '1':
            shutil.rmtree(self.var, ignore_errors=True)

    def sanitizer_reports(self):
        """The non-empty ASan/UBSan logs, each as 'path:\\ncontent'."""
        reports = []
        for pattern in ('asan.*', 'ubsan.*'):
            for path in sorted(glob.glob(os.path.join(self.log_dir, pattern))):
                with open(path, errors='replace') as f:
                    text = f.read()
                if text.strip():
                    reports.append(f'{path}:\n{text}')
        return reports

    def worker_log(self):
        """What every node's workers wrote (VAR/log/arbor-fcgi*.log), node
        after node."""
        text = ''
        for path in sorted(glob.glob(os.path.join(self.log_dir, 'arbor-fcgi*.log'))):
            with open(path, errors='replace') as f:
                text += f.read()
        return text

    def logs(self, lines=30):
        """The last lines of every file in VAR/log, for failure messages."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.log_dir, '*'))):
            if os.path.isfile(path):
                with open(path, errors='replace') as f:
                    tail = f.read().splitlines()[-lines:]
                out.append(f'--- {path}\n' + '\n'.join(tail))
        return '\n'.join(out) or '(no logs)'

    def arborctl(self, *args, input=None, check=True, timeout=300):
        p = subprocess.run([os.path.join(self.bin, 'arborctl'), *args], env=self.env,
                           input=input or '', capture_output=True, text=True,
                           timeout=timeout)
        if check and p.returncode != 0:
            raise StackError(f'arborctl {" ".join(args)} exited {p.returncode}:\n'
                             f'{p.stdout}{p.stderr}')
        return p

    def db(self):
        """A new autocommit connection to the application database: sqlite3's,
        or on PostgreSQL one that takes the same calls (PgConnection)."""
        if self.pg_database:
            return PgConnection(self.pg_database)
        return sqlite3.connect(self.database, timeout=30, isolation_level=None)

    def query(self, sql, *params):
        """Run one statement on the application database; return all rows."""
        con = self.db()
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def insert(self, sql, *params):
        """Run one INSERT on the application database; return the new row's id."""
        con = self.db()
        try:
            if self.pg_database:
                return con.execute(sql + ' RETURNING id', params).fetchone()[0]
            return con.execute(sql, params).lastrowid
        finally:
            con.close()

    def url(self, path):
        return f'http://127.0.0.1:{self.port}{path}'


class Response:
    def __init__(self, status, headers, data):
        self.status = status
        self.headers = headers    # http.client.HTTPMessage: case-insensitive
        self.data = data
        self.text = data.decode('utf-8', errors='replace')

    def header(self, name):
        return self.headers.get(name)

    @property
    def stable_text(self):
        """The body without this answer's request id (X-Request-Id, shown on
        error pages and in problem documents), which differs on every
        answer: what a test compares when two answers must be the same."""
        rid = self.header('X-Request-Id')
        return self.text.replace(rid, '') if rid else self.text

    @property
    def set_cookies(self):
        return self.headers.get_all('Set-Cookie') or []

    def cookie(self, name):
        """(value, {attribute: value}) of the Set-Cookie for name, or None."""
        for line in self.set_cookies:
            cname, value, attrs = parse_set_cookie(line)
            if cname == name:
                return value, attrs
        return None

    @property
    def location(self):
        """Location as a local path (an absolute URL to this host is cut down)."""
        loc = self.header('Location')
        if loc and re.match(r'https?://127\.0\.0\.1(:\d+)?/', loc):
            loc = '/' + loc.split('/', 3)[3]
        return loc

    def __repr__(self):
        return f'<Response {self.status} {self.text[:300]!r}>'


def parse_set_cookie(line):
    first, *rest = line.split(';')
    name, _, value = first.partition('=')
    attrs = {}
    for part in rest:
        key, _, val = part.partition('=')
        attrs[key.strip().lower()] = val.strip()
    return name.strip(), value.strip(), attrs


def cookie_deleted(value, attrs):
    """True when a Set-Cookie removes the cookie (empty, Max-Age<=0, past Expires)."""
    if value == '':
        return True
    max_age = attrs.get('max-age', '')
    if re.fullmatch(r'-?\d+', max_age):
        return int(max_age) <= 0
    try:
        return email.utils.parsedate_to_datetime(attrs['expires']).timestamp() < time.time()
    except (KeyError, TypeError, ValueError):
        return False


class Client:
    """One browser: cookies by name, the csrf_token of the last HTML page.
    source: the loopback address it connects from (another 127.x.y.z is
    another client address to the server); None: 127.0.0.1."""

    def __init__(self, stack, timeout=120, source=None):
        self.stack = stack
        self.timeout = timeout
        self.source = (source, 0) if source else None
        self.cookies = {}
        self.csrf = None
        self.requests = 0         # how many requests this client sent

    @property
    def session_token(self):
        return self.cookies.get(SESSION_COOKIE)

    def request(self, method, path, body=b'', headers=None):
        self.requests += 1
        conn = http.client.HTTPConnection('127.0.0.1', self.stack.port, timeout=self.timeout,
                                          source_address=self.source)
        all_headers = {'User-Agent': 'arbor-integration-tests'}
        if self.cookies:
            all_headers['Cookie'] = '; '.join(f'{k}={v}' for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            try:
                conn.request(method, path, body=body or None, headers=all_headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before reading the body (413): read it
            r = conn.getresponse()
            response = Response(r.status, r.headers, r.read())
        finally:
            conn.close()
        self._remember(response)
        return response

    def _remember(self, response):
        for line in response.set_cookies:
            name, value, attrs = parse_set_cookie(line)
            if cookie_deleted(value, attrs):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if 300 <= response.status < 400:
            self.csrf = None
        elif (response.header('Content-Type') or '').startswith('text/html'):
            self.csrf = find_csrf(response.text)

    def get(self, path, headers=None):
        return self.request('GET', path, headers=headers)

    def post(self, path, fields=(), csrf=True, headers=None):
        """POST a form; csrf=True adds the current token, a str adds that token."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf is True:
            csrf = self.csrf or self.fetch_csrf(path)
        if csrf:
            pairs.insert(0, ('csrf_token', csrf))
        body = urllib.parse.urlencode(pairs).encode()
        return self.request('POST', path, body, {
            'Content-Type': 'application/x-www-form-urlencoded', **(headers or {})})

    def fetch_csrf(self, path):
        candidates = [path, '/accounts' if self.session_token else '/login']
        for candidate in dict.fromkeys(candidates):
            self.get(candidate)
            if self.csrf:
                return self.csrf
        raise AssertionError(f'no csrf_token on any of {candidates}')

    def login(self, username, password=PASSWORD, next=None):
        self.get('/login')
        fields = [('username', username), ('password', password)]
        if next is not None:
            fields.append(('next', next))
        r = self.post('/login', fields)
        assert r.status == 303, f'login as {username}: want 303, got {r!r}'
        assert self.session_token, f'login as {username}: no {SESSION_COOKIE} cookie'
        return r

    def logout(self):
        self.get('/accounts')
        r = self.post('/logout')
        assert r.status == 303 and r.location == '/login', f'logout: got {r!r}'
        return r


def find_csrf(text):
    m = CSRF_RE.search(text)
    return (m.group(1) or m.group(2)) if m else None


class _PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.inputs = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'a' and a.get('href') is not None:
            self.links.append(a['href'])
        elif tag in ('input', 'select', 'textarea', 'button') and a.get('name'):
            self.inputs.append(a)


def parse_page(text):
    """(hrefs of <a> elements, attribute dicts of named form controls)."""
    p = _PageParser()
    p.feed(text)
    p.close()
    return p.links, p.inputs


def assert_security_headers(resp, referrer_policy=True):
    csp = resp.header('Content-Security-Policy') or ''
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp, f'{resp.status}: CSP {csp!r} lacks {directive!r}'
    nosniff = (resp.header('X-Content-Type-Options') or '').strip().lower()
    assert nosniff == 'nosniff', f'{resp.status}: X-Content-Type-Options is {nosniff!r}'
    if referrer_policy:
        assert resp.header('Referrer-Policy'), f'{resp.status}: no Referrer-Policy'


class _SelectParser(html.parser.HTMLParser):
    """The ids of required <select>s that break HTML5's placeholder rule:
    a required select shown as a drop-down (no multiple, size at most 1)
    must start with a child <option> whose value is empty, or the Nu
    HTML Checker reports an error."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad = []
        self.select = None    # the open select's id while its first option is awaited
        self.option = None    # [value attribute or None, text] of that first option
        self.depth = 0        # optgroups open inside the select

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'select':
            size = a.get('size') or '1'
            dropdown = 'multiple' not in a and size.isdigit() and int(size) <= 1
            self.select = (a.get('id') or a.get('name') or '?') \
                if 'required' in a and dropdown else None
            self.depth = 0
        elif self.select is not None and tag == 'optgroup':
            self.depth += 1
        elif self.select is not None and tag == 'option':
            if self.depth:
                self.bad.append(self.select)
                self.select = None
            else:
                self.option = [a.get('value'), '']

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data

    def handle_endtag(self, tag):
        if self.select is None:
            return
        if tag == 'option' or (tag == 'select' and self.option is not None):
            value, text = self.option or (None, '')
            if (value if value is not None else text.strip()) != '':
                self.bad.append(self.select)
            self.select = self.option = None
        elif tag == 'select':
            self.bad.append(self.select)    # no option at all
            self.select = None


def assert_html_page(resp):
    ctype = (resp.header('Content-Type') or '').lower().replace(' ', '')
    assert ctype == 'text/html;charset=utf-8', f'{resp.status}: Content-Type {ctype!r}'
    assert re.search(r'<title>\s*\S[^<]*</title>', resp.text, re.I), \
        f'{resp.status}: no non-empty <title>'
    h1s = len(re.findall(r'<h1[\s>]', resp.text, re.I))
    assert h1s == 1, f'{resp.status}: {h1s} <h1> elements, want exactly one'
    assert_select_placeholders(resp.text)


def assert_select_placeholders(text):
    """Every required drop-down <select> starts with an empty placeholder."""
    p = _SelectParser()
    p.feed(text)
    p.close()
    assert not p.bad, f'required <select> without an empty first <option>: {p.bad}'


def tidy_check(text):
    """Fail on HTML errors reported by tidy (warnings are ignored)."""
    if not shutil.which('tidy'):
        raise AssertionError('tidy is not installed (apt-get install tidy)')
    p = subprocess.run(['tidy', '-errors', '-quiet', '-utf8'], input=text.encode(),
                       capture_output=True, timeout=60)
    assert p.returncode < 2, 'tidy found errors:\n' + p.stderr.decode(errors='replace')


def serve(argv):
    parser = argparse.ArgumentParser(prog='arbor_stack.py serve')
    parser.add_argument('--no-demo', action='store_true', help='skip arborctl demo')
    parser.add_argument('command', nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ['--'] else args.command
    if not command:
        parser.error('no command given')
    stack = Stack(demo=not args.no_demo)
    try:
        stack.start()
    except StackError as e:
        print(f'arbor_stack.py serve: {e}', file=sys.stderr)
        return 1
    env = dict(os.environ, BASE_URL=stack.url(''), ARBOR_CONF=stack.conf, ARBOR_VAR=stack.var)
    try:
        rc = subprocess.call(command, env=env)
    finally:
        try:
            stack.stop()
        except StackError:
            rc = 1
    return rc


if __name__ == '__main__':
    if sys.argv[1:2] != ['serve']:
        sys.exit(__doc__)
    sys.exit(serve(sys.argv[2:]))
