//! An instance's log stream: what the worker writes to stdout and stderr, one event per line,
//! framed by Lambda's `START`, `END` and `REPORT` lines, shipped to CloudWatch Logs in batches.

use std::io::{ErrorKind, PipeReader};
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::unix::pipe;
use tokio::sync::oneshot;
use unkai_types::Clock;
use unkai_types::ports::{LogEvent, LogSink};

/// How much of an invocation's log `LogType: Tail` returns.
const TAIL_BYTES: usize = 4096;

/// How often buffered events are shipped.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// An instance's side of its log stream: it frames each invocation with `START` and `END`
/// itself, under the same lock the log task takes to consume the worker's output, so the
/// lines land in order without waking the log task (a wake-up per line cost a cross-thread
/// hand-off per invocation). Dropping it lets the log task ship what is left and end.
pub(crate) struct Log {
    stream: Arc<Mutex<Stream>>,
    _open: oneshot::Sender<()>,
}

impl Log {
    /// An invocation starts: everything the worker prints for it comes after this line.
    /// (What is in the pipe now was printed between invocations: END drained the previous
    /// invocation's output.)
    pub(crate) fn start(&self, request_id: &str, version: &str, tail: bool) {
        let mut stream = lock(&self.stream);
        stream.tail = tail.then(String::new);
        stream.push(format!("START RequestId: {request_id} Version: {version}"));
    }

    /// An invocation ended: what the worker wrote before is read first, then the note (a
    /// timeout), `END` and `REPORT` are written. Returns the invocation's log tail when START
    /// asked for it.
    pub(crate) fn end(
        &self,
        request_id: &str,
        note: Option<String>,
        report: String,
    ) -> Option<String> {
        let mut stream = lock(&self.stream);
        // Empty or ended, the pipe holds nothing more of this invocation.
        let _ = stream.read_pipe();
        stream.finish_line();
        if let Some(note) = note {
            stream.push(note);
        }
        stream.push(format!("END RequestId: {request_id}"));
        stream.push(report);
        stream
            .tail
            .take()
            .map(|log| last_bytes(&log, TAIL_BYTES).to_owned())
    }
}

fn lock(stream: &Mutex<Stream>) -> std::sync::MutexGuard<'_, Stream> {
    stream
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Stream {
    clock: Clock,
    events: Vec<LogEvent>,
    /// An unfinished line.
    partial: Vec<u8>,
    /// The invocation's log so far, when its tail was asked for.
    tail: Option<String>,
    /// The pipe, read without waiting (it is non-blocking).
    pipe: std::fs::File,
    buffer: Vec<u8>,
}

impl Stream {
    fn push(&mut self, message: String) {
        if let Some(tail) = &mut self.tail {
            tail.push_str(&message);
            tail.push('\n');
        }
        let timestamp = self
            .clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as i64);
        self.events.push(LogEvent { timestamp, message });
    }

    fn output(&mut self, bytes: &[u8]) {
        self.partial.extend_from_slice(bytes);
        while let Some(end) = self.partial.iter().position(|&byte| byte == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line[..end]).into_owned();
            self.push(line.trim_end_matches('\r').to_owned());
        }
    }

    fn finish_line(&mut self) {
        if !self.partial.is_empty() {
            let line = String::from_utf8_lossy(&std::mem::take(&mut self.partial)).into_owned();
            self.push(line);
        }
    }

    /// Reads what the worker has written so far without waiting for more: `Ok(true)` at the
    /// end of its output, `Err` (`WouldBlock`) once the pipe is empty.
    fn read_pipe(&mut self) -> std::io::Result<bool> {
        use std::io::Read;
        let mut buffer = std::mem::take(&mut self.buffer);
        let read = loop {
            match self.pipe.read(&mut buffer) {
                Ok(0) => break Ok(true),
                Ok(n) => self.output(&buffer[..n]),
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => break Err(error),
            }
        };
        self.buffer = buffer;
        read
    }
}

/// Ships `events` (unless there are none).
async fn ship(sink: &dyn LogSink, group: &str, name: &str, events: Vec<LogEvent>) {
    if events.is_empty() {
        return;
    }
    if let Err(error) = sink.append(group, name, events).await {
        tracing::warn!(group, stream = name, %error, "function logs lost");
    }
}

/// Starts the log task of one instance; the instance frames invocations through the
/// returned [`Log`].
pub(crate) fn spawn(
    reader: PipeReader,
    sink: Arc<dyn LogSink>,
    clock: Clock,
    group: String,
    name: String,
) -> std::io::Result<Log> {
    // The task waits for the pipe to be readable, then reads it under the stream's lock, as
    // END does, both through a second handle on the same (non-blocking) pipe: output is
    // consumed in one place at a time, so none of it can land after the END it precedes.
    let direct = std::fs::File::from(OwnedFd::from(reader.try_clone()?));
    let pipe = pipe::Receiver::from_owned_fd(OwnedFd::from(reader))?;
    let stream = Arc::new(Mutex::new(Stream {
        clock,
        events: Vec::new(),
        partial: Vec::new(),
        tail: None,
        pipe: direct,
        buffer: vec![0u8; 64 * 1024],
    }));
    let (open, mut closed) = oneshot::channel::<()>();
    let shared = stream.clone();
    tokio::spawn(async move {
        let (mut output_open, mut instance_open) = (true, true);
        // The first batch goes a period from now, not at once: a cold start's first
        // invocation is under way then, and a store commit would compete with it.
        let mut flush =
            tokio::time::interval_at(tokio::time::Instant::now() + FLUSH_EVERY, FLUSH_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while output_open || instance_open {
            tokio::select! {
                _ = &mut closed, if instance_open => instance_open = false,
                readable = pipe.readable(), if output_open => {
                    // Read through `try_io`, so that an empty pipe clears its readiness.
                    let ended = readable.is_err()
                        || match pipe.try_io(|| lock(&shared).read_pipe()) {
                            Ok(ended) => ended,
                            Err(error) => error.kind() != ErrorKind::WouldBlock,
                        };
                    if ended {
                        output_open = false;
                        lock(&shared).finish_line();
                    }
                }
                _ = flush.tick() => {
                    let events = std::mem::take(&mut lock(&shared).events);
                    ship(sink.as_ref(), &group, &name, events).await;
                }
            }
        }
        let events = std::mem::take(&mut lock(&shared).events);
        ship(sink.as_ref(), &group, &name, events).await;
    });
    Ok(Log {
        stream,
        _open: open,
    })
}

/// The last `limit` bytes of `text`, starting on a character boundary.
fn last_bytes(text: &str, limit: usize) -> &str {
    let mut start = text.len().saturating_sub(limit);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

#[cfg(test)]
mod tests {
    #[test]
    fn tails_keep_whole_characters() {
        assert_eq!(super::last_bytes("abc", 10), "abc");
        assert_eq!(super::last_bytes("雲海", 4), "海");
    }
}
