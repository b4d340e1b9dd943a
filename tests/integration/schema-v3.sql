-- The schema at version 3 (before issue 14), kept to test the migrations from it.
-- schema.sql - the whole Arbor data model (schema version 3).
--
-- Applied by `arborctl init` to a new database; `arborctl init` on an
-- existing database runs the migrations in cgi/db.c up to the version the
-- program expects (PRAGMA user_version). Times are Unix seconds (UTC).
--
-- The customer tree is a materialised path: customers.path is the list of
-- ids from the account down to the customer itself, '/1/5/23/'. "This
-- customer and everything below it" is the index range
--   path >= '/1/5/' AND path < '/1/50'
-- (the upper bound replaces the final '/' by '0', the next byte), one
-- range scan on customers_path whatever the depth or size of the tree.
-- Moving a subtree rewrites the prefix of its paths in one UPDATE.

CREATE TABLE customers (
	id           INTEGER PRIMARY KEY,
	parent_id    INTEGER REFERENCES customers(id) ON DELETE RESTRICT,
	path         TEXT NOT NULL UNIQUE,
	depth        INTEGER NOT NULL CHECK (depth >= 0),
	name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email        TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	-- an account (a customer without parent) has an owner; nothing else does
	owner_email  TEXT CHECK ((parent_id IS NULL) = (owner_email IS NOT NULL)),
	country      TEXT NOT NULL CHECK (length(country) = 2),
	time_zone    TEXT NOT NULL DEFAULT 'UTC',
	time_format  TEXT NOT NULL DEFAULT '24h' CHECK (time_format IN ('12h', '24h')),
	units        TEXT NOT NULL DEFAULT 'metric' CHECK (units IN ('metric', 'imperial')),
	require_mfa  INTEGER NOT NULL DEFAULT 0 CHECK (require_mfa IN (0, 1)),
	-- devices owned by this customer itself, kept by the triggers below,
	-- so "how many devices does this scope hold" sums customers, not
	-- devices (the Devices list says how many rows match)
	device_count INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	CHECK ((parent_id IS NULL) = (depth = 0))
);
CREATE INDEX customers_parent ON customers(parent_id);
CREATE INDEX customers_name ON customers(name COLLATE NOCASE);

-- groups is a bit set of the fixed permission groups (cgi/perm.h):
-- 1 Account Administrator, 2 Full Device Access, 4 Device Management,
-- 8 Nested Customer Administrator, 16 Fleet Management,
-- 32 Access Control Management.
CREATE TABLE users (
	id                    INTEGER PRIMARY KEY,
	customer_id           INTEGER REFERENCES customers(id) ON DELETE RESTRICT,
	is_operator           INTEGER NOT NULL DEFAULT 0 CHECK (is_operator IN (0, 1)),
	email                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
	username              TEXT NOT NULL UNIQUE COLLATE NOCASE,
	full_name             TEXT NOT NULL DEFAULT '',
	phone                 TEXT NOT NULL DEFAULT '',
	address               TEXT NOT NULL DEFAULT '',
	-- NULL until the user sets one through the welcome link
	password_hash         TEXT,
	must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
	active                INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	groups                INTEGER NOT NULL DEFAULT 0 CHECK (groups BETWEEN 0 AND 63),
	-- NULL: the customer's setting
	time_zone             TEXT,
	time_format           TEXT CHECK (time_format IN ('12h', '24h')),
	units                 TEXT CHECK (units IN ('metric', 'imperial')),
	-- TOTP secret sealed with the key file (crypto_secretbox: nonce || box)
	totp_secret           BLOB,
	totp_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (totp_enabled IN (0, 1)),
	-- the last accepted time step: a code at or below it is refused
	totp_last_step        INTEGER NOT NULL DEFAULT 0,
	last_login_at         INTEGER,
	created_at            INTEGER NOT NULL,
	updated_at            INTEGER NOT NULL,
	-- operators stand above every account and belong to none
	CHECK ((is_operator = 1) = (customer_id IS NULL))
);
CREATE INDEX users_customer ON users(customer_id);

CREATE TABLE locations (
	id           INTEGER PRIMARY KEY,
	customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
	name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (customer_id, name)
);
-- "Depot" and "depot" are one place to the people choosing from a list:
-- a customer's location names are unique ignoring case (ASCII case, as
-- SQLite's NOCASE folds it)
CREATE UNIQUE INDEX locations_customer_name ON locations(customer_id, name COLLATE NOCASE);

CREATE TABLE user_locations (
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	location_id  INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, location_id)
) WITHOUT ROWID;
CREATE INDEX user_locations_location ON user_locations(location_id);

CREATE TABLE devices (
	id             INTEGER PRIMARY KEY,
	unit_id        TEXT NOT NULL UNIQUE COLLATE NOCASE,
	device_uuid    TEXT NOT NULL UNIQUE,
	name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	vehicle_name   TEXT NOT NULL DEFAULT '',
	vin            TEXT CHECK (vin IS NULL OR length(vin) = 17),
	customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
	location_id    INTEGER REFERENCES locations(id) ON DELETE SET NULL,
	registered_at  INTEGER NOT NULL,
	registered_by  INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX devices_customer ON devices(customer_id);
CREATE INDEX devices_location ON devices(location_id);
CREATE INDEX devices_name ON devices(name COLLATE NOCASE);
CREATE INDEX devices_registered ON devices(registered_at);

CREATE TRIGGER devices_count_insert AFTER INSERT ON devices BEGIN
	UPDATE customers SET device_count = device_count + 1
	WHERE id = NEW.customer_id;
END;
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices BEGIN
	UPDATE customers SET device_count = device_count - 1
	WHERE id = OLD.customer_id;
END;
CREATE TRIGGER devices_count_move AFTER UPDATE OF customer_id ON devices
WHEN OLD.customer_id != NEW.customer_id BEGIN
	UPDATE customers SET device_count = device_count - 1
	WHERE id = OLD.customer_id;
	UPDATE customers SET device_count = device_count + 1
	WHERE id = NEW.customer_id;
END;

-- every change of a device's customer: who, when, from, to
CREATE TABLE device_moves (
	id                INTEGER PRIMARY KEY,
	device_id         INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	from_customer_id  INTEGER REFERENCES customers(id) ON DELETE SET NULL,
	to_customer_id    INTEGER REFERENCES customers(id) ON DELETE SET NULL,
	moved_by          INTEGER REFERENCES users(id) ON DELETE SET NULL,
	moved_at          INTEGER NOT NULL
);
CREATE INDEX device_moves_device ON device_moves(device_id, moved_at);

-- browser sessions; the cookie holds 32 random bytes, the table only
-- their BLAKE2b hash, so a copy of the database opens no session
CREATE TABLE sessions (
	id            INTEGER PRIMARY KEY,
	token_hash    BLOB NOT NULL UNIQUE,
	user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	-- the second factor was given in this session
	mfa_passed    INTEGER NOT NULL DEFAULT 0 CHECK (mfa_passed IN (0, 1)),
	mfa_failures  INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	last_seen_at  INTEGER NOT NULL,
	ip            TEXT NOT NULL DEFAULT '',
	user_agent    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	id            INTEGER PRIMARY KEY,
	user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	token_hash    BLOB NOT NULL UNIQUE,
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	last_used_at  INTEGER,
	last_used_ip  TEXT,
	revoked_at    INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- single-use links: welcome set-up (72 h) and password reset (1 h)
CREATE TABLE user_links (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	purpose     TEXT NOT NULL CHECK (purpose IN ('setup', 'reset')),
	token_hash  BLOB NOT NULL UNIQUE,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL,
	used_at     INTEGER
);
CREATE INDEX user_links_user ON user_links(user_id);

CREATE TABLE recovery_codes (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL,
	used_at    INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- failed logins and MFA codes, per subject: 'user:<id>' or 'ip:<address>'
CREATE TABLE auth_failures (
	subject       TEXT PRIMARY KEY,
	failures      INTEGER NOT NULL,
	window_start  INTEGER NOT NULL,
	locked_until  INTEGER NOT NULL DEFAULT 0,
	lockouts      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- security events for the audit view: login, logout, lockout, MFA, password
CREATE TABLE events (
	id        INTEGER PRIMARY KEY,
	at        INTEGER NOT NULL,
	kind      TEXT NOT NULL,
	user_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	actor_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
	ip        TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_user ON events(user_id, at);
CREATE INDEX events_at ON events(at);

-- outgoing mail, written in the transaction of the change that causes it
CREATE TABLE mail_queue (
	id               INTEGER PRIMARY KEY,
	created_at       INTEGER NOT NULL,
	recipient        TEXT NOT NULL,
	subject          TEXT NOT NULL,
	body             TEXT NOT NULL,
	attempts         INTEGER NOT NULL DEFAULT 0,
	next_attempt_at  INTEGER NOT NULL,
	sent_at          INTEGER,
	last_error       TEXT
);
CREATE INDEX mail_queue_due ON mail_queue(sent_at, next_attempt_at);

-- account-level user groups (seed 004): account_id NULL = all accounts,
-- made by an operator and read-only to account administrators
CREATE TABLE user_groups (
	id                  INTEGER PRIMARY KEY,
	name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	account_id          INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	auto_assign         INTEGER NOT NULL DEFAULT 0 CHECK (auto_assign IN (0, 1)),
	financial_owner_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
	discount_percent    INTEGER CHECK (discount_percent BETWEEN 0 AND 100),
	created_at          INTEGER NOT NULL,
	UNIQUE (account_id, name)
);

CREATE TABLE user_group_members (
	group_id  INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
	user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;
CREATE INDEX user_group_members_user ON user_group_members(user_id);

CREATE TABLE user_group_devices (
	group_id   INTEGER NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
	device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, device_id)
) WITHOUT ROWID;
CREATE INDEX user_group_devices_device ON user_group_devices(device_id);

PRAGMA user_version = 3;
