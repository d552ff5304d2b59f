//! Checks over the records of a whole corpus: stable order, unique ids.

use crate::{Problem, Record};
use std::collections::HashMap;

/// Sorts records by source path then position, keeps the first record of
/// each id (later ones are reported and dropped), and sorts the problems by
/// path then line.
pub fn finish(records: Vec<Record>, problems: Vec<Problem>) -> (Vec<Record>, Vec<Problem>) {
    finish_with_lines(records.into_iter().map(|r| (r, None)).collect(), problems)
}

pub(crate) fn finish_with_lines(
    records: Vec<(Record, Option<usize>)>,
    mut problems: Vec<Problem>,
) -> (Vec<Record>, Vec<Problem>) {
    // Position in the input breaks ties: records of one file stay in file order.
    let mut indexed: Vec<(usize, Record, Option<usize>)> = records
        .into_iter()
        .enumerate()
        .map(|(i, (r, l))| (i, r, l))
        .collect();
    indexed.sort_by(|a, b| a.1.source.cmp(&b.1.source).then(a.0.cmp(&b.0)));
    let mut first: HashMap<String, (String, Option<usize>)> = HashMap::new();
    let mut kept = Vec::with_capacity(indexed.len());
    for (_, record, line) in indexed {
        if let Some((path, first_line)) = first.get(&record.id) {
            let at = match first_line {
                Some(l) => format!("{path}:{l}"),
                None => path.clone(),
            };
            problems.push(Problem {
                path: record.source.clone(),
                line,
                message: format!("duplicate id {:?} (first at {at}), skipped", record.id),
            });
            continue;
        }
        first.insert(record.id.clone(), (record.source.clone(), line));
        kept.push(record);
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    (kept, problems)
}
