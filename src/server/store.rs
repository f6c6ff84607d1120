//! Saved scenarios in SQLite: `<data_dir>/motcua.sqlite`, WAL mode, numbered migrations.
//!
//! Each row holds one scenario of one study area with a `version` that goes up by one on every
//! update. An update names the version it was based on and only applies if that is still the
//! current one (optimistic concurrency), so two people editing the same scenario never silently
//! overwrite each other: the second one gets [`StoreError::StaleVersion`] and reloads.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::graph::TravelMode;
use crate::scenario::{ReceivingPoint, RuleSpec, Scenario};

/// File name of the database inside the data directory.
pub const DATABASE_FILE: &str = "motcua.sqlite";

/// Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
/// Never edit a released entry: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: scenarios of a study area
    "CREATE TABLE scenarios (
        id          TEXT PRIMARY KEY,
        area        TEXT NOT NULL,
        name        TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        mode        TEXT NOT NULL,
        rule_json   TEXT NOT NULL,
        points_json TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX scenarios_by_area ON scenarios (area, updated_at);",
];

/// SQL for "now" as RFC 3339 in UTC with milliseconds.
const NOW_SQL: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// Errors of the scenario store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory or database file could not be created or opened.
    #[error("cannot open the scenario database {path}: {source}")]
    Open {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A schema migration failed; the database is left at the previous version.
    #[error("cannot upgrade the scenario database {path} to schema version {version}: {source}")]
    Migrate {
        path: PathBuf,
        version: usize,
        source: rusqlite::Error,
    },
    /// The database was written by a newer motcua.
    #[error(
        "the scenario database {path} has schema version {found}, newer than the {supported} this motcua knows: upgrade motcua or use another --data-dir"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: usize,
    },
    /// No scenario with this id in this study area.
    #[error(
        "no saved scenario with id {id:?} in study area {area:?}: it may have been deleted; choose one from the list of saved scenarios"
    )]
    NotFound { id: String, area: String },
    /// The update was based on an older version than the one stored.
    #[error(
        "scenario {id:?} was changed by someone else: you sent version {sent} but it is now at version {current}; reload it, reapply your edit and send version {current}"
    )]
    StaleVersion { id: String, sent: i64, current: i64 },
    /// A stored row could not be read back (edited by hand or damaged).
    #[error("saved scenario {id:?} has an unreadable {field}: {detail}")]
    Corrupt {
        id: String,
        field: &'static str,
        detail: String,
    },
    /// Any other SQLite failure (disk full, locked too long, ...).
    #[error("scenario database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The value could not be turned into JSON for storage.
    #[error("cannot encode scenario {field} as JSON: {source}")]
    Encode {
        field: &'static str,
        source: serde_json::Error,
    },
    /// A thread panicked while holding the connection.
    #[error(
        "the scenario database connection is unusable after an earlier failure; restart the server"
    )]
    Poisoned,
}

/// A scenario as saved: the domain scenario plus its identity and history.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredScenario {
    pub id: String,
    pub version: i64,
    pub scenario: Scenario,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// One line of the scenario list.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioListing {
    pub id: String,
    pub name: String,
    pub version: i64,
    pub mode: TravelMode,
    pub points_count: usize,
    pub updated_at: String,
}

/// The scenarios of one study area in one SQLite file.
pub struct ScenarioStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    area: String,
}

impl ScenarioStore {
    /// Opens (creating if needed) `<data_dir>/motcua.sqlite` for study area `area`, and brings
    /// its schema up to date.
    pub fn open_in(data_dir: &Path, area: &str) -> Result<ScenarioStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Open {
            path: data_dir.to_path_buf(),
            source: Box::new(e),
        })?;
        ScenarioStore::open(&data_dir.join(DATABASE_FILE), area)
    }

    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path, area: &str) -> Result<ScenarioStore, StoreError> {
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            source: Box::new(e),
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        migrate(&mut conn, path)?;
        Ok(ScenarioStore {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            area: area.to_string(),
        })
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The study area whose scenarios this store reads and writes.
    pub fn area(&self) -> &str {
        &self.area
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    /// All saved scenarios of the area, most recently updated first.
    pub fn list(&self) -> Result<Vec<ScenarioListing>, StoreError> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self.list_page(after.as_ref(), 1_000)?;
            out.extend(page.scenarios);
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(out),
            }
        }
    }

    /// At most `limit` saved scenarios, most recently updated first, starting after `after`
    /// (the `next` of the page before). A scenario updated while a client pages moves to the
    /// front and is not listed twice.
    pub fn list_page(
        &self,
        after: Option<&ListCursor>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, name, version, mode, points_json, updated_at FROM scenarios
             WHERE area = ?1
               AND (?2 IS NULL OR updated_at < ?2 OR (updated_at = ?2 AND id > ?3))
             ORDER BY updated_at DESC, id LIMIT ?4",
        )?;
        let (after_updated, after_id) = match after {
            Some(c) => (Some(c.updated_at.as_str()), Some(c.id.as_str())),
            None => (None, None),
        };
        // One row more than asked tells whether another page follows.
        let fetch = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![self.area, after_updated, after_id, fetch], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut scenarios = Vec::new();
        let mut more = false;
        for row in rows {
            if scenarios.len() == limit {
                more = true;
                break;
            }
            let (id, name, version, mode, points_json, updated_at) = row?;
            let mode = parse_mode(&id, &mode)?;
            let points: Vec<serde::de::IgnoredAny> =
                serde_json::from_str(&points_json).map_err(|e| StoreError::Corrupt {
                    id: id.clone(),
                    field: "points",
                    detail: e.to_string(),
                })?;
            scenarios.push(ScenarioListing {
                id,
                name,
                version,
                mode,
                points_count: points.len(),
                updated_at,
            });
        }
        let next = match scenarios.last() {
            Some(last) if more => Some(ListCursor {
                updated_at: last.updated_at.clone(),
                id: last.id.clone(),
            }),
            _ => None,
        };
        Ok(ListPage { scenarios, next })
    }

    /// One saved scenario.
    pub fn get(&self, id: &str) -> Result<StoredScenario, StoreError> {
        let conn = self.conn()?;
        self.get_with(&conn, id)
    }

    fn get_with(&self, conn: &Connection, id: &str) -> Result<StoredScenario, StoreError> {
        let row = conn
            .prepare_cached(
                "SELECT name, version, mode, rule_json, points_json, created_at, updated_at
                 FROM scenarios WHERE id = ?1 AND area = ?2",
            )?
            .query_row(params![id, self.area], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                ))
            })
            .optional()?;
        let Some((name, version, mode, rule_json, points_json, created_at, updated_at)) = row
        else {
            return Err(self.not_found(id));
        };
        let mode = parse_mode(id, &mode)?;
        let rule: RuleSpec = serde_json::from_str(&rule_json).map_err(|e| StoreError::Corrupt {
            id: id.to_string(),
            field: "rule",
            detail: e.to_string(),
        })?;
        let points: Vec<ReceivingPoint> =
            serde_json::from_str(&points_json).map_err(|e| StoreError::Corrupt {
                id: id.to_string(),
                field: "points",
                detail: e.to_string(),
            })?;
        Ok(StoredScenario {
            id: id.to_string(),
            version,
            scenario: Scenario {
                name,
                mode,
                rule,
                points,
            },
            created_at,
            updated_at,
        })
    }

    /// Saves a new scenario under a fresh random id, at version 1.
    pub fn create(&self, scenario: &Scenario) -> Result<StoredScenario, StoreError> {
        let (mode, rule_json, points_json) = encode(scenario)?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // A collision of 64 random bits is vanishingly rare; retry rather than fail if it happens.
        let mut id = new_scenario_id()?;
        while tx
            .query_row("SELECT 1 FROM scenarios WHERE id = ?1", [&id], |_| Ok(()))
            .optional()?
            .is_some()
        {
            id = new_scenario_id()?;
        }
        tx.execute(
            &format!(
                "INSERT INTO scenarios (id, area, name, version, mode, rule_json, points_json, created_at, updated_at)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, {NOW_SQL}, {NOW_SQL})"
            ),
            params![id, self.area, scenario.name, mode, rule_json, points_json],
        )?;
        let stored = self.get_with(&tx, &id)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Replaces a scenario if `expected_version` is still its current version; the stored
    /// version becomes `expected_version + 1`.
    pub fn update(
        &self,
        id: &str,
        expected_version: i64,
        scenario: &Scenario,
    ) -> Result<StoredScenario, StoreError> {
        let (mode, rule_json, points_json) = encode(scenario)?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            &format!(
                "UPDATE scenarios SET name = ?1, mode = ?2, rule_json = ?3, points_json = ?4,
                     version = version + 1, updated_at = {NOW_SQL}
                 WHERE id = ?5 AND area = ?6 AND version = ?7"
            ),
            params![
                scenario.name,
                mode,
                rule_json,
                points_json,
                id,
                self.area,
                expected_version
            ],
        )?;
        if changed == 0 {
            let current: Option<i64> = tx
                .query_row(
                    "SELECT version FROM scenarios WHERE id = ?1 AND area = ?2",
                    params![id, self.area],
                    |row| row.get(0),
                )
                .optional()?;
            return Err(match current {
                Some(current) => StoreError::StaleVersion {
                    id: id.to_string(),
                    sent: expected_version,
                    current,
                },
                None => self.not_found(id),
            });
        }
        let stored = self.get_with(&tx, id)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Deletes a scenario.
    pub fn delete(&self, id: &str) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let changed = conn.execute(
            "DELETE FROM scenarios WHERE id = ?1 AND area = ?2",
            params![id, self.area],
        )?;
        if changed == 0 {
            return Err(self.not_found(id));
        }
        Ok(())
    }

    /// The current time as the database writes it (RFC 3339, UTC).
    pub fn now(&self) -> Result<String, StoreError> {
        let conn = self.conn()?;
        Ok(conn.query_row(&format!("SELECT {NOW_SQL}"), [], |row| row.get(0))?)
    }

    fn not_found(&self, id: &str) -> StoreError {
        StoreError::NotFound {
            id: id.to_string(),
            area: self.area.clone(),
        }
    }
}

/// Applies the migrations the database has not seen yet, each in its own transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > MIGRATIONS.len() as i64 {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: MIGRATIONS.len(),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let version = index + 1;
        let migrate_err = |source| StoreError::Migrate {
            path: path.to_path_buf(),
            version,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(migrate_err)?;
        tx.execute_batch(sql).map_err(migrate_err)?;
        tx.pragma_update(None, "user_version", version as i64)
            .map_err(migrate_err)?;
        tx.commit().map_err(migrate_err)?;
    }
    Ok(())
}

fn encode(scenario: &Scenario) -> Result<(String, String, String), StoreError> {
    let rule = serde_json::to_string(&scenario.rule).map_err(|source| StoreError::Encode {
        field: "rule",
        source,
    })?;
    let points = serde_json::to_string(&scenario.points).map_err(|source| StoreError::Encode {
        field: "points",
        source,
    })?;
    Ok((mode_name(scenario.mode)?, rule, points))
}

/// The mode's JSON name ("motorbike"), the same text the API uses.
fn mode_name(mode: TravelMode) -> Result<String, StoreError> {
    match serde_json::to_value(mode) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        Ok(other) => Err(StoreError::Encode {
            field: "mode",
            source: serde::ser::Error::custom(format!("expected a name, got {other}")),
        }),
        Err(source) => Err(StoreError::Encode {
            field: "mode",
            source,
        }),
    }
}

fn parse_mode(id: &str, mode: &str) -> Result<TravelMode, StoreError> {
    serde_json::from_value(serde_json::Value::String(mode.to_string())).map_err(|_| {
        StoreError::Corrupt {
            id: id.to_string(),
            field: "mode",
            detail: format!("{mode:?} is not a travel mode"),
        }
    })
}

/// `s_` followed by 16 hex digits of operating-system randomness.
fn new_scenario_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Open {
        path: PathBuf::from("(random id)"),
        source: format!("no operating-system randomness for a scenario id: {e}").into(),
    })?;
    Ok(format!("s_{}", hex(&bytes)))
}

/// Lower-case hexadecimal of `bytes`.
/// Where a page of [`ScenarioStore::list_page`] ends: the last scenario listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListCursor {
    updated_at: String,
    id: String,
}

impl ListCursor {
    /// The cursor as clients send it back: opaque hex.
    pub fn encode(&self) -> String {
        hex(format!("{}\n{}", self.updated_at, self.id).as_bytes())
    }

    /// A cursor from [`ListCursor::encode`]; `None` for anything else.
    pub fn decode(text: &str) -> Option<ListCursor> {
        if !text.len().is_multiple_of(2) || text.len() > 1_024 {
            return None;
        }
        let bytes = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let text = String::from_utf8(bytes).ok()?;
        let (updated_at, id) = text.split_once('\n')?;
        Some(ListCursor {
            updated_at: updated_at.to_string(),
            id: id.to_string(),
        })
    }
}

/// One page of saved scenarios.
#[derive(Debug)]
pub struct ListPage {
    pub scenarios: Vec<ScenarioListing>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<ListCursor>,
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::PointKind;

    fn scenario(name: &str) -> Scenario {
        Scenario {
            name: name.into(),
            mode: TravelMode::Motorbike,
            rule: RuleSpec::default(),
            points: vec![ReceivingPoint {
                id: "p1".into(),
                name: "Desk".into(),
                kind: PointKind::WardDesk,
                lon: 105.85,
                lat: 21.03,
                opening_hours: String::new(),
                approximate: true,
                address: None,
                counters: None,
                unit: None,
            }],
        }
    }

    #[test]
    fn versions_advance_and_stale_updates_are_refused() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Open {
            path: PathBuf::new(),
            source: Box::new(e),
        })?;
        let store = ScenarioStore::open_in(dir.path(), "hanoi-urban")?;
        let created = store.create(&scenario("a"))?;
        assert_eq!(created.version, 1);
        assert!(created.id.starts_with("s_"));
        let updated = store.update(&created.id, 1, &scenario("b"))?;
        assert_eq!(updated.version, 2);
        assert_eq!(updated.scenario.name, "b");
        assert_eq!(updated.created_at, created.created_at);
        match store.update(&created.id, 1, &scenario("c")) {
            Err(StoreError::StaleVersion {
                sent: 1,
                current: 2,
                ..
            }) => {}
            other => panic!("expected a stale version error, got {other:?}"),
        }
        assert!(matches!(
            store.update("s_missing", 1, &scenario("d")),
            Err(StoreError::NotFound { .. })
        ));
        // Another study area does not see this scenario.
        let other_area = ScenarioStore::open_in(dir.path(), "hanoi-central")?;
        assert!(other_area.list()?.is_empty());
        store.delete(&created.id)?;
        assert!(matches!(
            store.get(&created.id),
            Err(StoreError::NotFound { .. })
        ));
        Ok(())
    }

    #[test]
    fn migrations_run_once_and_newer_schemas_are_refused() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Open {
            path: PathBuf::new(),
            source: Box::new(e),
        })?;
        let path = dir.path().join(DATABASE_FILE);
        drop(ScenarioStore::open(&path, "hanoi-urban")?);
        drop(ScenarioStore::open(&path, "hanoi-urban")?);
        let conn = Connection::open(&path)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        assert_eq!(version, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99)?;
        drop(conn);
        assert!(matches!(
            ScenarioStore::open(&path, "hanoi-urban"),
            Err(StoreError::NewerSchema { found: 99, .. })
        ));
        Ok(())
    }
}
