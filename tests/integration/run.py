#!/usr/bin/python3
"""Run the integration tests: every tests/integration/test_*.py, verbosely.

Usage: run.py [PATTERN...]
A PATTERN selects tests whose dotted name (module.Class.method) matches it,
like unittest's -k: a plain word matches as a substring (case-sensitive),
'*' and '?' glob. Example: run.py Logout test_valgrind
Exits 0 when no test failed and some test ran or was skipped.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def count(result):
    """(tests passed, failures): a test with failing subtests counts once,
    a failing setUpModule or tearDownModule counts as one failure."""
    def tests(entries):
        return {getattr(t, 'test_case', t) for t in entries}
    failed = tests(t for t, _ in result.failures + result.errors) | \
        tests(result.unexpectedSuccesses)
    skipped = tests(t for t, _ in result.skipped)
    not_passed = {t for t in failed | skipped if isinstance(t, unittest.TestCase)}
    return result.testsRun - len(not_passed), len(failed)


def main(patterns):
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    loader.testNamePatterns = [p if '*' in p or '?' in p else f'*{p}*' for p in patterns] or None
    suite = loader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    passed, failed = count(result)
    print(f'integration: {passed} passed, {failed} failed, {len(result.skipped)} skipped')
    if result.testsRun == 0 and not (result.skipped or failed):
        print('no test matched', patterns, file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
