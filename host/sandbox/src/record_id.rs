//! Salesforce record ids: 15 case-sensitive base-62 characters, or 18 with a case-safe checksum.
//!
//! The sandbox mints ids the way the reference (§9) suggests for a simulator: a three-character
//! key prefix, the fixed pod part `5e0000`, a six-character base-62 sequence number, and the
//! three-character suffix that encodes which letters are upper case.

use std::fmt;

/// The base-62 alphabet in ASCII order, so that ids minted later also sort later.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The 32 symbols of the checksum suffix.
const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The pod part every sandbox id carries after its key prefix.
const POD: &str = "5e0000";

/// Key prefix of Leads.
pub const LEAD_PREFIX: &str = "00Q";
/// Key prefix of Contacts (a converted lead's contact).
pub const CONTACT_PREFIX: &str = "003";
/// Key prefix of Accounts (a converted lead's account).
pub const ACCOUNT_PREFIX: &str = "001";
/// Key prefix of Opportunities.
pub const OPPORTUNITY_PREFIX: &str = "006";
/// Key prefix of query locators.
pub const QUERY_LOCATOR_PREFIX: &str = "01g";

/// A record id, kept in its 15-character case-sensitive form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecordId(String);

/// Why a text is not a record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordIdError {
    /// Not 15 or 18 characters long.
    #[error("an id has 15 or 18 characters, not {0}")]
    Length(usize),
    /// A character outside `0-9A-Za-z`.
    #[error("an id has only the characters 0-9, A-Z and a-z")]
    Character,
    /// The 18-character form whose suffix does not match its first 15 characters.
    #[error("the checksum of the 18-character id does not match")]
    Checksum,
}

impl RecordId {
    /// Mints the id of sequence number `sequence` with the given key prefix.
    pub fn mint(prefix: &str, sequence: u64) -> Self {
        let mut digits = [b'0'; 6];
        let mut rest = sequence;
        for digit in digits.iter_mut().rev() {
            // The remainder is below 62, so the index is in range.
            *digit = BASE62[(rest % 62) as usize];
            rest /= 62;
        }
        let mut id = String::with_capacity(15);
        id.push_str(prefix);
        id.push_str(POD);
        id.extend(digits.iter().map(|&byte| char::from(byte)));
        Self(id)
    }

    /// Parses a 15- or 18-character id; the 18-character suffix must be the right checksum
    /// (compared without regard to case, as Salesforce does).
    pub fn parse(text: &str) -> Result<Self, RecordIdError> {
        if !text.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
            return Err(RecordIdError::Character);
        }
        match text.len() {
            15 => Ok(Self(text.to_owned())),
            18 => {
                let (base, suffix) = text.split_at(15);
                if checksum(base).eq_ignore_ascii_case(suffix) {
                    Ok(Self(base.to_owned()))
                } else {
                    Err(RecordIdError::Checksum)
                }
            }
            other => Err(RecordIdError::Length(other)),
        }
    }

    /// The 15-character, case-sensitive form.
    pub fn short(&self) -> &str {
        &self.0
    }

    /// The 18-character form the API returns.
    pub fn long(&self) -> String {
        let mut long = String::with_capacity(18);
        long.push_str(&self.0);
        long.push_str(&checksum(&self.0));
        long
    }

    /// The three-character key prefix, which names the object type.
    pub fn prefix(&self) -> &str {
        self.0.get(..3).unwrap_or_default()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.long())
    }
}

impl TryFrom<String> for RecordId {
    type Error = RecordIdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<RecordId> for String {
    fn from(id: RecordId) -> Self {
        id.long()
    }
}

/// The three-character case-safe suffix of a 15-character id: one character per five, whose
/// bit `j` is set when the chunk's character `j` is an upper-case letter.
pub fn checksum(base: &str) -> String {
    base.as_bytes()
        .chunks(5)
        .take(3)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, byte)| byte.is_ascii_uppercase())
                .fold(0usize, |bits, (position, _)| bits | (1 << position));
            char::from(SUFFIX_ALPHABET[bits & 31])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_real_ids() {
        for real in [
            "70130000001tcyIAAQ",
            "00558000001N0KeAAK",
            "0015500001QdZPKAA3",
            "0035500001H9kZuAAJ",
            "00Di0000000icUBEAY",
            "005i0000002MUqLAAW",
            "00D36000001HDi3EAG",
            "00536000002PmoeAAC",
            "7506g00000DhRA2AAN",
            "012000000000000AAA",
            "001xx000003DGb2AAG",
        ] {
            let id = RecordId::parse(real).unwrap();
            assert_eq!(id.long(), real);
        }
        assert_eq!(checksum("00QD000000ABCDE"), "MA5");
    }

    #[test]
    fn minted_ids_have_the_prefix_and_sort_in_sequence() {
        let first = RecordId::mint(LEAD_PREFIX, 1);
        let later = RecordId::mint(LEAD_PREFIX, 62 * 62 + 5);
        assert_eq!(first.short(), "00Q5e0000000001");
        assert_eq!(first.prefix(), "00Q");
        assert!(first < later);
        assert_eq!(RecordId::parse(&later.long()).unwrap(), later);
    }

    #[test]
    fn rejects_wrong_lengths_characters_and_checksums() {
        assert_eq!(RecordId::parse("00Q5e000000000"), Err(RecordIdError::Length(14)));
        assert_eq!(RecordId::parse("00Q5e00000000-1"), Err(RecordIdError::Character));
        assert_eq!(
            RecordId::parse("00Q5e0000000001AAB"),
            Err(RecordIdError::Checksum)
        );
        assert!(RecordId::parse("00Q5e0000000001eaa").is_ok());
    }
}
