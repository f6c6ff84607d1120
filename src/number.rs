//! Numbers in messages a person reads.
//!
//! `f64`'s `Display` writes every digit: `1e308` comes out as a 309-digit number. Error
//! messages print the values that caused them through [`Readable`], which switches to
//! scientific notation for very large and very small magnitudes.

use std::fmt;

/// An `f64` shown as `Display` does for everyday magnitudes and as `1e308`, `2.5e-9` beyond
/// them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Readable(pub f64);

impl fmt::Display for Readable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let magnitude = v.abs();
        if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&magnitude) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}

/// [`Readable`] of a borrowed value, for error messages that name a field (`readable(.value)`
/// in a `thiserror` attribute).
pub fn readable(value: &f64) -> Readable {
    Readable(*value)
}

#[cfg(test)]
mod tests {
    use super::Readable;

    #[test]
    fn issue13_item13_huge_numbers_are_printed_readably() {
        assert_eq!(Readable(1e308).to_string(), "1e308");
        assert_eq!(Readable(-1.5e20).to_string(), "-1.5e20");
        assert_eq!(Readable(2.5e-9).to_string(), "2.5e-9");
        assert_eq!(Readable(105.85).to_string(), "105.85");
        assert_eq!(Readable(0.0).to_string(), "0");
        assert_eq!(Readable(f64::INFINITY).to_string(), "inf");
        assert_eq!(Readable(f64::NAN).to_string(), "NaN");
    }
}
