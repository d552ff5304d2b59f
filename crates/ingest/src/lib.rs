//! Walks a corpus folder and turns banked Q&As and guidance documents into
//! [`Record`]s.

mod record;

pub use record::{Extraction, ExtractionStatus, Page, Problem, Record, RecordKind};
