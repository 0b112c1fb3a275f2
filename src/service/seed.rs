//! First-run content: a print shop's departments and process catalogue, and the admin user.

use super::users::{hash_password, insert_user, NewUser};
use super::Error;
use crate::domain::Role;
use crate::store::Store;
use rusqlite::{params, Connection};

/// (code, 中文, English)
const DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("PREPRESS", "印前制版", "Prepress & plates"),
    ("CUTTING", "开料", "Cutting"),
    ("PRINTING", "印刷", "Printing"),
    ("FINISHING", "表面处理", "Finishing"),
    ("DIECUT", "模切", "Die-cutting"),
    ("BINDING", "成型装订", "Forming & binding"),
    ("QC", "品检", "Quality control"),
    ("PACKING", "包装", "Packing"),
    ("OUTSOURCE", "外协", "Outsourcing"),
];

/// (code, 中文, English, department, sequence, parallel)
const PROCESSES: &[(&str, &str, &str, &str, i64, bool)] = &[
    ("CTP", "制版", "CTP plate making", "PREPRESS", 10, true),
    ("CUT", "开料", "Sheet cutting", "CUTTING", 20, true),
    ("PRT", "印刷", "Printing", "PRINTING", 30, false),
    ("VAN", "过油", "Varnishing", "FINISHING", 40, false),
    (
        "LAM_G",
        "覆光膜",
        "Gloss lamination",
        "FINISHING",
        41,
        false,
    ),
    (
        "LAM_M",
        "覆哑膜",
        "Matte lamination",
        "FINISHING",
        42,
        false,
    ),
    ("UV", "UV上光", "UV coating", "FINISHING", 43, false),
    (
        "FOIL_G",
        "烫金",
        "Gold foil stamping",
        "FINISHING",
        44,
        false,
    ),
    (
        "FOIL_S",
        "烫银",
        "Silver foil stamping",
        "FINISHING",
        45,
        false,
    ),
    ("EMB", "压凸", "Embossing", "FINISHING", 46, false),
    ("DIE", "模切", "Die-cutting", "DIECUT", 50, false),
    ("TRIM", "切成品", "Trimming", "BINDING", 60, false),
    ("GLUE", "粘胶", "Gluing", "BINDING", 61, false),
    ("BOX", "粘盒", "Box gluing", "BINDING", 62, false),
    ("WINDOW", "粘窗", "Window patching", "BINDING", 63, false),
    ("STAPLE", "打钉", "Stapling", "BINDING", 64, false),
    ("QC", "品检", "Quality check", "QC", 80, false),
    ("PACK", "包装", "Packing", "PACKING", 90, false),
];

/// What each seeded process counts, which run side by side (plate making and paper cutting,
/// both before printing), and the gates a print job waits for.
const UNITS_STEPS_AND_GATES: &str = "
    UPDATE processes SET unit = 'plate' WHERE code = 'CTP';
    UPDATE processes SET unit = 'sheet'
    WHERE code IN ('CUT', 'PRT', 'VAN', 'LAM_G', 'LAM_M', 'UV', 'FOIL_G', 'FOIL_S', 'EMB', 'DIE');
    UPDATE processes SET default_step = 10 WHERE code = 'CUT';
    INSERT OR IGNORE INTO gates (code, name_zh, name_en, position) VALUES
        ('proof_approved', '签样确认', 'Proof approved', 1),
        ('paper_ready', '纸张到位', 'Paper ready', 2),
        ('die_ready', '刀模到位', 'Die ready', 3);
    INSERT OR IGNORE INTO process_gates (process_id, gate_code)
        SELECT id, 'proof_approved' FROM processes WHERE code = 'PRT'
        UNION ALL SELECT id, 'paper_ready' FROM processes WHERE code = 'PRT'
        UNION ALL SELECT id, 'die_ready' FROM processes WHERE code = 'DIE';
";

fn seed_catalog(conn: &Connection) -> Result<bool, Error> {
    let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM departments)", [], |r| {
        r.get(0)
    })?;
    if !empty {
        return Ok(false);
    }
    for (code, zh, en) in DEPARTMENTS {
        conn.execute(
            "INSERT INTO departments (code, name_zh, name_en) VALUES (?1, ?2, ?3)",
            params![code, zh, en],
        )?;
    }
    for (code, zh, en, dept, seq, parallel) in PROCESSES {
        conn.execute(
            "INSERT INTO processes (code, name_zh, name_en, department_id, sequence, parallel)
             VALUES (?1, ?2, ?3, (SELECT id FROM departments WHERE code = ?4), ?5, ?6)",
            params![code, zh, en, dept, seq, parallel],
        )?;
    }
    conn.execute_batch(UNITS_STEPS_AND_GATES)?;
    super::scrap_reasons::seed(conn)?;
    Ok(true)
}

/// Seeds the catalogue on an empty database. Safe to call on every start.
pub async fn ensure_catalog(store: &Store) -> Result<bool, Error> {
    store.write(seed_catalog).await
}

pub fn ensure_catalog_blocking(store: &Store) -> Result<bool, Error> {
    store.write_blocking(seed_catalog)
}

/// Creates the `admin` user when there is no admin yet. Returns the password when one was
/// generated (to be shown once); `given` is used when set. There is never a default password.
pub async fn ensure_admin(
    store: &Store,
    given: Option<String>,
) -> Result<Option<(String, bool)>, Error> {
    let has_admin = store
        .read(|conn| {
            Ok::<bool, Error>(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin')",
                [],
                |r| r.get(0),
            )?)
        })
        .await?;
    if has_admin {
        return Ok(None);
    }
    let generated = given.is_none();
    let password = given.unwrap_or_else(random_password);
    super::users::check_password(&password)?;
    let pw = password.clone();
    let hash = super::users::hashing(move || hash_password(&pw)).await??;
    let admin = NewUser {
        username: "admin".into(),
        display_name: Some("管理员 Admin".into()),
        role: Role::Admin,
        password: String::new(),
        departments: vec![],
        skills: vec![],
        locale: None,
    };
    store
        .write(move |conn| insert_user(conn, &admin, &hash))
        .await?;
    Ok(Some((password, generated)))
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
