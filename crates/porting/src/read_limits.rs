//! How much of a source is held at once. A source is untrusted input: a small gzip archive can
//! expand a thousandfold, and a store can hold one enormous file. Every read is bounded, so a
//! source too large for these limits is refused with a message saying which limit, never read
//! whole into memory.

use std::io::{self, BufRead, Read};

const MIB: u64 = 1024 * 1024;

/// A whole JSON document: an archive's manifest, org and conversation files, a store's settings,
/// secrets and conversation metadata.
pub const MAX_DOCUMENT_BYTES: u64 = 16 * MIB;
/// One event: a line of an archive's `events.jsonl` (the event with its id and time) or an event
/// file. The events API takes batches of up to 16 MiB, so any event it stored fits.
pub const MAX_EVENT_BYTES: u64 = 32 * MIB;
/// An archive's `members.jsonl`, read whole to match creators (about half a million members).
pub const MAX_MEMBERS_BYTES: u64 = 64 * MIB;
/// Source bytes of events handed to the import at a time (a chunk also ends at
/// [`EVENT_CHUNK`](crate::source_thread::EVENT_CHUNK) events).
pub const EVENT_CHUNK_BYTES: u64 = 4 * MIB;

/// `bytes` as people read it.
pub fn size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Why something larger than `limit` is refused.
pub fn too_large(what: &str, limit: u64) -> String {
    format!("{what} is larger than {}, the most the import reads", size(limit))
}

/// Reads all of `reader`, refusing more than `limit` bytes (and reading no further than that).
pub fn read_at_most(reader: impl Read, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| error.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(too_large(what, limit));
    }
    Ok(bytes)
}

/// Lines of at most a given length, read without ever holding a longer one.
pub struct BoundedLines<R> {
    reader: R,
    limit: u64,
    number: usize,
}

/// A line too long, or unreadable.
#[derive(Debug)]
pub enum LineError {
    /// Longer than the limit (1-based line number).
    TooLong(usize),
    /// The reader failed.
    Io(io::Error),
}

impl<R: BufRead> BoundedLines<R> {
    /// Lines of `reader`, each at most `limit` bytes (newline excluded).
    pub fn new(reader: R, limit: u64) -> Self {
        Self {
            reader,
            limit,
            number: 0,
        }
    }

    /// The next line (without its newline) with its 1-based number; `None` at the end.
    pub fn next_line(&mut self, line: &mut Vec<u8>) -> Option<Result<usize, LineError>> {
        line.clear();
        self.number += 1;
        let read = (&mut self.reader).take(self.limit + 1).read_until(b'\n', line);
        match read {
            Ok(0) => None,
            Ok(_) => {
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                if line.len() as u64 > self.limit {
                    return Some(Err(LineError::TooLong(self.number)));
                }
                Some(Ok(self.number))
            }
            Err(error) => Some(Err(LineError::Io(error))),
        }
    }

    /// Checks every remaining line's length without keeping any: `Ok` with the line count.
    pub fn check_all(mut self) -> Result<usize, LineError> {
        let mut current: u64 = 0;
        let mut lines = 0;
        loop {
            let buffer = self.reader.fill_buf().map_err(LineError::Io)?;
            if buffer.is_empty() {
                return Ok(lines + usize::from(current > 0));
            }
            let consumed = buffer.len();
            for byte in buffer {
                if *byte == b'\n' {
                    lines += 1;
                    current = 0;
                } else {
                    current += 1;
                    if current > self.limit {
                        return Err(LineError::TooLong(lines + 1));
                    }
                }
            }
            self.reader.consume(consumed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufReader, Cursor};

    use super::*;

    #[test]
    fn documents_over_the_limit_are_refused_after_reading_one_byte_more() {
        assert_eq!(read_at_most(&b"12345"[..], 5, "x").unwrap(), b"12345");
        let mut source = Cursor::new(vec![b'a'; 100]);
        let refused = read_at_most(&mut source, 5, "org.json").unwrap_err();
        assert_eq!(
            refused,
            "org.json is larger than 5 bytes, the most the import reads"
        );
        assert_eq!(source.position(), 6, "no further than the limit");
    }

    #[test]
    fn lines_are_bounded_and_numbered() {
        let text = b"abc\n\nabcd\nabcdef\nx";
        let mut lines = BoundedLines::new(BufReader::new(&text[..]), 4);
        let mut line = Vec::new();
        assert_eq!(lines.next_line(&mut line).unwrap().unwrap(), 1);
        assert_eq!(line, b"abc");
        assert_eq!(lines.next_line(&mut line).unwrap().unwrap(), 2);
        assert_eq!(line, b"");
        assert_eq!(lines.next_line(&mut line).unwrap().unwrap(), 3);
        assert_eq!(line, b"abcd");
        assert!(matches!(
            lines.next_line(&mut line),
            Some(Err(LineError::TooLong(4)))
        ));
        assert!(line.len() <= 5, "held no more than the limit");

        let check = |text: &[u8]| BoundedLines::new(BufReader::with_capacity(3, text), 4).check_all();
        assert_eq!(check(b"abc\n\nabcd\nx").unwrap(), 4);
        assert_eq!(check(b"abcd\n").unwrap(), 1);
        assert!(matches!(check(b"ab\nabcde\n"), Err(LineError::TooLong(2))));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(MAX_EVENT_BYTES), "32 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
