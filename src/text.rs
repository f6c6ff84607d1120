//! Reading the text files people bring (points, boundaries, profiles, manifests, CSVs).
//!
//! Editors and spreadsheets save text in their own ways: a byte-order mark in front, `;`
//! between fields where the decimal separator is a comma, a stray Latin-1 byte. The loaders read
//! through these helpers so that each such file either loads or is refused with the line to
//! fix.

use std::io;
use std::path::Path;

/// Reads a UTF-8 text file and drops a leading byte-order mark. A file that is not UTF-8 fails
/// with [`io::ErrorKind::InvalidData`] and a message naming the line and column of the first
/// bad byte.
pub fn read_text(path: &Path) -> io::Result<String> {
    decode_text(std::fs::read(path)?)
}

/// [`read_text`] for bytes already in memory.
pub fn decode_text(bytes: Vec<u8>) -> io::Result<String> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            // Characters, not bytes, before the bad byte on its line.
            let column = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid UTF-8 at line {line}, column {column}; save the file as UTF-8"),
            ))
        }
    }
}

/// The field delimiter of a CSV, guessed from its header line: `;` or a tab when the header
/// holds more of them than commas (spreadsheets in locales that write decimal commas save
/// `;`-separated files), else `,`.
pub fn csv_delimiter(header_line: &[u8]) -> u8 {
    let line = header_line
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    [b';', b'\t']
        .into_iter()
        .filter(|&d| count(d) > count(b','))
        .max_by_key(|&d| count(d))
        .unwrap_or(b',')
}

/// [`csv_delimiter`] of a file, read from its first 64 KiB.
pub fn csv_delimiter_of_file(path: &Path) -> io::Result<u8> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64 << 10);
    std::fs::File::open(path)?
        .take(64 << 10)
        .read_to_end(&mut head)?;
    Ok(csv_delimiter(&head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue13_item13_invalid_utf8_names_its_line() {
        let e = decode_text(b"id,name\n1,ok\n2,caf\xe9\n".to_vec()).expect_err("Latin-1 byte");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert_eq!(
            e.to_string(),
            "invalid UTF-8 at line 3, column 6; save the file as UTF-8"
        );
    }

    #[test]
    fn issue13_item13_a_byte_order_mark_is_dropped() {
        let text = decode_text(b"\xef\xbb\xbf{\"type\": 1}".to_vec()).expect("UTF-8");
        assert_eq!(text, "{\"type\": 1}");
    }

    #[test]
    fn issue13_item13_semicolon_csv_is_split_on_semicolons() {
        assert_eq!(csv_delimiter(b"lon;lat;population\n1,5;2,5;3"), b';');
        assert_eq!(csv_delimiter(b"h3\tpopulation"), b'\t');
        assert_eq!(csv_delimiter(b"lon,lat,population"), b',');
        assert_eq!(csv_delimiter(b"name"), b',');
    }
}
