//! Every tool's argument and result schema, generated from the Rust types ahead of time and
//! kept in `catalogue.json`, so that start-up reads them instead of running the schema
//! generator.
//!
//! Generating 191 tools' schemas at start ran schemars and rmcp's per-type caches over code
//! scattered through the whole binary: those pages stayed resident for the life of the
//! process although no request needs them again (docs/decisions/0006-memory.md). Each
//! `#[tool]` names its schemas with [`input`] and [`output`]; they answer from the catalogue,
//! keyed by type name, and fall back to generating (and counting a [`misses`]) for a type the
//! catalogue lacks. `tests/schema_catalogue.rs` fails when the catalogue differs from what the
//! types generate today; `UPDATE_SNAPSHOTS=1 cargo test --test schema_catalogue` rewrites it.
//! Keys are `std::any::type_name`, whose text a new rustc may change: then every lookup misses,
//! start-up generates the schemas as it used to, and the test asks for a regeneration.

use std::any::{Any, type_name};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Where the catalogue lives, relative to the crate root (for the test that rewrites it).
pub const PATH: &str = "src/tools/catalogue.json";

const CATALOGUE: &str = include_str!("catalogue.json");

/// The schema of a tool's arguments `T`, as rmcp's `schema_for_input::<T>()` makes it.
pub fn input<T: JsonSchema + Any>() -> Arc<JsonObject> {
    schema::<T>(Side::Input, generate_input::<T>)
}

/// The schema of a tool's structured result `T`, as rmcp's `schema_for_output::<T>()` makes it.
pub fn output<T: JsonSchema + Any>() -> Arc<JsonObject> {
    schema::<T>(
        Side::Output,
        rmcp::handler::server::tool::schema_for_output::<T>,
    )
}

/// Every catalogue schema parsed once, on the calling thread, shared by the tool routers built
/// while the returned guard lives; dropping it frees them all.
///
/// Start-up builds every toolset's router several times (name checks, the served router, the
/// tool-to-toolset map), each on a short-lived thread, and the served router keeps only the
/// schemas' text. Parsed tool by tool on those threads, the schema trees sat between the routes
/// and strings the routers keep, and once freed left the malloc arena a worker inherits full of
/// partly used pages (~1.5 MiB resident for ~0.25 MiB in use). Parsed together first, apart
/// from what the routers keep, they fill pages of their own, which go back to the operating
/// system whole (docs/decisions/0006-memory.md).
pub fn preload() -> Preloaded {
    let parsed = parse_all();
    *preloaded() = Some(parsed);
    Preloaded(())
}

/// While this lives, schemas come from [`preload`]'s trees; see there.
#[must_use = "the preloaded schemas are freed when this is dropped"]
pub struct Preloaded(());

impl Drop for Preloaded {
    fn drop(&mut self) {
        preloaded().take();
    }
}

type Parsed = HashMap<(Side, &'static str), Arc<JsonObject>>;

fn preloaded() -> std::sync::MutexGuard<'static, Option<Parsed>> {
    static PRELOADED: Mutex<Option<Parsed>> = Mutex::new(None);
    PRELOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn parse_all() -> Parsed {
    let Some(index) = index() else {
        return HashMap::new();
    };
    let tables = [(Side::Input, &index.input), (Side::Output, &index.output)];
    tables
        .into_iter()
        .flat_map(|(side, table)| table.iter().map(move |(key, raw)| (side, *key, *raw)))
        .filter_map(|(side, key, raw)| {
            let schema: JsonObject = serde_json::from_str(raw.get()).ok()?;
            Some(((side, key), Arc::new(schema)))
        })
        .collect()
}

/// How many schemas were generated because the catalogue lacked their type (0 when the
/// catalogue is up to date).
pub fn misses() -> usize {
    MISSES.load(Ordering::Relaxed)
}

/// From now on in this process, every schema is generated from its type (the catalogue is not
/// read) and recorded, for [`recorded_catalogue`]. For tests that check or rewrite the catalogue.
pub fn start_recording() {
    RECORDING.store(true, Ordering::SeqCst);
}

/// The catalogue text the schemas generated since [`start_recording`] make: what
/// `catalogue.json` must hold once every router has been built.
///
/// One type per line, each schema compact: diffs name the types that changed, and the file
/// start-up scans stays small.
pub fn recorded_catalogue() -> String {
    let recorded = recorded();
    let mut text = String::from("{");
    for (t, (table, schemas)) in recorded.iter().enumerate() {
        let comma = if t == 0 { "" } else { "," };
        text.push_str(&format!("{comma}\n{}: {{", json(table)));
        for (s, (key, schema)) in schemas.iter().enumerate() {
            let comma = if s == 0 { "" } else { "," };
            text.push_str(&format!("{comma}\n{}: {}", json(key), json(schema)));
        }
        text.push_str("\n}");
    }
    text.push_str("\n}\n");
    text
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Side {
    Input,
    Output,
}

/// The catalogue's two tables, values left as unparsed text until a tool asks for one.
#[derive(Deserialize)]
struct Index {
    #[serde(borrow)]
    input: HashMap<&'static str, &'static RawValue>,
    #[serde(borrow)]
    output: HashMap<&'static str, &'static RawValue>,
}

/// The recorded schemas, in the catalogue's layout: `{"input": {..}, "output": {..}}`.
type Recorded = BTreeMap<&'static str, BTreeMap<&'static str, Arc<JsonObject>>>;

static RECORDING: AtomicBool = AtomicBool::new(false);
static MISSES: AtomicUsize = AtomicUsize::new(0);

fn recorded() -> std::sync::MutexGuard<'static, Recorded> {
    static RECORDED: Mutex<Recorded> = Mutex::new(BTreeMap::new());
    RECORDED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn index() -> Option<&'static Index> {
    static INDEX: OnceLock<Option<Index>> = OnceLock::new();
    INDEX
        .get_or_init(|| match serde_json::from_str(CATALOGUE) {
            Ok(index) => Some(index),
            Err(error) => {
                log::warn!("tool catalogue unreadable ({error}); generating every schema");
                None
            }
        })
        .as_ref()
}

fn schema<T: Any>(side: Side, generate: fn() -> Arc<JsonObject>) -> Arc<JsonObject> {
    let key = type_name::<T>();
    if RECORDING.load(Ordering::SeqCst) {
        let schema = generate();
        let table = match side {
            Side::Input => "input",
            Side::Output => "output",
        };
        recorded()
            .entry(table)
            .or_default()
            .insert(key, schema.clone());
        return schema;
    }
    if let Some(schema) = lookup(side, key) {
        return schema;
    }
    MISSES.fetch_add(1, Ordering::Relaxed);
    generate()
}

fn lookup(side: Side, key: &str) -> Option<Arc<JsonObject>> {
    if let Some(schemas) = preloaded().as_ref() {
        return schemas.get(&(side, key)).cloned();
    }
    let index = index()?;
    let table = match side {
        Side::Input => &index.input,
        Side::Output => &index.output,
    };
    serde_json::from_str(table.get(key)?.get())
        .ok()
        .map(Arc::new)
}

fn generate_input<T: JsonSchema + Any>() -> Arc<JsonObject> {
    match rmcp::handler::server::tool::schema_for_input::<T>() {
        Ok(schema) => schema,
        // The same start-up failure `#[tool]` itself raises for a schema it cannot use.
        Err(error) => panic!("invalid input schema for `{}`: {error}", type_name::<T>()),
    }
}
