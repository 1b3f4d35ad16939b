//! An instance's log stream: what the worker writes to stdout and stderr, one event per line,
//! framed by Lambda's `START`, `END` and `REPORT` lines, shipped to CloudWatch Logs in batches.

use std::io::{ErrorKind, PipeReader};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot};
use unkai_types::Clock;
use unkai_types::ports::{LogEvent, LogSink};

/// How much of an invocation's log `LogType: Tail` returns.
const TAIL_BYTES: usize = 4096;

/// How often buffered events are shipped.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// What the instance tells its log task, in order with the worker's output.
pub(crate) enum Control {
    /// An invocation starts.
    Start {
        request_id: String,
        version: String,
        tail: bool,
    },
    /// An invocation ended: everything the worker wrote before is read first, then the note
    /// (a timeout), `END` and `REPORT` are written and the tail is sent when asked for.
    End {
        request_id: String,
        note: Option<String>,
        report: String,
        tail: Option<oneshot::Sender<String>>,
    },
}

struct Stream {
    sink: Arc<dyn LogSink>,
    clock: Clock,
    group: String,
    name: String,
    events: Vec<LogEvent>,
    /// An unfinished line.
    partial: Vec<u8>,
    /// The invocation's log so far, when its tail was asked for.
    tail: Option<String>,
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

    async fn flush(&mut self) {
        if self.events.is_empty() {
            return;
        }
        let events = std::mem::take(&mut self.events);
        if let Err(error) = self.sink.append(&self.group, &self.name, events).await {
            tracing::warn!(group = %self.group, stream = %self.name, %error, "function logs lost");
        }
    }
}

/// Starts the log task of one instance.
pub(crate) fn spawn(
    reader: PipeReader,
    mut control: mpsc::UnboundedReceiver<Control>,
    sink: Arc<dyn LogSink>,
    clock: Clock,
    group: String,
    name: String,
) -> std::io::Result<()> {
    // A second handle on the same pipe reads without waiting for the reactor's readiness
    // events: `drain` needs everything written before an invocation ended, now.
    let mut direct = std::fs::File::from(OwnedFd::from(reader.try_clone()?));
    let mut pipe = pipe::Receiver::from_owned_fd(OwnedFd::from(reader))?;
    let mut stream = Stream {
        sink,
        clock,
        group,
        name,
        events: Vec::new(),
        partial: Vec::new(),
        tail: None,
    };
    tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        let (mut output_open, mut control_open) = (true, true);
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while output_open || control_open {
            // Control first: a START queued before the worker could print must frame what
            // it prints, whichever the reactor reports first.
            tokio::select! {
                biased;
                message = control.recv(), if control_open => match message {
                    None => control_open = false,
                    Some(Control::Start { request_id, version, tail }) => {
                        // No drain here: when this task runs late, the pipe may already hold
                        // what the worker printed for this invocation, which belongs after
                        // START. (END drained the previous invocation's output.)
                        stream.tail = tail.then(String::new);
                        stream.push(format!("START RequestId: {request_id} Version: {version}"));
                    }
                    Some(Control::End { request_id, note, report, tail }) => {
                        drain(&mut direct, &mut buffer, &mut stream);
                        stream.finish_line();
                        if let Some(note) = note {
                            stream.push(note);
                        }
                        stream.push(format!("END RequestId: {request_id}"));
                        stream.push(report);
                        let log = stream.tail.take().unwrap_or_default();
                        if let Some(tail) = tail {
                            let _ = tail.send(last_bytes(&log, TAIL_BYTES).to_owned());
                        }
                    }
                },
                read = pipe.read(&mut buffer), if output_open => match read {
                    Ok(0) | Err(_) => {
                        output_open = false;
                        stream.finish_line();
                    }
                    Ok(n) => stream.output(&buffer[..n]),
                },
                _ = flush.tick() => stream.flush().await,
            }
        }
        stream.flush().await;
    });
    Ok(())
}

/// Reads what the worker has written so far without waiting for more.
fn drain(pipe: &mut std::fs::File, buffer: &mut [u8], stream: &mut Stream) {
    use std::io::Read;
    loop {
        match pipe.read(buffer) {
            Ok(0) => return,
            Ok(n) => stream.output(&buffer[..n]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
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
