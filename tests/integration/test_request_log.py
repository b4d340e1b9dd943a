"""Request ids and the workers' request log (issue 18).

nginx makes a request id ($request_id) and passes it as REQUEST_ID; the
worker answers it as X-Request-Id, shows it on error pages and in problem
documents, and writes one line per request to its standard error
(VAR/log/arbor-fcgi*.log here, a file per node): id, user, method, route pattern, status,
milliseconds. A missing or malformed id (straight FastCGI, not through
nginx) is replaced by one the worker makes.
"""
import json
import os
import re
import socket
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arbor_stack import Client  # noqa: E402
from fixtures import STACK, access_lines, client, new_token, setUpModule, uid  # noqa: E402,F401

ID_RE = re.compile(r'^[0-9a-f]{32}$')
LINE_RE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ arbor\[(\d+)\] request: '
                     r'id=([0-9a-f]{32}) user=(-|\d+) method=([A-Z]+) route=(\S+) '
                     r'status=(\d{3}) ms=(\d+)$')


def worker_log():
    return STACK.worker_log()


def request_lines(request_id):
    """The parsed request lines of the log that carry request_id."""
    return [LINE_RE.match(line).groups() for line in worker_log().splitlines()
            if f' id={request_id} ' in line and LINE_RE.match(line)]


# ------------------------------------------------------------------ FastCGI

def fcgi_record(kind, content, request_id=1):
    return struct.pack('>BBHHBx', 1, kind, request_id, len(content), 0) + content


def fcgi_params(params):
    out = b''
    for name, value in params.items():
        name, value = name.encode(), value.encode()
        out += bytes([len(name), len(value)]) + name + value
    return out


def fastcgi_get(path, extra=None):
    """GET path straight from a worker over its socket (no nginx): the
    response's head as {header: value} (lower-case names)."""
    params = {'REQUEST_METHOD': 'GET', 'REQUEST_URI': path, 'QUERY_STRING': '',
              'REMOTE_ADDR': '127.0.0.1'}
    params.update(extra or {})
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(60)
        s.connect(os.path.join(STACK.var, 'run', 'arbor.sock'))
        s.sendall(fcgi_record(1, struct.pack('>HB5x', 1, 0))      # BEGIN_REQUEST, responder
                  + fcgi_record(4, fcgi_params(params)) + fcgi_record(4, b'')
                  + fcgi_record(5, b''))
        data = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    stdout, pos = b'', 0
    while pos + 8 <= len(data):
        _, kind, _, length, padding = struct.unpack('>BBHHB', data[pos:pos + 7])
        if kind == 6:
            stdout += data[pos + 8:pos + 8 + length]
        pos += 8 + length + padding
    head = stdout.split(b'\r\n\r\n', 1)[0].decode()
    return {k.strip().lower(): v.strip() for k, v in
            (line.split(':', 1) for line in head.split('\r\n'))}


class RequestIdTests(unittest.TestCase):
    def test_404_page_shows_the_id_of_its_log_line(self):
        """A 404 page (a user outside the scope) says its request id, which is
        the X-Request-Id header and the id of one log line with the route
        pattern, the user and the status."""
        c = client('dk.admin')
        r = c.get('/users/999999999')
        self.assertEqual(r.status, 404, r)
        rid = r.header('X-Request-Id')
        self.assertRegex(rid or '', ID_RE)
        self.assertIn(f'Request id: <code>{rid}</code>', r.text)
        lines = request_lines(rid)
        self.assertEqual(len(lines), 1, worker_log()[-2000:])
        _, _, user, method, route, status, _ = lines[0]
        self.assertEqual((user, method, route, status),
                         (str(uid('dk.admin')), 'GET', '/users/{id}', '404'))
        access = access_lines(f' {rid} "GET /users/999999999 ')
        self.assertEqual(len(access), 1, 'nginx logs the id too')
        self.assertIn('" 404 ', access[0])

    def test_404_problem_document_carries_the_id(self):
        """A 404 problem document has request_id, equal to X-Request-Id and to
        the id of the request's log line (route pattern, status 404)."""
        token, _ = new_token('admin')
        r = Client(STACK).request('GET', '/api/v1/users/999999999',
                                  headers={'Authorization': f'Bearer {token}'})
        self.assertEqual(r.status, 404, r)
        problem = json.loads(r.text)
        rid = r.header('X-Request-Id')
        self.assertRegex(rid or '', ID_RE)
        self.assertEqual(problem['request_id'], rid)
        lines = request_lines(rid)
        self.assertEqual(len(lines), 1, worker_log()[-2000:])
        self.assertEqual(lines[0][2:6],
                         (str(uid('admin')), 'GET', '/api/v1/users/{id}', '404'))

    def test_no_route_logs_no_path(self):
        """A path no route has is logged without its path (a dash), anonymous."""
        r = Client(STACK).get('/no/such/page/secret-looking-part')
        self.assertEqual(r.status, 404, r)
        lines = request_lines(r.header('X-Request-Id'))
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0][2:6], ('-', 'GET', '-', '404'))
        self.assertNotIn('secret-looking-part', worker_log())

    def test_sign_out_logs_who_signed_out(self):
        """The sign-out's line names the user whose session it ended, not '-'."""
        c = Client(STACK)
        c.login('driver')
        r = c.logout()
        lines = request_lines(r.header('X-Request-Id'))
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0][2:6], (str(uid('driver')), 'POST', '/logout', '303'))
        r = c.get('/login')
        self.assertEqual(request_lines(r.header('X-Request-Id'))[0][2], '-')

    def test_reset_link_logs_the_pattern_not_the_token(self):
        """/password/reset/TOKEN is logged as its pattern; the token is nowhere
        in the worker's log."""
        token = 'Zq3xV9kLmN0pRsTuWyA1bC2dE4fG6hJ8kL0mN2pQ4rS'
        r = Client(STACK).get('/password/reset/' + token)
        self.assertEqual(r.status, 404, r)
        lines = request_lines(r.header('X-Request-Id'))
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0][3:6], ('GET', '/password/reset/{token}', '404'))
        self.assertNotIn(token, worker_log())

    def test_every_response_has_an_id_of_its_own(self):
        """Two requests, two ids; a successful page has one too."""
        c = client('admin')
        a, b = c.get('/accounts'), c.get('/accounts')
        self.assertEqual((a.status, b.status), (200, 200))
        self.assertRegex(a.header('X-Request-Id') or '', ID_RE)
        self.assertNotEqual(a.header('X-Request-Id'), b.header('X-Request-Id'))
        self.assertEqual(request_lines(a.header('X-Request-Id'))[0][4:6], ('/accounts', '200'))

    def test_client_header_is_not_the_id(self):
        """An X-Request-Id sent by the client is not taken: nginx's id is."""
        mine = 'a' * 32
        r = Client(STACK).get('/login', headers={'X-Request-Id': mine})
        self.assertRegex(r.header('X-Request-Id') or '', ID_RE)
        self.assertNotEqual(r.header('X-Request-Id'), mine)


class DirectFastCGITests(unittest.TestCase):
    """Straight to a worker's socket, as another FastCGI front might."""

    def test_nginx_id_is_kept(self):
        rid = '0123456789abcdef0123456789abcdef'
        head = fastcgi_get('/login', {'REQUEST_ID': rid})
        self.assertEqual(head['x-request-id'], rid)
        self.assertEqual(len(request_lines(rid)), 1)

    def test_missing_or_malformed_id_is_replaced(self):
        """No REQUEST_ID, or one that is not 32 lower-case hex characters
        (too short, too long, not hex, a line break), gets a fresh id."""
        for given in (None, 'abc', '0123456789abcdef0123456789abcdef0',
                      'x' * 32, '0123456789abcdef\n123456789abcdef'):
            with self.subTest(given=given):
                head = fastcgi_get('/login', {} if given is None else {'REQUEST_ID': given})
                rid = head.get('x-request-id', '')
                self.assertRegex(rid, ID_RE)
                self.assertNotEqual(rid, given)
                self.assertEqual(len(request_lines(rid)), 1)


if __name__ == '__main__':
    unittest.main()
