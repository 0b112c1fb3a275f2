-- presswork schema, version 1.
-- This file is the whole current schema. A fresh database gets it in one step;
-- an older one is brought here by the numbered steps in src/store/migrations.rs.
-- Times are INTEGER milliseconds since the Unix epoch (UTC); due dates are TEXT 'YYYY-MM-DD'.
-- Priorities are INTEGER 0 low, 1 normal, 2 high, 3 urgent, so ORDER BY priority DESC works.

CREATE TABLE departments (
    id                   INTEGER PRIMARY KEY,
    code                 TEXT NOT NULL UNIQUE,
    name_zh              TEXT NOT NULL,
    name_en              TEXT NOT NULL,
    strategy             TEXT NOT NULL DEFAULT 'manual'
                         CHECK (strategy IN ('manual', 'least_loaded', 'round_robin', 'skill')),
    auto_assign_delay_s  INTEGER NOT NULL DEFAULT 0 CHECK (auto_assign_delay_s >= 0),
    wip_cap              INTEGER CHECK (wip_cap IS NULL OR wip_cap > 0),
    rr_cursor            INTEGER NOT NULL DEFAULT 0,
    active               INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE processes (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    sequence       INTEGER NOT NULL,
    parallel       INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'maker', 'supervisor', 'operator')),
    password_hash  TEXT NOT NULL,
    locale         TEXT,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL
);

CREATE TABLE user_departments (
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (user_id, department_id)
) WITHOUT ROWID;
CREATE INDEX user_departments_by_department ON user_departments(department_id, user_id);

CREATE TABLE user_skills (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    process_id  INTEGER NOT NULL REFERENCES processes(id),
    PRIMARY KEY (user_id, process_id)
) WITHOUT ROWID;

-- Only the SHA-256 of a token is stored: a stolen database does not log anyone in.
CREATE TABLE tokens (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('session', 'api', 'ws_ticket')),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX tokens_by_user ON tokens(user_id);

CREATE TABLE counters (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE work_orders (
    id                INTEGER PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    customer          TEXT NOT NULL,
    product           TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit              TEXT NOT NULL DEFAULT '',
    spoilage          INTEGER NOT NULL DEFAULT 0 CHECK (spoilage >= 0),
    due_date          TEXT NOT NULL,
    priority          INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
    status            TEXT NOT NULL CHECK (status IN
                      ('draft', 'submitted', 'approved', 'in_progress', 'completed', 'cancelled')),
    paper             TEXT NOT NULL DEFAULT '',
    finished_size     TEXT NOT NULL DEFAULT '',
    colors            TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    unit_price_x10k   INTEGER,  -- 1/10000 of the currency unit
    amount_cents      INTEGER,
    reject_reason     TEXT,
    cancel_reason     TEXT,
    created_by        INTEGER REFERENCES users(id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    approved_at       INTEGER,
    completed_at      INTEGER,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX work_orders_list ON work_orders(priority DESC, due_date, id);
CREATE INDEX work_orders_by_status ON work_orders(status, priority DESC, due_date, id);

-- The ordered process lines of a work order. A line with parts yields one task per part.
CREATE TABLE work_order_lines (
    id             INTEGER PRIMARY KEY,
    work_order_id  INTEGER NOT NULL REFERENCES work_orders(id),
    position       INTEGER NOT NULL,
    process_id     INTEGER NOT NULL REFERENCES processes(id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    note           TEXT NOT NULL DEFAULT '',
    parallel       INTEGER NOT NULL DEFAULT 0,
    parts          TEXT NOT NULL DEFAULT '[]',
    removed        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX work_order_lines_by_order ON work_order_lines(work_order_id, position);

CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY,
    work_order_id   INTEGER NOT NULL REFERENCES work_orders(id),
    line_id         INTEGER NOT NULL REFERENCES work_order_lines(id),
    part            TEXT NOT NULL DEFAULT '',
    process_id      INTEGER NOT NULL REFERENCES processes(id),
    department_id   INTEGER NOT NULL REFERENCES departments(id),
    sequence        INTEGER NOT NULL,
    parallel        INTEGER NOT NULL DEFAULT 0,
    priority        INTEGER NOT NULL,
    due_date        TEXT NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    good_qty        INTEGER NOT NULL DEFAULT 0 CHECK (good_qty >= 0),
    scrap_qty       INTEGER NOT NULL DEFAULT 0 CHECK (scrap_qty >= 0),
    status          TEXT NOT NULL CHECK (status IN
                    ('draft', 'pending', 'assigned', 'in_progress', 'paused', 'completed', 'cancelled')),
    operator_id     INTEGER REFERENCES users(id),
    assigned_via    TEXT CHECK (assigned_via IN ('claim', 'assign', 'auto')),
    assign_reason   TEXT,
    published_at    INTEGER,
    claimed_at      INTEGER,
    started_at      INTEGER,
    completed_at    INTEGER,
    running_since   INTEGER,
    worked_ms       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
-- The task list's keyset order, whole and per department pool.
CREATE INDEX tasks_queue ON tasks(priority DESC, due_date, id);
CREATE INDEX tasks_pool ON tasks(department_id, status, priority DESC, due_date, id);
CREATE INDEX tasks_by_operator ON tasks(operator_id, status) WHERE operator_id IS NOT NULL;
CREATE INDEX tasks_by_order ON tasks(work_order_id, sequence);
CREATE INDEX tasks_by_line ON tasks(line_id);

-- The outbox and the audit log: every state change appends here in its own transaction.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor_id       INTEGER,
    kind           TEXT NOT NULL,
    work_order_id  INTEGER,
    task_id        INTEGER,
    department_id  INTEGER,
    operator_id    INTEGER,
    data           TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_task ON events(task_id) WHERE task_id IS NOT NULL;
CREATE INDEX events_by_order ON events(work_order_id) WHERE work_order_id IS NOT NULL;

-- UI dashboard: tasks completed in a recent window (completions per day, queue vs work time).
CREATE INDEX tasks_by_completed ON tasks(completed_at) WHERE completed_at IS NOT NULL;
