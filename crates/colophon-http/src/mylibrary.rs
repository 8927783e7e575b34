//! `mylibrary.*`: the signed-in user's own library (user-bound: a token is required).

pub mod annotations;
pub mod bookshelves;
pub mod readingpositions;
