-- schema-check.sql - what schema-pg.sql promises, on a database that has
-- just loaded it (tests/pg/schema-check.sh runs it with ON_ERROR_STOP):
-- a small tree written and rewritten as the application's statements do,
-- every counter recounted after each step, and the case-insensitive
-- uniqueness, the path range and the view. A line "ok: ..." per check
-- passed; the first failure stops the run with an ERROR that says what.
\set QUIET on
\pset tuples_only on
\pset format unaligned
SET client_min_messages = warning;

-- A customer as customer.c makes one: CUSTOMER_INSERT with a path of
-- its own until CUSTOMER_SET_PATH knows the id, in one transaction.
CREATE FUNCTION pg_temp.customer_add(parent BIGINT, customer_name TEXT)
RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
	parent_path TEXT := (SELECT path FROM customers WHERE id = parent);
	parent_depth BIGINT := (SELECT depth FROM customers WHERE id = parent);
	added BIGINT;
BEGIN
	INSERT INTO customers (parent_id, path, depth, name, email,
	    owner_email, country, created_at, updated_at)
	VALUES (parent, '/pending/' || md5(random()::text),
	    coalesce(parent_depth + 1, 0), customer_name,
	    lower(customer_name) || '@example.com',
	    CASE WHEN parent IS NULL THEN 'owner@example.com' END, 'DK', 1, 1)
	RETURNING id INTO added;
	UPDATE customers SET path = coalesce(parent_path, '/') || added || '/'
	WHERE id = added;
	RETURN added;
END $$;

CREATE FUNCTION pg_temp.customer_id(customer_name TEXT) RETURNS BIGINT
LANGUAGE sql STABLE
RETURN (SELECT id FROM customers WHERE name = customer_name);

-- Each customer (top) and every customer of its subtree, itself included,
-- found through parent_id: not the paths, which are checked against it.
CREATE TEMP VIEW subtree(top, id) AS
	WITH RECURSIVE down(top, id) AS (
		SELECT id, id FROM customers
		UNION ALL
		SELECT d.top, c.id FROM down d JOIN customers c ON c.parent_id = d.id
	)
	SELECT top, id FROM down;

-- Every counter of customers and locations against a count of the rows.
CREATE FUNCTION pg_temp.counters_agree(step TEXT) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
	wrong TEXT;
BEGIN
	WITH own AS (
		SELECT c.id,
		(SELECT count(*) FROM users u WHERE u.customer_id = c.id) AS users,
		(SELECT count(*) FROM devices d WHERE d.customer_id = c.id)
		    AS devices,
		(SELECT count(*) FROM locations l WHERE l.customer_id = c.id)
		    AS locations
		FROM customers c
	), tree AS (
		SELECT s.top AS id, count(*) AS customers, sum(o.users) AS users,
		sum(o.devices) AS devices, sum(o.locations) AS locations
		FROM subtree s JOIN own o ON o.id = s.id GROUP BY s.top
	)
	SELECT string_agg(format('customer %s (%s) has %s, recounted %s',
	    c.id, c.name, ROW(c.user_count, c.device_count, c.location_count,
	    c.tree_customers, c.tree_users, c.tree_devices, c.tree_locations),
	    ROW(o.users, o.devices, o.locations, t.customers, t.users,
	    t.devices, t.locations)), '; ' ORDER BY c.id)
	INTO wrong
	FROM customers c JOIN own o ON o.id = c.id JOIN tree t ON t.id = c.id
	WHERE (c.user_count, c.device_count, c.location_count,
	    c.tree_customers, c.tree_users, c.tree_devices, c.tree_locations)
	    IS DISTINCT FROM (o.users, o.devices, o.locations, t.customers,
	    t.users, t.devices, t.locations);
	IF wrong IS NOT NULL THEN
		RAISE EXCEPTION 'counters after %: %', step, wrong;
	END IF;
	SELECT string_agg(format('location %s (%s) has %s devices, recounted %s',
	    l.id, l.name, l.device_count, n.devices), '; ' ORDER BY l.id)
	INTO wrong
	FROM locations l CROSS JOIN LATERAL (SELECT count(*) AS devices
	    FROM devices d WHERE d.location_id = l.id) n
	WHERE l.device_count != n.devices;
	IF wrong IS NOT NULL THEN
		RAISE EXCEPTION 'location counters after %: %', step, wrong;
	END IF;
	RETURN format('ok: every counter agrees with a recount after %s', step);
END $$;

-- The paths and depths against parent_id; each customer's path range
-- against its subtree; the view against the ancestors by parent_id.
CREATE FUNCTION pg_temp.tree_agrees(step TEXT) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
	wrong TEXT;
BEGIN
	WITH RECURSIVE walk(id, path, depth) AS (
		SELECT id, '/' || id || '/', 0::bigint FROM customers
		WHERE parent_id IS NULL
		UNION ALL
		SELECT c.id, w.path || c.id || '/', w.depth + 1
		FROM walk w JOIN customers c ON c.parent_id = w.id
	)
	SELECT string_agg(format('customer %s has path %s depth %s, not %s %s',
	    c.id, c.path, c.depth, w.path, w.depth), '; ')
	INTO wrong
	FROM customers c LEFT JOIN walk w ON w.id = c.id
	WHERE (c.path, c.depth) IS DISTINCT FROM (w.path, w.depth);
	IF wrong IS NOT NULL THEN
		RAISE EXCEPTION 'paths after %: %', step, wrong;
	END IF;

	WITH by_range AS (
		SELECT t.id AS top, d.id FROM customers t JOIN customers d
		ON d.path >= t.path
		AND d.path < substr(t.path, 1, length(t.path) - 1) || '0'
	), differ AS (
		(SELECT top, id FROM subtree EXCEPT SELECT top, id FROM by_range)
		UNION ALL
		(SELECT top, id FROM by_range EXCEPT SELECT top, id FROM subtree)
	)
	SELECT string_agg(format('customer %s under %s', id, top), '; ')
	INTO wrong FROM differ;
	IF wrong IS NOT NULL THEN
		RAISE EXCEPTION 'path ranges after % differ from the subtrees: %',
		    step, wrong;
	END IF;

	WITH RECURSIVE up(customer_id, ancestor_id) AS (
		SELECT id, id FROM customers
		UNION ALL
		SELECT u.customer_id, c.parent_id FROM up u JOIN customers c
		ON c.id = u.ancestor_id WHERE c.parent_id IS NOT NULL
	), differ AS (
		(SELECT * FROM up EXCEPT SELECT * FROM customer_ancestors)
		UNION ALL
		(SELECT * FROM customer_ancestors EXCEPT SELECT * FROM up)
	)
	SELECT string_agg(format('(%s, %s)', customer_id, ancestor_id), ' ')
	INTO wrong FROM differ;
	IF wrong IS NOT NULL THEN
		RAISE EXCEPTION 'customer_ancestors after % differs from the '
		    'ancestors by parent_id in %', step, wrong;
	END IF;
	RETURN format('ok: paths, path ranges and customer_ancestors agree '
	    'with parent_id after %s', step);
END $$;

DO $$ BEGIN
	IF (SELECT count(*) FROM schema_version) != 1 OR
	    (SELECT version FROM schema_version) != 13 THEN
		RAISE EXCEPTION 'schema_version is not the one row 13';
	END IF;
END $$;
\echo ok: schema_version holds the one row 13

-- The tree: two accounts, three levels below Alpha.
--   Alpha - Alpha North - Alpha North East, Alpha North West
--         - Alpha South - Alpha South Deep
--   Beta  - Beta One
\o /dev/null
BEGIN;
SELECT pg_temp.customer_add(NULL, 'Alpha');
SELECT pg_temp.customer_add(pg_temp.customer_id('Alpha'), 'Alpha North');
SELECT pg_temp.customer_add(pg_temp.customer_id('Alpha North'), 'Alpha North East');
SELECT pg_temp.customer_add(pg_temp.customer_id('Alpha North'), 'Alpha North West');
SELECT pg_temp.customer_add(pg_temp.customer_id('Alpha'), 'Alpha South');
SELECT pg_temp.customer_add(pg_temp.customer_id('Alpha South'), 'Alpha South Deep');
SELECT pg_temp.customer_add(NULL, 'Beta');
SELECT pg_temp.customer_add(pg_temp.customer_id('Beta'), 'Beta One');
COMMIT;
\o
SELECT pg_temp.customer_id('Alpha') AS alpha,
    pg_temp.customer_id('Alpha North') AS north,
    pg_temp.customer_id('Alpha North East') AS north_east,
    pg_temp.customer_id('Alpha North West') AS north_west,
    pg_temp.customer_id('Alpha South') AS south,
    pg_temp.customer_id('Alpha South Deep') AS south_deep,
    pg_temp.customer_id('Beta') AS beta,
    pg_temp.customer_id('Beta One') AS beta_one \gset

-- an operator belongs to no customer and counts nowhere
INSERT INTO users (customer_id, is_operator, email, username, created_at,
    updated_at) VALUES (NULL, 1, 'op@example.com', 'op', 1, 1);
INSERT INTO users (customer_id, email, username, full_name, created_at,
    updated_at)
SELECT c, 'user' || n || '@example.com', 'user' || n, 'User ' || n, 1, 1
FROM unnest(ARRAY[:alpha, :north, :north, :north_east, :north_west, :south,
    :south_deep, :south_deep, :beta, :beta_one]) WITH ORDINALITY AS u(c, n);
INSERT INTO locations (customer_id, name, created_at, updated_at) VALUES
    (:alpha, 'Head Office', 1, 1), (:north, 'Depot', 1, 1),
    (:north_east, 'Depot', 1, 1), (:south_deep, 'Yard', 1, 1),
    (:south_deep, 'Dock', 1, 1), (:beta_one, 'Garage', 1, 1);
INSERT INTO devices (unit_id, device_uuid, name, customer_id, location_id,
    registered_at)
SELECT 'UNIT' || n, 'uuid-' || n, 'Device ' || n, c,
    (SELECT id FROM locations WHERE customer_id = c ORDER BY id LIMIT 1), 1
FROM unnest(ARRAY[:alpha, :north, :north, :north_east, :north_east,
    :north_west, :south, :south_deep, :south_deep, :south_deep, :beta,
    :beta_one]) WITH ORDINALITY AS d(c, n);
SELECT pg_temp.counters_agree('the inserts');
SELECT pg_temp.tree_agrees('the inserts');
DO $$ BEGIN
	IF (SELECT tree_customers || '/' || tree_users || '/' || tree_devices
	    || '/' || tree_locations FROM customers WHERE name = 'Alpha')
	    != '6/8/10/5' THEN
		RAISE EXCEPTION 'Alpha''s subtree counters are not 6/8/10/5';
	END IF;
END $$;
\echo ok: Alpha counts its 6 customers, 8 users, 10 devices, 5 locations

-- A device to another customer as DEVICE_MOVE does: customer and
-- location in one UPDATE (both triggers fire); one to another location of
-- its customer; one to none.
UPDATE devices SET customer_id = :beta_one,
    location_id = (SELECT id FROM locations WHERE name = 'Garage')
WHERE unit_id = 'unit8';
UPDATE devices SET location_id = (SELECT id FROM locations WHERE name = 'Dock')
WHERE unit_id = 'UNIT9';
UPDATE devices SET location_id = NULL WHERE unit_id = 'UNIT10';
SELECT pg_temp.counters_agree('moving devices');
-- every device of a customer in one statement: several rows' triggers
-- run after the one statement
UPDATE devices SET customer_id = :south, location_id = NULL
WHERE customer_id = :north_east;
SELECT pg_temp.counters_agree('moving a customer''s devices at once');
-- a user, and a location with its devices
UPDATE users SET customer_id = :beta WHERE username = 'USER3';
UPDATE users SET customer_id = :north_west WHERE username = 'user7';
UPDATE locations SET customer_id = :beta_one WHERE name = 'Yard';
UPDATE devices SET customer_id = :beta_one
WHERE location_id = (SELECT id FROM locations WHERE name = 'Yard');
SELECT pg_temp.counters_agree('moving users and a location');
-- the moves above found their rows (unit_id and username ignoring case)
DO $$ BEGIN
	IF (SELECT customer_id FROM devices WHERE unit_id = 'UNIT8') !=
	    pg_temp.customer_id('Beta One') OR
	    (SELECT customer_id FROM users WHERE username = 'user3') !=
	    pg_temp.customer_id('Beta') OR
	    (SELECT count(*) FROM devices WHERE customer_id =
	    pg_temp.customer_id('Alpha North East')) != 0 THEN
		RAISE EXCEPTION 'a move missed its rows';
	END IF;
END $$;
\echo ok: the moves moved their rows

-- A subtree as CUSTOMER_MOVE moves it: one UPDATE rewrites the path
-- prefix and depth of every row of it; parent_id changes on its top.
-- Alpha North (3 customers) goes under Beta One.
UPDATE customers AS c SET
    path = n.path || :north || '/' || substr(c.path, length(o.path) + 1),
    depth = c.depth + n.depth + 1 - o.depth,
    parent_id = CASE WHEN c.id = :north THEN :beta_one ELSE c.parent_id END
FROM customers o, customers n
WHERE o.id = :north AND n.id = :beta_one AND c.path >= o.path
AND c.path < substr(o.path, 1, length(o.path) - 1) || '0';
SELECT pg_temp.counters_agree('moving a subtree');
SELECT pg_temp.tree_agrees('moving a subtree');
DO $$ BEGIN
	IF (SELECT array_agg(tree_customers ORDER BY id) FROM customers
	    WHERE name IN ('Alpha', 'Beta')) != ARRAY[3, 5]::bigint[] THEN
		RAISE EXCEPTION 'after the move Alpha and Beta do not count '
		    '3 and 5 customers';
	END IF;
END $$;
\echo ok: the moved subtree left Alpha (6 to 3 customers) for Beta (2 to 5)

-- Deletions: a device, a user, a location with devices at it (they stay,
-- with location_id NULL: ON DELETE SET NULL), and a leaf customer with
-- its rows.
DELETE FROM devices WHERE unit_id = 'UNIT1';
DELETE FROM users WHERE username = 'user2';
DELETE FROM locations WHERE name = 'Dock';
SELECT pg_temp.counters_agree('deleting a device, a user and a location');
DELETE FROM devices WHERE customer_id = :south_deep;
DELETE FROM users WHERE customer_id = :south_deep;
DELETE FROM locations WHERE customer_id = :south_deep;
DELETE FROM customers WHERE id = :south_deep;
SELECT pg_temp.counters_agree('deleting a customer');
SELECT pg_temp.tree_agrees('deleting a customer');
DO $$ BEGIN
	DELETE FROM customers WHERE name = 'Alpha';
	RAISE EXCEPTION 'a customer that rows refer to was deleted';
EXCEPTION WHEN foreign_key_violation THEN
END $$;
\echo ok: a customer that rows refer to is not deleted (ON DELETE RESTRICT)

-- Names compared ignoring case, as SQLite's NOCASE: each refusal, and
-- each insert that differs in more than case going in.
DO $$ BEGIN
	INSERT INTO users (customer_id, email, username, created_at,
	    updated_at) VALUES (pg_temp.customer_id('Beta'), 'A@x.example',
	    'first', 1, 1);
	INSERT INTO users (customer_id, email, username, created_at,
	    updated_at) VALUES (pg_temp.customer_id('Beta'), 'a@X.EXAMPLE',
	    'second', 1, 1);
	RAISE EXCEPTION 'users.email: a@X.EXAMPLE went in beside A@x.example';
EXCEPTION WHEN unique_violation THEN
END $$;
DO $$ BEGIN
	INSERT INTO users (customer_id, email, username, created_at,
	    updated_at) VALUES (pg_temp.customer_id('Beta'), 'b@x.example',
	    'USER9', 1, 1);
	RAISE EXCEPTION 'users.username: USER9 went in beside user9';
EXCEPTION WHEN unique_violation THEN
END $$;
DO $$ BEGIN
	INSERT INTO devices (unit_id, device_uuid, name, customer_id,
	    registered_at) VALUES ('Unit2', 'uuid-x', 'x',
	    pg_temp.customer_id('Beta'), 1);
	RAISE EXCEPTION 'devices.unit_id: Unit2 went in beside UNIT2';
EXCEPTION WHEN unique_violation THEN
END $$;
INSERT INTO users (customer_id, email, username, created_at, updated_at)
VALUES (:beta, 'a2@x.example', 'second', 1, 1);
SELECT 'ok: users.email, users.username and devices.unit_id are unique '
    'ignoring case (' || count(*) || ' users)' FROM users;
DO $$ BEGIN
	INSERT INTO locations (customer_id, name, created_at, updated_at)
	VALUES (pg_temp.customer_id('Beta One'), 'GARAGE', 1, 1);
	RAISE EXCEPTION 'locations: GARAGE went in beside Garage';
EXCEPTION WHEN unique_violation THEN
END $$;
-- another customer's "Garage" is another place
INSERT INTO locations (customer_id, name, created_at, updated_at)
VALUES (:beta, 'GARAGE', 1, 1);
\echo ok: a location name is unique per customer ignoring case, not across customers
INSERT INTO user_groups (name, account_id, created_at)
VALUES ('Drivers', NULL, 1), ('drivers', :alpha, 1), ('DRIVERS', :beta, 1);
DO $$ BEGIN
	INSERT INTO user_groups (name, account_id, created_at)
	VALUES ('DRIVERS', NULL, 1);
	RAISE EXCEPTION 'user_groups: a second all-accounts DRIVERS went in';
EXCEPTION WHEN unique_violation THEN
END $$;
\echo ok: all-accounts user group names are unique ignoring case
-- the CHECKs that must compare a citext column as text
INSERT INTO rfid_tags (uid, user_id, created_at, updated_at)
VALUES ('04A1B2C3', (SELECT id FROM users WHERE username = 'user9'), 1, 1);
DO $$ BEGIN
	INSERT INTO rfid_tags (uid, user_id, created_at, updated_at)
	VALUES ('04a1b2c4', (SELECT id FROM users WHERE username = 'user9'),
	    1, 1);
	RAISE EXCEPTION 'rfid_tags: a uid in lower case went in';
EXCEPTION WHEN check_violation THEN
END $$;
INSERT INTO signup_domains (domain, customer_id, created_at)
VALUES ('example.org', :beta, 1);
DO $$ BEGIN
	INSERT INTO signup_domains (domain, customer_id, created_at)
	VALUES ('Example.net', pg_temp.customer_id('Beta'), 1);
	RAISE EXCEPTION 'signup_domains: Example.net went in';
EXCEPTION WHEN check_violation THEN
END $$;
DO $$ BEGIN
	INSERT INTO signup_domains (domain, customer_id, created_at)
	VALUES ('EXAMPLE.ORG', pg_temp.customer_id('Beta'), 1);
	RAISE EXCEPTION 'signup_domains: EXAMPLE.ORG went in';
EXCEPTION WHEN check_violation OR unique_violation THEN
END $$;
\echo ok: an RFID uid is upper-case hex, a sign-up domain lower case

-- The searches the trigram indexes serve find what ILIKE finds, ignoring
-- ASCII case on a citext column cast to text.
DO $$ BEGIN
	IF (SELECT string_agg(username::text, ',' ORDER BY id) FROM users
	    WHERE email::text ILIKE '%ER1%') != 'user1,user10' THEN
		RAISE EXCEPTION 'email::text ILIKE ''%%ER1%%'' finds %',
		    (SELECT string_agg(username::text, ',') FROM users
		    WHERE email::text ILIKE '%ER1%');
	END IF;
END $$;
\echo ok: email::text ILIKE of ER1 finds user1 and user10, ignoring case

SELECT pg_temp.counters_agree('the checks of names');
