-- schema.sql - the whole Arbor data model (schema version 4).
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
	-- Counters kept by the triggers below, so that a list says how many
	-- rows it has without counting them (issue 14): the users, devices
	-- and locations of this customer itself, and of its whole subtree
	-- (tree_customers counts the customer itself too). A scope is one
	-- subtree, so its size is one row's tree_* (operators: the accounts').
	device_count   INTEGER NOT NULL DEFAULT 0,
	user_count     INTEGER NOT NULL DEFAULT 0,
	location_count INTEGER NOT NULL DEFAULT 0,
	tree_customers INTEGER NOT NULL DEFAULT 1,
	tree_users     INTEGER NOT NULL DEFAULT 0,
	tree_devices   INTEGER NOT NULL DEFAULT 0,
	tree_locations INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	CHECK ((parent_id IS NULL) = (depth = 0))
);
CREATE INDEX customers_parent ON customers(parent_id);
CREATE INDEX customers_name ON customers(name COLLATE NOCASE);
CREATE INDEX customers_email ON customers(email COLLATE NOCASE);
-- the few customers that require MFA, by path: the Users list's MFA
-- filter finds the subtrees below them without reading every customer
CREATE INDEX customers_require_mfa ON customers(path) WHERE require_mfa = 1;

-- The ids from the account down to each customer, itself included: the
-- rows whose subtree counters a change at that customer moves. The path
-- '/1/5/23/' read as the JSON array [1,5,23].
CREATE VIEW customer_ancestors(customer_id, ancestor_id) AS
	SELECT c.id, a.value FROM customers c,
	json_each('[' || replace(trim(c.path, '/'), '/', ',') || ']') a;

-- A new customer counts in every customer above it; a moved subtree
-- leaves the counters above its old place and joins those above the
-- new one (CUSTOMER_MOVE changes parent_id on the subtree's top only).
CREATE TRIGGER customers_tree_insert AFTER INSERT ON customers BEGIN
	UPDATE customers SET tree_customers = tree_customers + 1
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.parent_id);
END;
CREATE TRIGGER customers_tree_delete AFTER DELETE ON customers BEGIN
	UPDATE customers SET tree_customers = tree_customers - OLD.tree_customers,
	tree_users = tree_users - OLD.tree_users,
	tree_devices = tree_devices - OLD.tree_devices,
	tree_locations = tree_locations - OLD.tree_locations
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.parent_id);
END;
CREATE TRIGGER customers_tree_move AFTER UPDATE OF parent_id ON customers
WHEN OLD.parent_id IS NOT NEW.parent_id BEGIN
	UPDATE customers SET tree_customers = tree_customers - NEW.tree_customers,
	tree_users = tree_users - NEW.tree_users,
	tree_devices = tree_devices - NEW.tree_devices,
	tree_locations = tree_locations - NEW.tree_locations
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.parent_id);
	UPDATE customers SET tree_customers = tree_customers + NEW.tree_customers,
	tree_users = tree_users + NEW.tree_users,
	tree_devices = tree_devices + NEW.tree_devices,
	tree_locations = tree_locations + NEW.tree_locations
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.parent_id);
END;

CREATE VIRTUAL TABLE customers_fts USING fts5(name, email,
	content='customers', content_rowid='id', tokenize='trigram',
	detail='none');
CREATE TRIGGER customers_fts_insert AFTER INSERT ON customers BEGIN
	INSERT INTO customers_fts (rowid, name, email)
	VALUES (NEW.id, NEW.name, NEW.email);
END;
CREATE TRIGGER customers_fts_delete AFTER DELETE ON customers BEGIN
	INSERT INTO customers_fts (customers_fts, rowid, name, email)
	VALUES ('delete', OLD.id, OLD.name, OLD.email);
END;
CREATE TRIGGER customers_fts_update AFTER UPDATE OF name, email
ON customers BEGIN
	INSERT INTO customers_fts (customers_fts, rowid, name, email)
	VALUES ('delete', OLD.id, OLD.name, OLD.email);
	INSERT INTO customers_fts (rowid, name, email)
	VALUES (NEW.id, NEW.name, NEW.email);
END;

-- groups is a bit set of the fixed permission groups (cgi/perm.h):
-- 1 Account Administrator, 2 Full Device Access, 4 Device Management,
-- 8 Nested Customer Administrator, 16 Fleet Management,
-- 32 Access Control Management; and the account roles of seed 003:
-- 64 API Developer, 128 Billing Administrator, 256 Location
-- Facilitator.
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
	groups                INTEGER NOT NULL DEFAULT 0 CHECK (groups BETWEEN 0 AND 511),
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
	-- the language of the user's e-mails (issue 16); NULL: their
	-- account's (account_profiles.language), else English
	language              TEXT CHECK (language IN ('en', 'nl')),
	-- the contact's gender (issue 17: seed 003's CSV column contact.gender);
	-- NULL: not given
	gender                TEXT CHECK (gender IN ('female', 'male')),
	-- operators stand above every account and belong to none
	CHECK ((is_operator = 1) = (customer_id IS NULL))
);
CREATE INDEX users_customer ON users(customer_id);
-- a search shorter than a trigram matches the start of a name (issue 14)
CREATE INDEX users_full_name ON users(full_name COLLATE NOCASE);

CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
	UPDATE customers SET tree_users = tree_users + 1,
	user_count = user_count + (id = NEW.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.customer_id);
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
	UPDATE customers SET tree_users = tree_users - 1,
	user_count = user_count - (id = OLD.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.customer_id);
END;
CREATE TRIGGER users_count_move AFTER UPDATE OF customer_id ON users
WHEN OLD.customer_id IS NOT NEW.customer_id BEGIN
	UPDATE customers SET tree_users = tree_users - 1,
	user_count = user_count - (id = OLD.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.customer_id);
	UPDATE customers SET tree_users = tree_users + 1,
	user_count = user_count + (id = NEW.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.customer_id);
END;

-- Substring search (issue 14): a trigram index of the searched columns,
-- kept in step by triggers in the writing transaction. detail=none
-- keeps only which rows hold a trigram (a quarter of the size of full
-- positions): the search ANDs the query's trigrams to find candidates,
-- and the list's own LIKE decides, so the answer is exactly LIKE's.
CREATE VIRTUAL TABLE users_fts USING fts5(email, username, full_name,
	content='users', content_rowid='id', tokenize='trigram',
	detail='none');
CREATE TRIGGER users_fts_insert AFTER INSERT ON users BEGIN
	INSERT INTO users_fts (rowid, email, username, full_name)
	VALUES (NEW.id, NEW.email, NEW.username, NEW.full_name);
END;
CREATE TRIGGER users_fts_delete AFTER DELETE ON users BEGIN
	INSERT INTO users_fts (users_fts, rowid, email, username, full_name)
	VALUES ('delete', OLD.id, OLD.email, OLD.username, OLD.full_name);
END;
CREATE TRIGGER users_fts_update AFTER UPDATE OF email, username, full_name
ON users BEGIN
	INSERT INTO users_fts (users_fts, rowid, email, username, full_name)
	VALUES ('delete', OLD.id, OLD.email, OLD.username, OLD.full_name);
	INSERT INTO users_fts (rowid, email, username, full_name)
	VALUES (NEW.id, NEW.email, NEW.username, NEW.full_name);
END;

CREATE TABLE locations (
	id           INTEGER PRIMARY KEY,
	customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
	name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	-- devices at this location, kept by the devices triggers
	device_count INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL,
	UNIQUE (customer_id, name)
);
-- "Depot" and "depot" are one place to the people choosing from a list:
-- a customer's location names are unique ignoring case (ASCII case, as
-- SQLite's NOCASE folds it)
CREATE UNIQUE INDEX locations_customer_name ON locations(customer_id, name COLLATE NOCASE);
CREATE INDEX locations_name ON locations(name COLLATE NOCASE);

CREATE TRIGGER locations_count_insert AFTER INSERT ON locations BEGIN
	UPDATE customers SET tree_locations = tree_locations + 1,
	location_count = location_count + (id = NEW.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.customer_id);
END;
CREATE TRIGGER locations_count_delete AFTER DELETE ON locations BEGIN
	UPDATE customers SET tree_locations = tree_locations - 1,
	location_count = location_count - (id = OLD.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.customer_id);
END;
CREATE TRIGGER locations_count_move AFTER UPDATE OF customer_id ON locations
WHEN OLD.customer_id IS NOT NEW.customer_id BEGIN
	UPDATE customers SET tree_locations = tree_locations - 1,
	location_count = location_count - (id = OLD.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.customer_id);
	UPDATE customers SET tree_locations = tree_locations + 1,
	location_count = location_count + (id = NEW.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.customer_id);
END;

CREATE VIRTUAL TABLE locations_fts USING fts5(name, content='locations',
	content_rowid='id', tokenize='trigram', detail='none');
CREATE TRIGGER locations_fts_insert AFTER INSERT ON locations BEGIN
	INSERT INTO locations_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;
CREATE TRIGGER locations_fts_delete AFTER DELETE ON locations BEGIN
	INSERT INTO locations_fts (locations_fts, rowid, name)
	VALUES ('delete', OLD.id, OLD.name);
END;
CREATE TRIGGER locations_fts_update AFTER UPDATE OF name ON locations BEGIN
	INSERT INTO locations_fts (locations_fts, rowid, name)
	VALUES ('delete', OLD.id, OLD.name);
	INSERT INTO locations_fts (rowid, name) VALUES (NEW.id, NEW.name);
END;

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

CREATE INDEX devices_vehicle_name ON devices(vehicle_name COLLATE NOCASE);
CREATE INDEX devices_vin ON devices(vin COLLATE NOCASE);
-- a deleted user's devices, moves and events keep their rows with the
-- user set to NULL (ON DELETE SET NULL): these indexes find them, where
-- deleting one user would otherwise read every device, move and event
CREATE INDEX devices_registered_by ON devices(registered_by)
    WHERE registered_by IS NOT NULL;

CREATE TRIGGER devices_count_insert AFTER INSERT ON devices BEGIN
	UPDATE customers SET tree_devices = tree_devices + 1,
	device_count = device_count + (id = NEW.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.customer_id);
	UPDATE locations SET device_count = device_count + 1
	WHERE id = NEW.location_id;
END;
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices BEGIN
	UPDATE customers SET tree_devices = tree_devices - 1,
	device_count = device_count - (id = OLD.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.customer_id);
	UPDATE locations SET device_count = device_count - 1
	WHERE id = OLD.location_id;
END;
CREATE TRIGGER devices_count_move AFTER UPDATE OF customer_id ON devices
WHEN OLD.customer_id != NEW.customer_id BEGIN
	UPDATE customers SET tree_devices = tree_devices - 1,
	device_count = device_count - (id = OLD.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = OLD.customer_id);
	UPDATE customers SET tree_devices = tree_devices + 1,
	device_count = device_count + (id = NEW.customer_id)
	WHERE id IN (SELECT ancestor_id FROM customer_ancestors
	WHERE customer_id = NEW.customer_id);
END;
CREATE TRIGGER devices_count_place AFTER UPDATE OF location_id ON devices
WHEN OLD.location_id IS NOT NEW.location_id BEGIN
	UPDATE locations SET device_count = device_count - 1
	WHERE id = OLD.location_id;
	UPDATE locations SET device_count = device_count + 1
	WHERE id = NEW.location_id;
END;

-- the device id (a random UUID) is not in it: what people search of it
-- is its start, which its unique index answers at any length
CREATE VIRTUAL TABLE devices_fts USING fts5(unit_id, name, vehicle_name,
	vin, content='devices', content_rowid='id', tokenize='trigram',
	detail='none');
CREATE TRIGGER devices_fts_insert AFTER INSERT ON devices BEGIN
	INSERT INTO devices_fts (rowid, unit_id, name, vehicle_name, vin)
	VALUES (NEW.id, NEW.unit_id, NEW.name, NEW.vehicle_name, NEW.vin);
END;
CREATE TRIGGER devices_fts_delete AFTER DELETE ON devices BEGIN
	INSERT INTO devices_fts (devices_fts, rowid, unit_id, name,
	vehicle_name, vin) VALUES ('delete', OLD.id, OLD.unit_id, OLD.name,
	OLD.vehicle_name, OLD.vin);
END;
CREATE TRIGGER devices_fts_update AFTER UPDATE OF unit_id, name,
vehicle_name, vin ON devices BEGIN
	INSERT INTO devices_fts (devices_fts, rowid, unit_id, name,
	vehicle_name, vin) VALUES ('delete', OLD.id, OLD.unit_id, OLD.name,
	OLD.vehicle_name, OLD.vin);
	INSERT INTO devices_fts (rowid, unit_id, name, vehicle_name, vin)
	VALUES (NEW.id, NEW.unit_id, NEW.name, NEW.vehicle_name, NEW.vin);
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
CREATE INDEX device_moves_moved_by ON device_moves(moved_by)
    WHERE moved_by IS NOT NULL;

-- An account's profile (seed 003): what the account is called, told and
-- billed by. One row per account (a customer without parent; account.c
-- keeps to that), made by its first save: until then the defaults.
-- Nested customers are billed through their account. IBANs are stored
-- as checked (ISO 13616 mod-97), without spaces.
CREATE TABLE account_profiles (
	customer_id          INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
	plan                 TEXT NOT NULL DEFAULT '',
	account_type         TEXT NOT NULL DEFAULT 'company'
	    CHECK (account_type IN ('private', 'company')),
	language             TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'nl')),
	contact_name         TEXT NOT NULL DEFAULT '',
	contact_phone        TEXT NOT NULL DEFAULT '',
	contact_email        TEXT NOT NULL DEFAULT '',
	contact_gender       TEXT NOT NULL DEFAULT ''
	    CHECK (contact_gender IN ('', 'female', 'male')),
	billing_street       TEXT NOT NULL DEFAULT '',
	billing_postal_code  TEXT NOT NULL DEFAULT '',
	billing_city         TEXT NOT NULL DEFAULT '',
	billing_country      TEXT NOT NULL DEFAULT '',
	payment_method       TEXT NOT NULL DEFAULT 'invoice'
	    CHECK (payment_method IN ('invoice', 'direct_debit')),
	iban                 TEXT NOT NULL DEFAULT '',
	reimbursement_iban   TEXT NOT NULL DEFAULT '',
	notifications        INTEGER NOT NULL DEFAULT 1 CHECK (notifications IN (0, 1)),
	feature_flags        TEXT NOT NULL DEFAULT '',
	updated_at           INTEGER NOT NULL,
	CHECK (payment_method = 'invoice' OR iban != '')
);

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
	revoked_at    INTEGER,
	-- 'read': the API answers such a token GET (and HEAD) only (issue 16)
	scope         TEXT NOT NULL DEFAULT 'write'
	    CHECK (scope IN ('read', 'write'))
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
CREATE INDEX events_actor ON events(actor_id) WHERE actor_id IS NOT NULL;

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

-- account-level user groups (seed 004, issue 15; usergroup.c): who may
-- use which device, at what discount, paid by whom. account_id NULL =
-- all accounts, made by an operator and read-only to account
-- administrators. The operator sets the cap of the discount
-- (max_discount_percent); an account's administrator the discount
-- itself, up to it (discount_percent, NULL: none).
CREATE TABLE user_groups (
	id                  INTEGER PRIMARY KEY,
	name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	account_id          INTEGER REFERENCES customers(id) ON DELETE CASCADE,
	auto_assign         INTEGER NOT NULL DEFAULT 0 CHECK (auto_assign IN (0, 1)),
	financial_owner_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
	discount_percent    INTEGER CHECK (discount_percent BETWEEN 0 AND 100),
	created_at          INTEGER NOT NULL,
	description         TEXT NOT NULL DEFAULT '',
	max_discount_percent INTEGER NOT NULL DEFAULT 0
	    CHECK (max_discount_percent BETWEEN 0 AND 100),
	updated_at          INTEGER NOT NULL DEFAULT 0,
	UNIQUE (account_id, name)
);
-- names of the all-accounts groups are unique too (NULLs are distinct
-- to UNIQUE), ignoring case as every name a person picks from a list
CREATE UNIQUE INDEX user_groups_global_name ON user_groups(name COLLATE NOCASE)
    WHERE account_id IS NULL;
-- the lists' order
CREATE INDEX user_groups_name ON user_groups(name COLLATE NOCASE);
CREATE INDEX user_groups_financial_owner ON user_groups(financial_owner_id)
    WHERE financial_owner_id IS NOT NULL;

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

-- Location shares (issue 16, seed 003's Location Facilitator): an
-- Account Administrator shares a location with an e-mail address; the
-- user of any account who has that address and holds Location
-- Facilitator in another account accepts it (guest_id) and then reads
-- the devices of the location's customer at it until the share expires
-- or is revoked. The one exception to top-down visibility, read only
-- through share.c. The link's token is stored only as its hash; it works
-- once (accepted_at). A guest deleted later leaves the share accepted by
-- nobody (guest_id NULL): ended, and still in the owner's record.
CREATE TABLE location_shares (
	id           INTEGER PRIMARY KEY,
	location_id  INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
	email        TEXT NOT NULL COLLATE NOCASE,
	token_hash   BLOB NOT NULL UNIQUE,
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	-- the end of the chosen day in the sharer's zone
	expires_at   INTEGER NOT NULL,
	guest_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	accepted_at  INTEGER,
	revoked_at   INTEGER,
	CHECK (guest_id IS NULL OR accepted_at IS NOT NULL)
);
CREATE INDEX location_shares_location ON location_shares(location_id);
CREATE INDEX location_shares_guest ON location_shares(guest_id)
    WHERE guest_id IS NOT NULL;
CREATE INDEX location_shares_created_by ON location_shares(created_by)
    WHERE created_by IS NOT NULL;

-- RFID tags and their scans (issue 15, Access Control Management): a
-- tag's uid (8 to 20 hex digits, kept in upper case: OCPP 1.6's idTag
-- is at most 20 characters) names the user who holds it. A tag is seen
-- by whoever sees its holder, and a uid is unique within an account
-- (access.c checks it: an account is a path, not a column), never
-- across accounts, so that registering a card tells nothing about
-- another account's cards.
CREATE TABLE rfid_tags (
	id          INTEGER PRIMARY KEY,
	uid         TEXT NOT NULL COLLATE NOCASE
	    CHECK (length(uid) BETWEEN 8 AND 20 AND uid NOT GLOB '*[^0-9A-F]*'),
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	label       TEXT NOT NULL DEFAULT '' CHECK (length(label) <= 200),
	active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX rfid_tags_uid ON rfid_tags(uid);
CREATE INDEX rfid_tags_user ON rfid_tags(user_id);

-- A scan a device reported (POST /api/v1/access/scans) and what Arbor
-- answered. It belongs to the customer and location the device had then
-- (customer_id, location_id), and is seen by the device rule on those:
-- a device that moves on does not take the old owner's history, and its
-- holders' names, to the new one. at is the device's
-- time of the scan; the history is in that order. uid is as reported,
-- whether or not a tag has it; tag and holder are what it named then.
CREATE TABLE access_scans (
	id           INTEGER PRIMARY KEY,
	customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
	device_id    INTEGER REFERENCES devices(id) ON DELETE SET NULL,
	location_id  INTEGER REFERENCES locations(id) ON DELETE SET NULL,
	uid          TEXT NOT NULL COLLATE NOCASE CHECK (length(uid) BETWEEN 1 AND 20),
	tag_id       INTEGER REFERENCES rfid_tags(id) ON DELETE SET NULL,
	user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
	at           INTEGER NOT NULL,
	recorded_at  INTEGER NOT NULL,
	allowed      INTEGER NOT NULL CHECK (allowed IN (0, 1)),
	status       TEXT NOT NULL,
	reason       TEXT NOT NULL
);
-- the history's orders: a whole account's (at), a nested customer's, one
-- device's, one uid's; tag and holder for their ON DELETE SET NULL
CREATE INDEX access_scans_at ON access_scans(at, id);
CREATE INDEX access_scans_customer ON access_scans(customer_id, at, id);
CREATE INDEX access_scans_device ON access_scans(device_id, at, id);
CREATE INDEX access_scans_uid ON access_scans(uid, at, id);
-- the refusals alone, in time order: few among many accepted scans
CREATE INDEX access_scans_denied ON access_scans(at, id) WHERE allowed = 0;
CREATE INDEX access_scans_tag ON access_scans(tag_id) WHERE tag_id IS NOT NULL;
CREATE INDEX access_scans_user ON access_scans(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX access_scans_location ON access_scans(location_id)
    WHERE location_id IS NOT NULL;

-- Onboarding (issue 17, seeds 003 and 004): three ways a person becomes a
-- user without an administrator typing their password. Each link is 32
-- random bytes of which only the BLAKE2b hash is kept (token_hash); the
-- person's user is made only when the link is used, through user.c's
-- user_onboard(), which adds the account's auto-assign groups.
--
-- An invitation to one address, by an administrator who holds the groups
-- it gives (checked again when it is accepted: invited_by must still
-- hold them). status: accepted_at, else revoked_at, else expires_at.
CREATE TABLE invites (
	id           INTEGER PRIMARY KEY,
	customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
	email        TEXT NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
	groups       INTEGER NOT NULL DEFAULT 0,
	message      TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 500),
	days         INTEGER NOT NULL CHECK (days BETWEEN 1 AND 30),
	token_hash   BLOB NOT NULL UNIQUE,
	invited_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	sent_at      INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	accepted_at  INTEGER,
	user_id      INTEGER REFERENCES users(id) ON DELETE SET NULL,
	revoked_at   INTEGER
);
CREATE INDEX invites_customer ON invites(customer_id, sent_at);
CREATE INDEX invites_email ON invites(email);
CREATE INDEX invites_invited_by ON invites(invited_by) WHERE invited_by IS NOT NULL;
CREATE INDEX invites_user ON invites(user_id) WHERE user_id IS NOT NULL;
CREATE TABLE invite_locations (
	invite_id    INTEGER NOT NULL REFERENCES invites(id) ON DELETE CASCADE,
	location_id  INTEGER NOT NULL REFERENCES locations(id) ON DELETE CASCADE,
	PRIMARY KEY (invite_id, location_id)
) WITHOUT ROWID;
CREATE INDEX invite_locations_location ON invite_locations(location_id);

-- A reusable link that lets anyone who has it join a customer with its
-- groups, up to max_uses times, after confirming their address.
CREATE TABLE join_links (
	id           INTEGER PRIMARY KEY,
	customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
	groups       INTEGER NOT NULL DEFAULT 0,
	token_hash   BLOB NOT NULL UNIQUE,
	max_uses     INTEGER NOT NULL CHECK (max_uses BETWEEN 1 AND 10000),
	uses         INTEGER NOT NULL DEFAULT 0 CHECK (uses <= max_uses),
	created_by   INTEGER REFERENCES users(id) ON DELETE SET NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	revoked_at   INTEGER
);
CREATE INDEX join_links_customer ON join_links(customer_id, created_at);
CREATE INDEX join_links_created_by ON join_links(created_by)
    WHERE created_by IS NOT NULL;

-- Addresses of these domains may sign up as users of the customer
-- (/signup): one customer per domain, kept in lower case.
CREATE TABLE signup_domains (
	domain       TEXT PRIMARY KEY COLLATE NOCASE
	    CHECK (length(domain) BETWEEN 3 AND 253 AND domain = lower(domain)),
	customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL
);
CREATE INDEX signup_domains_customer ON signup_domains(customer_id);

-- A sign-up waiting for its address to be confirmed: through a join link
-- (join_link_id; the username and password chosen already, the mail's
-- link confirms) or by domain (join_link_id NULL; the mail's link opens
-- the form). used_at: the user was made, or the link died.
CREATE TABLE signups (
	id            INTEGER PRIMARY KEY,
	customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
	join_link_id  INTEGER REFERENCES join_links(id) ON DELETE CASCADE,
	email         TEXT NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
	username      TEXT,
	password_hash TEXT,
	token_hash    BLOB NOT NULL UNIQUE,
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	used_at       INTEGER,
	CHECK ((join_link_id IS NULL) = (username IS NULL))
);
CREATE INDEX signups_customer ON signups(customer_id);
CREATE INDEX signups_join_link ON signups(join_link_id)
    WHERE join_link_id IS NOT NULL;
-- the password hashes of join sign-ups nobody confirmed, to purge
CREATE INDEX signups_pending ON signups(expires_at)
    WHERE password_hash IS NOT NULL;

PRAGMA user_version = 13;
