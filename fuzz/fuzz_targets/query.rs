//! Fuzzes the query language: parsing, planning, rendering the plan and building the tantivy
//! query. A query is either an error with a message or a plan; nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(parsed) = hyoka::search::query::parse_query(input) else {
        return;
    };
    let plan = hyoka::search::query::plan(&parsed);
    let _ = hyoka::search::query::render_plan(&plan);
    let (_, fields) = hyoka::index::schema();
    let _ = hyoka::search::query::to_query(&plan, &fields);
});
