-- The PostgreSQL key store's tables (runtime-key-store-postgres.ts): API key records
-- (`api_keys`, one column per field of runtime-key-record.ts's `KeyRecord`; never a key,
-- only its SHA-256 hash) and per-window request counts for billing (`api_key_usage`).
--
-- Run it with your migration tool or `psql -v ON_ERROR_STOP=1 -1 -f <this file>`,
-- connected with the schema to create the tables in first on `search_path` (every name
-- here is unqualified, so one file serves any schema, one per tenant or test run). It is
-- idempotent: run it again after an upgrade and it adds what is missing, keeps the rows.
--
-- Revocations reach every replica at once: a trigger sends a notification on the
-- channel `api_keys_changed` for each changed row, and every store LISTENs on it and
-- drops that key from its cache. So a change made by plain SQL (`UPDATE api_keys SET
-- revoked = true, revoked_at = now() WHERE id = '...'`) propagates like one made by the
-- CLI. Channels are per database, not per schema: every schema of the database shares
-- this one, so the payload names the schema and the table, and a store ignores the
-- changes of other schemas' tables (no needless cache flushes):
--
--   {"schema": "<schema>", "table": "<table>", "id": "<key id>"}   (JSON, as json_build_object writes it)
--
-- A payload without "id" (a key id too long for a notification's 8000 bytes) means
-- "any key of this table may have changed": the stores drop every cached key of it.
-- Updates that change only `last_used_at` (the verifier's `touch`) notify nobody: no
-- cache holds anything they change.
--
-- Another table name: create it as `api_keys` is created here (or `create table
-- my_keys (like api_keys including all)`), and attach the same function:
--   create trigger my_keys_changed after insert or update or delete on my_keys
--     for each row execute function api_keys_notify_change();
-- then pass `table: 'my_keys'` to the store. The function reads the schema and table
-- from the trigger, so one function serves every table of its schema.

create table if not exists api_keys (
  -- The key's public id (`parseApiKey(key).id`): the one lookup per request is by it.
  id text primary key,
  prefix text,
  -- hashKey(key): SHA-256, 64 lower-case hex digits. Never the key.
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  -- The principal: { "clientId": "...", "scopes": [...], ... }.
  -- (coalesce: a check that is NULL passes, and `owner -> 'clientId'` is NULL when absent.)
  owner jsonb not null check (jsonb_typeof(owner) = 'object' and coalesce(jsonb_typeof(owner -> 'clientId'), '') = 'string'),
  -- Null: no restriction (apps: none bound). An empty array is kept as one: an empty
  -- ip_ranges, origins or operations admits nothing.
  apps text[],
  ip_ranges text[],
  origins text[],
  operations text[],
  not_before timestamptz,
  expires_at timestamptz,
  revoked boolean not null default false,
  revoked_at timestamptz,
  -- Rotation: the replacement's id, and until when this key still works.
  replaced_by text,
  grace_until timestamptz,
  created_at timestamptz,
  last_used_at timestamptz
);

-- Added after the first version of this file: `create table if not exists` leaves an
-- existing table as it is, so each later column is added here.
-- { "limit": 100, "windowSeconds": 60, "operations": { "<operationId>": { "limit": 10, "windowSeconds": 60 } } }
alter table api_keys add column if not exists quota jsonb check (quota is null or jsonb_typeof(quota) = 'object');

-- One notification per changed row, on commit (PostgreSQL delivers NOTIFY when the
-- transaction commits, never for a rolled back change). `search_path` is pinned so the
-- function means the same whoever's session fires it.
create or replace function api_keys_notify_change() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  ids text[];
  key_id text;
  payload text;
begin
  if tg_op = 'INSERT' then
    ids := array[new.id];
  elsif tg_op = 'DELETE' then
    ids := array[old.id];
  else
    -- A use recorded (`touch`) changes nothing a cache holds.
    if (to_jsonb(new) - 'last_used_at') = (to_jsonb(old) - 'last_used_at') then
      return null;
    end if;
    -- A changed id drops both: the old one must stop working everywhere.
    ids := case when new.id is distinct from old.id then array[old.id, new.id] else array[new.id] end;
  end if;
  foreach key_id in array ids loop
    payload := json_build_object('schema', tg_table_schema, 'table', tg_table_name, 'id', key_id)::text;
    -- NOTIFY refuses payloads of 8000 bytes or more (and would fail the change).
    if octet_length(payload) >= 8000 then
      payload := json_build_object('schema', tg_table_schema, 'table', tg_table_name)::text;
    end if;
    perform pg_notify('api_keys_changed', payload);
  end loop;
  return null;
end;
$$;

-- Dropped and created again rather than `create or replace trigger` (PostgreSQL 14+),
-- so the file also runs on PostgreSQL 11 to 13; `-1` (one transaction) makes it atomic.
drop trigger if exists api_keys_changed on api_keys;
create trigger api_keys_changed
  after insert or update or delete on api_keys
  for each row execute function api_keys_notify_change();

-- TRUNCATE fires no row trigger: a statement trigger says "any key of this table may
-- have changed" (a payload without "id"), and every store forgets all of them.
create or replace function api_keys_notify_truncate() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_notify('api_keys_changed', json_build_object('schema', tg_table_schema, 'table', tg_table_name)::text);
  return null;
end;
$$;

drop trigger if exists api_keys_truncated on api_keys;
create trigger api_keys_truncated
  after truncate on api_keys
  for each statement execute function api_keys_notify_truncate();

-- Requests per key, operation and window, for billing: written by the usage counter
-- (runtime-usage.ts), read by billing jobs. No foreign key to api_keys: a deleted key's
-- usage is still billed.
create table if not exists api_key_usage (
  key_id text,
  operation_id text,
  window_start timestamptz,
  requests bigint not null,
  primary key (key_id, operation_id, window_start)
);
comment on table api_key_usage is
  'Requests per API key (api_keys.id), operation id and window (window_start: the start of a fixed window), for billing. Written by the generated runtime''s usage counter; no foreign key, so a deleted key''s usage stays billable.';
