// Text matching that ignores Vietnamese diacritics and case, so "cau giay" finds "Cầu Giấy".

/**
 * The server's `fold_vietnamese` (src/scenario/search.rs) on this side: lower case, every
 * combining mark dropped after decomposition (Vietnamese tone and vowel marks: "ầ" -> "a"), "đ"
 * -> "d", and runs of spaces as one, so what the table finds is what the server's search finds.
 */
export function foldText(s) {
  return String(s ?? '')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .split(/\s+/)
    .filter(Boolean)
    .join(' ');
}
