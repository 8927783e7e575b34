//! ISO 2709 (binary MARC 21) framing: records cut at the record terminator, directory read
//! with a fallback for wrong offsets, field bytes decoded from MARC-8 or UTF-8.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};

use sha2::{Digest, Sha256};

use super::{hash_hex, mapping, marc8, wanted_tag, Record};
use crate::{Rejected, SourceRecord};

const RECORD_TERMINATOR: u8 = 0x1D;
const FIELD_TERMINATOR: u8 = 0x1E;
const SUBFIELD_DELIMITER: u8 = 0x1F;
/// A record's length has five digits; allow some slack for records whose length overflowed,
/// and reject (skipping to the next terminator) anything longer.
const MAX_RECORD: usize = 1 << 20;
const LEADER_LEN: usize = 24;

/// The iterator behind [`super::read`].
pub(crate) struct BinaryReader<R: Read> {
    input: BufReader<R>,
    /// Bytes of the current chunk (up to and including its terminator).
    chunk: Vec<u8>,
    /// Stream offset of the next unread byte.
    offset: u64,
    /// Records (attempts) seen so far.
    n: usize,
    queue: VecDeque<Result<SourceRecord, Rejected>>,
    done: bool,
    /// The record being read (its buffers are reused).
    record: Record,
}

/// What the stream holds next.
enum Chunk {
    /// `chunk` holds bytes ending with a record terminator.
    Terminated,
    /// The input ended; `chunk` holds what was left (maybe nothing).
    End,
    /// No terminator within [`MAX_RECORD`] bytes; that many were skipped, up to the next one.
    TooLong(u64),
}

impl<R: Read> BinaryReader<R> {
    pub(crate) fn new(input: R) -> Self {
        BinaryReader {
            input: BufReader::with_capacity(1 << 16, input),
            chunk: Vec::with_capacity(1 << 14),
            offset: 0,
            n: 0,
            queue: VecDeque::new(),
            done: false,
            record: Record::default(),
        }
    }

    /// Reads up to and including the next record terminator into `chunk`.
    fn next_chunk(&mut self) -> std::io::Result<Chunk> {
        self.chunk.clear();
        let mut skipped: u64 = 0;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(if skipped > 0 {
                    Chunk::TooLong(skipped)
                } else {
                    Chunk::End
                });
            }
            let (take, found) = match buf.iter().position(|&b| b == RECORD_TERMINATOR) {
                Some(p) => (p + 1, true),
                None => (buf.len(), false),
            };
            if skipped > 0 {
                skipped += take as u64;
            } else if self.chunk.len() + take > MAX_RECORD {
                skipped = (self.chunk.len() + take) as u64;
                self.chunk.clear();
            } else {
                self.chunk.extend_from_slice(&buf[..take]);
            }
            self.input.consume(take);
            if found {
                return Ok(if skipped > 0 {
                    Chunk::TooLong(skipped)
                } else {
                    Chunk::Terminated
                });
            }
        }
    }

    /// Reads the next chunk and queues what it yields.
    fn advance(&mut self) {
        let start = self.offset;
        let chunk = match self.next_chunk() {
            Ok(c) => c,
            Err(e) => {
                self.done = true;
                self.queue.push_back(Err(Rejected {
                    position: format!("byte {start}"),
                    reason: format!("input cannot be read any further: {e}"),
                }));
                return;
            }
        };
        let len = match chunk {
            Chunk::TooLong(skipped) => {
                self.offset += skipped;
                self.n += 1;
                self.queue.push_back(Err(Rejected {
                    position: format!("record {} (byte {start})", self.n),
                    reason: format!(
                        "no record terminator within {MAX_RECORD} bytes; skipped {skipped} bytes"
                    ),
                }));
                return;
            }
            Chunk::End => {
                self.done = true;
                self.chunk.len()
            }
            Chunk::Terminated => self.chunk.len(),
        };
        self.offset += len as u64;
        // Line breaks, blanks or padding between records are not worth a report.
        let lead = self
            .chunk
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r' | b' ' | b'\t' | 0))
            .count();
        if lead == self.chunk.len() {
            return;
        }
        let rest = &self.chunk[lead..];
        let Some(at) = find_leader(rest) else {
            self.n += 1;
            let reason = if matches!(chunk, Chunk::End) {
                format!(
                    "{} bytes at the end of the input are not a MARC record",
                    rest.len()
                )
            } else {
                "not a MARC record (no leader and directory before the record terminator)"
                    .to_owned()
            };
            self.queue.push_back(Err(Rejected {
                position: format!("record {} (byte {})", self.n, start + lead as u64),
                reason,
            }));
            return;
        };
        if at > 0 {
            self.queue.push_back(Err(Rejected {
                position: format!("byte {}", start + lead as u64),
                reason: format!("{at} bytes of garbage before the next record skipped"),
            }));
        }
        let mut rec_start = start + (lead + at) as u64;
        let mut bytes = &rest[at..];
        let ended = matches!(chunk, Chunk::End);
        loop {
            self.n += 1;
            let position = format!("record {} (byte {rec_start})", self.n);
            // A record whose terminator was lost runs into the next one: cut where the next
            // leader begins, and read both.
            let (this, next) = match find_embedded_leader(bytes) {
                Some(p) => (&bytes[..p], Some(&bytes[p..])),
                None => (bytes, None),
            };
            let result = if ended && next.is_none() {
                Err(Rejected {
                    position,
                    reason: format!(
                        "truncated record: the input ends after {} bytes, before the record terminator",
                        this.len()
                    ),
                })
            } else {
                let record = &mut self.record;
                parse(this, record)
                    .and_then(|()| {
                        mapping::to_source_record(record, || {
                            format!("sha256:{}", hash_hex(&Sha256::digest(this)))
                        })
                    })
                    .map_err(|reason| Rejected { position, reason })
            };
            self.queue.push_back(result);
            match next {
                Some(n) => {
                    rec_start += this.len() as u64;
                    bytes = n;
                }
                None => break,
            }
        }
    }
}

impl<R: Read> Iterator for BinaryReader<R> {
    type Item = Result<SourceRecord, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            self.advance();
        }
    }
}

/// Whether `w` (at least [`LEADER_LEN`] + 12 bytes) starts with a well-formed leader: five
/// digits, three letters (status, type, level), `22`, five digits, then a directory entry.
fn full_leader(w: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    w.len() >= LEADER_LEN + 12
        && w[10] == b'2'
        && w[11] == b'2'
        && digits(&w[..5])
        && w[5..8].iter().all(u8::is_ascii_lowercase)
        && digits(&w[12..17])
        && w[24..27].iter().all(u8::is_ascii_alphanumeric)
        && digits(&w[27..36])
}

/// Where a record starts in `bytes`. Best is a well-formed leader ([`full_leader`]); failing
/// that, a leader with digits for its length and base address followed by a directory entry
/// (a tag, then nine digits); failing that, one of the two (the other may be the damage).
fn find_leader(bytes: &[u8]) -> Option<usize> {
    let digits = |s: Option<&[u8]>| s.is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let entry = |i: usize| {
        let tag = bytes.get(i + LEADER_LEN..i + LEADER_LEN + 3);
        tag.is_some_and(|t| t.iter().all(u8::is_ascii_alphanumeric))
            && digits(bytes.get(i + LEADER_LEN + 3..i + LEADER_LEN + 12))
    };
    let length = |i: usize| digits(bytes.get(i..i + 5));
    let base = |i: usize| digits(bytes.get(i + 12..i + 17));
    let windows = || bytes.windows(LEADER_LEN + 12);
    // A leader at 0 cannot have another one starting inside its first 36 bytes.
    let early = windows().take(LEADER_LEN + 12).position(full_leader);
    if early.is_some() {
        return early;
    }
    if length(0) && base(0) && entry(0) {
        return Some(0);
    }
    let candidates = 0..bytes.len().saturating_sub(LEADER_LEN + 12);
    windows()
        .position(full_leader)
        .or_else(|| {
            candidates
                .clone()
                .find(|&i| length(i) && base(i) && entry(i))
        })
        .or_else(|| {
            candidates
                .into_iter()
                .find(|&i| (length(i) || base(i)) && entry(i))
        })
}

/// Where, past its own leader, `bytes` holds the [`full_leader`] of another record: found
/// when a record lost its terminator. A record whose length in the leader is its length has
/// none, and is not searched.
fn find_embedded_leader(bytes: &[u8]) -> Option<usize> {
    let declared = std::str::from_utf8(bytes.get(..5)?)
        .ok()?
        .parse::<usize>()
        .ok();
    if declared == Some(bytes.len()) {
        return None;
    }
    bytes
        .get(LEADER_LEN..)?
        .windows(LEADER_LEN + 12)
        .position(full_leader)
        .map(|p| p + LEADER_LEN)
}

/// Parses one record (leader to terminator, inclusive) into `record`, keeping the fields the
/// mapping uses.
pub(crate) fn parse(rec: &[u8], record: &mut Record) -> Result<(), String> {
    record.clear();
    let rec = rec.strip_suffix(&[RECORD_TERMINATOR]).unwrap_or(rec);
    let leader = rec
        .get(..LEADER_LEN)
        .ok_or_else(|| format!("record too short ({} bytes)", rec.len()))?;
    // The directory ends at the first field terminator; the base address in the leader is
    // often wrong where the directory is not.
    let dir_end = rec
        .iter()
        .skip(LEADER_LEN)
        .position(|&b| b == FIELD_TERMINATOR)
        .map(|p| p + LEADER_LEN)
        .ok_or("no directory terminator")?;
    let directory = &rec[LEADER_LEN..dir_end];
    let data = &rec[dir_end + 1..];
    // Directory entries: tag, length (4 digits), start (5 digits).
    let num = |s: &[u8]| -> Option<usize> {
        s.iter().try_fold(0usize, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + usize::from(b - b'0'))
        })
    };
    let entries = || {
        directory
            .chunks_exact(12)
            .map(|e| (&e[..3], num(&e[3..7]), num(&e[7..12])))
    };
    if entries().next().is_none() {
        return Err("empty directory".into());
    }
    let declared_utf8 = leader.get(9) == Some(&b'a');
    // A record said to be MARC-8 whose bytes are valid UTF-8 beyond ASCII is UTF-8: a MARC-8
    // diacritic followed by its (ASCII) base letter is never a valid UTF-8 sequence.
    let utf8 = declared_utf8 || (!data.is_ascii() && std::str::from_utf8(data).is_ok());

    // Directory offsets are used when every entry points at a field terminator; otherwise
    // (a wrong length or start, or one that is not a number) the data area is split on
    // terminators and paired with the entries in order, which needs only their tags.
    let offsets_ok = entries().all(|(_, len, start)| match (len, start) {
        (Some(len), Some(start)) => len > 0 && data.get(start + len - 1) == Some(&FIELD_TERMINATOR),
        _ => false,
    });
    record.leader.push_str(&String::from_utf8_lossy(leader));
    if offsets_ok {
        for (tag, len, start) in entries() {
            let (len, start) = (len.unwrap_or(0), start.unwrap_or(0));
            if let Some(bytes) = data.get(start..start + len.saturating_sub(1)) {
                field(record, tag, bytes, utf8);
            }
        }
    } else {
        let pieces = data.split(|&b| b == FIELD_TERMINATOR);
        for ((tag, _, _), bytes) in entries().zip(pieces) {
            field(record, tag, bytes, utf8);
        }
    }
    Ok(())
}

/// Decodes one field's bytes (without its terminator) into `record`, if the mapping uses it.
fn field(record: &mut Record, tag: &[u8], bytes: &[u8], utf8: bool) {
    let Ok(tag) = <[u8; 3]>::try_from(tag) else {
        return;
    };
    if !wanted_tag(&tag) {
        return;
    }
    let decode = |record: &mut Record, b: &[u8]| -> usize {
        let start = record.mark();
        if utf8 {
            record.text_mut().push_str(&String::from_utf8_lossy(b));
        } else {
            marc8::decode_into(record.text_mut(), b);
        }
        record.clean_from(start);
        start
    };
    if tag.starts_with(b"00") {
        let start = decode(record, bytes);
        record.push_control(tag, start);
        return;
    }
    // Indicators, then subfields; a field whose indicators are missing still has its data.
    let first_delim = bytes
        .iter()
        .position(|&b| b == SUBFIELD_DELIMITER)
        .unwrap_or(bytes.len());
    let inds = &bytes[..first_delim];
    let ind = |i: usize| inds.get(i).copied().unwrap_or(b' ');
    record.begin_data_field(tag, ind(0), ind(1));
    // Decoded as a whole (MARC-8 designations hold for the field), then cut at delimiters.
    let start = decode(record, &bytes[first_delim..]);
    let end = record.mark();
    let delim_from = |record: &Record, from: usize| -> Option<usize> {
        let p = record.text().get(from..end)?.find('\u{1F}')?;
        Some(from + p)
    };
    let mut next = delim_from(record, start);
    while let Some(delim) = next {
        let following = delim_from(record, delim + 1);
        let value_end = following.unwrap_or(end);
        let code = record
            .text()
            .get(delim + 1..value_end)
            .and_then(|t| t.chars().next());
        if let Some(code) = code {
            let code_byte = u8::try_from(code).ok().filter(u8::is_ascii).unwrap_or(b'?');
            record.push_sub(code_byte, delim + 1 + code.len_utf8(), value_end);
        }
        next = following;
    }
}
