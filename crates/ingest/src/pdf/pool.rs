//! Long-lived PDF workers for one ingest run.
//!
//! Starting a worker costs a few milliseconds and a cold heap; a run over
//! many small PDFs spends more time on that than on parsing. So [`ingest`]
//! keeps a pool of workers, each taking one request a line. Isolation is the
//! same as with one process per PDF: a worker that crashes or times out is
//! killed and dropped (only the file it was reading fails), and a worker
//! whose resident memory grew large is retired after its answer.
//!
//! [`ingest`]: crate::ingest

use super::{PdfRequest, PdfResponse};
use crate::WorkerCommand;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A worker retires after an answer when its resident memory is above this.
const RETIRE_RSS_BYTES: u64 = 256 << 20;
/// And after this many requests in any case.
const RETIRE_REQUESTS: usize = 200;

struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    served: usize,
}

impl Worker {
    fn spawn(command: &WorkerCommand, memory_limit: u64) -> Result<Worker, String> {
        let mut child = command
            .command(memory_limit)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the PDF worker: {e}"))?;
        let stdin = child.stdin.take().ok_or("no worker stdin")?;
        let stdout = child.stdout.take().ok_or("no worker stdout")?;
        let mut stderr_pipe = child.stderr.take().ok_or("no worker stderr")?;
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(line) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match stderr_pipe.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Ok(mut all) = sink.lock() {
                            // Keep the last 64 KiB: enough for a crash message.
                            all.extend_from_slice(&buf[..n]);
                            let len = all.len();
                            if len > 64 * 1024 {
                                all.drain(..len - 64 * 1024);
                            }
                        }
                    }
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
            stderr,
            served: 0,
        })
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Resident memory, where the system tells it (Linux).
    fn resident_bytes(&self) -> Option<u64> {
        let statm = std::fs::read_to_string(format!("/proc/{}/statm", self.child.id())).ok()?;
        let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
        Some(pages * 4096)
    }
}

/// Workers of one command and memory limit, shared by the threads of a run.
pub(crate) struct WorkerPool {
    command: WorkerCommand,
    memory_limit: u64,
    idle: Mutex<Vec<Worker>>,
}

impl WorkerPool {
    pub(crate) fn new(command: WorkerCommand, memory_limit: u64) -> WorkerPool {
        WorkerPool {
            command,
            memory_limit,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one request to an idle (or new) worker and waits at most
    /// `limit` for its answer.
    pub(crate) fn run(&self, request: &PdfRequest, limit: Duration) -> PdfResponse {
        debug_assert_eq!(request.memory_limit, self.memory_limit);
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let mut worker = match idle {
            Some(worker) => worker,
            None => match Worker::spawn(&self.command, self.memory_limit) {
                Ok(worker) => worker,
                Err(reason) => return PdfResponse::failed(request.extractor, reason),
            },
        };
        match exchange(&mut worker, request, limit) {
            Ok(response) => {
                worker.served += 1;
                let retire = worker.served >= RETIRE_REQUESTS
                    || worker.resident_bytes().unwrap_or(0) > RETIRE_RSS_BYTES;
                if retire {
                    drop(worker.stdin);
                    let mut child = worker.child;
                    let _ = child.wait();
                } else if let Ok(mut idle) = self.idle.lock() {
                    idle.push(worker);
                }
                response
            }
            Err(reason) => {
                worker.kill();
                PdfResponse::failed(request.extractor, reason)
            }
        }
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        if let Ok(mut idle) = self.idle.lock() {
            for worker in idle.drain(..) {
                // End of input: the worker's loop ends and it exits.
                drop(worker.stdin);
                let mut child = worker.child;
                let _ = child.wait();
            }
        }
    }
}

fn exchange(
    worker: &mut Worker,
    request: &PdfRequest,
    limit: Duration,
) -> Result<PdfResponse, String> {
    let start = worker.stderr.lock().map(|e| e.len()).unwrap_or(0);
    let mut line = serde_json::to_string(request).map_err(|e| e.to_string())?;
    line.push('\n');
    let sent = worker
        .stdin
        .write_all(line.as_bytes())
        .and_then(|()| worker.stdin.flush());
    let answer = match sent {
        Ok(()) => worker.lines.recv_timeout(limit),
        Err(_) => Err(RecvTimeoutError::Disconnected),
    };
    match answer {
        Ok(line) => {
            serde_json::from_str(&line).map_err(|e| format!("bad answer from the PDF worker: {e}"))
        }
        Err(RecvTimeoutError::Timeout) => Err(format!(
            "timed out after {:.1} s, worker killed",
            limit.as_secs_f64()
        )),
        Err(RecvTimeoutError::Disconnected) => {
            // The worker died: its status and first words on stderr say why.
            let status = worker.child.wait().ok();
            // Give the stderr reader a moment to drain the pipe.
            std::thread::sleep(Duration::from_millis(20));
            let err = worker
                .stderr
                .lock()
                .map(|e| e.get(start.min(e.len())..).unwrap_or_default().to_vec())
                .unwrap_or_default();
            let first = String::from_utf8_lossy(&err)
                .lines()
                .find(|l| !l.trim().is_empty())
                .map(|l| format!(": {}", l.trim()))
                .unwrap_or_default();
            let how = status
                .map(|s| super::describe_exit(&s))
                .unwrap_or_else(|| "ended".to_string());
            Err(format!("worker {how}{first}"))
        }
    }
}
