//! The lean function: this driver's own binary, started by unkai as a `provided.al2023`
//! `bootstrap`, answers each event with `{"echo": <event>}` through the least Runtime API
//! client there is (blocking std I/O on one connection, no JSON parsing). Next to the
//! `lambda_runtime` function it shows what a warm invocation costs unkai itself, with the
//! worker's share small.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;

use anyhow::{Context as _, Result, bail};

/// Serves invocations from the Runtime API at `api` (`host:port`) until it goes away.
pub(crate) fn serve(api: &str) -> Result<()> {
    let stream = TcpStream::connect(api).with_context(|| format!("connect to {api}"))?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream.try_clone()?);
    let mut writer = stream;
    let next = format!("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nhost: {api}\r\n\r\n");
    let (mut line, mut event, mut request) = (String::new(), Vec::new(), Vec::new());
    loop {
        writer.write_all(next.as_bytes())?;
        let Some(id) = response(&mut reader, &mut line, &mut event)? else {
            return Ok(());
        };
        let length = event.len() + r#"{"echo":}"#.len();
        request.clear();
        write!(
            request,
            "POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nhost: {api}\r\n\
             content-length: {length}\r\n\r\n{{\"echo\":"
        )?;
        request.extend_from_slice(&event);
        request.push(b'}');
        writer.write_all(&request)?;
        if response(&mut reader, &mut line, &mut event)?.is_none() {
            return Ok(());
        }
    }
}

/// Reads one HTTP response into `body`; returns its `Lambda-Runtime-Aws-Request-Id` (empty
/// when it has none), or `None` once the connection is closed.
fn response(
    reader: &mut BufReader<TcpStream>,
    line: &mut String,
    body: &mut Vec<u8>,
) -> Result<Option<String>> {
    let (mut length, mut id) = (0, String::new());
    loop {
        line.clear();
        if reader.read_line(line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse()?;
            } else if name.eq_ignore_ascii_case("lambda-runtime-aws-request-id") {
                value.trim().clone_into(&mut id);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                bail!("the lean function reads only responses with a Content-Length");
            }
        }
    }
    body.resize(length, 0);
    reader.read_exact(body)?;
    Ok(Some(id))
}
