"""counters.py - schema version 4's counters and search indexes, checked
against the rows: what test_counters.py and test_migration_v4.py share.

The counters are counted here, in Python, from the rows alone: a customer's
subtree is found by walking parent_id (not by the paths, nor by the
product's recount SQL), and the paths are checked against that walk. The
search indexes are checked by FTS5 itself: how many rows each index holds
(its _docsize table; a count(*) of an external-content FTS5 table reads the
content table, so it always equals the table's) and its 'integrity-check'
with rank 1, which compares every indexed row with the table's row and
fails on a missing, left-over or out-of-date entry.

Every function takes an open sqlite3 connection (autocommit).
"""
import os
import sqlite3

from arbor_stack import ROOT

OWN = ('user_count', 'device_count', 'location_count')
TREE = ('tree_customers', 'tree_users', 'tree_devices', 'tree_locations')
COUNTERS = OWN + TREE
# per table of rows: the counter of its customer's own rows, the subtree's
COUNTED = (('users', 'user_count', 'tree_users'), ('devices', 'device_count', 'tree_devices'),
           ('locations', 'location_count', 'tree_locations'))
INDEXES = {'customers': 'customers_fts', 'users': 'users_fts', 'locations': 'locations_fts',
           'devices': 'devices_fts'}


# ------------------------------------------------------------------ counters

def counted(con):
    """What the counters should hold, from the rows: ({customer id: {counter:
    value}}, {location id: devices there})."""
    parent = dict(con.execute('SELECT id, parent_id FROM customers'))
    want = {c: dict.fromkeys(COUNTERS, 0) for c in parent}
    for table, own, _ in COUNTED:
        for (customer,) in con.execute(f'SELECT customer_id FROM {table} '
                                       'WHERE customer_id IS NOT NULL'):
            want[customer][own] += 1
    for c in parent:
        for above in ancestors(parent, c):
            want[above]['tree_customers'] += 1
            for _, own, tree in COUNTED:
                want[above][tree] += want[c][own]
    at = {loc: 0 for (loc,) in con.execute('SELECT id FROM locations')}
    for (loc,) in con.execute('SELECT location_id FROM devices WHERE location_id IS NOT NULL'):
        at[loc] += 1
    return want, at


def ancestors(parent, c):
    """c and every customer above it, by parent_id (at most as many as there are)."""
    chain = [c]
    while parent[chain[-1]] is not None:
        chain.append(parent[chain[-1]])
        assert len(chain) <= len(parent), f'customer {c}: its parents go round: {chain}'
    return chain


def stored(con):
    """What the counters hold: ({customer id: {counter: value}}, {location id:
    device_count})."""
    cols = ', '.join(COUNTERS)
    customers = {r[0]: dict(zip(COUNTERS, r[1:]))
                 for r in con.execute(f'SELECT id, {cols} FROM customers')}
    return customers, dict(con.execute('SELECT id, device_count FROM locations'))


def counter_mismatches(con):
    """Every counter that differs from the rows, and every path or depth that
    differs from the parents, one line each: [] when all are right."""
    want, want_at = counted(con)
    have, have_at = stored(con)
    names = dict(con.execute('SELECT id, name FROM customers'))
    out = path_mismatches(con)
    for c in sorted(want):
        out += [f'customer {c} ({names[c]}): {k} {have[c][k]}, counted {want[c][k]}'
                for k in COUNTERS if have[c][k] != want[c][k]]
    out += [f'location {loc}: device_count {have_at[loc]}, counted {want_at[loc]}'
            for loc in sorted(want_at) if have_at[loc] != want_at[loc]]
    return out


def set_counted(con):
    """Write the counted() values into every counter and rebuild the search
    indexes: after a test found them wrong, so that the next test starts right."""
    want, at = counted(con)
    con.execute('BEGIN IMMEDIATE')
    try:
        con.executemany(f'UPDATE customers SET {", ".join(f"{k} = ?" for k in COUNTERS)} '
                        'WHERE id = ?', [[v[k] for k in COUNTERS] + [c] for c, v in want.items()])
        con.executemany('UPDATE locations SET device_count = ? WHERE id = ?',
                        [(n, loc) for loc, n in at.items()])
        for index in INDEXES.values():
            con.execute(f"INSERT INTO {index} ({index}) VALUES ('rebuild')")
        con.execute('COMMIT')
    except BaseException:
        con.execute('ROLLBACK')
        raise


def path_mismatches(con):
    rows = {r[0]: r[1:] for r in con.execute('SELECT id, parent_id, path, depth FROM customers')}
    parent = {c: r[0] for c, r in rows.items()}
    out = []
    for c, (_, path, depth) in sorted(rows.items()):
        chain = ancestors(parent, c)[::-1]
        want = ('/' + ''.join(f'{x}/' for x in chain), len(chain) - 1)
        if (path, depth) != want:
            out.append(f'customer {c}: path {path!r} depth {depth}, its parents make {want}')
    return out


def changes(before, after):
    """{(customer id, counter): difference} of the customer counters that differ
    between two stored() answers ('location', id) for locations' device_count; a
    row only in one of them counts from 0."""
    out = {}
    for c in set(before[0]) | set(after[0]):
        for k in COUNTERS:
            d = after[0].get(c, {}).get(k, 0) - before[0].get(c, {}).get(k, 0)
            if d:
                out[(c, k)] = d
    for loc in set(before[1]) | set(after[1]):
        d = after[1].get(loc, 0) - before[1].get(loc, 0)
        if d:
            out[('location', loc)] = d
    return out


def moved(customers, **deltas):
    """The changes() a change makes: each of customers' counters named gets its
    delta (tree_users=1: +1 to every customer listed)."""
    return {(c, k): d for c in customers for k, d in deltas.items() if d}


# ------------------------------------------------------------------ search indexes

def index_mismatches(con):
    """Every search index that does not hold exactly its table's rows as they are."""
    out = []
    for table, index in INDEXES.items():
        rows = con.execute(f'SELECT count(*) FROM {table}').fetchone()[0]
        indexed = con.execute(f'SELECT count(*) FROM {index}_docsize').fetchone()[0]
        if rows != indexed:
            out.append(f'{index}: {indexed} rows indexed, {table} has {rows}')
        try:
            con.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")
        except sqlite3.DatabaseError as e:
            out.append(f'{index}: integrity-check against {table}: {e}')
    return out


def index_hits(con, table, text):
    """The ids of table's rows whose search index holds every trigram of text (3
    characters or more), whatever the rows now say: the product's candidates
    (detail=none knows no phrases, so the trigrams are ANDed)."""
    index = INDEXES[table]
    grams = ' AND '.join('"' + text[i:i + 3].replace('"', '""') + '"'
                         for i in range(len(text) - 2))
    return sorted(r[0] for r in con.execute(f'SELECT rowid FROM {index} WHERE {index} MATCH ?',
                                            (grams,)))


# ------------------------------------------------------------------ schema

def schema_text():
    with open(os.path.join(ROOT, 'schema.sql')) as f:
        return f.read()


def schema_objects(con):
    """{(type, name): definition} of con's schema: the SQL of every index, view,
    trigger and virtual table; a table's columns (in name order: a migration adds
    them at the end) and foreign keys. SQLite's own objects are left out."""
    out = {}
    for kind, name, sql in con.execute("SELECT type, name, sql FROM sqlite_schema "
                                       "WHERE name NOT LIKE 'sqlite_%'"):
        if kind == 'table' and not sql.startswith('CREATE VIRTUAL TABLE'):
            columns = sorted(r[1:] for r in con.execute(f'PRAGMA table_xinfo("{name}")'))
            keys = sorted(r[2:] for r in con.execute(f'PRAGMA foreign_key_list("{name}")'))
            out[(kind, name)] = (columns, keys)
        else:
            out[(kind, name)] = sql
    return out


def new_schema_objects():
    """schema_objects() of a new database made from schema.sql."""
    con = sqlite3.connect(':memory:')
    try:
        con.executescript(schema_text())
        return schema_objects(con)
    finally:
        con.close()


def schema_differences(con):
    """The objects con has otherwise than schema.sql makes them, or lacks, or has
    besides: [] when its schema is schema.sql's."""
    have, want = schema_objects(con), new_schema_objects()
    return sorted(f'{kind} {name}: ' + ('missing' if (kind, name) not in have else
                                        'not in schema.sql' if (kind, name) not in want else
                                        f'{have[(kind, name)]!r}, schema.sql: '
                                        f'{want[(kind, name)]!r}')
                  for kind, name in set(have) | set(want)
                  if have.get((kind, name)) != want.get((kind, name)))


def add_missing_triggers(con):
    """Make every trigger of schema.sql that con lacks (after a test found them
    gone, so that the next test starts with them); their names."""
    have = schema_objects(con)
    missing = {name: sql for (kind, name), sql in new_schema_objects().items()
               if kind == 'trigger' and (kind, name) not in have}
    for sql in missing.values():
        con.execute(sql)
    return sorted(missing)
