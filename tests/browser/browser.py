"""browser.py - headless Chromium for the browser tests, through WebDriver.

Debian's own chromium, chromium-driver and python3-selenium: nothing is
fetched at test time but axe-core (tests/browser/node_modules, installed by
`npm ci` from package-lock.json before the tests start).

A Page is one browser with its own cookie jar. After every page load it
checks what a person would not see but would suffer from:
- a console error (a CSP violation, a script error);
- an HTTP answer of 400 or more for the page or anything it loads (but a
  missing favicon), unless the test said it expects that status;
- an axe-core accessibility violation (WCAG 2.x A/AA and best practices).
Each one is a problem; a scenario with problems fails, like one whose
assertion fails.
"""
import base64
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
CHROMEDRIVER = os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver')
AXE_JS = os.path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js')
ARTIFACTS = os.environ.get('ARTIFACTS') or os.path.join(os.path.dirname(HERE), 'artifacts')
TIMEOUT = 20
# How often a wait looks again (selenium's default, 0.5 s, is paid after
# nearly every click: the next page is rarely there at the first look).
POLL = 0.02
# The guide's flags: without the background-networking ones Chromium keeps
# trying to reach hosts this machine cannot reach.
FLAGS = ('--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
         '--window-size=1280,900')


PASSWORD = 'arbor-demo-password'
SCENARIOS = []          # (name, function), filled by @scenario, run by run.py


def scenario(name):
    """Register the decorated function (it takes a run.Run) as a scenario."""
    def register(fn):
        SCENARIOS.append((name, fn))
        return fn
    return register


def sign_in(page, username, password=PASSWORD, path=None):
    """Sign in through the login form; path: where the browser must land."""
    page.goto('/login')
    page.fill(page.label('Username or e-mail'), username)
    page.fill(page.label('Password', exact=True), password)
    page.submit(page.find('form[action="/login"] button[type="submit"]'),
                path=path or (lambda p: p != '/login'))


def spooled_mail(stack, address):
    """The one spooled message to address (the .eml is 8bit UTF-8)."""
    found = []
    for path in glob.glob(os.path.join(stack.var, 'mail', '*.eml')):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if f'\nTo: {address}\n' in text.replace('\r\n', '\n'):
            found.append(text)
    assert len(found) == 1, f'{len(found)} messages to {address}, expected one'
    return found[0]


def totp(secret, offset=0):
    """The TOTP code of secret for now + offset seconds, as an
    authenticator app computes it (oathtool)."""
    at = int(time.time()) + offset
    return subprocess.run(['oathtool', '--totp', '-b', secret, '-N', f'@{at}'],
                          check=True, capture_output=True, text=True).stdout.strip()


def normalize(text):
    return ' '.join((text or '').split())


class Page:
    """One headless Chromium, on the site at base_url."""

    _axe_source = None

    def __init__(self, base_url):
        self.base_url = base_url.rstrip('/')
        self.problems = []
        self.checked = []           # the paths axe looked at, in order
        self._profile = tempfile.mkdtemp(prefix='arbor-chromium-')
        options = Options()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f'--user-data-dir={self._profile}')
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        except BaseException:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(TIMEOUT)

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    # ------------------------------------------------------------ navigation

    @property
    def path(self):
        """The path of the current URL, e.g. '/accounts'."""
        return re.sub(r'^[a-z]+://[^/]+', '', self.driver.current_url).split('?')[0]

    def goto(self, target, status=None):
        """Load target (a path on the site, or a URL); return the page's
        HTTP status. status: the status the test expects when it is 400 or
        more (then it is not a problem, but anything else is)."""
        url = target if '://' in target else self.base_url + target
        self.driver.get(url)
        return self.inspect(status)

    def submit(self, element, path=None, status=None):
        """Click element (a submit button or link) and wait for the next
        page; path: a predicate the new path must satisfy, or the path."""
        # a mark on the old window: the next page's window lacks it
        self.driver.execute_script('window.arborOldPage = true')
        element.click()
        WebDriverWait(self.driver, TIMEOUT, poll_frequency=POLL, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script('return window.arborOldPage === undefined'
                                       ' && document.readyState === "complete"'))
        if path is not None:
            want = path if callable(path) else (lambda p: p == path)
            WebDriverWait(self.driver, TIMEOUT, poll_frequency=POLL).until(
                lambda d: want(self.path), f'waiting for a path like {path!r}, at {self.path}')
        return self.inspect(status)

    def inspect(self, expect_status=None):
        """The checks after a page load (see the top of this file); returns
        the page's HTTP status."""
        WebDriverWait(self.driver, TIMEOUT, poll_frequency=POLL).until(
            lambda d: d.execute_script('return document.readyState') == 'complete')
        status = self._read_network(expect_status)
        self._read_console()
        self.run_axe()
        return status

    def _read_network(self, expect_status):
        """The status of the last document loaded; a problem for every
        other answer of 400 or more since the previous page."""
        document_status = None
        for entry in self.driver.get_log('performance'):
            message = json.loads(entry['message'])['message']
            if message.get('method') != 'Network.responseReceived':
                continue
            params = message['params']
            response = params['response']
            status = int(response['status'])
            path = re.sub(r'^[a-z]+://[^/]+', '', response['url']).split('?')[0]
            if params.get('type') == 'Document':
                document_status = status
                if status == expect_status:
                    continue
            if status >= 400 and path != '/favicon.ico':
                self.problems.append(f'HTTP {status} for {path}')
        if expect_status is not None and document_status != expect_status:
            self.problems.append(f'{self.path}: expected HTTP {expect_status}, '
                                 f'got {document_status}')
        return document_status

    def _read_console(self):
        for entry in self.driver.get_log('browser'):
            # a failed load is reported by _read_network, with its URL
            if entry['level'] == 'SEVERE' and 'Failed to load resource' not in entry['message']:
                self.problems.append(f'console: {entry["message"]}')

    def run_axe(self):
        """Check the current page with axe-core; each violation is a problem."""
        if Page._axe_source is None:
            with open(AXE_JS, encoding='utf-8') as f:
                Page._axe_source = f.read()
        self.driver.execute_script(Page._axe_source)
        result = self.driver.execute_async_script(
            'const done = arguments[arguments.length - 1];'
            'axe.run(document, {resultTypes: ["violations"]})'
            '  .then(r => done(r.violations), e => done({error: String(e)}));')
        if isinstance(result, dict):
            raise AssertionError(f'axe-core failed on {self.path}: {result["error"]}')
        self.checked.append(self.path)
        for v in result:
            targets = ', '.join(' '.join(n['target']) for n in v['nodes'][:3])
            self.problems.append(f'axe on {self.path}: {v["id"]} ({v["impact"]}): '
                                 f'{v["help"]} [{len(v["nodes"])}x: {targets}]')

    # ------------------------------------------------------------ finding things

    def find(self, css):
        """The one element that css selects (an AssertionError otherwise)."""
        found = self.find_all(css)
        assert len(found) == 1, f'{len(found)} elements match {css!r} on {self.path}'
        return found[0]

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def first(self, css):
        found = self.find_all(css)
        assert found, f'nothing matches {css!r} on {self.path}'
        return found[0]

    def text(self, css='body'):
        """The visible text of the one element css selects, whitespace folded."""
        return normalize(self.find(css).text)

    def rows(self, text, css='tbody tr'):
        """The elements css selects whose visible text contains text."""
        return [r for r in self.find_all(css) if text in r.text]

    def label(self, name, exact=False):
        """The form control whose <label> reads name (as a person finds it):
        exact compares the whole label, otherwise a case-insensitive part."""
        matches = []
        for label in self.find_all('label'):
            text = normalize(label.text)
            if text == name if exact else name.lower() in text.lower():
                matches.append(label)
        assert len(matches) == 1, \
            f'{len(matches)} labels read {name!r} on {self.path}'
        label = matches[0]
        target = label.get_attribute('for')
        if target:
            return self.driver.find_element(By.ID, target)
        return label.find_element(By.CSS_SELECTOR, 'input, select, textarea')

    def button(self, name, within=''):
        """The one visible button (or submit input) whose text is name."""
        found = [b for b in self.find_all(f'{within} button, {within} input[type="submit"]')
                 if b.is_displayed() and normalize(b.text or b.get_attribute('value')) == name]
        assert len(found) == 1, f'{len(found)} buttons read {name!r} on {self.path}'
        return found[0]

    def link(self, name=None, href=None, within=''):
        """The first visible link with text name, or to the path href
        (written relative or absolute)."""
        for a in self.find_all(f'{within} a'):
            if not a.is_displayed():
                continue
            if name is not None and normalize(a.text) != name:
                continue
            if href is not None and a.get_attribute('href') not in (
                    self.base_url + href, href):
                continue
            return a
        raise AssertionError(f'no visible link {name or href!r} on {self.path}')

    # ------------------------------------------------------------ forms

    def fill(self, element, value):
        if isinstance(element, str):
            element = self.find(element)
        element.clear()
        element.send_keys(value)

    def select(self, element, option):
        """Choose the option whose value, or else whose text, is option."""
        if isinstance(element, str):
            element = self.find(element)
        choice = Select(element)
        try:
            choice.select_by_value(option)
        except NoSuchElementException:
            choice.select_by_visible_text(option)

    def check(self, element):
        if not element.is_selected():
            element.click()
        assert element.is_selected()

    # ------------------------------------------------------------ evidence

    def screenshot(self, name):
        """A full-page PNG in ARTIFACTS (not only the window)."""
        os.makedirs(ARTIFACTS, exist_ok=True)
        size = self.driver.execute_cdp_cmd('Page.getLayoutMetrics', {})['cssContentSize']
        shot = self.driver.execute_cdp_cmd('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': True,
            'clip': {'x': 0, 'y': 0, 'width': size['width'], 'height': size['height'],
                     'scale': 1}})
        path = os.path.join(ARTIFACTS, name)
        with open(path, 'wb') as f:
            f.write(base64.b64decode(shot['data']))
        print(f'  screenshot {path}')

