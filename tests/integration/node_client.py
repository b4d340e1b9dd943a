#!/usr/bin/python3
"""node_client.py - a Client that talks to one app node, not to nginx.

A stack with several nodes (nginx/stack.sh NODES=N) balances requests over
them; a test of what the nodes share (sessions, one-time links, login
limits) must choose the node of each request. NodeClient speaks FastCGI
straight to a node's socket, with the parameters nginx/fastcgi.conf passes
(a request id of its own each time), and keeps cookies and the CSRF token
like arbor_stack.Client: `client.node = 2` sends the next requests to the
second node.
"""
import email.message
import os
import secrets
import socket
import struct
import urllib.parse

from arbor_stack import Client, Response

FCGI_BEGIN_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 4, 5, 6
FCGI_RESPONDER = 1
RECORD_MAX = 65535


def record(kind, content):
    return struct.pack('>BBHHBx', 1, kind, 1, len(content), 0) + content


def stream(kind, data):
    """data as records of kind, then the empty record that ends the stream."""
    out = b''.join(record(kind, data[i:i + RECORD_MAX])
                   for i in range(0, len(data), RECORD_MAX))
    return out + record(kind, b'')


def name_value(name, value):
    def length(n):
        return bytes([n]) if n < 128 else struct.pack('>I', n | 0x80000000)
    name, value = name.encode(), value.encode()
    return length(len(name)) + length(len(value)) + name + value


def socket_of(stack, node):
    """Node's FastCGI socket: arbor.sock for the first, arbor-N.sock on."""
    return os.path.join(stack.var, 'run', 'arbor.sock' if node == 1 else f'arbor-{node}.sock')


def fastcgi(path, params, body, timeout):
    """One request over the socket at path: (status, headers, body)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(record(FCGI_BEGIN_REQUEST, struct.pack('>HB5x', FCGI_RESPONDER, 0))
                  + stream(FCGI_PARAMS, b''.join(name_value(k, v) for k, v in params.items()))
                  + stream(FCGI_STDIN, body))
        data = b''
        while chunk := s.recv(65536):
            data += chunk
    out, pos = b'', 0
    while pos + 8 <= len(data):
        _, kind, _, length, padding = struct.unpack('>BBHHB', data[pos:pos + 7])
        if kind == FCGI_STDOUT:
            out += data[pos + 8:pos + 8 + length]
        pos += 8 + length + padding
    head, _, content = out.partition(b'\r\n\r\n')
    headers = email.message.Message()
    status = 200
    for line in head.decode().split('\r\n'):
        name, _, value = line.partition(':')
        if name.lower() == 'status':
            status = int(value.split()[0])
        else:
            headers[name.strip()] = value.strip()
    return status, headers, content


class NodeClient(Client):
    """A Client whose requests go to app node `node` of its stack."""

    def __init__(self, stack, node=1, timeout=60):
        super().__init__(stack, timeout=timeout)
        self.node = node

    def request(self, method, path, body=b'', headers=None):
        self.requests += 1
        uri = urllib.parse.urlsplit(path)
        params = {
            'REQUEST_METHOD': method, 'REQUEST_URI': path, 'DOCUMENT_URI': uri.path,
            'QUERY_STRING': uri.query, 'SERVER_PROTOCOL': 'HTTP/1.1',
            'REMOTE_ADDR': '127.0.0.1', 'REMOTE_PORT': '40000',
            'SERVER_ADDR': '127.0.0.1', 'SERVER_PORT': str(self.stack.port),
            'SERVER_NAME': '127.0.0.1', 'HTTPS': 'on',
            'REQUEST_ID': secrets.token_hex(16),
            'HTTP_USER_AGENT': 'arbor-integration-tests (node client)',
            'CONTENT_LENGTH': str(len(body or b'')),
        }
        for name, value in (headers or {}).items():
            if name.lower() == 'content-type':
                params['CONTENT_TYPE'] = value
            else:
                params['HTTP_' + name.upper().replace('-', '_')] = value
        if self.cookies:
            params['HTTP_COOKIE'] = '; '.join(f'{k}={v}' for k, v in self.cookies.items())
        status, head, content = fastcgi(socket_of(self.stack, self.node), params,
                                        body or b'', self.timeout)
        response = Response(status, head, content)
        self._remember(response)
        return response
