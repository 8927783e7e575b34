//! ISBNs: both forms of one book parse to the same value.

use std::fmt;

/// A valid ISBN, held as its 13-digit form. ISBN-10 input is converted; hyphens and spaces
/// are ignored; the check digit must be right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isbn(String);

/// Why a string is not an ISBN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    /// Not 10 or 13 digits (an ISBN-10 may end in X).
    #[error("an ISBN has 10 or 13 digits")]
    Format,
    /// The check digit does not match.
    #[error("the ISBN check digit does not match")]
    Checksum,
}

impl Isbn {
    /// Parses an ISBN-10 or ISBN-13, with or without hyphens or spaces.
    pub fn parse(s: &str) -> Result<Self, IsbnError> {
        let chars: Vec<u8> = s
            .bytes()
            .filter(|b| *b != b'-' && *b != b' ')
            .map(|b| b.to_ascii_uppercase())
            .collect();
        match chars.len() {
            10 => {
                let (body, check) = chars.split_at(9);
                if !body.iter().all(u8::is_ascii_digit)
                    || !(check[0].is_ascii_digit() || check[0] == b'X')
                {
                    return Err(IsbnError::Format);
                }
                if isbn10_check(body) != char::from(check[0]) {
                    return Err(IsbnError::Checksum);
                }
                let mut thirteen = String::with_capacity(13);
                thirteen.push_str("978");
                thirteen.push_str(std::str::from_utf8(body).map_err(|_| IsbnError::Format)?);
                let check = isbn13_check(thirteen.as_bytes());
                thirteen.push(char::from(b'0' + check));
                Ok(Self(thirteen))
            }
            13 => {
                if !chars.iter().all(u8::is_ascii_digit) {
                    return Err(IsbnError::Format);
                }
                if isbn13_check(&chars[..12]) != chars[12] - b'0' {
                    return Err(IsbnError::Checksum);
                }
                Ok(Self(
                    String::from_utf8(chars).map_err(|_| IsbnError::Format)?,
                ))
            }
            _ => Err(IsbnError::Format),
        }
    }

    /// The 13-digit form.
    pub fn isbn13(&self) -> &str {
        &self.0
    }

    /// The 10-character form, for ISBNs in the 978 range.
    pub fn isbn10(&self) -> Option<String> {
        let body = self.0.strip_prefix("978")?;
        let body = &body[..9];
        let check = isbn10_check(body.as_bytes());
        Some(format!("{body}{check}"))
    }
}

/// The check character of an ISBN-10 whose first nine digits are `body9`.
fn isbn10_check(body9: &[u8]) -> char {
    let sum: u32 = body9
        .iter()
        .enumerate()
        .map(|(i, c)| u32::from(c - b'0') * (10 - i as u32))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    }
}

fn isbn13_check(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, c)| u32::from(c - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Isbn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_and_thirteen_are_the_same_book() {
        let a = Isbn::parse("352740841X").unwrap();
        let b = Isbn::parse("978-3-527-40841-2").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.isbn13(), "9783527408412");
        assert_eq!(a.isbn10().as_deref(), Some("352740841X"));
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(Isbn::parse("3527408411"), Err(IsbnError::Checksum));
        assert_eq!(Isbn::parse("9783527408413"), Err(IsbnError::Checksum));
        assert_eq!(Isbn::parse("12345"), Err(IsbnError::Format));
        assert_eq!(Isbn::parse("97835274084X2"), Err(IsbnError::Format));
        assert_eq!(Isbn::parse("979-10-90636-07-1").unwrap().isbn10(), None);
    }

    #[test]
    fn every_isbn10_round_trips() {
        for n in (0..999_999_999u32).step_by(7_777_777) {
            let body = format!("{n:09}");
            let sum: u32 = body
                .bytes()
                .enumerate()
                .map(|(i, c)| u32::from(c - b'0') * (10 - i as u32))
                .sum();
            let check = (11 - sum % 11) % 11;
            let check = if check == 10 {
                'X'
            } else {
                char::from(b'0' + check as u8)
            };
            let ten = format!("{body}{check}");
            assert_eq!(Isbn::parse(&ten).unwrap().isbn10().unwrap(), ten);
        }
    }
}
