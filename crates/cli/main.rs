//! The `answerbank` binary.

fn main() {}
