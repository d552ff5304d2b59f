//! The allocator the `answerbank` binary ships with (crates/cli/main.rs), so
//! that in-process numbers are the binary's; every system a bench measures
//! runs on it.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
