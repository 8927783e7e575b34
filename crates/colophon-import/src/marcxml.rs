//! `marcxml`: MARC 21 records in MARCXML. The reader and its field mapping live in
//! [`crate::marc`] (see there); this module gives the format its own name.

pub use crate::marc::read_xml as read;
