-- presswork schema, version 2.
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
    active         INTEGER NOT NULL DEFAULT 1,
    -- What the process counts: printing plates, press sheets or finished pieces.
    unit           TEXT NOT NULL DEFAULT 'piece' CHECK (unit IN ('plate', 'sheet', 'piece')),
    -- Lines of processes with the same default step run side by side (plate making and
    -- paper cutting); NULL means the process's own sequence.
    default_step   INTEGER
);

-- Things an order waits for that are not a process: proof approved, paper ready, die ready.
CREATE TABLE gates (
    code      TEXT PRIMARY KEY,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

-- The gates a process waits for by default (printing: proof and paper).
CREATE TABLE process_gates (
    process_id  INTEGER NOT NULL REFERENCES processes(id),
    gate_code   TEXT NOT NULL REFERENCES gates(code),
    PRIMARY KEY (process_id, gate_code)
) WITHOUT ROWID;

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
    gsm               INTEGER NOT NULL DEFAULT 0 CHECK (gsm >= 0),
    sheet_size        TEXT NOT NULL DEFAULT '',
    colors_front      INTEGER NOT NULL DEFAULT 0 CHECK (colors_front BETWEEN 0 AND 12),
    colors_back       INTEGER NOT NULL DEFAULT 0 CHECK (colors_back BETWEEN 0 AND 12),
    ups               INTEGER NOT NULL DEFAULT 1 CHECK (ups >= 1),
    -- 1 while the tasks' derived flow columns wait to be recomputed (after an upgrade).
    flow_stale        INTEGER NOT NULL DEFAULT 0,
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

-- The process lines of a work order. A line with parts yields one task per part. Lines of the
-- same step run side by side; a line takes its work from `needs` (line ids, JSON), or when
-- that is NULL from every line of the nearest lower step. AUTOINCREMENT: ids are never reused.
CREATE TABLE work_order_lines (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    work_order_id  INTEGER NOT NULL REFERENCES work_orders(id),
    position       INTEGER NOT NULL,
    process_id     INTEGER NOT NULL REFERENCES processes(id),
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    note           TEXT NOT NULL DEFAULT '',
    parallel       INTEGER NOT NULL DEFAULT 0,
    parts          TEXT NOT NULL DEFAULT '[]',
    removed        INTEGER NOT NULL DEFAULT 0,
    step           INTEGER NOT NULL DEFAULT 0,
    needs          TEXT,
    unit           TEXT NOT NULL DEFAULT 'piece' CHECK (unit IN ('plate', 'sheet', 'piece')),
    -- 1 when the quantity was given by hand; 0 when it follows the order's spec.
    quantity_set   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX work_order_lines_by_order ON work_order_lines(work_order_id, position);

-- An order's gates and whether they are done (who and when; the event keeps the history).
CREATE TABLE work_order_gates (
    work_order_id  INTEGER NOT NULL REFERENCES work_orders(id),
    gate_code      TEXT NOT NULL REFERENCES gates(code),
    done_at        INTEGER,
    done_by        INTEGER REFERENCES users(id),
    PRIMARY KEY (work_order_id, gate_code)
) WITHOUT ROWID;

CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
    -- The reason in 简体中文 when the words are presswork's own (auto-dispatch, import).
    assign_reason_zh TEXT,
    published_at    INTEGER,
    claimed_at      INTEGER,
    started_at      INTEGER,
    completed_at    INTEGER,
    running_since   INTEGER,
    worked_ms       INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    unit            TEXT NOT NULL DEFAULT 'piece' CHECK (unit IN ('plate', 'sheet', 'piece')),
    step            INTEGER NOT NULL DEFAULT 0,
    -- What the order's flow (service::order_flow) derived from the graph, kept on the row so
    -- lists filter and page by it: how much has reached the task, whether it can start now,
    -- and what it waits for (JSON [{kind, ..., have, need}]).
    available_qty   INTEGER NOT NULL DEFAULT 0,
    ready           INTEGER NOT NULL DEFAULT 0,
    blocked_by      TEXT NOT NULL DEFAULT '[]',
    split_from      INTEGER REFERENCES tasks(id),
    shortfall_reason TEXT,
    -- A new planned quantity the operator has not acknowledged yet (JSON {from, to, at}).
    target_notice   TEXT
);
-- The task list's keyset order, whole and per department pool.
CREATE INDEX tasks_queue ON tasks(priority DESC, due_date, id);
CREATE INDEX tasks_pool ON tasks(department_id, status, priority DESC, due_date, id);
CREATE INDEX tasks_by_operator ON tasks(operator_id, status, priority DESC, due_date, id)
    WHERE operator_id IS NOT NULL;
CREATE INDEX tasks_by_order ON tasks(work_order_id, sequence);
CREATE INDEX tasks_by_line ON tasks(line_id);

-- Every stretch of work on a task: who, from when to when (NULL while it runs), and what
-- was reported in it. Worked time and stats credit come from here.
CREATE TABLE task_segments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      INTEGER NOT NULL REFERENCES tasks(id),
    operator_id  INTEGER NOT NULL REFERENCES users(id),
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    good         INTEGER NOT NULL DEFAULT 0,
    scrap        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX task_segments_by_task ON task_segments(task_id, id);
CREATE INDEX task_segments_by_operator ON task_segments(operator_id, started_at);

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

-- Task lifecycle (issue 3): the codes an operator picks when reporting scrap. Codes are never
-- deleted (past reports name them); `active = 0` retires one.
CREATE TABLE scrap_reasons (
    code      TEXT PRIMARY KEY,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
-- ── Auto-dispatch and workload stats ────────────────────────────────────────────────────
-- The workload figures are kept up to date by triggers, so `GET /stats/workload` reads a few
-- small tables instead of counting millions of task rows, and no use-case (whoever writes
-- it) can forget to maintain them.

-- Tasks counted by where they stand. operator_id 0 = nobody; due_date is '' for closed
-- tasks (overdue only concerns open ones), which keeps the table small as history grows.
CREATE TABLE task_tally (
    department_id  INTEGER NOT NULL,
    operator_id    INTEGER NOT NULL,
    status         TEXT NOT NULL,
    due_date       TEXT NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (department_id, operator_id, status, due_date)
) WITHOUT ROWID;

-- Claims (queue time = claimed_at - published_at) and completions (worked time) per local
-- day ('YYYY-MM-DD' in the server's time zone, as the stats periods are), department and
-- operator: a period's averages are sums over a few rows per day, however busy the shop.
CREATE TABLE task_daily (
    day            TEXT NOT NULL,
    department_id  INTEGER NOT NULL,
    operator_id    INTEGER NOT NULL,
    claims         INTEGER NOT NULL DEFAULT 0,
    queue_ms       INTEGER NOT NULL DEFAULT 0,
    completions    INTEGER NOT NULL DEFAULT 0,
    work_ms        INTEGER NOT NULL DEFAULT 0,
    good           INTEGER NOT NULL DEFAULT 0,
    scrap          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, department_id, operator_id)
) WITHOUT ROWID;

-- When each operator last took or finished a task: least_loaded breaks ties by idleness.
CREATE TABLE operator_activity (
    user_id            INTEGER PRIMARY KEY,
    last_claimed_at    INTEGER,
    last_completed_at  INTEGER
);

-- The "ready" figure, index-only over the open tasks not yet started.
CREATE INDEX tasks_unstarted ON tasks(department_id, operator_id, status, ready)
    WHERE status IN ('pending', 'assigned');

-- The dispatcher's view of a pool: when the waiting tasks were published, for the next delay.
CREATE INDEX tasks_waiting ON tasks(department_id, published_at)
    WHERE status = 'pending' AND operator_id IS NULL;

CREATE TRIGGER task_tally_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_tally VALUES (NEW.department_id, COALESCE(NEW.operator_id, 0), NEW.status,
        CASE WHEN NEW.status IN ('completed', 'cancelled') THEN '' ELSE NEW.due_date END, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER task_tally_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_tally SET n = n - 1
    WHERE department_id = OLD.department_id AND operator_id = COALESCE(OLD.operator_id, 0)
      AND status = OLD.status
      AND due_date = CASE WHEN OLD.status IN ('completed', 'cancelled') THEN '' ELSE OLD.due_date END;
    DELETE FROM task_tally
    WHERE department_id = OLD.department_id AND operator_id = COALESCE(OLD.operator_id, 0)
      AND status = OLD.status
      AND due_date = CASE WHEN OLD.status IN ('completed', 'cancelled') THEN '' ELSE OLD.due_date END
      AND n <= 0;
END;

CREATE TRIGGER task_tally_update AFTER UPDATE OF status, department_id, operator_id, due_date ON tasks
WHEN OLD.status IS NOT NEW.status OR OLD.department_id IS NOT NEW.department_id
  OR OLD.operator_id IS NOT NEW.operator_id OR OLD.due_date IS NOT NEW.due_date
BEGIN
    UPDATE task_tally SET n = n - 1
    WHERE department_id = OLD.department_id AND operator_id = COALESCE(OLD.operator_id, 0)
      AND status = OLD.status
      AND due_date = CASE WHEN OLD.status IN ('completed', 'cancelled') THEN '' ELSE OLD.due_date END;
    DELETE FROM task_tally
    WHERE department_id = OLD.department_id AND operator_id = COALESCE(OLD.operator_id, 0)
      AND status = OLD.status
      AND due_date = CASE WHEN OLD.status IN ('completed', 'cancelled') THEN '' ELSE OLD.due_date END
      AND n <= 0;
    INSERT INTO task_tally VALUES (NEW.department_id, COALESCE(NEW.operator_id, 0), NEW.status,
        CASE WHEN NEW.status IN ('completed', 'cancelled') THEN '' ELSE NEW.due_date END, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A claim or an assignment: any write that sets claimed_at to a new time.
CREATE TRIGGER task_claimed AFTER UPDATE OF claimed_at ON tasks
WHEN NEW.claimed_at IS NOT NULL AND NEW.claimed_at IS NOT OLD.claimed_at
BEGIN
    INSERT INTO task_daily (day, department_id, operator_id, claims, queue_ms)
    VALUES (date(NEW.claimed_at / 1000, 'unixepoch', 'localtime'), NEW.department_id, COALESCE(NEW.operator_id, 0), 1,
            MAX(0, NEW.claimed_at - COALESCE(NEW.published_at, NEW.claimed_at)))
    ON CONFLICT DO UPDATE SET claims = claims + 1, queue_ms = queue_ms + excluded.queue_ms;
    INSERT INTO operator_activity (user_id, last_claimed_at)
    SELECT NEW.operator_id, NEW.claimed_at WHERE NEW.operator_id IS NOT NULL
    ON CONFLICT DO UPDATE SET last_claimed_at = MAX(COALESCE(last_claimed_at, 0), excluded.last_claimed_at);
END;

-- Completion counts for whoever completes; worked time, good and scrap are credited per work
-- segment (below), so two operators who shared a task are each credited their part.
CREATE TRIGGER task_completed AFTER UPDATE OF status ON tasks
WHEN NEW.status = 'completed' AND OLD.status IS NOT 'completed'
BEGIN
    INSERT INTO task_daily (day, department_id, operator_id, completions)
    VALUES (date(COALESCE(NEW.completed_at, NEW.updated_at) / 1000, 'unixepoch', 'localtime'), NEW.department_id,
            COALESCE(NEW.operator_id, 0), 1)
    ON CONFLICT DO UPDATE SET completions = completions + 1;
    INSERT INTO operator_activity (user_id, last_completed_at)
    SELECT NEW.operator_id, COALESCE(NEW.completed_at, NEW.updated_at) WHERE NEW.operator_id IS NOT NULL
    ON CONFLICT DO UPDATE SET last_completed_at = MAX(COALESCE(last_completed_at, 0), excluded.last_completed_at);
END;

-- A closed work segment credits its operator, on the day it ended.
CREATE TRIGGER task_segment_closed AFTER UPDATE OF ended_at ON task_segments
WHEN NEW.ended_at IS NOT NULL AND OLD.ended_at IS NULL
BEGIN
    INSERT INTO task_daily (day, department_id, operator_id, work_ms, good, scrap)
    SELECT date(NEW.ended_at / 1000, 'unixepoch', 'localtime'), t.department_id, NEW.operator_id,
           MAX(0, NEW.ended_at - NEW.started_at), NEW.good, NEW.scrap
    FROM tasks t WHERE t.id = NEW.task_id
    ON CONFLICT DO UPDATE SET work_ms = work_ms + excluded.work_ms, good = good + excluded.good,
        scrap = scrap + excluded.scrap;
END;

-- Rows inserted already claimed or completed (imports, the benchmark's seed) count too.
CREATE TRIGGER task_inserted_claimed AFTER INSERT ON tasks WHEN NEW.claimed_at IS NOT NULL BEGIN
    INSERT INTO task_daily (day, department_id, operator_id, claims, queue_ms)
    VALUES (date(NEW.claimed_at / 1000, 'unixepoch', 'localtime'), NEW.department_id, COALESCE(NEW.operator_id, 0), 1,
            MAX(0, NEW.claimed_at - COALESCE(NEW.published_at, NEW.claimed_at)))
    ON CONFLICT DO UPDATE SET claims = claims + 1, queue_ms = queue_ms + excluded.queue_ms;
    INSERT INTO operator_activity (user_id, last_claimed_at)
    SELECT NEW.operator_id, NEW.claimed_at WHERE NEW.operator_id IS NOT NULL
    ON CONFLICT DO UPDATE SET last_claimed_at = MAX(COALESCE(last_claimed_at, 0), excluded.last_claimed_at);
END;

CREATE TRIGGER task_inserted_completed AFTER INSERT ON tasks WHEN NEW.status = 'completed' BEGIN
    INSERT INTO task_daily (day, department_id, operator_id, completions, work_ms)
    VALUES (date(COALESCE(NEW.completed_at, NEW.updated_at) / 1000, 'unixepoch', 'localtime'), NEW.department_id,
            COALESCE(NEW.operator_id, 0), 1, NEW.worked_ms)
    ON CONFLICT DO UPDATE SET completions = completions + 1, work_ms = work_ms + excluded.work_ms;
    INSERT INTO operator_activity (user_id, last_completed_at)
    SELECT NEW.operator_id, COALESCE(NEW.completed_at, NEW.updated_at) WHERE NEW.operator_id IS NOT NULL
    ON CONFLICT DO UPDATE SET last_completed_at = MAX(COALESCE(last_completed_at, 0), excluded.last_completed_at);
END;
-- Live area (WebSocket, notifications inbox, overdue watch).
-- One row per person an event is addressed to (its data.audience), written in the event's own
-- transaction, so an inbox entry exists exactly when its event does.
CREATE TABLE notifications (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_id  INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    read_at   INTEGER,
    UNIQUE (user_id, event_id)
);
CREATE INDEX notifications_inbox ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_by_event ON notifications(event_id);

-- What the overdue watch has already raised, so each alert fires once per task.
CREATE TABLE task_alerts (
    task_id   INTEGER NOT NULL REFERENCES tasks(id),
    kind      TEXT NOT NULL CHECK (kind IN ('overdue', 'urgent_unclaimed')),
    at        INTEGER NOT NULL,
    PRIMARY KEY (task_id, kind)
) WITHOUT ROWID;
-- Open tasks by due date, for the overdue watch's sweep.
CREATE INDEX tasks_open_by_due ON tasks(due_date)
    WHERE status IN ('pending', 'assigned', 'in_progress', 'paused');

-- Task list (benchmarks): the keyset order per department, so a department's list walks an
-- index from its page on instead of sorting every match. (No such index per status: lists by
-- status run per department on tasks_pool, and SQLite, which has no statistics here, would
-- prefer a status index to the partial ones above for queries that name a status.)
CREATE INDEX tasks_by_department ON tasks(department_id, priority DESC, due_date, id);

-- Task list search (benchmarks): a trigram index of each work order's number, customer and
-- product, so `q=` finds a few orders among millions without reading them all. External
-- content: the text stays in work_orders, and these triggers keep the index in step with it.
CREATE VIRTUAL TABLE work_order_search USING fts5(number, customer, product,
    content = 'work_orders', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER work_order_search_insert AFTER INSERT ON work_orders BEGIN
    INSERT INTO work_order_search (rowid, number, customer, product)
    VALUES (NEW.id, NEW.number, NEW.customer, NEW.product);
END;
CREATE TRIGGER work_order_search_delete AFTER DELETE ON work_orders BEGIN
    INSERT INTO work_order_search (work_order_search, rowid, number, customer, product)
    VALUES ('delete', OLD.id, OLD.number, OLD.customer, OLD.product);
END;
CREATE TRIGGER work_order_search_update AFTER UPDATE OF number, customer, product ON work_orders
BEGIN
    INSERT INTO work_order_search (work_order_search, rowid, number, customer, product)
    VALUES ('delete', OLD.id, OLD.number, OLD.customer, OLD.product);
    INSERT INTO work_order_search (rowid, number, customer, product)
    VALUES (NEW.id, NEW.number, NEW.customer, NEW.product);
END;
