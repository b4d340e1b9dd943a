#!/usr/bin/python3
"""Run the browser tests: every tests/browser/test_*.py (or the files named).

Each file gets a private demo stack (tests/integration/arbor_stack.py) of
its own; each of its scenarios gets a fresh browser. A scenario is a
function decorated with browser.scenario(name) that takes a Run. Screenshots go to
ARTIFACTS (default tests/artifacts). Environment: ROOT, BIN as for the
integration tests.

Usage: run.py [FILE...]
"""
import glob
import importlib.util
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'integration'))

import arbor_stack  # noqa: E402
import browser  # noqa: E402

class Run:
    """What a scenario works with: the stack and the browsers it opened."""

    def __init__(self, stack):
        self.stack = stack
        self.pages = []

    def page(self):
        """A new browser with a cookie jar of its own."""
        page = browser.Page(self.stack.url(''))
        self.pages.append(page)
        return page

    def problems(self):
        return [p for page in self.pages for p in page.problems]

    def close(self):
        for page in self.pages:
            page.close()


def run_file(path):
    """Run the scenarios of one file on a stack of its own: (passed, failed)."""
    del browser.SCENARIOS[:]
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    passed = failed = 0
    stack = arbor_stack.Stack()
    stack.start()
    try:
        for name, fn in browser.SCENARIOS:
            run = Run(stack)
            try:
                fn(run)
                problems = run.problems()
                if problems:
                    raise AssertionError('\n'.join(problems))
                checked = sorted({p for page in run.pages for p in page.checked})
                print(f'ok - {name} (axe: {", ".join(checked)})')
                passed += 1
            except Exception:
                print(f'not ok - {name}\n{traceback.format_exc()}')
                failed += 1
            finally:
                run.close()
    finally:
        try:
            stack.stop()
        except arbor_stack.StackError:
            failed += 1
    return passed, failed


def main(files):
    if not os.path.exists(browser.AXE_JS):
        print(f'browser: {browser.AXE_JS} is missing: run `npm ci` in {HERE}',
              file=sys.stderr)
        return 2
    files = files or sorted(glob.glob(os.path.join(HERE, 'test_*.py')))
    passed = failed = 0
    for path in files:
        print(f'== {os.path.basename(path)}', flush=True)
        try:
            p, f = run_file(path)
        except Exception:
            traceback.print_exc()
            p, f = 0, 1
        passed += p
        failed += f
    print(f'browser: {passed} passed, {failed} failed')
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
