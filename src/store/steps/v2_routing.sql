-- Schema version 2: the print job as a graph (issue 13). Processes count in their own unit
-- and have a default step; orders carry the print spec and gates; lines have steps and
-- needs; tasks and lines get ids that are never reused (AUTOINCREMENT: both tables are
-- rebuilt, keeping every id), derived flow columns, splits, shortfalls, target notices;
-- work is kept in segments. Old `parallel` lines become lines that need nothing, and every
-- other line needs the lines of the nearest earlier non-parallel position, as before.
-- Runs with foreign keys off (the runner checks them before committing).

ALTER TABLE processes ADD COLUMN unit TEXT NOT NULL DEFAULT 'piece' CHECK (unit IN ('plate', 'sheet', 'piece'));
ALTER TABLE processes ADD COLUMN default_step INTEGER;
UPDATE processes SET unit = 'plate' WHERE upper(code) = 'CTP';
UPDATE processes SET unit = 'sheet'
WHERE upper(code) IN ('CUT', 'PRT', 'VAN', 'LAM_G', 'LAM_M', 'UV', 'FOIL_G', 'FOIL_S', 'EMB', 'DIE');
UPDATE processes SET default_step = (SELECT c.sequence FROM processes c WHERE upper(c.code) = 'CTP')
WHERE upper(code) = 'CUT' AND EXISTS (SELECT 1 FROM processes c WHERE upper(c.code) = 'CTP');

CREATE TABLE gates (
    code      TEXT PRIMARY KEY,
    name_zh   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

CREATE TABLE process_gates (
    process_id  INTEGER NOT NULL REFERENCES processes(id),
    gate_code   TEXT NOT NULL REFERENCES gates(code),
    PRIMARY KEY (process_id, gate_code)
) WITHOUT ROWID;
INSERT OR IGNORE INTO gates (code, name_zh, name_en, position) VALUES
    ('proof_approved', '签样确认', 'Proof approved', 1),
    ('paper_ready', '纸张到位', 'Paper ready', 2),
    ('die_ready', '刀模到位', 'Die ready', 3);
INSERT OR IGNORE INTO process_gates (process_id, gate_code)
    SELECT id, 'proof_approved' FROM processes WHERE upper(code) = 'PRT'
    UNION ALL SELECT id, 'paper_ready' FROM processes WHERE upper(code) = 'PRT'
    UNION ALL SELECT id, 'die_ready' FROM processes WHERE upper(code) = 'DIE';

ALTER TABLE work_orders ADD COLUMN gsm INTEGER NOT NULL DEFAULT 0 CHECK (gsm >= 0);
ALTER TABLE work_orders ADD COLUMN sheet_size TEXT NOT NULL DEFAULT '';
ALTER TABLE work_orders ADD COLUMN colors_front INTEGER NOT NULL DEFAULT 0 CHECK (colors_front BETWEEN 0 AND 12);
ALTER TABLE work_orders ADD COLUMN colors_back INTEGER NOT NULL DEFAULT 0 CHECK (colors_back BETWEEN 0 AND 12);
ALTER TABLE work_orders ADD COLUMN ups INTEGER NOT NULL DEFAULT 1 CHECK (ups >= 1);
ALTER TABLE work_orders ADD COLUMN flow_stale INTEGER NOT NULL DEFAULT 0;
-- "4+0" and "4/1" become colours front and back.
UPDATE work_orders SET
    colors_front = CAST(substr(replace(trim(colors), '/', '+'), 1, 1) AS INTEGER),
    colors_back = CAST(substr(replace(trim(colors), '/', '+'), 3, 1) AS INTEGER)
WHERE replace(trim(colors), '/', '+') GLOB '[0-9]+[0-9]';
UPDATE work_orders SET flow_stale = 1;

CREATE TABLE work_order_lines_v2 (
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
INSERT INTO work_order_lines_v2 (id, work_order_id, position, process_id, quantity, note, parallel,
    parts, removed, step, needs, unit, quantity_set)
SELECT l.id, l.work_order_id, l.position, l.process_id, l.quantity, l.note, l.parallel, l.parts,
    l.removed, l.position,
    CASE WHEN l.parallel <> 0 THEN '[]' ELSE (
        SELECT json_group_array(u.id) FROM work_order_lines u
        WHERE u.work_order_id = l.work_order_id AND u.removed = 0 AND u.parallel = 0
          AND u.position = (SELECT MAX(v.position) FROM work_order_lines v
              WHERE v.work_order_id = l.work_order_id AND v.removed = 0 AND v.parallel = 0
                AND v.position < l.position)) END,
    p.unit, 1
FROM work_order_lines l JOIN processes p ON p.id = l.process_id;
DROP TABLE work_order_lines;
ALTER TABLE work_order_lines_v2 RENAME TO work_order_lines;
CREATE INDEX work_order_lines_by_order ON work_order_lines(work_order_id, position);

CREATE TABLE work_order_gates (
    work_order_id  INTEGER NOT NULL REFERENCES work_orders(id),
    gate_code      TEXT NOT NULL REFERENCES gates(code),
    done_at        INTEGER,
    done_by        INTEGER REFERENCES users(id),
    PRIMARY KEY (work_order_id, gate_code)
) WITHOUT ROWID;

-- Orders already approved passed their gates in the old release; drafts still wait for them.
INSERT OR IGNORE INTO work_order_gates (work_order_id, gate_code, done_at)
SELECT DISTINCT l.work_order_id, g.gate_code,
    CASE WHEN w.status IN ('draft', 'submitted') THEN NULL ELSE w.updated_at END
FROM work_order_lines l JOIN process_gates g ON g.process_id = l.process_id
JOIN work_orders w ON w.id = l.work_order_id
WHERE l.removed = 0;

CREATE TABLE tasks_v2 (
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
INSERT INTO tasks_v2 (id, work_order_id, line_id, part, process_id, department_id, sequence, parallel, priority, due_date, quantity, good_qty, scrap_qty, status, operator_id, assigned_via, assign_reason, assign_reason_zh, published_at, claimed_at, started_at, completed_at, running_since, worked_ms, created_at, updated_at, version, unit, step)
SELECT t.id, t.work_order_id, t.line_id, t.part, t.process_id, t.department_id, t.sequence, t.parallel, t.priority, t.due_date, t.quantity, t.good_qty, t.scrap_qty, t.status, t.operator_id, t.assigned_via, t.assign_reason, t.assign_reason_zh, t.published_at, t.claimed_at, t.started_at, t.completed_at, t.running_since, t.worked_ms, t.created_at, t.updated_at, t.version, l.unit, l.step
FROM tasks t JOIN work_order_lines l ON l.id = t.line_id;
DROP TABLE tasks;
ALTER TABLE tasks_v2 RENAME TO tasks;
CREATE INDEX tasks_queue ON tasks(priority DESC, due_date, id);
CREATE INDEX tasks_pool ON tasks(department_id, status, priority DESC, due_date, id);
CREATE INDEX tasks_by_operator ON tasks(operator_id, status, priority DESC, due_date, id)
    WHERE operator_id IS NOT NULL;
CREATE INDEX tasks_by_order ON tasks(work_order_id, sequence);
CREATE INDEX tasks_by_line ON tasks(line_id);
CREATE INDEX tasks_unstarted ON tasks(department_id, operator_id, status, ready)
    WHERE status IN ('pending', 'assigned');
CREATE INDEX tasks_waiting ON tasks(department_id, published_at)
    WHERE status = 'pending' AND operator_id IS NULL;
CREATE INDEX tasks_open_by_due ON tasks(due_date)
    WHERE status IN ('pending', 'assigned', 'in_progress', 'paused');
CREATE INDEX tasks_by_department ON tasks(department_id, priority DESC, due_date, id);

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
-- The work done so far, as one segment per task that was started (a running task's segment
-- is open from when its clock last started).
INSERT INTO task_segments (task_id, operator_id, started_at, ended_at, good, scrap)
SELECT id, operator_id,
    CASE WHEN running_since IS NOT NULL THEN running_since ELSE started_at END,
    CASE WHEN running_since IS NOT NULL THEN NULL ELSE started_at + worked_ms END,
    good_qty, scrap_qty
FROM tasks WHERE started_at IS NOT NULL AND operator_id IS NOT NULL;

ALTER TABLE task_daily ADD COLUMN good INTEGER NOT NULL DEFAULT 0;
ALTER TABLE task_daily ADD COLUMN scrap INTEGER NOT NULL DEFAULT 0;
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
