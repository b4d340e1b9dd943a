"""Deployment: `make install`, the man pages, the systemd units, the nginx site.

`make install` runs into staging trees (DESTDIR, so nothing outside them is
touched and no user is made): once with the default paths, once with
others, whose files must then name only those. The man pages must render
without a warning and document every arborctl command and every arbor.conf
key; `systemd-analyze verify` checks the installed units and `nginx -t` the
installed site, each on a copy whose installed paths point into the
staging tree. Each checker is shown to catch a broken file as well.
"""
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

ROOT = os.environ.get('ROOT') or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
UNITS = ('arbor-fcgi.socket', 'arbor-fcgi.service', 'arbor-mail.service')
MAN_PAGES = (('man8', 'arborctl.8'), ('man5', 'arbor.conf.5'))
# the folders chosen besides the defaults, and what install makes of them
OTHER = {'PREFIX': '/opt/arbor', 'SYSCONFDIR': '/etc/opt/arbor',
         'LOCALSTATEDIR': '/var/opt/arbor'}
TREES = {}        # 'default' / 'other' -> Tree


class Tree:
    """A staging tree and the paths make install used in it."""

    def __init__(self, destdir, prefix='/usr/local', sysconfdir='/etc', localstatedir='/var'):
        self.destdir = destdir
        self.bindir = f'{prefix}/bin'
        self.datadir = f'{prefix}/share/arbor'
        self.mandir = f'{prefix}/share/man'
        self.unitdir = f'{prefix}/lib/systemd/system'
        self.confdir = f'{sysconfdir}/arbor'
        self.statedir = f'{localstatedir}/lib/arbor'
        self.site = f'{sysconfdir}/nginx/sites-available/arbor'

    def __call__(self, path):
        """Where path of the installed system is in the staging tree."""
        return self.destdir + path

    def read(self, path):
        with open(self(path)) as f:
            return f.read()

    def roots(self):
        """The folders install owns: a path under one must exist in the tree."""
        return (self.bindir, self.datadir, self.confdir, self.statedir)

    def staged(self, text):
        """text with every path under the install's folders moved into the
        staging tree, as a chroot into it would see them."""
        for root in self.roots():
            text = text.replace(root, self(root))
        return text


def make(*args):
    # not the variables of a `make test PREFIX=...` this runs under
    env = {k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}
    p = subprocess.run(['make', '--no-print-directory', '-C', ROOT, *args], env=env,
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise AssertionError(f'make {" ".join(args)} exited {p.returncode}:\n'
                             f'{p.stdout}{p.stderr}')
    return p.stdout


def install(tree, **paths):
    return make('install', f'DESTDIR={tree.destdir}',
                *(f'{k}={v}' for k, v in paths.items()))


def setUpModule():
    work = tempfile.mkdtemp(prefix='arbor-deploy-')
    unittest.addModuleCleanup(shutil.rmtree, work, ignore_errors=True)
    TREES['default'] = Tree(os.path.join(work, 'default'))
    install(TREES['default'])
    TREES['other'] = Tree(os.path.join(work, 'other'), OTHER['PREFIX'], OTHER['SYSCONFDIR'],
                          OTHER['LOCALSTATEDIR'])
    install(TREES['other'], **OTHER)
    TREES['work'] = work


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def absolute_paths(text):
    return set(re.findall(r'(?<![\w./-])(/(?:usr|opt|etc|var)/[\w./-]*\w)', text))


class InstallTests(unittest.TestCase):
    def test_layout_and_modes(self):
        """Programs 0755, shared files, units, site, man pages; the config
        0640 in a 0750 folder, the state folder (and its mail spool) 0750."""
        t = TREES['default']
        for program in ('arbor-fcgi', 'arborctl'):
            self.assertEqual(mode(t(f'/usr/local/bin/{program}')), 0o755)
        for path in ('/usr/local/share/arbor/templates/layout.mustache',
                     '/usr/local/share/arbor/static/arbor.css',
                     '/usr/local/share/arbor/static/errors/404.html',
                     '/usr/local/share/arbor/nginx/fastcgi.conf',
                     '/etc/nginx/sites-available/arbor',
                     '/usr/local/share/man/man8/arborctl.8',
                     '/usr/local/share/man/man5/arbor.conf.5',
                     *(f'/usr/local/lib/systemd/system/{u}' for u in UNITS)):
            self.assertEqual(mode(t(path)), 0o644, path)
        self.assertEqual(mode(t('/etc/arbor')), 0o750)
        self.assertEqual(mode(t('/etc/arbor/arbor.conf')), 0o640)
        for path in ('/var/lib/arbor', '/var/lib/arbor/mail'):
            self.assertEqual(mode(t(path)), 0o750, path)

    def test_every_template_and_static_file(self):
        """templates/ and static/ are installed whole, byte for byte."""
        t = TREES['default']
        for top in ('templates', 'static'):
            for folder, _, files in os.walk(os.path.join(ROOT, top)):
                for name in files:
                    src = os.path.join(folder, name)
                    rel = os.path.relpath(src, ROOT)
                    with open(src, 'rb') as a, open(t(f'{t.datadir}/{rel}'), 'rb') as b:
                        self.assertEqual(a.read(), b.read(), rel)

    def test_installed_files_name_the_installed_paths(self):
        """In the units, the site, the config and the man pages, every path
        under the install's folders exists in the tree (the database and key
        file are made by arborctl init: their folder does); with other
        folders, /usr/local, /etc/arbor and /var/lib/arbor are gone."""
        for name, t in (('default', TREES['default']), ('other', TREES['other'])):
            files = [f'{t.unitdir}/{u}' for u in UNITS] + [
                t.site, f'{t.confdir}/arbor.conf',
                *(f'{t.mandir}/{sec}/{page}' for sec, page in MAN_PAGES)]
            for path in files:
                text = t.read(path)
                for p in absolute_paths(text):
                    if not p.startswith(t.roots()):
                        continue
                    with self.subTest(tree=name, file=path, path=p):
                        if os.path.basename(p) in ('arbor.db', 'arbor.keys'):
                            p = os.path.dirname(p)
                        self.assertTrue(os.path.exists(t(p)), f'{p} is not installed')
                if name == 'other':
                    for old in ('/usr/local', '/etc/arbor', '/var/lib/arbor'):
                        self.assertNotIn(old, text, path)
        other = TREES['other']
        self.assertIn(f'ExecStart=/usr/bin/multiwatch -f 4 -s TERM -- {other.bindir}/arbor-fcgi',
                      other.read(f'{other.unitdir}/arbor-fcgi.service'))
        self.assertIn(f'Environment=ARBOR_CONF={other.confdir}/arbor.conf',
                      other.read(f'{other.unitdir}/arbor-mail.service'))
        self.assertIn(f'templates = {other.datadir}/templates',
                      other.read(f'{other.confdir}/arbor.conf'))

    def test_reinstall_keeps_the_config_and_site(self):
        """A second install keeps an edited arbor.conf and nginx site, and
        replaces the programs."""
        t = Tree(os.path.join(TREES['work'], 'reinstall'))
        install(t)
        with open(t('/etc/arbor/arbor.conf'), 'a') as f:
            f.write('; edited by the administrator\n')
        with open(t('/etc/nginx/sites-available/arbor'), 'a') as f:
            f.write('# edited by the administrator\n')
        os.remove(t('/usr/local/bin/arborctl'))
        out = install(t)
        self.assertIn('kept', out)
        self.assertTrue(t.read('/etc/arbor/arbor.conf').endswith('; edited by the administrator\n'))
        self.assertTrue(t.read('/etc/nginx/sites-available/arbor').endswith(
            '# edited by the administrator\n'))
        self.assertTrue(os.access(t('/usr/local/bin/arborctl'), os.X_OK))

    def test_uninstall_keeps_config_site_and_data(self):
        """make uninstall removes programs, units, man pages and shared files,
        and keeps the config, the site and the state folder with its data."""
        t = Tree(os.path.join(TREES['work'], 'uninstall'))
        install(t)
        with open(t('/var/lib/arbor/arbor.db'), 'w') as f:
            f.write('data')
        make('uninstall', f'DESTDIR={t.destdir}')
        for gone in ('/usr/local/bin/arbor-fcgi', '/usr/local/bin/arborctl',
                     '/usr/local/share/arbor', '/usr/local/share/man/man8/arborctl.8',
                     '/usr/local/share/man/man5/arbor.conf.5',
                     *(f'/usr/local/lib/systemd/system/{u}' for u in UNITS)):
            self.assertFalse(os.path.lexists(t(gone)), gone)
        for kept in ('/etc/arbor/arbor.conf', '/etc/nginx/sites-available/arbor',
                     '/var/lib/arbor/arbor.db', '/var/lib/arbor/mail'):
            self.assertTrue(os.path.exists(t(kept)), kept)


def config_keys():
    """{(section, key)} of cgi/config.c's settings table."""
    with open(os.path.join(ROOT, 'cgi', 'config.c')) as f:
        return set(re.findall(r'S\("(\w+)", "(\w+)"', f.read()))


def man_sections(text):
    """{section: roff text} of a man page's .SH sections."""
    parts = re.split(r'^\.SH "?([^"\n]*)"?\n', text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def groff_warnings(path):
    p = subprocess.run(['groff', '-man', '-ww', '-z', path], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stderr


class ManPageTests(unittest.TestCase):
    def test_pages_render_without_warnings(self):
        """groff -man -ww: no warning, source and installed pages alike."""
        t = TREES['other']
        for sec, page in MAN_PAGES:
            for path in (os.path.join(ROOT, 'man', page), t(f'{t.mandir}/{sec}/{page}')):
                with self.subTest(path=path):
                    self.assertEqual(groff_warnings(path), (0, ''))

    def test_a_broken_page_is_caught(self):
        """The same check reports an undefined macro and a bad font."""
        broken = os.path.join(TREES['work'], 'broken.8')
        with open(os.path.join(ROOT, 'man', 'arborctl.8')) as f:
            text = f.read()
        with open(broken, 'w') as f:
            f.write(text.replace('.SH DESCRIPTION\n', '.SH DESCRIPTION\n.XB oops\n\\fQword\\fR\n'))
        _, err = groff_warnings(broken)
        self.assertIn("macro 'XB' not defined", err)
        self.assertIn("can't find font 'Q'", err)

    def test_every_arborctl_command(self):
        """Each command of arborctl's usage (and backup and check) has an item
        under COMMANDS and a line in the SYNOPSIS."""
        with open(os.path.join(ROOT, 'cgi', 'arborctl.c')) as f:
            usage = re.search(r'usage\(void\)\n\{\n(.*?)\n\}', f.read(), re.S).group(1)
        commands = set(re.findall(r'arborctl ([a-z-]+)', usage)) | {'backup', 'check'}
        self.assertGreaterEqual(len(commands), 11, commands)
        with open(os.path.join(ROOT, 'man', 'arborctl.8')) as f:
            sections = man_sections(f.read())
        for cmd in sorted(commands):
            roff = cmd.replace('-', '\\-')
            with self.subTest(command=cmd):
                self.assertRegex(sections['COMMANDS'],
                                 rf'(?m)^\.TP\n\.B[IR]? "?{re.escape(roff)}\b')
                self.assertRegex(sections['SYNOPSIS'], rf'(?m)^\.B "?arborctl {re.escape(roff)}')
        for name in ('ENVIRONMENT', 'FILES', 'EXIT STATUS'):
            self.assertIn(name, sections)
        self.assertIn('ARBOR_CONF', sections['ENVIRONMENT'])

    def test_every_config_key_in_page_and_example(self):
        """arbor.conf(5) and deploy/arbor.conf.example name every key of
        cgi/config.c, each in its section, and no other."""
        keys = config_keys()
        self.assertGreaterEqual(len(keys), 20)
        with open(os.path.join(ROOT, 'man', 'arbor.conf.5')) as f:
            sections = man_sections(f.read())
        documented = {(sec.strip('[]'), key) for sec, text in sections.items()
                      if sec.startswith('[') for key in re.findall(r'(?m)^\.TP\n\.B (\w+)$', text)}
        self.assertEqual(documented, keys)
        example, section = set(), None
        with open(os.path.join(ROOT, 'deploy', 'arbor.conf.example')) as f:
            for line in f:
                m = re.match(r'\[(\w+)\]', line)
                if m:
                    section = m.group(1)
                m = re.match(r'(\w+)\s*=', line)
                if m:
                    example.add((section, m.group(1)))
        self.assertEqual(example, keys)


def verify_units(folder):
    """systemd-analyze verify on every unit in folder: (exit status, output)."""
    t = TREES['default']
    env = dict(os.environ, MANPATH=t(t.mandir) + ':', SYSTEMD_LOG_COLOR='0')
    p = subprocess.run(['systemd-analyze', 'verify',
                        *(os.path.join(folder, u) for u in sorted(os.listdir(folder)))],
                       capture_output=True, text=True, env=env, cwd=folder, timeout=120)
    return p.returncode, p.stdout + p.stderr


def staged_units(name, edit=lambda text: text):
    """The installed units, staged (see Tree.staged) and edited, in a folder
    of their own."""
    t = TREES['default']
    folder = os.path.join(TREES['work'], name)
    os.makedirs(folder)
    for u in UNITS:
        with open(os.path.join(folder, u), 'w') as f:
            f.write(edit(t.staged(t.read(f'{t.unitdir}/{u}'))))
    return folder


class SystemdTests(unittest.TestCase):
    def test_installed_units_verify(self):
        """systemd-analyze verify: the programs they start exist, the man
        pages of Documentation= are found, no unknown key."""
        self.assertEqual(verify_units(staged_units('units')), (0, ''))

    def test_a_broken_unit_is_caught(self):
        """A program that is not there, and a misspelt key, are reported."""
        missing = staged_units('units-missing', lambda text: text.replace(
            'bin/arborctl mail send', 'bin/arborctl-gone mail send'))
        rc, out = verify_units(missing)
        self.assertNotEqual(rc, 0)
        self.assertIn('arborctl-gone', out)
        misspelt = staged_units('units-misspelt', lambda text: text.replace(
            'ProtectHome=yes', 'ProtectHom=yes'))
        self.assertIn('ProtectHom', verify_units(misspelt)[1])


def nginx_test(site_text):
    """nginx -t on site_text inside a minimal nginx.conf of a temporary
    folder (its own pid, logs and temp paths, a throwaway certificate), as
    any user: (exit status, output)."""
    folder = tempfile.mkdtemp(dir=TREES['work'], prefix='nginx-')
    cert, key = os.path.join(folder, 'cert.pem'), os.path.join(folder, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                    '-subj', '/CN=arbor.test', '-keyout', key, '-out', cert],
                   check=True, capture_output=True, timeout=120)
    site = (site_text.replace('/etc/ssl/arbor/fullchain.pem', cert)
            .replace('/etc/ssl/arbor/privkey.pem', key)
            .replace('/var/log/nginx/', folder + '/'))
    with open(os.path.join(folder, 'site.conf'), 'w') as f:
        f.write(site)
    temp_paths = ''.join(f'\t{kind}_temp_path {folder}/{kind};\n'
                         for kind in ('client_body', 'fastcgi', 'proxy', 'uwsgi', 'scgi'))
    with open(os.path.join(folder, 'nginx.conf'), 'w') as f:
        f.write(f'pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n'
                f'http {{\n{temp_paths}\tinclude {folder}/site.conf;\n}}\n')
    nginx = shutil.which('nginx') or '/usr/sbin/nginx'
    p = subprocess.run([nginx, '-t', '-q', '-p', folder + '/', '-e', f'{folder}/error.log',
                        '-c', f'{folder}/nginx.conf'], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout + p.stderr


class NginxTests(unittest.TestCase):
    def test_installed_site_passes_nginx_t(self):
        """The installed site, its paths staged, passes nginx -t."""
        t = TREES['default']
        self.assertEqual(nginx_test(t.staged(t.read(t.site))), (0, ''))

    def test_a_broken_site_is_caught(self):
        """nginx -t fails on a site whose FastCGI parameters are not installed
        and on a directive where nginx does not allow it."""
        t = TREES['default']
        site = t.staged(t.read(t.site))
        rc, out = nginx_test(site.replace('nginx/fastcgi.conf', 'nginx/gone.conf'))
        self.assertNotEqual(rc, 0)
        self.assertIn('gone.conf', out)
        rc, out = nginx_test(site.replace('\tserver_tokens off;\n\tcharset utf-8;\n',
                                          '\tserver_tokens off;\n\tcharset utf-8;\n'
                                          '\tmap $uri $x { default 1; }\n', 1))
        self.assertNotEqual(rc, 0)
        self.assertIn('"map" directive is not allowed here', out)


if __name__ == '__main__':
    unittest.main()
