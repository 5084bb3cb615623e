//! Response bodies written as they are produced: an export of the whole audit chain, a CSV of the
//! portfolio, an evidence ZIP. The writer runs on the blocking pool and hands the body over in
//! chunks through a small bounded channel, so memory holds a few chunks whatever the size, and a
//! client that reads slowly slows the writer instead of filling memory. A writer that fails after
//! the response began ends the transfer early (the client sees an incomplete body, never a
//! complete-looking wrong one); the error is logged.

use std::{
    io::{self, Write},
    time::{Duration, Instant},
};

use actix_web::web::Bytes;
use futures_util::Stream;

use crate::error::ApiError;

/// Chunks in flight between the writer and the connection.
const CHUNKS: usize = 4;
/// The writer's buffer: the size of each chunk.
const CHUNK: usize = 64 * 1024;

type Chunk = Result<Bytes, io::Error>;

/// A body produced by `write` on the blocking pool.
pub fn body<F>(what: &'static str, write: F) -> impl Stream<Item = Chunk>
where
    F: FnOnce(&mut dyn Write) -> Result<(), ApiError> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(CHUNKS);
    actix_web::rt::task::spawn_blocking(move || {
        let mut out = io::BufWriter::with_capacity(CHUNK, Channel(tx.clone()));
        let result = write(&mut out).and_then(|()| out.flush().map_err(io_error));
        if let Err(e) = result {
            // What is still buffered is dropped, not sent after the error.
            drop(out.into_parts());
            tracing::warn!(error = %e, "{what}: the body could not be written to its end; the transfer was cut short");
            let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|chunk| (chunk, rx)) })
}

/// How long the writer waits for a client that stopped reading before it gives up: the writer
/// may hold a database connection and a read transaction, which must not be kept for ever.
const STALL: Duration = Duration::from_secs(60);

/// Writes into the channel; a closed channel (the client went away) or a client that read
/// nothing for `STALL` stops the writer.
struct Channel(tokio::sync::mpsc::Sender<Chunk>);

impl Write for Channel {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        use tokio::sync::mpsc::error::TrySendError;
        let mut chunk = Ok(Bytes::copy_from_slice(buf));
        let deadline = Instant::now() + STALL;
        loop {
            match self.0.try_send(chunk) {
                Ok(()) => return Ok(buf.len()),
                Err(TrySendError::Closed(_)) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"));
                }
                Err(TrySendError::Full(back)) if Instant::now() < deadline => {
                    chunk = back;
                    // The client reads slower than the writer writes: wait for it, a little at a time.
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(TrySendError::Full(_)) => {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"));
                }
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes one JSON Lines line.
pub fn json_line<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<(), ApiError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| ApiError::Internal(format!("writing the response: {e}")))?;
    out.write_all(b"\n").map_err(io_error)
}

/// An I/O error while writing a body, as the writer reports it.
pub fn io_error(e: io::Error) -> ApiError {
    ApiError::Internal(format!("writing the response: {e}"))
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[actix_web::test]
    async fn a_large_body_arrives_whole_in_chunks() {
        let chunks: Vec<Chunk> = body("test", |w| {
            for i in 0..100_000u32 {
                writeln!(w, "line {i}").map_err(io_error)?;
            }
            Ok(())
        })
        .collect()
        .await;
        assert!(chunks.len() > 10, "{}", chunks.len());
        let text: Vec<u8> = chunks.into_iter().flat_map(|c| c.unwrap().to_vec()).collect();
        let text = String::from_utf8(text).unwrap();
        assert_eq!(text.lines().count(), 100_000);
        assert_eq!(text.lines().last(), Some("line 99999"));
    }

    #[actix_web::test]
    async fn a_writer_that_fails_ends_the_body_with_an_error() {
        let chunks: Vec<Chunk> = body("test", |w| {
            w.write_all(b"begun").map_err(io_error)?;
            Err(ApiError::Internal("the database went away".into()))
        })
        .collect()
        .await;
        assert!(chunks.last().unwrap().is_err());
    }
}
