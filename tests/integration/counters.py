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

Every function takes an open autocommit connection: sqlite3's, or a
stack's PgConnection on PostgreSQL (schema-pg.sql), where the engines
differ: PostgreSQL has no FTS5 tables but GIN trigram indexes on the
searched columns, which it keeps itself in the writing transaction (no
trigger, so no entry to lose); its schema is read from its catalogs and
compared with a scratch database made from schema-pg.sql.
"""
import os
import secrets
import sqlite3

from arbor_stack import ROOT, PgConnection, pg_admin

OWN = ('user_count', 'device_count', 'location_count')
TREE = ('tree_customers', 'tree_users', 'tree_devices', 'tree_locations')
COUNTERS = OWN + TREE
# per table of rows: the counter of its customer's own rows, the subtree's
COUNTED = (('users', 'user_count', 'tree_users'), ('devices', 'device_count', 'tree_devices'),
           ('locations', 'location_count', 'tree_locations'))
INDEXES = {'customers': 'customers_fts', 'users': 'users_fts', 'locations': 'locations_fts',
           'devices': 'devices_fts'}
# per table, the columns its search index holds (schema-pg.sql's GIN indexes)
SEARCHED = {'customers': ('name', 'email'), 'users': ('email', 'username', 'full_name'),
            'locations': ('name',), 'devices': ('unit_id', 'name', 'vehicle_name', 'vin')}


def on_sqlite(con):
    return isinstance(con, sqlite3.Connection)


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
    con.execute('BEGIN')
    try:
        con.executemany(f'UPDATE customers SET {", ".join(f"{k} = ?" for k in COUNTERS)} '
                        'WHERE id = ?', [[v[k] for k in COUNTERS] + [c] for c, v in want.items()])
        con.executemany('UPDATE locations SET device_count = ? WHERE id = ?',
                        [(n, loc) for loc, n in at.items()])
        for index in INDEXES.values() if on_sqlite(con) else ():
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
    """Every search index that does not hold exactly its table's rows as they are
    (PostgreSQL's GIN indexes are its tables' own: none)."""
    out = []
    if not on_sqlite(con):
        return out
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
    (detail=none knows no phrases, so the trigrams are ANDed). On PostgreSQL
    the rows its trigram indexes answer, as the product's search asks them:
    a searched column ILIKE '%text%'."""
    if not on_sqlite(con):
        like = '%' + text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'
        where = ' OR '.join(f"{col}::text ILIKE ? ESCAPE '\\'" for col in SEARCHED[table])
        return sorted(r[0] for r in con.execute(f'SELECT id FROM {table} WHERE {where}',
                                                [like] * len(SEARCHED[table])))
    index = INDEXES[table]
    grams = ' AND '.join('"' + text[i:i + 3].replace('"', '""') + '"'
                         for i in range(len(text) - 2))
    return sorted(r[0] for r in con.execute(f'SELECT rowid FROM {index} WHERE {index} MATCH ?',
                                            (grams,)))


# ------------------------------------------------------------------ schema

def schema_text(name='schema.sql'):
    with open(os.path.join(ROOT, name)) as f:
        return f.read()


def schema_objects(con):
    """{(type, name): definition} of con's schema: the SQL of every index, view,
    trigger and virtual table; a table's columns (in name order: a migration adds
    them at the end) and foreign keys. SQLite's own objects are left out."""
    if not on_sqlite(con):
        return pg_schema_objects(con)
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


# PostgreSQL's catalogs, public schema, without the extensions' own objects:
# (type, name, definition) rows; a table's columns and constraints, and a
# trigger's state ('O' fires, 'D' disabled: arborctl bench-data disables
# the counters' triggers for its load)
PG_SCHEMA = (
    "SELECT 'table', c.relname, string_agg(a.attname || ' ' || format_type(a.atttypid, "
    "a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END || "
    "coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attname) "
    "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT "
    "a.attisdropped LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
    "WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace GROUP BY c.relname",
    "SELECT 'constraint', conrelid::regclass || '.' || conname, pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid != 0",
    "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "SELECT 'view', viewname, definition FROM pg_views WHERE schemaname = 'public'",
    "SELECT 'trigger', tgname, pg_get_triggerdef(oid) || ' [' || tgenabled::text || ']' "
    "FROM pg_trigger WHERE NOT tgisinternal",
    "SELECT 'function', p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE "
    "p.pronamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend e "
    "WHERE e.objid = p.oid AND e.deptype = 'e')")


def pg_schema_objects(con):
    return {(kind, name): definition for sql in PG_SCHEMA
            for kind, name, definition in con.execute(sql)}


def new_schema_objects(pg=False):
    """schema_objects() of a new database made from schema.sql (pg: from
    schema-pg.sql, in a scratch database of the stacks' cluster)."""
    if pg:
        return scratch_pg_schema(pg_schema_objects)
    con = sqlite3.connect(':memory:')
    try:
        con.executescript(schema_text())
        return schema_objects(con)
    finally:
        con.close()


def scratch_pg_schema(read):
    """read(connection) on a scratch database made from schema-pg.sql, dropped after."""
    name = f'arbor_schema_{secrets.token_hex(6)}'
    pg_admin(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8'")
    try:
        con = PgConnection(name)
        try:
            con.executescript(schema_text('schema-pg.sql'))
            return read(con)
        finally:
            con.close()
    finally:
        pg_admin(f'DROP DATABASE {name} WITH (FORCE)')


def schema_differences(con):
    """The objects con has otherwise than schema.sql (schema-pg.sql) makes them,
    or lacks, or has besides: [] when its schema is that file's."""
    have, want = schema_objects(con), new_schema_objects(pg=not on_sqlite(con))
    return sorted(f'{kind} {name}: ' + ('missing' if (kind, name) not in have else
                                        'not in the schema' if (kind, name) not in want else
                                        f'{have[(kind, name)]!r}, the schema: '
                                        f'{want[(kind, name)]!r}')
                  for kind, name in set(have) | set(want)
                  if have.get((kind, name)) != want.get((kind, name)))


def add_missing_triggers(con):
    """Make every trigger of schema.sql that con lacks, and on PostgreSQL enable
    every one left disabled (after a test found them so, so that the next test
    starts with them); their names."""
    if not on_sqlite(con):
        return pg_restore_triggers(con)
    have = schema_objects(con)
    missing = {name: sql for (kind, name), sql in new_schema_objects().items()
               if kind == 'trigger' and (kind, name) not in have}
    for sql in missing.values():
        con.execute(sql)
    return sorted(missing)


def pg_restore_triggers(con):
    want = scratch_pg_schema(lambda ref: dict(ref.execute(
        'SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal')))
    have = dict(con.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                            "WHERE NOT tgisinternal AND tgenabled != 'D'"))
    disabled = dict(con.execute("SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                                "WHERE NOT tgisinternal AND tgenabled = 'D'"))
    for name, table in disabled.items():
        con.execute(f'ALTER TABLE {table} ENABLE TRIGGER {name}')
    for name in set(want) - set(have) - set(disabled):
        con.execute(want[name])
    return sorted(set(want) - set(have))
